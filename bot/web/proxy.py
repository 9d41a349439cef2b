"""The client's address behind the school's reverse proxy, impossible to spoof from outside.

Rate limits are keyed on the client's IP. Trusting ``X-Forwarded-For`` from anyone
(uvicorn's ``FORWARDED_ALLOW_IPS=*``) let an attacker send a new address on every try:
unlimited password guessing, or a victim's address locked out. Here the peer of the TCP
connection is the client, unless the peer is one of ``TRUSTED_PROXIES``: then, and only
then, the ``X-Real-IP`` header that proxy sets (overwriting whatever the client sent; see
docs/security.md for Caddy and nginx) names the client, and ``X-Forwarded-Proto`` the
scheme. ``X-Forwarded-For`` is never read: a client can prepend anything to it.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Tuple

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted(peer: str, proxies: Iterable[Network]) -> bool:
    address = _ip(peer)
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str, headers: dict, proxies: Tuple[Network, ...]) -> str:
    """The client's IP: ``X-Real-IP`` when the peer is a trusted proxy and the header is an IP, else the peer."""
    if proxies and is_trusted(peer, proxies):
        real = _ip(headers.get("x-real-ip", ""))
        if real is not None:
            return str(real)
    return peer


class TrustedProxyMiddleware:
    """Rewrites the ASGI ``client`` (and ``scheme``) from a trusted proxy's headers only."""

    def __init__(self, app: ASGIApp, proxies: Tuple[Network, ...] = ()):
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.proxies:
            peer, port = scope.get("client") or ("", 0)
            if is_trusted(peer, self.proxies):
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
                scope = dict(scope, client=(client_address(peer, headers, self.proxies), port))
                proto = headers.get("x-forwarded-proto", "").strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)
