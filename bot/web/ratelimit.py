"""Login and class-code rate limits shared by every web process and surviving restarts.

The in-process ``RateLimiter`` (bot/web/security.py) is cleared by a restart and counts
per process. With ``REDIS_URL`` set (compose: the Redis of the stack), the failures are
kept in Redis sorted sets (one per key: a sliding window), shared by all processes, and
expire with the window, so keys do not pile up. (The maintained ``limits`` library needs
``packaging>=21``, which Rasa 3.6's pin excludes.) If Redis stops answering, the limits
fall back to the process's memory rather than locking everybody out or letting
everybody in for good.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid

from bot.web.security import RateLimiter

logger = logging.getLogger(__name__)


class RedisRateLimiter:
    """Same interface as ``RateLimiter``: ``blocked``, ``hit``, ``reset``."""

    def __init__(self, url: str, limit: int, window_s: float, prefix: str = "nego:rl"):
        import redis

        self.limit = limit
        self.window_s = window_s
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._fallback = RateLimiter(limit, window_s)
        self._errors = (redis.RedisError, OSError)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def blocked(self, key: str) -> bool:
        now = time.time()
        try:
            pipe = self._redis.pipeline()
            pipe.zremrangebyscore(self._key(key), 0, now - self.window_s)
            pipe.zcard(self._key(key))
            return pipe.execute()[1] >= self.limit
        except self._errors as exc:
            logger.warning("rate limit: Redis unavailable (%s), in-memory fallback", exc)
            return self._fallback.blocked(key)

    def hit(self, key: str) -> None:
        now = time.time()
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(self._key(key), {f"{now}:{uuid.uuid4().hex[:8]}": now})
            pipe.zremrangebyscore(self._key(key), 0, now - self.window_s)
            pipe.expire(self._key(key), int(self.window_s) + 1)
            pipe.execute()
        except self._errors as exc:
            logger.warning("rate limit: Redis unavailable (%s), in-memory fallback", exc)
            self._fallback.hit(key)

    def reset(self, key: str) -> None:
        with contextlib.suppress(*self._errors):
            self._redis.delete(self._key(key))
        self._fallback.reset(key)


def make_limiter(redis_url: str, limit: int, window_s: float, name: str) -> RateLimiter | RedisRateLimiter:
    """Redis when ``REDIS_URL`` is set, else the process's memory."""
    if redis_url:
        return RedisRateLimiter(redis_url, limit, window_s, prefix=f"nego:rl:{name}")
    return RateLimiter(limit, window_s)
