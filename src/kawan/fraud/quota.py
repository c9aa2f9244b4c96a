"""The public check's daily quota per client address, on top of its token bucket.

The bucket (`kawan.api.ratelimit`) smooths bursts; the quota caps what one address can
learn in a day, so nobody enumerates numbers through the public check. Days are UTC
days; a refusal says how long until the next one begins. `count` is the pure arithmetic;
`DailyQuota` keeps this process's counts (tests give it a fake clock; nothing sleeps).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kawan.errors import RateLimited

DAY = 86_400
MAX_KEYS = 200_000


def seconds_to_midnight(now: float) -> int:
    """Whole seconds until the next UTC day begins (at least 1)."""
    return max(1, DAY - int(now) % DAY)


def count(day_and_used: tuple[int, int] | None, now: float) -> tuple[int, int]:
    """The (day, used) after one more request at `now`: a new day starts again at 1."""
    today = int(now) // DAY
    if day_and_used is None or day_and_used[0] != today:
        return today, 1
    return today, day_and_used[1] + 1


class DailyQuota:
    """Requests per key per UTC day. `clock` is wall-clock seconds (tests fake it)."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._used: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one request; `RateLimited` once the day's quota is used up."""
        now = self.clock()
        with self._lock:
            day, used = count(self._used.get(key), now)
            if used > self.limit:
                used = self.limit + 1  # do not count refusals forever
            self._used[key] = (day, used)
            self._forget_old(day)
        if used > self.limit:
            wait = seconds_to_midnight(now)
            raise RateLimited(
                f"this address has made its {self.limit} checks for today: come back after "
                f"00:00 UTC, in {_duration(wait)}",
                retry_after=wait,
                details={"quota": self.limit, "retry_after": wait},
            )

    def _forget_old(self, today: int) -> None:
        if len(self._used) > MAX_KEYS:
            self._used = {k: v for k, v in self._used.items() if v[0] == today}


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{max(1, rest // 60)} min"
