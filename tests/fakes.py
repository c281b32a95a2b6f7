"""Fakes at the edges for core-level tests: a recording Outbox, the service's defaults."""

from __future__ import annotations

from datetime import timedelta

from bot.core.model import User
from bot.core.planning import ScheduleDefaults
from bot.core.views import Say

DEFAULTS = ScheduleDefaults("Europe/London", "mon,thu", "18:00", "09:00-21:00", timedelta(hours=2))
BIG = 10**17  # an id no row has


class Outbox:
    """Records what a use case asked to send to other people; some can be unreachable."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Say]] = []
        self.unreachable: set[int] = set()

    async def send(self, to: User, say: Say) -> int | None:
        if to.id in self.unreachable:
            return None
        self.sent.append((to.id, say))
        return len(self.sent)

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        return True

    async def delete(self, chat_id: int, message_id: int) -> bool:
        return True
