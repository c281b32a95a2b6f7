"""Encryption at rest for everything a person writes (Fernet: AES with an HMAC), and its keys.

A key ring is one or more Fernet keys: the first encrypts, every one of them decrypts. A ring of
two exists only while ``between keys rotate`` moves the data from the old key to the new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import ConfigError

MAKE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class KeyProblem(ConfigError):
    """The key cannot be used with this database: the bot stops, naming the key."""


class Cipher:
    """Encrypts with the ring's first key and decrypts with any of its keys."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self.keys = tuple(keys)
        self._primary = Fernet(self.keys[0])
        self._ring = MultiFernet([Fernet(key) for key in self.keys])

    def encrypt(self, text: str) -> bytes:
        """Encrypt text for storage."""
        return self._primary.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt stored text; ``InvalidToken`` if it was written with a key not in the ring."""
        return self._ring.decrypt(token).decode("utf-8")

    def is_current(self, token: bytes) -> bool:
        """True if the token was written with the first key (it needs no rotation)."""
        try:
            self._primary.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """The same text, encrypted again with the first key."""
        return self._ring.rotate(token)


def new_key() -> bytes:
    """A fresh random Fernet key."""
    return Fernet.generate_key()


def parse_keys(text: str, source: str) -> list[bytes]:
    """Keys separated by commas or lines, newest first; ``source`` names where they came from.

    Raises:
        KeyProblem: empty, or one of them is not a Fernet key.
    """
    keys = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
    if not keys:
        raise KeyProblem(f"{source}: holds no key")
    for key in keys:
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise KeyProblem(
                f"{source}: not a valid key; each key is 44 characters of URL-safe base64 "
                f"(make one with: {MAKE_KEY})"
            ) from None
    return [key.encode("ascii") for key in keys]


@dataclass(frozen=True)
class KeySource:
    """Where the service's keys come from: ``BOT_ENCRYPTION_KEY`` or a key file."""

    env_key: str | None
    key_file: Path

    @property
    def name(self) -> str:
        """How error messages name the key."""
        if self.env_key is not None:
            return "BOT_ENCRYPTION_KEY"
        return f"the key file {self.key_file}"

    def exists(self) -> bool:
        """True if there is a key to read (given in the environment, or the file is there)."""
        return self.env_key is not None or self.key_file.exists()

    def read(self) -> list[bytes]:
        """The keys, newest first.

        Raises:
            KeyProblem: the file cannot be read, or a key is not a Fernet key.
        """
        if self.env_key is not None:
            return parse_keys(self.env_key, "BOT_ENCRYPTION_KEY")
        try:
            text = self.key_file.read_text(encoding="ascii")
        except FileNotFoundError:
            raise KeyProblem(f"the key file {self.key_file} is missing") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not text"
            raise KeyProblem(f"cannot read the key file {self.key_file}: {reason}") from None
        try:
            return parse_keys(text, f"the key file {self.key_file}")
        except KeyProblem:
            raise KeyProblem(f"the key file {self.key_file} is damaged") from None

    def create(self) -> list[bytes]:
        """Write a key file with one fresh key (mode 0600, its folder 0700); never overwrite."""
        key = new_key()
        self.key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.read()
        except OSError as exc:
            raise KeyProblem(
                f"cannot write the key file {self.key_file}: {exc.strerror}"
            ) from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        return [key]

    def replace(self, keys: Sequence[bytes]) -> None:
        """Write the key file anew, atomically (a crash leaves the old file or the new one)."""
        folder = self.key_file.parent
        fd, temporary = tempfile.mkstemp(prefix=".between-key-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(b"".join(key + b"\n" for key in keys))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.key_file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


__all__ = ["Cipher", "InvalidToken", "KeyProblem", "KeySource", "new_key", "parse_keys"]
