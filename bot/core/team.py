"""The care team as use cases: invites, Accept or Decline, /team, /clients and meeting dates.

Every action checks the team table as it is now: a member acts only on clients whose team they
are in, and a client only ever acts on their own team. The meeting is set with the client, not
for them: a clinician proposes a date, the client confirms it or asks for another, and only a
confirmed date plans the invitations around it; a date that has passed is never the next one.
A typed date is read back in words before it counts. Old or forged ids are refused calmly and
change nothing.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import segno

from bot.core.actions.messages import (
    AskContactMenu,
    NudgeWho,
    SetNudges,
    StartReflection,
    WriteToMember,
)
from bot.core.actions.record import RecordForMeeting
from bot.core.actions.share import SharedHistory
from bot.core.actions.team import (
    AcceptInvite,
    AskMeeting,
    AskRemove,
    ClientList,
    ClientPage,
    ConfirmMeeting,
    DeclineInvite,
    DeclineWaiting,
    InviteClose,
    KeepMember,
    MeetingLater,
    MeetingSlot,
    MeetingStart,
    NoMeeting,
    RemoveMember,
    ShowClient,
    ShowMember,
    TeamPage,
)
from bot.core.copies import Copies
from bot.core.dates import read_meeting, read_time_and_place
from bot.core.i18n import Catalog
from bot.core.lengths import MAX_TEXT, utf16_len
from bot.core.meetings import meeting_words, proposed
from bot.core.model import (
    InviteKind,
    Meeting,
    Relay,
    Role,
    TeamMember,
    User,
    hash_code,
    new_invite_code,
)
from bot.core.nudges import (
    MEETING,
    NUDGE,
    SOON,
    Hold,
    arrival,
    client_message,
    may_nudge,
    when_words,
)
from bot.core.planning import RELAY, Planner
from bot.core.policy import Policy
from bot.core.ports import MessageStore, Outbox, People, Sends, ShareStore, TeamJoin, TeamStore
from bot.core.sharing import MAX_CHOICES, on_page, pages, parts_of, turn
from bot.core.views import Attachment, Choice, Say, Text, View, t
from bot.core.waits import Wait, WaitKind, Waits
from bot.core.wording import Wording

CLIENTS = 5
"""Clients on one page of /clients, then "More clients"."""

StartWriting = Callable[[User, int, datetime], Awaitable[View]]
"""Opens the client's draft to a person of their team (``Nudges.write_to``): the words they
type next become it, shown to them with "Send to …" before anything goes."""

MEETING_DIALOGS = {MeetingSlot.PREP: "meeting_prep", MeetingSlot.AFTER: "after_meeting"}
"""The questions each meeting invitation starts."""


def draft_check(kept: str) -> str:
    """A short mark of a typed meeting, carried by the button that confirms it."""
    return f"{zlib.crc32(kept.encode()):08x}"


def qr_png(link: str) -> bytes:
    """A QR code of ``link`` as a PNG image, big enough to scan across a table."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


async def create_team_invite(
    store: TeamStore, inviter: User, now: datetime, valid: timedelta
) -> str:
    """A one-time code for someone to join a team: staff ask a client, a client asks someone
    close to them. Only the hash is stored."""
    if inviter.role.is_staff:
        kind = InviteKind.CLIENT
    elif inviter.role is Role.CLIENT:
        kind = InviteKind.NETWORK
    else:
        raise ValueError("only staff and clients make team invites")
    code = new_invite_code(kind.prefix)
    await store.add_team_invite(hash_code(code), inviter.id, kind, now, now + valid)
    return code


def meeting_invitation(catalog: Catalog, language: str, slot: MeetingSlot, day: date) -> Say:
    """The message the bot sends before (``prep``) or after (``after``) a network meeting."""
    if slot is MeetingSlot.PREP:
        text = t("meeting.prep_invite", date=catalog.weekday_date(language, day))
        start = t("meeting.prep_start")
    else:
        text, start = t("meeting.after_invite"), t("meeting.after_start")
    return Say.of(
        text,
        choices=[
            Choice(start, MeetingStart(slot)),
            Choice(t("common.not_now"), MeetingLater(slot)),
        ],
    )


def meeting_reminder(to: User, client: User, meeting: Meeting) -> Say:
    """The one reminder on a meeting's day. The client may get ready (the agenda) and take
    their own record of the last four weeks; someone invited may open the client's page."""
    when = meeting_words(meeting)
    if to.id == client.id:
        choices = [
            Choice(t("meeting.prep_start"), MeetingStart(MeetingSlot.PREP)),
            Choice(t("meeting_when.record"), RecordForMeeting()),
        ]
        return Say.of(t("meeting_when.reminder_own", date=when), choices=choices)
    page = Choice(t("meeting_when.client_page", name=client.name), ShowClient(client.id))
    text = t("meeting_when.reminder", name=client.name, date=when)
    return Say.of(text, choices=[page])


@dataclass(frozen=True)
class Meetings:
    """A client's network meetings as of today on their own clock."""

    next: date | None = None  # confirmed, today or later
    last: date | None = None  # confirmed, and passed: never called the next one
    proposal: Relay | None = None  # a team member's meeting, unanswered, today or later
    meeting: Meeting | None = None  # the next one with its time and place

    @property
    def offered(self) -> Meeting | None:
        """The meeting the open proposal names."""
        return proposed(self.proposal) if self.proposal is not None else None

    @property
    def proposed(self) -> date | None:
        """The day the open proposal names."""
        offered = self.offered
        return offered.day if offered is not None else None


def meetings_on(today: date, confirmed: Meeting | None, proposal: Relay | None) -> Meetings:
    """Which confirmed meeting is next and which was last, and whether a proposal still stands,
    ``today``."""
    day = confirmed.day if confirmed is not None else None
    offered = proposed(proposal) if proposal is not None else None
    upcoming = day is not None and day >= today
    return Meetings(
        next=day if upcoming else None,
        last=day if day is not None and not upcoming else None,
        proposal=proposal if offered is not None and offered.day >= today else None,
        meeting=confirmed if upcoming else None,
    )


@dataclass(frozen=True)
class Caller:
    """Someone who opened a link or pressed under it, as Telegram names them; they may have no
    account yet (someone close to a client needs none to say yes or no)."""

    id: int
    chat_id: int
    name: str
    language_code: str | None


@dataclass(frozen=True)
class InviteReply:
    """What follows opening or answering an invite, in the language of whoever did it."""

    view: View
    language: str
    menu: Role | None = None  # the command menu they should have now, when it changed


class _Lines:
    """Lines of one message, one under another, in one language (a view's parts are a blank
    line apart; a list is not)."""

    def __init__(self, catalog: Catalog, language: str) -> None:
        self._catalog = catalog
        self._wording = Wording(catalog)
        self.language = language
        self._lines: list[str] = []

    def add(self, key: str, /, **values: object) -> None:
        # A value may be a text ("tomorrow at 09:00"), a date or a time, said in the language.
        plain = {name: self._wording.value(self.language, v) for name, v in values.items()}
        self._lines.append(self._catalog.get(self.language, key, **plain))

    def blank(self) -> None:
        self._lines.append("")

    def body(self) -> str:
        return "\n".join(self._lines)


