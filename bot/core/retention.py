"""The retention rule: nothing is kept longer than the service's retention period.

Rows older than the period go (each table's rule is in the storage's list). Before a share's row
goes, it is taken back from every chat it reached. An account nobody used for the whole period
is erased entirely, as ``/delete`` would; its owner is told two weeks before, inside their hours,
and anything they do in those two weeks keeps it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.model import User
from bot.core.people import Persons
from bot.core.planning import Planner
from bot.core.ports import People, ShareStore
from bot.core.sharing import Sharing

log = logging.getLogger(__name__)

TOLD_AHEAD = timedelta(days=14)


async def erase_account(sharing: Sharing, persons: Persons, user: User, now: datetime) -> None:
    """Erase a person, the one way for ``/delete`` and for the retention rule: a client's shares
    are taken back from every chat first; a member's clients are told they left the team."""
    if user.role.is_client:
        await sharing.withdraw_all(user, now)
    else:
        await persons.tell_clients_left(user, now)
    await persons.erase(user, now)


class Retention:
    """Applies the retention rule; the scheduler runs it about once an hour."""

    def __init__(
        self,
        people: People,
        shares: ShareStore,
        sharing: Sharing,
        persons: Persons,
        planner: Planner,
        period: timedelta,
    ) -> None:
        self._people = people
        self._shares = shares
        self._sharing = sharing
        self._persons = persons
        self._planner = planner
        self.period = period

    async def apply(self, now: datetime) -> int:
        """Tell, erase and purge what the rule says today; how many rows and accounts went."""
        cutoff = now - self.period
        for client_id, share_id in await self._shares.shares_before(cutoff):
            await self._sharing.expire(client_id, share_id, now)
        erased = 0
        ahead = min(TOLD_AHEAD, self.period / 2)  # a short period: told halfway through
        for user in await self._people.idle_since(cutoff + ahead):
            told = user.retention_told_at
            if told is None:
                days = max(1, ahead.days)
                await self._planner.plan_notice(user.id, "retention.idle", {"days": days}, now)
                await self._people.told_idle(user.id, now)
            elif user.seen_at < cutoff and await self._told(user, told, now, ahead):
                await erase_account(self._sharing, self._persons, user, now)
                erased += 1
        if erased:
            log.info("retention: erased %d idle accounts", erased)
        return erased + await self._people.purge_before(cutoff)

    async def _told(self, user: User, told: datetime, now: datetime, ahead: timedelta) -> bool:
        """Whether the person has had their two weeks: the notice reached them that long ago.
        A notice still held (paused until they resume, no hours at all) keeps the account;
        someone who blocked the bot cannot be told, and goes two weeks after it was planned."""
        if user.unreachable_at is not None:
            return now - told >= ahead
        delivered = await self._people.idle_notice_sent(user.id, told)
        return delivered is not None and now - delivered >= ahead
