"""The people Between serves and what it keeps about them: plain data, no framework."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from enum import StrEnum


class Role(StrEnum):
    """What a person is to the service."""

    CLIENT = "client"
    CLINICIAN = "clinician"
    PEER = "peer"
    NETWORK = "network"  # family or a friend a client invited

    @property
    def is_staff(self) -> bool:
        """Clinicians and peer supporters: accounts only the administrator creates."""
        return self in (Role.CLINICIAN, Role.PEER)

    @property
    def is_client(self) -> bool:
        """Only clients check in, keep notes and have a team."""
        return self is Role.CLIENT


STAFF_ROLES = (Role.CLINICIAN, Role.PEER)


@dataclass(frozen=True)
class User:
    """A person who has started the bot."""

    id: int
    chat_id: int
    role: Role
    name: str
    language: str
    created_at: datetime
    unreachable_at: datetime | None = None
    last_seen_at: datetime | None = None  # the last day they did something (None: not since)
    retention_told_at: datetime | None = None  # told that an idle account will be erased

    @property
    def seen_at(self) -> datetime:
        """When they last did something: for retention, an account is as old as this."""
        return self.last_seen_at or self.created_at


@dataclass(frozen=True)
class Note:
    """Something a client wrote outside a check-in; private until they share it."""

    id: int
    user_id: int
    created_at: datetime
    text: str


STAFF_CODE_PREFIX = "s_"
CLIENT_CODE_PREFIX = "c_"  # a staff member asks a client to add them to their team
NETWORK_CODE_PREFIX = "n_"  # a client asks someone close to them to join their team


class InviteKind(StrEnum):
    """Who a team invite is for: a client (made by staff) or a network member (by a client)."""

    CLIENT = "client"
    NETWORK = "network"

    @property
    def prefix(self) -> str:
        """The start of every code of this kind, so a code of the wrong kind is told apart."""
        return CLIENT_CODE_PREFIX if self is InviteKind.CLIENT else NETWORK_CODE_PREFIX

    @classmethod
    def of_code(cls, code: str) -> InviteKind | None:
        """The kind a code claims to be, from its prefix."""
        return next((kind for kind in cls if code.startswith(kind.prefix)), None)


def new_invite_code(prefix: str) -> str:
    """A one-time code for a ``start=`` link: 192 random bits, URL-safe, under 64 characters."""
    return prefix + secrets.token_urlsafe(24)


def hash_code(code: str) -> str:
    """What is stored instead of a code, so a copy of the database cannot be used to join."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Answer:
    """One answer of a check-in, by stable ids: an option id, ``text`` or ``skipped``."""

    step_id: str
    value: str
    text: str | None
    capacity: str
    answered_at: datetime


@dataclass(frozen=True)
class CheckinRecord:
    """A check-in as stored: its capacity (None until chosen), status and answers so far."""

    id: int
    user_id: int
    dialog: str
    started_at: datetime
    capacity: str | None
    status: str  # open | done | declined | closed
    message_id: int | None
    answers: tuple[Answer, ...] = ()
    answered_message_id: int | None = None  # the last answered question's message ("Change")

    @property
    def answer_values(self) -> dict[str, str]:
        """Step id to stored value, as the dialog engine wants them."""
        return {a.step_id: a.value for a in self.answers}


