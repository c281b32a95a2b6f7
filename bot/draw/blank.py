"""A plain picture: what a withdrawn picture becomes where Telegram no longer lets it be deleted
(a message's picture can be replaced, not taken away)."""

from __future__ import annotations

import io
from functools import cache

GREY = (242, 242, 242)


@cache
def blank_png(width: int = 320, height: int = 80) -> bytes:
    """A light grey PNG of ``width`` by ``height`` pixels, with nothing on it (Pillow is
    loaded only when a picture is first withdrawn this way)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), GREY).save(buffer, format="PNG")
    return buffer.getvalue()
