"""What more than one benchmark needs."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import EXAMPLE_CONFIG


def service_config(directory: Path, rate: float) -> Path:
    """A copy of the example service file with ``[telegram] send_rate = rate``."""
    text, count = re.subn(
        r"(?m)^send_rate = .*$", f"send_rate = {rate}", EXAMPLE_CONFIG.read_text("utf-8")
    )
    if count != 1:
        raise RuntimeError(f"expected one send_rate line in {EXAMPLE_CONFIG}, found {count}")
    path = directory / "service.toml"
    path.write_text(text, encoding="utf-8")
    return path
