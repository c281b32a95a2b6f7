"""Buttons under the crisis card when it interrupts a check-in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.actions import Action


@dataclass(frozen=True)
class GoOn(Action, tag="hgo"):
    """Go on with the check-in the card interrupted: its question again."""

    checkin_id: int


@dataclass(frozen=True)
class StopHere(Action, tag="hst"):
    """End the check-in the card interrupted; what was answered is kept."""

    checkin_id: int
