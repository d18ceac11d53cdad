"""Guard the inbox: who may reach it (Host, token), which changes it accepts (CSRF, Origin), what pages may run."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from listener.errors import ConfigError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_ENV = "HEARD_INBOX_TOKEN"
# A token guessed one try at a time over the network must be long: refuse to serve with a short one.
MIN_TOKEN = 16
SESSION_COOKIE = "heard_inbox"
CSRF_HEADER = "x-csrf-token"
# Pages run only heard's own script and style; nothing is framed, posted elsewhere or fetched from elsewhere.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The report is one self-contained page: inline CSS and SVG, no script at all.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
# Reachable without the token: the login page and what it needs to look right.
OPEN_PATHS = frozenset({"/login", "/static/inbox.css"})
_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # A comment's link opened from the inbox must not tell its site where the person came from (and a form
    # posted to the inbox itself keeps its Origin: under no-referrer a browser sends "null").
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable only from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    """Where the inbox listens, the user's token (needed off loopback) and this process's CSRF secret."""

    host: str
    port: int
    token: str | None = field(default=None, repr=False)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @property
    def public(self) -> bool:
        """Whether the inbox listens beyond this machine: then every request must carry the token."""
        return not is_loopback(self.host)

    @property
    def hosts(self) -> frozenset[str]:
        """The Host headers a loopback inbox answers (anything else is a DNS-rebinding page)."""
        names = {"127.0.0.1", "localhost", "[::1]", self.host if ":" not in self.host else f"[{self.host}]"}
        return frozenset(f"{n}:{self.port}" for n in names)

    def session(self) -> str:
        """The cookie value a login sets: derived from the token, never the token itself."""
        return hmac.new((self.token or "").encode(), b"heard inbox session", hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        """Whether ``given`` is the user's token (compared in constant time)."""
        return bool(self.token) and hmac.compare_digest(given.encode(), (self.token or "").encode())


def access_for(host: str, port: int, token: str | None) -> Access:
    """The access rules for serving on ``host``; off loopback only with a long enough token.

    :raises ConfigError: a non-loopback address without ``HEARD_INBOX_TOKEN``, or with a short one.
    """
    token = (token or "").strip() or None
    if not is_loopback(host):
        if token is None:
            raise ConfigError(
                f"refusing to serve the inbox on {host}, beyond this machine, without a token:"
                f" set {TOKEN_ENV} in .env (at least {MIN_TOKEN} characters), or use --host 127.0.0.1"
            )
        if len(token) < MIN_TOKEN:
            raise ConfigError(f"{TOKEN_ENV} is too short: use at least {MIN_TOKEN} random characters")
    return Access(host, port, token)


class Guard:
    """ASGI middleware: check Host, the token and CSRF before the app sees a request; add security headers."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refused = self.refusal(scope, headers)
        if refused is not None:
            status, text, location = refused
            await _plain(send, status, text, location)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in have]
                if b"content-security-policy" not in have:
                    extra.append((b"content-security-policy", PAGE_POLICY.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, secured)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str | None] | None:
        """Why a request is refused (status, text, where to go instead), or None to let it through."""
        host = headers.get("host", "")
        if not self.access.public and host.lower() not in self.access.hosts:
            return 421, f"unexpected Host header {host!r}: the inbox answers only as 127.0.0.1 or localhost", None
        path, method = scope["path"], scope["method"]
        if self.access.public and path not in OPEN_PATHS and not self.signed_in(headers):
            if method == "GET" and not path.startswith("/api/"):
                return 303, "sign in first", "/login"
            return 401, "sign in first: this inbox needs the token", None
        if method in ("GET", "HEAD", "OPTIONS"):
            return None
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return 403, "refused: this change comes from another site", None
        if path == "/login":
            # A login posts the token itself, which no other site knows: a same-origin form is enough.
            return None if origin is not None else (403, "refused: a login must come from the login page", None)
        given = headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.access.csrf.encode()):
            return 403, "refused: missing or wrong CSRF token (reload the inbox)", None
        return None

    def signed_in(self, headers: dict[str, str]) -> bool:
        """Whether the request carries the session cookie, or the token as a bearer."""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and self.access.token_matches(auth[7:].strip()):
            return True
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except CookieError:  # a malformed Cookie header is no session
            return False
        morsel = jar.get(SESSION_COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.access.session().encode())


async def _plain(send: Send, status: int, text: str, location: str | None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), *_HEADERS]
    headers.append((b"content-security-policy", b"default-src 'none'"))
    if location:
        headers.append((b"location", location.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})
