"""Issue 14: the login rate limit is shared by all web processes and survives a restart (Redis).

Before: one in-process limiter per web process, cleared by a restart, keys never evicted.
Needs the real Redis (``TEST_REDIS_URL``, set by .ci/run); skipped without it outside CI.
"""

from __future__ import annotations

import os
import uuid

import pytest

from bot.web.ratelimit import RedisRateLimiter, make_limiter
from bot.web.security import RateLimiter

pytestmark = pytest.mark.security
REDIS = os.environ.get("TEST_REDIS_URL")


@pytest.fixture()
def redis_url() -> str:
    if not REDIS:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL must be set in CI")
        pytest.skip("TEST_REDIS_URL not set")
    return REDIS


def test_two_processes_share_the_count_and_a_restart_keeps_it(redis_url):
    prefix = f"test:rl:{uuid.uuid4().hex[:8]}"
    first, second = (RedisRateLimiter(redis_url, 3, 60, prefix=prefix) for _ in range(2))
    key = "198.51.100.7|eve.garcia"
    first.hit(key)
    second.hit(key)
    assert not first.blocked(key)
    first.hit(key)
    assert second.blocked(key)
    restarted = RedisRateLimiter(redis_url, 3, 60, prefix=prefix)
    assert restarted.blocked(key)
    ttl = restarted._redis.ttl(f"{prefix}:{key}")
    assert 0 < ttl <= 61  # the key goes away with the window
    restarted.reset(key)
    assert not first.blocked(key)


def test_redis_down_falls_back_to_memory():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", 2, 60)
    limiter.hit("k")
    limiter.hit("k")
    assert limiter.blocked("k")


def test_memory_limiter_without_redis_url_and_bounded_keys():
    assert isinstance(make_limiter("", 5, 300, "login"), RateLimiter)
    limiter = RateLimiter(1, 0.0)
    for n in range(10_050):
        limiter.hit(f"k{n}")
    limiter.blocked("again")
    assert len(limiter._hits) < 10_050


def test_the_web_app_keeps_the_limit_across_a_restart(redis_url, tmp_path):
    import redis

    from tests.security.test_proxy import failed_logins, start

    redis.Redis.from_url(redis_url).delete(*redis.Redis.from_url(redis_url).keys("nego:rl:*") or ["-"])
    proc, url = start(tmp_path, REDIS_URL=redis_url)
    try:
        assert failed_logins(url, [{}] * 5) == [401] * 5
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    (tmp_path / "again").mkdir()
    proc, url = start(tmp_path / "again", REDIS_URL=redis_url)  # a new process: the memory limiter would be empty
    try:
        assert failed_logins(url, [{}]) == [429]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        redis.Redis.from_url(redis_url).delete(*redis.Redis.from_url(redis_url).keys("nego:rl:*") or ["-"])
