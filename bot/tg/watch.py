"""A watchdog on intake: is the bot still asking Telegram for updates, and keeping them?

From outside, a bot whose polling stopped looks alive: scheduled check-ins keep going out. So
every ``getUpdates`` that comes back is noted (``WatchedRequest`` wraps the request PTB polls
with), a job looks every ``LOOK_EVERY`` seconds, says in the log when polling has not come back
for ``QUIET_LIMIT``, and writes how intake stands into the run's lock file, where
``between doctor`` reads it (``read_status``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.core.clock import Clock
from bot.tg.inbox import DurableQueue

log = logging.getLogger(__name__)

#: How often the watchdog looks.
LOOK_EVERY = 15
#: A long poll returns within about 15 s (10 s of waiting, the network's time): past this,
#: polling has stopped.
QUIET_LIMIT = timedelta(seconds=60)


class WatchedRequest(BaseRequest):
    """The request PTB polls with, noting when each ``getUpdates`` came back."""

    def __init__(self, inner: BaseRequest, clock: Clock) -> None:
        self.inner = inner
        self._clock = clock
        #: When a ``getUpdates`` last came back (answered, or refused by Telegram).
        self.polled_at: datetime | None = None

    @property
    def read_timeout(self) -> float | None:
        """The inner request's read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Set up the inner request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Close the inner request."""
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Make the request; note when a ``getUpdates`` came back."""
        answer = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if url.rsplit("/", 1)[-1] == "getUpdates":
            self.polled_at = self._clock.now()
        return answer


@dataclass(frozen=True)
class Status:
    """How intake stands, as the running bot last wrote it."""

    pid: int
    mode: str  # "polling" or "webhook"
    written_at: datetime
    polled_at: datetime | None
    stuck_since: datetime | None  # updates could not be kept since then


class Watchdog:
    """Looks at intake now and then: logs a stop, and writes the status for ``doctor``.

    Args:
        queue: the inbox (is it stuck?).
        request: the watched polling request, or None with a webhook.
        clock: the time.
        status_file: where the status is written (the run's lock file), or None.
    """

    def __init__(
        self,
        queue: DurableQueue,
        request: WatchedRequest | None,
        clock: Clock,
        status_file: Path | None,
    ) -> None:
        self._queue = queue
        self._request = request
        self._clock = clock
        self._file = status_file
        self._started = clock.now()
        self._said_at: datetime | None = None

    def look(self) -> Status:
        """Look once: say in the log when polling stopped; write the status; return it."""
        now = self._clock.now()
        stuck = self._queue.stuck_since
        status = Status(
            pid=os.getpid(),
            mode="webhook" if self._request is None else "polling",
            written_at=now,
            polled_at=self._request.polled_at if self._request is not None else None,
            stuck_since=stuck,
        )
        quiet = self.quiet_for(now)
        if quiet is not None and quiet > QUIET_LIMIT:
            if self._said_at is None or now - self._said_at >= timedelta(minutes=1):
                self._said_at = now
                log.warning(
                    "no getUpdates has come back for %.0f s: nobody is heard meanwhile%s",
                    quiet.total_seconds(),
                    "; incoming updates cannot be kept" if stuck is not None else "",
                )
        else:
            self._said_at = None
        self._write(status)
        return status

    def quiet_for(self, now: datetime) -> timedelta | None:
        """How long polling has not come back (None with a webhook)."""
        if self._request is None:
            return None
        return now - (self._request.polled_at or self._started)

    def _write(self, status: Status) -> None:
        if self._file is None:
            return
        record = {
            "pid": status.pid,
            "mode": status.mode,
            "written_at": status.written_at.isoformat(),
            "polled_at": status.polled_at.isoformat() if status.polled_at else None,
            "stuck_since": status.stuck_since.isoformat() if status.stuck_since else None,
        }
        try:
            # In place, never a new file: the lock file is held open by this run.
            with self._file.open("r+") as handle:
                handle.write(json.dumps(record))
                handle.truncate()
        except OSError as exc:  # a full disk: the log has said it already
            log.info("could not write the intake status (%s)", type(exc).__name__)


def read_status(path: Path) -> Status | None:
    """The status a running bot wrote into its lock file; None if no bot runs there."""
    try:
        record = json.loads(path.read_text())
        pid = int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)  # is it alive? (signal 0 sends nothing)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's

    def moment(key: str) -> datetime | None:
        value = record.get(key)
        with contextlib.suppress(TypeError, ValueError):
            return datetime.fromisoformat(value)
        return None

    written = moment("written_at")
    if written is None:
        return None
    return Status(
        pid, str(record.get("mode")), written, moment("polled_at"), moment("stuck_since")
    )
