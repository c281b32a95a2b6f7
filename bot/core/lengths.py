"""How long a message may be, measured as Telegram measures it, and cutting long text to fit.

One place for the share, the crisis card and every other text that may outgrow one message.
"""

from __future__ import annotations

import re

MAX_TEXT = 4096
"""The longest text one message can carry (Telegram's limit, in UTF-16 units)."""

PLAN_PART_MAX = 1000
"""The longest part of a crisis plan: the card shows the contacts and all three parts."""

MESSAGE_MAX = 3000
"""The longest message to or from someone in a client's team (a nudge, an answer, a client's
message): it travels in one Telegram message with a line saying who wrote it, and its preview."""


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji is often two)."""
    return len(text.encode("utf-16-le")) // 2


# Where a long text may be cut, best first: between paragraphs, lines, sentences, words.
_BREAKS = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?…])\s+"),
    re.compile(r"\s+"),
)


def _fitting(text: str, limit: int) -> int:
    """The length of the longest start of ``text`` that is at most ``limit`` UTF-16 units."""
    low, high = 0, min(len(text), limit)  # a character is at least one unit
    while low < high:
        middle = (low + high + 1) // 2
        if utf16_len(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units, cut between paragraphs where that
    keeps a piece at least half full, else between lines, sentences or words; inside a word
    only when one word is longer than a whole piece. The whitespace at a cut is dropped."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        end = _fitting(rest, limit)
        window = rest[: end + 1]  # a break may start right after the part that fits
        cut: tuple[int, int] | None = None
        for least in (end // 2, 1):
            for pattern in _BREAKS:
                found = [m for m in pattern.finditer(window) if least <= m.start() <= end]
                if found:
                    cut = (found[-1].start(), found[-1].end())
                    break
            if cut is not None:
                break
        start, after = cut if cut is not None else (max(end, 1), max(end, 1))
        pieces.append(rest[:start].rstrip())
        rest = rest[after:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces
