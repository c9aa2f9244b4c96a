"""Rate limits on check, search and extract: a token bucket per token and per client.

`take` is the pure bucket arithmetic; `Limiter` keeps buckets in this process (keyed by
kind and token id or client address, the least recently used forgotten beyond a bound);
`rate_limited(kind)` is the dependency routes use. Limits come from the settings
(`KAWAN_RATE_CHECK`, … as "60/minute"); a refusal raises `RateLimited(retry_after=s)`.
Tests give the limiter a fake clock; nothing here sleeps.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import FastAPI, Request

from kawan.accounts.records import Principal
from kawan.api.auth import client_address, optional_principal
from kawan.config import RATE_KINDS, Settings
from kawan.errors import InvalidInput, RateLimited

Rate = tuple[int, int]  # requests, per so many seconds
MAX_KEYS = 100_000


@dataclass(frozen=True)
class Bucket:
    level: float  # requests that may be made now
    at: float  # clock reading of `level`


def take(bucket: Bucket | None, rate: Rate, now: float) -> tuple[Bucket, int | None]:
    """Take one request from the bucket: the new bucket and None, or the unchanged level
    and the whole seconds to wait before one request is allowed again."""
    capacity, period = rate
    level = float(capacity) if bucket is None else _refilled(bucket, rate, now)
    if level >= 1:
        return Bucket(level - 1, now), None
    wait = (1 - level) * period / capacity
    return Bucket(level, now), max(1, math.ceil(wait - 1e-9))


def _refilled(bucket: Bucket, rate: Rate, now: float) -> float:
    capacity, period = rate
    elapsed = max(0.0, now - bucket.at)
    return min(float(capacity), bucket.level + elapsed * capacity / period)


class Limiter:
    """Buckets of one process. `clock` is monotonic seconds (tests pass a fake one)."""

    def __init__(
        self,
        rates: Mapping[str, Rate],
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.rates = dict(rates)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[tuple[str, str], Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> Limiter:
        return cls({kind: settings.rate(kind) for kind in RATE_KINDS}, clock)

    def hit(self, kind: str, key: str) -> None:
        """Count one request of `kind` by `key`; `RateLimited` when over the limit."""
        rate = self.rates.get(kind)
        if rate is None:
            raise InvalidInput(f"no rate limit named {kind!r}", field="kind")
        with self._lock:
            bucket, wait = take(self._buckets.pop((kind, key), None), rate, self.clock())
            self._buckets[(kind, key)] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        if wait is not None:
            who = "token" if key.startswith("token:") else "client address"
            raise RateLimited(
                f"too many {kind} requests from this {who}: try again in {wait} s",
                retry_after=wait,
            )


_CREATE = threading.Lock()


def limiter_of(app: FastAPI) -> Limiter:
    """The app's limiter, made from its node's settings on first use (tests set
    `app.state.limiter` beforehand to give it a fake clock)."""
    with _CREATE:
        found: Limiter | None = getattr(app.state, "limiter", None)
        if found is None:
            found = Limiter.from_settings(app.state.node.settings)
            app.state.limiter = found
        return found


def rate_limited(kind: str) -> Callable[[Request], Awaitable[Principal | None]]:
    """A dependency counting the request against the client address, then (when it
    carries a valid token) against the token. Returns the caller, None when anonymous.
    It runs on the event loop: the buckets are in memory."""
    if kind not in RATE_KINDS:
        raise InvalidInput(f"no rate limit named {kind!r}", field="kind")

    async def dependency(request: Request) -> Principal | None:
        limiter = limiter_of(request.app)
        limiter.hit(kind, f"addr:{client_address(request)}")
        caller = await optional_principal(request)
        if caller is not None:
            limiter.hit(kind, f"token:{caller.token_id}")
        return caller

    return dependency
