"""What the bot says, as plain data: text keys with values, and choices that carry typed actions.

Use cases return a ``View``; an adapter (Telegram today) renders it. Nothing here knows how a
message is sent, how a button is encoded, or which language a person reads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.actions import Action


@dataclass(frozen=True)
class Text:
    """A catalog text and the values to fill it with, or words shown as they are.

    Values may be plain (str, int), dates and datetimes (shown in the reader's language), roles
    (shown as a role name), lengths of time (``timedelta``: "7 dagen"), tuples (a list: "Kim
    en Sam") or other ``Text`` (rendered first).
    """

    key: str = ""
    values: tuple[tuple[str, object], ...] = ()
    words: str | None = None
    lines: tuple[Text, ...] = ()  # texts shown one under another, as one part

    @classmethod
    def of(cls, key: str, /, **values: object) -> Text:
        """A catalog text."""
        return cls(key, tuple(values.items()))

    @classmethod
    def plain(cls, words: str) -> Text:
        """Words shown exactly as they are: a person's own, or a dialog's wording."""
        return cls(words=words)

    @classmethod
    def joined(cls, *lines: Text) -> Text:
        """Texts one under another (no blank line between them)."""
        return cls(lines=lines)


def t(key: str, /, **values: object) -> Text:
    """Short for ``Text.of``."""
    return Text.of(key, **values)


@dataclass(frozen=True)
class Choice:
    """A button: a label and what pressing it means."""

    label: Text
    action: Action


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message: a picture (``image``) or a document."""

    data: bytes
    filename: str | None = None  # a document's name; None for a picture


@dataclass(frozen=True)
class Say:
    """One message. ``rows`` of choices, each row a line of buttons.

    ``edit`` replaces the message whose button was pressed (showing what was chosen) instead of
    sending a new one; with ``below``, the pressed message keeps its words and ``parts`` are
    added under them. ``on_sent`` hears the message's id once it is out, so a use case can
    remember which message asked a question.
    """

    parts: tuple[Text, ...]
    rows: tuple[tuple[Choice, ...], ...] = ()
    edit: bool = False
    attachment: Attachment | None = None
    on_sent: Callable[[int], Awaitable[None]] | None = field(default=None, compare=False)
    below: bool = False

    @property
    def choices(self) -> tuple[Choice, ...]:
        """Every button of the message, row by row: what a person counts on the screen."""
        return tuple(choice for row in self.rows for choice in row)

    @classmethod
    def of(
        cls,
        *parts: Text,
        choices: tuple[Choice, ...] | list[Choice] = (),
        edit: bool = False,
        on_sent: Callable[[int], Awaitable[None]] | None = None,
    ) -> Say:
        """A message with its choices one under another."""
        return cls(tuple(parts), tuple((c,) for c in choices), edit, None, on_sent)


@dataclass(frozen=True)
class View:
    """Everything that follows one thing a person did.

    ``toast`` is the small answer to a button press ("That question is closed"); ``says`` are
    messages in the person's chat, in order; ``unbutton`` names earlier messages of this chat
    whose buttons no longer apply; ``rebutton`` gives earlier messages new buttons (their words
    stay), after ``unbutton``; ``replace`` gives earlier messages new words and buttons.
    """

    says: tuple[Say, ...] = ()
    toast: Text | None = None
    unbutton: tuple[int, ...] = ()
    rebutton: tuple[tuple[int, tuple[Choice, ...]], ...] = ()
    replace: tuple[tuple[int, Say], ...] = ()

    @classmethod
    def of(cls, *says: Say, toast: Text | None = None) -> View:
        """Messages, in order."""
        return cls(tuple(says), toast)

    @classmethod
    def say(cls, key: str, /, **values: object) -> View:
        """One message of one catalog text."""
        return cls((Say.of(t(key, **values)),))

    @classmethod
    def refuse(cls, key: str, /, **values: object) -> View:
        """A calm answer to a press that changes nothing."""
        return cls(toast=t(key, **values))

    def __add__(self, other: View) -> View:
        return View(
            self.says + other.says,
            other.toast or self.toast,
            self.unbutton + other.unbutton,
            self.rebutton + other.rebutton,
            self.replace + other.replace,
        )


NOTHING = View()