class Team:
    """Use cases of the care team."""

    def __init__(
        self,
        people: People,
        teams: TeamStore,
        shares: ShareStore,
        messages: MessageStore,
        sends: Sends,
        planner: Planner,
        waits: Waits,
        outbox: Outbox,
        policy: Policy,
        catalog: Catalog,
        bot_name: str,
        copies: Copies,
    ) -> None:
        self._copies = copies
        self._people = people
        self._teams = teams
        self._shares = shares
        self._messages = messages
        self._sends = sends
        self._planner = planner
        self._waits = waits
        self._outbox = outbox
        self.policy = policy
        self._catalog = catalog
        self._bot_name = bot_name

    # --- invites ---------------------------------------------------------------------------

    def link(self, code: str) -> str:
        """The ``start=`` link that opens the bot with ``code``."""
        return f"https://t.me/{self._bot_name}?start={code}"

    @property
    def _hours(self) -> int:
        return int(self.policy.invite_valid.total_seconds() // 3600)

    def _role(self, language: str, role: Role) -> str:
        return self._catalog.get(language, f"roles.{role.value}")

    async def _invite(self, inviter: User, now: datetime) -> View:
        """A one-time link, and its QR code, for someone to join the inviter's team."""
        code = await create_team_invite(self._teams, inviter, now, self.policy.invite_valid)
        link = self.link(code)
        if inviter.role.is_staff:
            text = t("invite.staff_link", hours=self._hours, link=link)
            caption = t("invite.qr_caption", name=inviter.name, role=inviter.role)
        else:
            text = t("invite.network_link", hours=self._hours, link=link)
            caption = t("invite.network_qr_caption", name=inviter.name)
        return View.of(Say.of(text), Say((caption,), attachment=Attachment(qr_png(link))))

    async def invite_client(self, user: User, now: datetime) -> View:
        """/invite: staff make a link for a client."""
        if user.role is Role.NETWORK:
            return View.say("fallback.not_for_role")  # someone close never reads staff words
        if not user.role.is_staff:
            return View.say("invite.not_for_you")
        return await self._invite(user, now)

    async def invite_close(self, user: User, now: datetime) -> View:
        """From /team: a client makes a link for someone close to them."""
        if not user.role.is_client:
            return View.refuse("fallback.stale_button")
        return await self._invite(user, now)

    async def _language(self, caller: Caller) -> tuple[User | None, str]:
        me = await self._people.get_user(caller.id)
        return me, me.language if me else self._catalog.language_for(caller.language_code)

    async def open_invite(self, caller: Caller, code: str, now: datetime) -> InviteReply | None:
        """A team link opened: who asks and what the person will (and won't) see; Accept or
        Decline. None if ``code`` is not a usable team code."""
        kind = InviteKind.of_code(code)
        if kind is None or len(code) > 60:
            return None
        found = await self._teams.team_invite(hash_code(code), now)
        if found is None or found[1] is not kind:
            return None
        inviter = found[0]
        me, lang = await self._language(caller)
        if inviter.id == caller.id:
            return InviteReply(View.say("invite.own_link"), lang)
        org = self.policy.organisation
        if kind is InviteKind.CLIENT:
            if me is not None and me.role.is_staff:  # a client link makes a client
                return InviteReply(View.say("invite.for_clients"), lang)
            text = t("invite.ask_client", name=inviter.name, role=inviter.role, org=org)
            accept = t("invite.accept", name=inviter.name)
        else:
            if me is not None and me.role.is_staff:
                return InviteReply(View.say("invite.for_network"), lang)
            text = t("invite.ask_network", name=inviter.name, org=org)
            accept = t("invite.accept_network")
        choices = [
            Choice(accept, AcceptInvite(code)),
            Choice(t("invite.decline"), DeclineInvite(code)),
        ]
        return InviteReply(View.of(Say.of(text, choices=choices)), lang)

    async def decline(self, caller: Caller, code: str, now: datetime) -> InviteReply:
        """Decline: the code is used up, nobody is linked."""
        _, lang = await self._language(caller)
        if await self._teams.decline_team_invite(hash_code(code), caller.id, now):
            kind = InviteKind.of_code(code)
            key = "invite.declined" if kind is InviteKind.CLIENT else "invite.declined_network"
        else:
            key = "start.code_invalid"
        return InviteReply(_settled(key), lang)

    async def accept(self, caller: Caller, code: str, now: datetime) -> InviteReply:
        """Accept: the code is used once, by whoever presses first; the other person hears of
        it (staff at once, a client at a time the bot may write to them)."""
        _, lang = await self._language(caller)
        kind = InviteKind.of_code(code)
        outcome, other = await self._teams.join_team(
            hash_code(code), caller.id, caller.chat_id, caller.name, lang, now
        )
        if outcome is TeamJoin.OK and other is not None:
            if kind is InviteKind.CLIENT:
                await self._outbox.send(other, Say.of(t("invite.staff_told", name=caller.name)))
                return InviteReply(_settled("invite.client_joined", name=other.name), lang)
            await self.notify(
                other,
                "team.notice_joined",
                now,
                name=caller.name,
                role=self._role(other.language, Role.NETWORK),
            )
            view = _settled("invite.network_joined", name=other.name)
            return InviteReply(view, lang, menu=Role.NETWORK)
        if outcome is TeamJoin.ALREADY:
            key = "invite.already"
        elif outcome is TeamJoin.OWN_LINK:
            key = "invite.own_link"
        elif outcome is TeamJoin.WRONG_KIND:
            key = "invite.for_clients" if kind is InviteKind.CLIENT else "invite.for_network"
        else:
            key = "start.code_invalid"
        return InviteReply(_settled(key), lang)

    async def notify(self, client: User, key: str, now: datetime, /, **values: object) -> None:
        """Tell a client something about their team, at a time they may be written to.

        ``values`` are plain words in the client's language: the notice waits as stored data.
        """
        await self._planner.plan_notice(client.id, key, values, now)

    # --- /team -----------------------------------------------------------------------------

    async def team(self, user: User, now: datetime, page: int = 0, edit: bool = False) -> View:
        """/team: who is in the client's team, what each has, what waits to reach the client
        (nudges, messages, and what someone close wrote, each under its own heading), the next
        meeting; and what the client can change, in at most ``MAX_CHOICES`` buttons (see
        ``team_choices``). ``page``: which people of a big team are buttons."""
        if not user.role.is_client:
            return View.say("fallback.not_for_role")
        catalog, lang = self._catalog, user.language
        team = await self._teams.team_of(user.id)
        every_share = await self._shares.shares(user.id)
        live = [s for s in every_share if s.withdrawn_at is None]
        lines = _Lines(catalog, lang)
        people: list[Choice] = []
        if team:
            lines.add("team.title")
            for member in team:
                values = {
                    "name": member.person.name,
                    "role": self._role(lang, member.role),
                    "since": catalog.date(lang, member.since.date()),
                }
                days = sorted(
                    {
                        s.created_at.date()
                        for s in live
                        if any(r.recipient_id == member.person.id for r in s.recipients)
                    }
                )
                if days:
                    dates = catalog.list(lang, [catalog.short_date(lang, d) for d in days])
                    lines.add("team.member_received", dates=dates, **values)
                else:
                    lines.add("team.member", **values)
                people.append(Choice(Text.plain(member.person.name), ShowMember(member.person.id)))
        else:
            lines.add("team.empty")
        roles = {m.person.id: m.role for m in team}
        declines = await self._waiting_lines(user, roles, lines, now)
        state = await self.meetings(user.id, now)
        lines.blank()
        if state.meeting is not None:
            lines.add("team.meeting", date=meeting_words(state.meeting))
        elif state.last:
            lines.add("team_meeting.last", date=self._day(lang, state.last))
        else:
            lines.add("team.no_meeting")
        invite = Choice(t("team.invite"), InviteClose())
        if state.proposal is not None and state.offered is not None:
            name = state.proposal.member_name
            lines.add("team_meeting.proposed", name=name, date=meeting_words(state.offered))
            meeting = Choice(t("team_meeting.answer", name=name), AskMeeting(None))
        else:
            meeting = Choice(t("team.set_meeting"), AskMeeting(None))
        history = [Choice(t("team.shared"), SharedHistory())] if every_share else []
        choices = team_choices(people, declines, [invite, meeting], history, page)
        return View.of(Say.of(Text.plain(lines.body()), choices=choices, edit=edit))

    async def _waiting(self, client_id: int) -> list[Relay]:
        """What the client's team wrote to them that waits to reach them, soonest first. A
        proposed meeting date is shown with the meeting, not here."""
        return [
            r
            for r in await self._messages.planned_relays(client_id=client_id)
            if r.to_client and r.kind != MEETING
        ]

    async def _waiting_lines(
        self, user: User, roles: dict[int, Role], lines: _Lines, now: datetime
    ) -> list[Choice]:
        """What waits to reach the client, each kind under its own heading: nudges, messages
        (answers to what the client wrote), and what someone close wrote, which is never called
        a nudge. One Decline per person, whatever and however much waits from them."""
        catalog, lang = self._catalog, user.language
        sections: dict[str, list[Relay]] = {"nudges": [], "messages": [], "close": []}
        for relay in await self._waiting(user.id):
            if relay.member_id is not None and roles.get(relay.member_id) is Role.NETWORK:
                sections["close"].append(relay)
            elif relay.kind == NUDGE:
                sections["nudges"].append(relay)
            else:
                sections["messages"].append(relay)
        titles = {
            "nudges": "team_people.upcoming_title",
            "messages": "team.waiting_messages",
            "close": "team.waiting_close",
        }
        by_person: dict[str, list[tuple[Relay, str]]] = {}
        for section, relays in sections.items():
            if not relays:
                continue
            lines.blank()
            lines.add(titles[section])
            for relay in relays:
                found = await arrival(self._planner, user.id, relay.kind, relay.due_at or now, now)
                if found.hold is Hold.NOT_AGREED:
                    key = "team_people.upcoming_not_agreed"
                elif found.at is None:
                    key = "team_people.upcoming_paused"
                elif found.at > now + SOON:
                    key = "team_people.upcoming_line"
                else:
                    key = "team_people.upcoming_soon"
                zone = found.zone
                when = found.at or relay.created_at
                lines.add(
                    key,
                    name=relay.member_name,
                    when=when_words(catalog, lang, when, now, zone),
                    written=catalog.datetime(lang, relay.created_at.astimezone(zone)),
                )
                short = catalog.short_date(lang, when.astimezone(zone).date())
                who = f"m{relay.member_id}" if relay.member_id is not None else f"r{relay.id}"
                by_person.setdefault(who, []).append((relay, short))
        return [decline_choice(found) for found in by_person.values()]

    async def _member(self, user: User, member_id: int) -> TeamMember | None:
        """``member_id``'s place in ``user``'s own team now, if they have one."""
        team = await self._teams.team_of(user.id) if user.role.is_client else []
        return next((m for m in team if m.person.id == member_id), None)

    async def member(self, user: User, member_id: int) -> View:
        """One person of the client's team: write to them, ask them to get in touch, decline
        what waits from them, nudges from them, remove them."""
        member = await self._member(user, member_id)
        if member is None:
            return _settled("team.not_in_team")
        name, pid = member.person.name, member.person.id
        choices = [
            Choice(t("team_people.write", name=name), WriteToMember(pid)),
            Choice(t("team_people.ask", name=name), AskContactMenu(pid)),
        ]
        waiting = [r for r in await self._waiting(user.id) if r.member_id == pid]
        if waiting:
            nudges = all(r.kind == NUDGE for r in waiting)
            key = "team.decline_nudges" if nudges else "team.decline_messages"
            last = max(r.id for r in waiting)
            choices.append(Choice(t(key, name=name, count=len(waiting)), DeclineWaiting(last)))
        if may_nudge(self.policy, member.role):
            if pid in await self._messages.no_nudges(user.id):
                choices.append(Choice(t("nudge.allow", name=name), SetNudges(pid, stop=False)))
            else:
                choices.append(Choice(t("nudge.stop", name=name), SetNudges(pid, stop=True)))
        choices.append(Choice(t("team.remove", name=name), AskRemove(pid)))
        text = t("team_people.person", name=name, role=member.role)
        return View.of(Say.of(text, choices=choices))

    async def ask_remove(self, user: User, member_id: int) -> View:
        """ "Remove <name>": ask first; removing comes first, keeping second."""
        member = await self._member(user, member_id)
        if member is None:
            return _settled("team.not_in_team")
        name, pid = member.person.name, member.person.id
        choices = [
            Choice(t("team.remove_yes", name=name), RemoveMember(pid)),
            Choice(t("team.remove_no", name=name), KeepMember(pid)),
        ]
        return View.of(Say.of(t("team.remove_ask", name=name), choices=choices))

    async def remove(self, user: User, member_id: int, now: datetime) -> View:
        """Take someone out of the client's team: nothing new reaches them from now on, and
        what the client's words became in their chat is taken back."""
        member = await self._member(user, member_id)
        if member is None or not await self._teams.remove_from_team(user.id, member_id):
            return _settled("team.not_in_team")
        taken = await self._copies.take_back(user, now, member_id=member_id)
        key = "team.removed_taken_back" if taken else "team.removed"
        return _settled(key, name=member.person.name)

    async def keep(self, user: User, member_id: int) -> View:
        """They stay in the team."""
        member = await self._member(user, member_id)
        if member is None:
            return _settled("team.not_in_team")
        return _settled("team.kept", name=member.person.name)

    async def decline_waiting(self, user: User, relay_id: int) -> View:
        """The client declines what waits from one person of their team: ``relay_id`` is the
        newest of it when the Decline was shown; what they wrote since is not declined."""
        relay = await self._messages.relay(relay_id)
        if relay is None or relay.client_id != user.id or not relay.to_client:
            return _settled("fallback.stale_button")
        earlier = [
            r
            for r in await self._waiting(user.id)
            if relay.member_id is not None and r.member_id == relay.member_id and r.id < relay.id
        ]
        declined = [
            r
            for r in (*earlier, relay)
            if await self._messages.update_relay(r.id, status="declined", expect="planned")
        ]
        if not declined:
            return View.say("nudge.gone")
        nudges = all(r.kind == NUDGE for r in declined)
        key = "team.declined_nudges" if nudges else "team.declined_messages"
        return View.say(key, count=len(declined))

    # --- the next network meeting ------------------------------------------------------------

    def _day(self, language: str, day: date) -> str:
        """A day in words, with its weekday ("Tuesday, December 8, 2026")."""
        return self._catalog.weekday_date(language, day)

    async def _today(self, client_id: int, now: datetime) -> date:
        """Today on the client's own clock."""
        return now.astimezone(await self._planner.zone_of(client_id)).date()

    async def meetings(self, client_id: int, now: datetime) -> Meetings:
        """The client's meetings now. A proposal stands only while the person who made it is
        still in the client's team."""
        proposal = await self._messages.meeting_proposal(client_id)
        if proposal is not None and (
            proposal.member_id is None
            or await self._teams.team_role(client_id, proposal.member_id) is None
        ):
            proposal = None
        stored = await self._teams.meeting(client_id)
        return meetings_on(await self._today(client_id, now), stored, proposal)

    async def _members_client(self, user: User, client_id: int) -> User | None:
        """The client, if ``user`` is in their team now (anyone there may propose a date)."""
        if await self._teams.team_role(client_id, user.id) is None:
            return None
        return await self._people.get_user(client_id)

    async def _whose_meeting(self, user: User, client_id: int | None) -> User | None:
        """Whose meeting ``user`` may set: their own (a client), or propose: a client of theirs
        (anyone in that client's team now: a clinician, a peer supporter, someone close)."""
        if client_id is None:
            return user if user.role.is_client else None
        return await self._members_client(user, client_id)

    @staticmethod
    def _example(now: datetime) -> date:
        """A date to show how one is typed: a week from today."""
        return now.date() + timedelta(days=7)

    async def ask_meeting(self, user: User, client_id: int | None, now: datetime) -> View:
        """Ask for a date, typed: the client's own next meeting, or the date a clinician
        proposes to a client of theirs. A client with a proposal waiting sees it, to answer."""
        client = await self._whose_meeting(user, client_id)
        if client is None:
            return _not_theirs(client_id)
        if client_id is None:
            proposal = (await self.meetings(client.id, now)).proposal
            if proposal is not None:
                role = await self._proposer_role(client.id, proposal)
                return View.of(client_message(proposal, role))
        wait = await self._waits.ask(user.id, WaitKind.MEETING, now, subject=client_id)
        await self._teams.set_meeting_draft(user.id, None)

        async def asked(message_id: int) -> None:
            await self._waits.asked_in(user.id, wait, message_id)

        example = self._example(now)
        if client_id is None:
            clear = NoMeeting(None, int(now.timestamp()))
            text = t("meeting.ask", example=example)
            return View.of(
                Say.of(text, choices=[Choice(t("meeting.clear"), clear)], on_sent=asked)
            )
        text = t("meeting_date.ask_propose", name=client.name, example=example)
        return View.of(Say.of(text, on_sent=asked))

    async def no_meeting(
        self, user: User, client_id: int | None, asked: int, now: datetime
    ) -> View:
        """ "No date" under the client's own question: the date is cleared, if the question is
        still open. (A clinician proposes dates; they no longer clear one.)"""
        client = await self._whose_meeting(user, None) if client_id is None else None
        if client is None:
            return View.refuse("fallback.stale_button")
        age = now.timestamp() - asked
        if not 0 <= age <= self._waits.valid.total_seconds():
            return View.refuse("fallback.stale_button")
        await self._waits.cancel(user.id)
        return View.of(await self._save_own(client, None, now))

    async def typed(self, user: User, wait: Wait, text: str, now: datetime) -> View:
        """A typed meeting (``WaitKind.MEETING``): its day, and its time and place if given
        ("15/12 14:00 Maple Centre"), read back in words before it counts: "8/12" is read in
        the service's own order, and the person sees which day that is. Until confirmed, what
        was typed is kept (sealed) as this person's draft."""
        if wait.kind is not WaitKind.MEETING:
            return View()
        if wait.subject is not None and wait.subject_id is None:
            return View.say("clients.not_linked")
        client = await self._whose_meeting(user, wait.subject_id)
        if client is None:
            return View.say("clients.not_linked")
        today = await self._today(client.id, now)
        meeting = read_meeting(text, today, self.policy.locale, user.language)
        if meeting is None:
            meeting = await self._more_of_draft(user, text)
        if meeting is None:
            await self._waits.again(user.id, wait, now)
            return View.say("meeting.bad_date", example=self._example(now))
        kept = meeting.encode()
        await self._teams.set_meeting_draft(user.id, kept)
        when = meeting_words(meeting)
        if wait.subject_id is None:
            question, yes = t("meeting_date.check_own", date=when), t("meeting_date.yes_own")
        else:
            question = t("meeting_date.check_propose", name=client.name, date=when)
            yes = t("meeting_date.yes_propose", name=client.name)
        parts = [question]
        if meeting.at is None or not meeting.place:
            parts.append(t("meeting_when.add_more", example=self._example(now)))
        confirm = ConfirmMeeting(wait.subject_id, meeting.day.isoformat(), draft_check(kept))
        choices = [
            Choice(yes, confirm),
            Choice(t("meeting_date.another_date"), AskMeeting(wait.subject_id)),
        ]
        # The same question waits on: what is typed next replaces this (a time, a place).
        again = await self._waits.ask(user.id, WaitKind.MEETING, now, subject=wait.subject)

        async def asked(message_id: int) -> None:
            await self._waits.asked_in(user.id, again, message_id)

        unbutton = (wait.message_id,) if wait.message_id else ()
        return View((Say.of(*parts, choices=choices, on_sent=asked),), unbutton=unbutton)

    async def _more_of_draft(self, user: User, text: str) -> Meeting | None:
        """A time or a place typed after a day was read back: added to that day."""
        kept = await self._teams.meeting_draft(user.id)
        draft = Meeting.decode(kept) if kept else None
        more = read_time_and_place(text, user.language) if draft is not None else None
        if draft is None or more is None:
            return None
        at, place = more
        return replace(draft, at=at or draft.at, place=place or draft.place)

    async def confirm_meeting(
        self, user: User, client_id: int | None, day_text: str, now: datetime, check: str = ""
    ) -> View:
        """The meeting read back is right: the client's own is saved; anyone else's is
        proposed. ``check`` names the draft read back, so an older read-back cannot confirm
        a time or place typed since."""
        client = await self._whose_meeting(user, client_id)
        if client is None:
            return _not_theirs(client_id)
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            return View.refuse("fallback.stale_button")
        meeting = Meeting(day)
        if check:
            kept = await self._teams.meeting_draft(user.id)
            found = Meeting.decode(kept) if kept and draft_check(kept) == check else None
            if found is None or found.day != day:
                return View.refuse("fallback.stale_button")
            meeting = found
        if day < await self._today(client.id, now):
            return _settled("meeting_date.day_passed")
        await self._teams.set_meeting_draft(user.id, None)
        await self._waits.cancel(user.id)
        if client_id is None:
            return _edited(await self._save_own(client, meeting, now))
        return await self._propose(user, client, meeting, now)

    async def _invited(self, client: User, proposer: int | None = None) -> list[User]:
        """Who is reminded of the client's meeting besides the client: their clinicians and
        peer supporters, and whoever proposed it (someone close only then: the client tells
        the people close to them themselves)."""
        return [
            m.person
            for m in await self._teams.team_of(client.id)
            if m.role.is_staff or m.person.id == proposer
        ]

    async def _remind(
        self, client: User, meeting: Meeting | None, invited: Sequence[User], now: datetime
    ) -> list[Text]:
        """Plan the reminders on the meeting's day; what the client is told about them."""
        people = [client.id, *(person.id for person in invited)]
        planned = set(await self._planner.plan_reminders(client.id, meeting, people, now))
        if meeting is None or not planned:
            return []
        others = tuple(p.name for p in invited if p.id in planned)
        if client.id in planned:
            if others:
                return [t("meeting_when.remind_all", names=others)]
            return [t("meeting_when.remind_you")]
        return [t("meeting_when.remind_them", names=others)] if others else []

    async def _tell_set(
        self, people: Sequence[User], client: User, meeting: Meeting | None
    ) -> None:
        """Tell ``people`` the client's next meeting as it now stands (or that it was cleared)."""
        if meeting is None:
            told = t("meeting_date.client_cleared", name=client.name)
        else:
            told = t("meeting_date.client_set", name=client.name, date=meeting_words(meeting))
        for person in people:
            await self._outbox.send(person, Say.of(told))

    async def _save_own(self, client: User, meeting: Meeting | None, now: datetime) -> Say:
        """The client's own meeting (or none): stored, the invitations and reminders around
        it planned, their clinicians and peer supporters told. A proposal still open gives way
        to it."""
        if meeting is not None:
            proposal = (await self.meetings(client.id, now)).proposal
            if proposal is not None:
                await self._close_proposal(proposal, "cancelled")
        await self._teams.set_meeting(client.id, meeting)
        day = meeting.day if meeting is not None else None
        prep = await self._planner.plan_meeting(client.id, day, now)
        staff = await self._invited(client)
        await self._tell_set(staff, client, meeting)
        reminders = await self._remind(client, meeting, staff, now)
        if meeting is None:
            parts = [t("meeting.cleared")]
        else:
            parts = [t("meeting.saved", date=meeting_words(meeting))]
            parts += await self._prep_note(client, prep, now)
        if staff:
            parts.append(t("meeting_date.told", names=tuple(c.name for c in staff)))
        return Say.of(*parts, *reminders)

    async def _proposer_role(self, client_id: int, proposal: Relay) -> Role:
        """The role of whoever proposed a date, as the client's team has it."""
        found = None
        if proposal.member_id is not None:
            found = await self._teams.team_role(client_id, proposal.member_id)
        return found or Role.CLINICIAN

    async def _close_proposal(self, proposal: Relay, status: str) -> bool:
        """Settle a proposal once, whether or not it has reached the client yet."""
        return await self._messages.update_relay(
            proposal.id, status=status, expect="sent"
        ) or await self._messages.update_relay(proposal.id, status=status, expect="planned")

    async def _propose(self, by: User, client: User, meeting: Meeting, now: datetime) -> View:
        """A team member's meeting goes to the client as a message from them, to answer; it
        reaches the client when the bot may write to them, and never after that day."""
        state = await self.meetings(client.id, now)
        day, when = meeting.day, meeting_words(meeting)
        if state.meeting == meeting:
            return _settled("meeting_date.already_next", name=client.name, date=when)
        if state.proposal is not None:
            if state.offered == meeting and state.proposal.member_id == by.id:
                return _settled("meeting_date.already_proposed", name=client.name, date=when)
            await self._close_proposal(state.proposal, "cancelled")
        relay_id = await self._messages.add_relay(
            client.id, by.id, by.name, MEETING, meeting.encode(), now, now
        )
        await self._messages.update_relay(relay_id, status="planned", expect="draft")
        zone = await self._planner.zone_of(client.id)
        # Planned as the dispatcher plans any member's message, but it closes when the day ends.
        await self._sends.plan_send(
            client.id,
            RELAY,
            f"r{relay_id}",
            now.date().isoformat(),
            now,
            datetime.combine(day + timedelta(days=1), time(0), zone),
            json.dumps({"relay": relay_id}),
        )
        found = await arrival(self._planner, client.id, MEETING, now, now)
        parts = [t("meeting_date.proposed", name=client.name, date=when)]
        if found.hold is Hold.NOT_AGREED:
            parts.append(t("meeting_date.proposed_not_agreed", name=client.name))
        elif found.at is None:
            parts.append(t("meeting_date.proposed_paused", name=client.name))
        else:
            soon = when_words(self._catalog, by.language, found.at, now, found.zone)
            parts.append(t("meeting_date.proposed_when", name=client.name, when=soon))
        own = await self._sends.schedule(client.id)
        if own is not None and own.paused:
            await self._messages.update_relay(relay_id, held_told=True)  # told here, once
            if own.pause_message:
                parts.append(t("nudge.pause_message", name=client.name, text=own.pause_message))
        return View((Say(tuple(parts), edit=True),))

    async def answer_proposal(
        self,
        client: User,
        relay_id: int,
        works: bool,
        now: datetime,
        write: StartWriting | None = None,
    ) -> View:
        """The client's answer to a proposed date, told to the clinician at once: "That works"
        makes it the next meeting; "Another day" asks for another, plainly, and (with
        ``write``) opens a draft to the clinician, so the words the client types next, which
        days suit them, are shown to them with "Send to Dr Kim", never kept as a note."""
        relay = await self._messages.relay(relay_id)
        if relay is None or relay.client_id != client.id or relay.kind != MEETING:
            return View.refuse("fallback.stale_button")
        meeting = proposed(relay)
        if relay.status not in ("planned", "sent") or meeting is None:
            return _settled("meeting_date.proposal_gone")
        day = meeting.day
        if day < await self._today(client.id, now):
            await self._close_proposal(relay, "cancelled")
            return _settled("meeting_date.day_passed")
        member = await self._people.get_user(relay.member_id) if relay.member_id else None
        if member is None or await self._teams.team_role(client.id, member.id) is None:
            return _settled("team.not_in_team")
        if not await self._close_proposal(relay, "accepted" if works else "declined"):
            return _settled("meeting_date.proposal_gone")
        told_day = meeting_words(meeting)
        if not works:
            told = t("meeting_date.told_another", name=client.name, date=told_day)
            await self._outbox.send(member, Say.of(told))
            asked = t("meeting_date.asked_another", name=member.name)
            if write is None:
                button = Choice(t("team_people.write", name=member.name), WriteToMember(member.id))
                return View.of(Say.of(asked, choices=[button], edit=True))
            return View.of(Say.of(asked, edit=True)) + await write(client, member.id, now)
        await self._teams.set_meeting(client.id, meeting)
        prep = await self._planner.plan_meeting(client.id, day, now)
        await self._outbox.send(
            member, Say.of(t("meeting_date.told_works", name=client.name, date=told_day))
        )
        invited = await self._invited(client, member.id)
        others = [person for person in invited if person.id != member.id]
        await self._tell_set(others, client, meeting)  # as when the client sets it themselves
        names = (member.name, *(person.name for person in others))
        parts = [t("meeting_date.confirmed", date=told_day, name=names)]
        parts += await self._prep_note(client, prep, now)
        parts += await self._remind(client, meeting, invited, now)
        return View((Say(tuple(parts), edit=True),))

    async def _prep_note(self, client: User, prep: datetime | None, now: datetime) -> list[Text]:
        """When the client will be invited to get ready for the meeting, if they will be."""
        if prep is None:
            return []
        zone = await self._planner.zone_of(client.id)
        when = when_words(self._catalog, client.language, prep, now, zone)
        return [t("meeting_date.prep_on", when=when)]

    @staticmethod
    def meeting_later(slot: MeetingSlot) -> View:
        """ "Not now" under a meeting invitation: nothing owed."""
        return View.say(
            "meeting.later_ok" if slot is MeetingSlot.PREP else "meeting.after_later_ok"
        )

    # --- /clients ------------------------------------------------------------------------------

    def _meeting_line(
        self, user: User, role: Role, name: str, state: Meetings, *, detail: bool
    ) -> tuple[str, dict[str, object]]:
        """What a member reads about a client's meetings: the next one; a date still waiting
        for the client's answer (anyone in the team may propose one); or the last one."""
        lang = user.language
        if state.meeting is not None:
            key = "clients.detail_meeting" if detail else "clients.line"
            return key, {"name": name, "date": meeting_words(state.meeting)}
        if state.proposal is not None and state.offered:  # "proposed" to everyone in the team
            key = "client_meeting.detail_proposed" if detail else "client_meeting.line_proposed"
            when = meeting_words(state.offered)
            return key, {"name": name, "date": when, "by": state.proposal.member_name}
        if state.last:
            key = "client_meeting.detail_last" if detail else "client_meeting.line_last"
            return key, {"name": name, "date": self._day(lang, state.last)}
        key = "clients.detail_no_meeting" if detail else "clients.line_no_meeting"
        return key, {"name": name}

    async def clients(self, user: User, now: datetime, page: int = 0, edit: bool = False) -> View:
        """/clients: the clients whose team this person is in, by name, with their next
        meeting; a long list ``CLIENTS`` to a page, "More clients" to the next (from the last
        back to the first), so no message has more than ``MAX_CHOICES`` buttons."""
        catalog, lang = self._catalog, user.language
        linked = await self._teams.clients_of(user.id)
        staff = user.role.is_staff
        if not linked:
            return View.say("clients.none" if staff else "clients.none_network")
        count = pages(len(linked), CLIENTS)
        page = max(0, min(page, count - 1))
        lines = _Lines(catalog, lang)
        lines.add("clients.title" if staff else "clients.title_network")
        if count > 1:
            lines.add("clients.page", page=page + 1, pages=count)
        choices: list[Choice] = []
        for client in on_page(linked, page, CLIENTS):
            name = client.person.name
            state = await self.meetings(client.person.id, now)
            key, values = self._meeting_line(user, client.role, name, state, detail=False)
            lines.add(key, **values)
            choices.append(Choice(Text.plain(name), ShowClient(client.person.id)))
        if count > 1:
            if page + 1 < count:
                more = "clients.more" if staff else "team.more_people"
            else:
                more = "clients.first_again" if staff else "team.people_again"
            choices.append(Choice(t(more), ClientPage(turn(page, count))))
        return View.of(Say.of(Text.plain(lines.body()), choices=choices, edit=edit))

    async def client(self, user: User, client_id: int, now: datetime) -> View:
        """One client: the next meeting, and what they shared with this person, newest first;
        what this person can do, by their role.

        A message that shows shared words is remembered, so a withdrawal takes it back too.
        """
        role = await self._teams.team_role(client_id, user.id)
        client = await self._people.get_user(client_id) if role is not None else None
        if client is None or role is None:
            return View.say("clients.not_linked")
        catalog, lang = self._catalog, user.language
        lines = _Lines(catalog, lang)
        lines.add("clients.detail_title", name=client.name)
        state = await self.meetings(client.id, now)
        key, values = self._meeting_line(user, role, client.name, state, detail=True)
        lines.add(key, **values)
        shares = await self._shares.shared_with(user.id, client.id)
        lines.blank()
        lines.add(
            "clients.detail_shared" if shares else "clients.detail_nothing", name=client.name
        )
        more = catalog.get(lang, "clients.detail_more")
        texts = shown_whole(lines.body(), [share.body or "" for share in shares], more)
        choices = []
        label = t("clients.set_meeting", name=client.name)  # anyone in the team proposes
        choices.append(Choice(label, AskMeeting(client.id)))
        if user.role.is_staff and may_nudge(self.policy, role):
            choices.append(
                Choice(t("client_meeting.nudge", name=client.name), NudgeWho(client.id))
            )
        if role is Role.NETWORK:
            label = t("reflection.start", name=client.name)
            choices.append(Choice(label, StartReflection(client.id)))
        back = "clients.back" if user.role.is_staff else "client_meeting.back_network"
        choices.append(Choice(t(back), ClientList()))

        async def shown(message_id: int) -> None:
            await self._shares.add_client_view(user.id, client.id, user.chat_id, message_id, now)

        # Every message of the page is remembered; the buttons go under the last one.
        on_sent = shown if shares else None
        return View.of(
            *(Say.of(Text.plain(text), on_sent=on_sent) for text in texts[:-1]),
            Say.of(Text.plain(texts[-1]), choices=choices, on_sent=on_sent),
        )


def team_choices(
    people: Sequence[Choice],
    declines: Sequence[Choice],
    always: Sequence[Choice],
    history: Sequence[Choice],
    page: int,
) -> list[Choice]:
    """The buttons of /team, at most ``MAX_CHOICES``: the people first (a person is a tap
    away), then one Decline per person something waits from, then ``always`` (the invite and
    the meeting). Declines leave room for a person (and "More people"); what does not fit is
    on that person's own screen. "What I've shared" (also in /share) shows if everyone fits
    beside it; a team too big for the rest is a page of people at a time."""
    room = MAX_CHOICES - len(always)
    declines = list(declines[: max(0, room - min(len(people), 2))])
    room -= len(declines)
    shown_history = list(history) if len(people) + len(history) <= room else []
    room -= len(shown_history)
    if len(people) <= room:
        return [*people, *declines, *always, *shown_history]
    size = max(1, room - 1)
    count = pages(len(people), size)
    page = max(0, min(page, count - 1))
    more = "team.more_people" if page + 1 < count else "team.people_again"
    nav = Choice(t(more), TeamPage(turn(page, count)))
    return [*on_page(people, page, size), nav, *declines, *always]


def decline_choice(waiting: Sequence[tuple[Relay, str]]) -> Choice:
    """One Decline for what waits from one person (each with the short day it would arrive):
    it declines all of it that was waiting when it was shown, named as what it is."""
    first, day = waiting[0]
    name, count = first.member_name, len(waiting)
    nudges = all(relay.kind == NUDGE for relay, _ in waiting)
    if count == 1:
        label = t("team_people.decline" if nudges else "team.decline_message", name=name, when=day)
    else:
        key = "team.decline_nudges" if nudges else "team.decline_messages"
        label = t(key, name=name, count=count)
    return Choice(label, DeclineWaiting(max(relay.id for relay, _ in waiting)))


def shown_whole(head: str, bodies: Sequence[str], more: str) -> list[str]:
    """The messages a client's page in /clients becomes: ``head``, then what they shared,
    newest first, each share whole. The newest is always there: with ``head`` if it fits, else
    in a message of its own, or, too long for one, as the labelled messages it was delivered as
    ("(1/2)", "(2/2)"). Older shares follow while they fit in those messages; then ``more``
    says where the rest are (further up in the chat, where they arrived)."""
    messages = [head]
    open_ = True  # whether the last message may take another whole share
    room = MAX_TEXT - utf16_len(more) - 2
    for n, body in enumerate(bodies):
        pieces = parts_of(body)
        if len(pieces) == 1 and open_ and utf16_len(f"{messages[-1]}\n\n{body}") <= room:
            messages[-1] += f"\n\n{body}"
            continue
        if n > 0:
            if utf16_len(f"{messages[-1]}\n\n{more}") <= MAX_TEXT:
                messages[-1] += f"\n\n{more}"
            else:
                messages.append(more)
            break
        messages.extend(pieces)
        open_ = len(pieces) == 1
    return messages


def _settled(key: str, /, **values: object) -> View:
    """The pressed question replaced by its outcome."""
    return View((Say((t(key, **values),), edit=True),))


def _edited(say: Say) -> View:
    """The pressed question replaced by ``say``."""
    return View.of(replace(say, edit=True))


def _not_theirs(client_id: int | None) -> View:
    """A meeting button for a client the presser may not set it for: their own button pressed
    by someone without a team of their own is merely old; anyone else's client is not theirs."""
    return (
        View.refuse("fallback.stale_button")
        if client_id is None
        else View.say("clients.not_linked")
    )
