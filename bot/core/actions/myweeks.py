"""The buttons of /myweeks: the picture of the client's own weeks, over 4, 8 or 12 weeks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.actions import Action


@dataclass(frozen=True)
class ShowWeeks(Action, tag="wk"):
    """ "My weeks" in the main menu, or "8 weeks" under a picture: the last ``weeks`` weeks."""

    weeks: int
