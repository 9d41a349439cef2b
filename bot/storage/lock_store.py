"""Rasa's conversation lock store configured from one URL (``LOCK_STORE_URL``).

Several Rasa servers may share one tracker store only if they also share their
conversation locks (Rasa's ``RedisLockStore``); one server keeps them in memory (Rasa's
default ``InMemoryLockStore``). ``endpoints.yml`` reads ``${LOCK_STORE_URL}``:

- empty (the default filled in by ``bot/cli.py``): in-memory locks, no Redis needed;
- ``redis://[user:password@]host[:port][/db][?key_prefix=abc&socket_timeout=10]`` or
  ``rediss://…`` (TLS): Rasa's ``RedisLockStore`` with those settings.

Rasa's own ``type: redis`` wants host, port, db... as separate keys, and an empty
``${VAR}`` cannot switch the type back to in-memory; hence this thin adapter, like
:class:`bot.storage.tracker_store.UrlSQLTrackerStore` for the tracker store.
"""

from __future__ import annotations

import logging
from typing import Any, Dict
from urllib.parse import parse_qs, unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.config import get_settings

logger = logging.getLogger(__name__)

#: Rasa's ``RedisLockStore`` default database when the URL names none
DEFAULT_REDIS_DB = 1


def redis_settings(url: str, **overrides: Any) -> Dict[str, Any]:
    """Keyword arguments of Rasa's ``RedisLockStore`` for a ``redis://`` / ``rediss://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"LOCK_STORE_URL must start with redis:// or rediss://, not {parts.scheme or url!r}")
    path = parts.path.strip("/")
    settings: Dict[str, Any] = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(path) if path else DEFAULT_REDIS_DB,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if "key_prefix" in query:
        settings["key_prefix"] = query["key_prefix"]
    if "socket_timeout" in query:
        settings["socket_timeout"] = float(query["socket_timeout"])
    settings.update({key: value for key, value in overrides.items() if value not in (None, "")})
    return settings


class UrlLockStore(LockStore):
    """``lock_store: {type: bot.storage.lock_store.UrlLockStore, url: ${LOCK_STORE_URL}}``.

    Delegates the three storage operations of Rasa's ticket lock to a ``RedisLockStore``
    when a URL is given, to an ``InMemoryLockStore`` otherwise; the ticket logic itself
    is Rasa's (:class:`rasa.core.lock_store.LockStore`).
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, url: str | None = None, **kwargs: Any):
        if endpoint_config is not None:
            url = url if url is not None else endpoint_config.url
            kwargs = {**endpoint_config.kwargs, **kwargs}
        url = (url or "").strip()
        self.store: LockStore
        if url:
            allowed = {"key_prefix", "socket_timeout", "ssl_certfile", "ssl_keyfile", "ssl_ca_certs"}
            self.store = RedisLockStore(**redis_settings(url, **{k: v for k, v in kwargs.items() if k in allowed}))
            logger.info("conversation locks in Redis (%s)", url.split("@")[-1].split("?")[0])
        else:
            self.store = InMemoryLockStore()
            if get_settings().sanic_workers > 1:
                logger.warning("SANIC_WORKERS > 1 needs LOCK_STORE_URL: in-memory locks are per process")
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)
