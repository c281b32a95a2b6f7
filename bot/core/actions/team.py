"""Buttons of the care team: invites, /team, /clients, the next meeting, proposing it, and its
invitations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.actions import Action


class MeetingSlot(StrEnum):
    """The invitations around a network meeting: to get ready before, to look back after."""

    PREP = "prep"
    AFTER = "after"


@dataclass(frozen=True)
class AcceptInvite(Action, tag="ta"):
    """Accept under an invite link's card; the code is used once, by whoever presses first."""

    code: str


@dataclass(frozen=True)
class DeclineInvite(Action, tag="td"):
    """Decline under an invite link's card: the code is used up, nobody is linked."""

    code: str


@dataclass(frozen=True)
class InviteClose(Action, tag="ti"):
    """The client asks for a link for someone close to them (family, a friend)."""


@dataclass(frozen=True)
class ShowMember(Action, tag="tp"):
    """One person of the client's team, with what the client can do about them."""

    member_id: int


@dataclass(frozen=True)
class AskRemove(Action, tag="tr"):
    """ "Remove <name>": ask before taking them out of the team."""

    member_id: int


@dataclass(frozen=True)
class RemoveMember(Action, tag="try"):
    """The confirmation: take them out of the team."""

    member_id: int


@dataclass(frozen=True)
class KeepMember(Action, tag="tk"):
    """The other answer: they stay."""

    member_id: int


@dataclass(frozen=True)
class DeclineWaiting(Action, tag="tnd"):
    """The client declines a nudge still waiting to reach them (shown in /team)."""

    relay_id: int


@dataclass(frozen=True)
class AskMeeting(Action, tag="tm"):
    """Ask for the next meeting's date: the client's own (``client_id`` None), or a
    clinician's for a client of theirs."""

    client_id: int | None


@dataclass(frozen=True)
class NoMeeting(Action, tag="tmx"):
    """ "No date" under that question; ``asked`` (Unix seconds) dates the question, so an old
    button cannot clear a date set since."""

    client_id: int | None
    asked: int


@dataclass(frozen=True)
class ClientList(Action, tag="tcl"):
    """All of a member's clients (/clients)."""


@dataclass(frozen=True)
class ShowClient(Action, tag="tc"):
    """One client, as a member of their team sees them."""

    client_id: int


@dataclass(frozen=True)
class MeetingStart(Action, tag="tms"):
    """Under a meeting invitation: start its questions now."""

    slot: MeetingSlot


@dataclass(frozen=True)
class MeetingLater(Action, tag="tml"):
    """Under a meeting invitation: not now."""

    slot: MeetingSlot


@dataclass(frozen=True)
class ConfirmMeeting(Action, tag="tmc"):
    """A typed meeting, read back in words and confirmed: the client's own next meeting, or a
    team member's proposal to the client. ``day`` is the ISO date; ``check`` marks the time
    and place typed with it (empty: the day alone)."""

    client_id: int | None
    day: str
    check: str = ""


@dataclass(frozen=True)
class AnswerProposal(Action, tag="tpa"):
    """The client's answer under a clinician's proposed meeting date: it works, or another day."""

    relay_id: int
    works: bool


@dataclass(frozen=True)
class TeamPage(Action, tag="ttp"):
    """/team with the next people of a big team as buttons (``page`` is the one to show)."""

    page: int


@dataclass(frozen=True)
class ClientPage(Action, tag="tcp"):
    """/clients, the next clients (``page`` is the one to show)."""

    page: int
