"""The buttons of /myweeks: the picture of the client's own weeks, over 4, 8 or 12 weeks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.actions import Action


@dataclass(frozen=True)
class ShowWeeks(Action, tag="wk"):
    """ "My weeks" in the main menu, or "8 weeks" under a picture: the last ``weeks`` weeks."""

    weeks: int


# Sharing a picture: who gets it, the exact picture, then Share. A ``version`` ties a button to
# the draft it was shown under (``ShareDraft.version``), so an old or forged button changes
# nothing and never sends a different picture or to different people. "Cancel" is /share's.


@dataclass(frozen=True)
class ShareWeeks(Action, tag="wks"):
    """ "Share this picture" under a picture of the last ``weeks`` weeks: choose who gets it."""

    weeks: int


@dataclass(frozen=True)
class WeeksPerson(Action, tag="wkr"):
    """Pick or unpick one person of the team for the picture being shared."""

    member_id: int
    version: int


@dataclass(frozen=True)
class WeeksPeoplePage(Action, tag="wkn"):
    """The next people of a big team (``page`` is the one to show)."""

    version: int
    page: int


@dataclass(frozen=True)
class WeeksPreview(Action, tag="wkv"):
    """See exactly what the people picked would get: the same picture, with its words."""

    version: int


@dataclass(frozen=True)
class SendWeeks(Action, tag="wkg"):
    """Share the previewed picture with the people picked."""

    version: int


@dataclass(frozen=True)
class WeeksPeople(Action, tag="wkb"):
    """Back from the preview to choosing who gets it."""

    version: int
