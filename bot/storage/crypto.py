"""Encryption at rest for everything a person writes (Fernet: AES with an HMAC)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.config import ConfigError


class Cipher:
    """Encrypts and decrypts free text with the service's key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, text: str) -> bytes:
        """Encrypt text for storage."""
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt stored text; ``InvalidToken`` if it was written with another key."""
        return self._fernet.decrypt(token).decode("utf-8")


def load_cipher(key: str | None, key_path: Path) -> Cipher:
    """Use ``BOT_ENCRYPTION_KEY`` if given, else the key file, creating it (mode 0600) if absent.

    Raises:
        ConfigError: the given key is not a Fernet key, or the key file is unreadable.
    """
    if key is not None:
        try:
            return Cipher(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(
                "BOT_ENCRYPTION_KEY: not a valid key; it must be 44 characters of URL-safe base64 "
                '(make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())")'
            ) from None
    key_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    try:
        data = key_path.read_bytes().strip()
        return Cipher(data)
    except OSError as exc:
        raise ConfigError(
            f"BOT_DATA_DIR: cannot read the key file {key_path}: {exc.strerror}"
        ) from None
    except ValueError:
        raise ConfigError(f"BOT_DATA_DIR: the key file {key_path} is damaged") from None


__all__ = ["Cipher", "InvalidToken", "load_cipher"]
