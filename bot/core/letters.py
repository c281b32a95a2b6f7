"""The messages other capabilities own that the dispatcher delivers (its one way to them)."""

from __future__ import annotations

from datetime import date

from bot.core import nudges, team
from bot.core.actions.settings import Agree, ShowSettings, TurnOff
from bot.core.actions.team import MeetingSlot
from bot.core.i18n import Catalog
from bot.core.model import ClientSchedule, Meeting, Relay, Role, User
from bot.core.views import Choice, Say, t


class CoreLetters:
    """``Letters`` from the team's and the messages' own view functions."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def relay(self, client: User, relay: Relay, role: Role) -> Say:
        """A team member's nudge or answer, as the client sees it."""
        return nudges.client_message(relay, role)

    def reflection_copy(self, client: User, relay: Relay) -> Say:
        """Someone close's words, for the client's staff, as they reached the client."""
        return nudges.staff_copy(client, relay)

    def meeting(self, client: User, slot: str, day: date) -> Say:
        """The invitation before or after a network meeting."""
        return team.meeting_invitation(self._catalog, client.language, MeetingSlot(slot), day)

    def held(self, client: User, own: ClientSchedule) -> Say | None:
        """For a member whose message waits while the client is paused."""
        return nudges.pause_note(client.name, own, held=True)

    def reminder(self, to: User, client: User, meeting: Meeting) -> Say:
        """On the meeting's day: for the client, with a way to get ready and their record of
        the last weeks to bring; for someone invited, with the client's page."""
        return team.meeting_reminder(to, client, meeting)

    def ask_again(self, client: User) -> Say:
        """The schedule question once more, gently, for a client who never answered it."""
        choices = (
            Choice(t("schedule.again_yes"), Agree(first=True)),
            Choice(t("schedule.again_show"), ShowSettings(everything=True)),
            Choice(t("schedule.only_when_i_ask"), TurnOff(first=True)),
        )
        return Say.of(t("schedule.ask_again"), choices=choices)
