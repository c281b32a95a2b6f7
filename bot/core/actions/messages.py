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
