"""What the core needs from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Protocol

from bot.core.model import Note, Role, User


class Redemption(Enum):
    """How an attempt to use a staff invite code ended."""

    OK = "ok"
    INVALID = "invalid"  # unknown, used, or expired: the same answer for all three
    ALREADY_CLIENT = "already_client"


class Store(Protocol):
    """Everything the bot reads and writes. A PostgreSQL adapter would implement this too."""

    async def close(self) -> None: ...
    async def get_user(self, user_id: int) -> User | None: ...
    async def add_client(
        self, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> User: ...
    async def set_reachable(self, user_id: int, reachable: bool, now: datetime) -> None: ...
    async def add_note(self, user_id: int, text: str, now: datetime) -> int: ...
    async def notes(self, user_id: int) -> list[Note]: ...
    async def add_staff_invite(
        self, code_hash: str, role: Role, name: str, now: datetime, expires_at: datetime
    ) -> None: ...
    async def redeem_staff_invite(
        self, code_hash: str, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Redemption, User | None]: ...
    async def erase_user(self, user_id: int) -> None: ...
    async def purge_before(self, cutoff: datetime) -> int: ...
