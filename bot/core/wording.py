"""Views in words: catalog texts filled in the reader's language, without any messenger.

The Telegram adapter builds its keyboards on this; ``between dialogs preview`` prints with it,
so the preview shows exactly the words and buttons a person sees.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.core.i18n import Catalog
from bot.core.model import Role
from bot.core.views import Say, Text


class Wording:
    """Texts of views in one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def value(self, language: str, value: object) -> object:
        """A value as a reader of ``language`` should see it."""
        if isinstance(value, Text):
            return self.text(language, value)
        if isinstance(value, datetime):
            return self.catalog.datetime(language, value)
        if isinstance(value, date):
            return self.catalog.date(language, value)
        if isinstance(value, time):
            return self.catalog.clock(language, value)
        if isinstance(value, Role):
            return self.catalog.get(language, f"roles.{value.value}")
        if isinstance(value, timedelta):
            return self.catalog.duration(language, value)
        if isinstance(value, tuple):  # a list, said as the reader lists things
            return self.catalog.list(language, [str(self.value(language, v)) for v in value])
        return value

    def text(self, language: str, text: Text) -> str:
        """One text in ``language``."""
        if text.lines:
            return "\n".join(self.text(language, line) for line in text.lines)
        if text.words is not None:
            return text.words
        values = {name: self.value(language, value) for name, value in text.values}
        return self.catalog.get(language, text.key, **values)

    def body(self, language: str, say: Say) -> str:
        """A message's text: its parts, a blank line apart."""
        return "\n\n".join(self.text(language, part) for part in say.parts)

    def labels(self, language: str, say: Say) -> list[str]:
        """The words on a message's buttons, in the order a person reads them."""
        return [self.text(language, choice.label) for choice in say.choices]
