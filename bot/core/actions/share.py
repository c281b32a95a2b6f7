"""Buttons of /share: choosing items page by page, choosing people, sending, the history, and
withdrawing.

A ``version`` ties a button to the preview it was shown under, so an old preview's buttons never
send a different text or to different people. A ``page`` is the page of items the button was
shown on, so a tick redraws that same page and nothing moves under the finger.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.actions import Action


@dataclass(frozen=True)
class ToggleItem(Action, tag="si"):
    """Tick or untick one item ("n12": note 12, "c34": check-in 34) shown on ``page``."""

    ref: str
    page: int


@dataclass(frozen=True)
class TurnPage(Action, tag="sv"):
    """From ``page`` of the items to the next older one (or the next newer one)."""

    page: int
    older: bool


@dataclass(frozen=True)
class Preview(Action, tag="sp"):
    """Show the exact text that would be sent."""


@dataclass(frozen=True)
class ToggleRecipient(Action, tag="sr"):
    """Pick or unpick one person of the team for the previewed text."""

    member_id: int
    version: int


@dataclass(frozen=True)
class SendShare(Action, tag="sg"):
    """Share the previewed text with the people picked."""

    version: int


@dataclass(frozen=True)
class ChangeItems(Action, tag="sb"):
    """Back from the preview to the items."""


@dataclass(frozen=True)
class CancelShare(Action, tag="sx"):
    """Stop: nothing is shared."""


@dataclass(frozen=True)
class ShareCheckin(Action, tag="sc"):
    """ "Share this" under a finished check-in: the draft starts with it."""

    checkin_id: int


@dataclass(frozen=True)
class SharedHistory(Action, tag="sl"):
    """ "What I've shared": the history, each share with its Withdraw button."""


@dataclass(frozen=True)
class AskWithdraw(Action, tag="sw"):
    """Ask before withdrawing one share."""

    share_id: int


@dataclass(frozen=True)
class Withdraw(Action, tag="sy"):
    """Withdraw one share: it leaves every chat and list it reached."""

    share_id: int


@dataclass(frozen=True)
class KeepShare(Action, tag="sk"):
    """Keep it shared after all."""


@dataclass(frozen=True)
class RecipientPage(Action, tag="srp"):
    """The next people of a big team under the preview ``version`` (``page`` is the one to
    show)."""

    version: int
    page: int


@dataclass(frozen=True)
class HistoryPage(Action, tag="slp"):
    """Another page of "What I've shared" (``page`` is the one to show)."""

    page: int
