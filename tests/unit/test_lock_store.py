"""The lock store of endpoints.yml: in memory by default, Redis when LOCK_STORE_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.utils import read_endpoints_from_path

from bot import cli
from bot.config import Settings
from bot.storage.lock_store import UrlLockStore, redis_settings

REDIS = os.environ.get("TEST_REDIS_URL")


def endpoints(monkeypatch, lock_store_url: str):
    for key, value in cli.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LOCK_STORE_URL", lock_store_url)
    return read_endpoints_from_path(str(cli.ROOT / "endpoints.yml"))


def test_the_default_is_rasas_in_memory_lock_store(monkeypatch):
    assert Settings.construct().lock_store_url == ""
    config = endpoints(monkeypatch, Settings.construct().lock_store_url)
    store = LockStore.create(config.lock_store)
    assert isinstance(store, UrlLockStore) and isinstance(store.store, InMemoryLockStore)


def test_a_redis_url_gives_rasas_redis_lock_store(monkeypatch):
    config = endpoints(monkeypatch, "redis://:s%40cret@redis.example:6380/4?key_prefix=school1")
    store = LockStore.create(config.lock_store)  # redis-py connects lazily
    assert isinstance(store.store, RedisLockStore)
    kwargs = store.store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("redis.example", 6380, 4, "s@cret")
    assert store.store.key_prefix == "school1:lock:"


def test_redis_settings():
    assert redis_settings("redis://localhost") == {
        "host": "localhost", "port": 6379, "db": 1, "username": None, "password": None, "use_ssl": False,
    }  # fmt: skip
    tls = redis_settings("rediss://u:p@h:1/0?socket_timeout=2.5", key_prefix="x")
    assert tls["use_ssl"] and tls["db"] == 0 and tls["socket_timeout"] == 2.5 and tls["key_prefix"] == "x"
    assert (tls["username"], tls["password"]) == ("u", "p")
    with pytest.raises(ValueError):
        redis_settings("http://localhost:6379")


async def test_ticket_locks_in_the_real_redis():
    if not REDIS:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL must be set in CI: the Redis tests must run")
        pytest.skip("TEST_REDIS_URL not set")
    prefix = f"t{uuid.uuid4().hex[:10]}"
    first, second = UrlLockStore(url=f"{REDIS}?key_prefix={prefix}"), UrlLockStore(url=f"{REDIS}?key_prefix={prefix}")
    red = first.store.red
    try:
        async with first.lock("learner-1"):
            # another Rasa server sees the ticket of the first one and queues behind it
            assert red.exists(f"{prefix}:lock:learner-1")
            ticket = second.issue_ticket("learner-1")
            assert second.get_lock("learner-1").is_locked(ticket)
        # the first one is done: the second one is served, then the lock goes away
        assert not second.get_lock("learner-1").is_locked(ticket)
        second.cleanup("learner-1", ticket)
        assert not red.exists(f"{prefix}:lock:learner-1")
    finally:
        for key in red.scan_iter(f"{prefix}:*"):
            red.delete(key)