@dataclass(frozen=True)
class Meeting:
    """A network meeting: its day on the client's own clock, and when known, its time and its
    place (an address, a room, or a video link, as someone typed it)."""

    day: date
    at: time | None = None
    place: str | None = None

    def start(self, zone: tzinfo) -> datetime | None:
        """When it begins, in the client's zone, if its time is known."""
        return datetime.combine(self.day, self.at, zone) if self.at is not None else None

    def encode(self) -> str:
        """As a proposal keeps it: the ISO day alone, or JSON when there is more."""
        if self.at is None and not self.place:
            return self.day.isoformat()
        value: dict[str, str] = {"day": self.day.isoformat()}
        if self.at is not None:
            value["at"] = self.at.strftime("%H:%M")
        if self.place:
            value["place"] = self.place
        return json.dumps(value, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str | None) -> Meeting | None:
        """A meeting kept by :meth:`encode` (or an ISO day alone), or None if unreadable."""
        if not text:
            return None
        try:
            if not text.startswith("{"):
                return cls(date.fromisoformat(text))
            value = json.loads(text)
            at = value.get("at")
            return cls(
                date.fromisoformat(value["day"]),
                time.fromisoformat(at) if at else None,
                value.get("place") or None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass(frozen=True)
class CrisisPlan:
    """The client's own plan for hard moments, in their words; any part may be empty."""

    contacts: str | None = None
    helps: str | None = None
    avoid: str | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is written."""
        return not (self.contacts or self.helps or self.avoid)


@dataclass(frozen=True)
class ClientSchedule:
    """A client's own schedule as stored; None means "the service's default"."""

    timezone: str | None = None
    days: str | None = None  # "mon,thu"
    time: str | None = None  # "18:00"
    contact_hours: str | None = None  # "09:00-21:00"
    fewer: bool = False
    agreed_on: str | None = None  # local date the client agreed to scheduled check-ins
    paused: bool = False
    paused_until: str | None = None  # ISO local date the pause ends
    pause_message: str | None = None


@dataclass(frozen=True)
class Send:
    """One planned message the bot starts itself (a scheduled check-in)."""

    id: int
    user_id: int
    kind: str
    slot: str
    local_date: str
    due_at: datetime
    closes_at: datetime
    status: str
    message_id: int | None = None
    checkin_id: int | None = None
    payload: str | None = None  # JSON, for kinds that carry more than ids


@dataclass(frozen=True)
class TeamMember:
    """Someone in a client's team, and since when."""

    person: User
    role: Role
    since: datetime


@dataclass(frozen=True)
class LinkedClient:
    """A client, as a member of their team sees them: their name and next meeting only."""

    person: User
    role: Role  # the member's role in this client's team
    next_meeting: str | None  # ISO local date


@dataclass(frozen=True)
class Recipient:
    """One person a share went to, with what happened to the message."""

    recipient_id: int | None  # None once their account is erased
    name: str
    chat_id: int
    message_id: int | None
    status: str  # sending | sent | failed | deleted | edited | gone


@dataclass(frozen=True)
class Share:
    """Something a client shared: the exact text, and with whom. ``body`` is None once
    withdrawn."""

    id: int
    client_id: int
    created_at: datetime
    items: tuple[str, ...]
    body: str | None
    withdrawn_at: datetime | None
    recipients: tuple[Recipient, ...] = ()


@dataclass(frozen=True)
class ShareDraft:
    """A share being put together: chosen items, chosen people, the previewed text."""

    items: tuple[str, ...] = ()
    recipients: tuple[int, ...] = ()
    body: str | None = None
    version: int = 0


@dataclass(frozen=True)
class Relay:
    """A message between a client and someone in their team, kept for the client.

    ``nudge``, ``answer`` and ``reflection`` (someone close's words) go from the member to the
    client (through the dispatcher, inside the client's hours); ``reply``, ``message``,
    ``request`` and ``call`` from the client to the member.
    """

    id: int
    client_id: int
    member_id: int | None
    member_name: str
    kind: str
    body: str | None
    created_at: datetime
    due_at: datetime | None
    status: str  # draft | planned | sent | cancelled | declined | failed
    held_told: bool = False
    audience: str | None = None  # a reflection: "team" if the client's staff get it too
    agenda_at: datetime | None = None  # when the client put it on their next meeting's agenda

    @property
    def to_client(self) -> bool:
        """Whether the member wrote it to the client."""
        return self.kind in ("nudge", "answer", "meeting", "reflection")


@dataclass(frozen=True)
class Copy:
    """A message in a team member's chat that carries a client's words or name."""

    kind: str  # relay (the client's message) | view (a /clients page) | share
    chat_id: int
    message_id: int
    sent_at: datetime
    reader_id: int | None  # the member who reads it (None: their account is gone)
    ref: int | None  # the relay's or the share's id
