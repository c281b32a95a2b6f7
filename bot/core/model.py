"""The people Between serves and what it keeps about them: plain data, no framework."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """What a person is to the service."""

    CLIENT = "client"
    CLINICIAN = "clinician"
    PEER = "peer"

    @property
    def is_staff(self) -> bool:
        """Clinicians and peer supporters: accounts only the administrator creates."""
        return self is not Role.CLIENT


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


@dataclass(frozen=True)
class Note:
    """Something a client wrote outside a check-in; private until they share it."""

    id: int
    user_id: int
    created_at: datetime
    text: str


STAFF_CODE_PREFIX = "s_"


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

    @property
    def answer_values(self) -> dict[str, str]:
        """Step id to stored value, as the dialog engine wants them."""
        return {a.step_id: a.value for a in self.answers}


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
