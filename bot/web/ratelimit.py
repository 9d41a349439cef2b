"""Login and class-code rate limits, shared by every web process and surviving restarts.

Built on the maintained ``limits`` library (moving windows, Redis and memory storages)
instead of the hand-written limiter of before. With ``REDIS_URL`` set (compose: the
Redis of the stack) the counts live in Redis: shared by all processes, kept across a
restart, expiring with their window. Without it they live in the process's memory. If
Redis stops answering, the counts fall back to memory rather than locking everybody out
or letting everybody in for good.

The keys (bot/web/routes/auth.py): failed logins count per account *and* address, so
one student typing a wrong password does not lock out the class behind the school's NAT
(one address); a looser cap per address still stops one machine from trying many
accounts (issue 14).
"""

from __future__ import annotations

import logging

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)
#: how long the web app waits for Redis before counting in memory
REDIS_TIMEOUT_S = 0.5


class Limiter:
    """At most ``limit`` hits per key within ``window_s`` seconds: ``blocked``, ``hit``, ``reset``."""

    def __init__(self, redis_url: str, limit: int, window_s: int, name: str):
        self.item = RateLimitItemPerSecond(limit, max(1, int(window_s)))
        self.name = name
        # the strategies hold their storage by a weak reference: the limiter keeps them alive
        self._storages = [MemoryStorage()]
        self._memory = MovingWindowRateLimiter(self._storages[0])
        self._shared = self._memory
        self._errors: tuple = ()
        if redis_url:
            import redis

            storage = storage_from_string(
                redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
            )
            self._storages.append(storage)
            self._shared = MovingWindowRateLimiter(storage)
            self._errors = (redis.RedisError, OSError)

    def _ids(self, key: str) -> tuple:
        return ("nego", self.name, key)

    def _call(self, method: str, key: str):
        try:
            return getattr(self._shared, method)(self.item, *self._ids(key))
        except self._errors as exc:
            logger.warning("rate limit: Redis unavailable (%s), counting in memory", exc)
            return getattr(self._memory, method)(self.item, *self._ids(key))

    def blocked(self, key: str) -> bool:
        return not self._call("test", key)

    def hit(self, key: str) -> None:
        self._call("hit", key)

    def reset(self, key: str) -> None:
        self._call("clear", key)
        if self._shared is not self._memory:
            self._memory.clear(self.item, *self._ids(key))


def make_limiter(redis_url: str, limit: int, window_s: float, name: str) -> Limiter:
    """Redis when ``REDIS_URL`` is set, else the process's memory."""
    return Limiter(redis_url, limit, int(window_s), name)
