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
