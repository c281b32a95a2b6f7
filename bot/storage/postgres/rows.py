"""What the PostgreSQL adapters share: their base, and sealed values opened."""

from __future__ import annotations

from bot.storage.crypto import Cipher
from bot.storage.postgres.db import PgDatabase


class PgAdapter:
    """One port of the core on PostgreSQL; free text is encrypted with the service's key."""

    def __init__(self, db: PgDatabase, cipher: Cipher) -> None:
        self.db = db
        self._cipher = cipher


def opened(cipher: Cipher, value: bytes | None) -> str | None:
    """A sealed value's text (PostgreSQL keeps only sealed values: nothing predates them)."""
    return cipher.decrypt(bytes(value)) if value is not None else None
