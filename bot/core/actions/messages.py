"""Buttons about messages between a client and their team (nudges, replies, requests).

Shown by /team (the team's screens) and handled by the messages capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.actions import Action


class Request(StrEnum):
    """What a client can ask a team member for."""

    CALL = "call"
    EARLIER = "earlier"
    WRITE = "write"


@dataclass(frozen=True)
class WriteToMember(Action, tag="mw"):
    """The client starts writing a message to a member of their team."""

    member_id: int


@dataclass(frozen=True)
class AskContactMenu(Action, tag="mam"):
    """The client wants a member to get in touch: show the kinds of request."""

    member_id: int


@dataclass(frozen=True)
class AskContact(Action, tag="ma"):
    """The client asks a member for one kind of contact."""

    member_id: int
    request: Request


@dataclass(frozen=True)
class SetNudges(Action, tag="mn"):
    """The client stops (or allows again) nudges from a member."""

    member_id: int
    stop: bool


# --- the sender's /nudge ------------------------------------------------------------------------


class When(StrEnum):
    """The quick choices of when a nudge should arrive ("other" asks for a typed day and time)."""

    NOW = "now"
    EVENING = "eve"
    MORNING = "tmr"
    IN_DAYS = "3d"
    OTHER = "other"


@dataclass(frozen=True)
class NudgeWho(Action, tag="nc"):
    """The sender chose whom to nudge."""

    client_id: int


@dataclass(frozen=True)
class NudgeWhen(Action, tag="nw"):
    """The sender chose when the nudge should arrive."""

    client_id: int
    when: When


@dataclass(frozen=True)
class NudgeTemplate(Action, tag="nt"):
    """The sender picked ready words for their draft nudge (1, 2 or 3)."""

    relay_id: int
    number: int


@dataclass(frozen=True)
class ConfirmToClient(Action, tag="ns"):
    """Send (or drop) a member's draft to a client: a nudge or an answer."""

    relay_id: int
    send: bool


@dataclass(frozen=True)
class CancelNudge(Action, tag="nx"):
    """The sender takes back a nudge that has not arrived yet."""

    relay_id: int


@dataclass(frozen=True)
class AnswerClient(Action, tag="na"):
    """A member starts answering what a client wrote to them."""

    relay_id: int


@dataclass(frozen=True)
class AnswerShare(Action, tag="nsa"):
    """ "Answer Alex" under what Alex shared with this member."""

    client_id: int
    share_id: int


@dataclass(frozen=True)
class PromiseCall(Action, tag="npc"):
    """ "I'll call today" (``days`` 0) or "I'll call tomorrow" (1) under "Alex asks: Please
    call me": the client is told in words, inside their hours, after a preview."""

    relay_id: int
    days: int


@dataclass(frozen=True)
class ReflectFor(Action, tag="nrf"):
    """Someone close sends the note they just wrote to a client they are close to: first
    whom (``team`` None), then to the client alone or to the client and their staff."""

    client_id: int
    note_id: int
    team: bool | None = None


@dataclass(frozen=True)
class StartReflection(Action, tag="nrs"):
    """Someone close starts the few questions for the meeting (dialogs/reflection.yaml)."""

    client_id: int


@dataclass(frozen=True)
class SkipReflectionStep(Action, tag="nrk"):
    """ "Skip this one" under a question of the reflection."""

    relay_id: int
    step: int


@dataclass(frozen=True)
class ReflectDraft(Action, tag="nrd"):
    """The written reflection to the client alone, or to the client and their staff."""

    relay_id: int
    team: bool


# --- the client's buttons under a message from their team ----------------------------------------


@dataclass(frozen=True)
class ReplyToMember(Action, tag="mr"):
    """The client replies to a nudge or an answer."""

    relay_id: int


@dataclass(frozen=True)
class ThankMember(Action, tag="mt"):
    """The client says thank you for a nudge or an answer."""

    relay_id: int


@dataclass(frozen=True)
class TalkAtMeeting(Action, tag="mta"):
    """ "Let's talk about this at the meeting" under someone close's words: it joins the
    agenda of the client's next meeting."""

    relay_id: int


@dataclass(frozen=True)
class SetAside(Action, tag="mz"):
    """ "Not now": nothing more about it."""

    relay_id: int


@dataclass(frozen=True)
class AskStopNudges(Action, tag="ms"):
    """ "No more nudges from Sam" under a nudge: asks to be sure."""

    relay_id: int


@dataclass(frozen=True)
class StopNudges(Action, tag="msy"):
    """The answer to "Stop nudges from Sam?"."""

    relay_id: int
    stop: bool


@dataclass(frozen=True)
class SendToMember(Action, tag="md"):
    """Send (or drop) what the client wrote to a member of their team."""

    relay_id: int
    send: bool
