"""Where the bot runs on the machine: its threads kept on one CPU core.

Between does its work on one core anyway (Python runs one thread at a time), but every database
call hops to aiosqlite's worker thread and back. When the two threads sit on different cores,
each hop wakes the other core, and on a virtual machine whose host is busy that wake-up waits for
the host: a round of 3,000 check-ins then went out at 51 % of the allowed rate instead of 88 %
(``bench/fanout.py``, run alternately with and without this). On one core the hop is a switch
between two threads on the same core, which nothing else has to allow.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def _current_core() -> int | None:
    """The core this process last ran on (``/proc/self/stat``, field 39), if Linux says."""
    try:
        stat = Path("/proc/self/stat").read_text("ascii")
        return int(stat.rsplit(")", 1)[1].split()[36])
    except (OSError, ValueError, IndexError):
        return None


def keep_to_one_core() -> int | None:
    """Keep the calling thread, and every thread it starts from now on, on one CPU core.

    The core is the one the system has it on now, among those it may use. Call it before any
    other thread starts. Returns the core, or None where the system does not let a process
    choose (not Linux).
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    core = _current_core()
    if core not in allowed:
        core = allowed[-1]
    if allowed != [core]:
        os.sched_setaffinity(0, {core})
    return core
