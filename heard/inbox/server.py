"""Serve the inbox: the Starlette app, its routes, and the one thread every read and write of the store runs on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from heard.inbox import live
from heard.inbox.decisions import Decider, Outcome
from heard.inbox.item import item, measure
from heard.inbox.listing import MAX_SHOWN, Filters, Listing, Row, narrow, sla_clock, waiting_rows
from heard.inbox.security import REPORT_POLICY, SESSION_COOKIE, Access, Guard

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from heard.app import App

T = TypeVar("T")
STATIC = Path(__file__).with_name("static")
# How long the undo key is offered after a decision, unless the command says otherwise.
UNDO_SECONDS = 10.0
# How many rows the page itself brings (a few screens); the script fetches the rest right after it shows.
FIRST_ROWS = 150
# How often open pages look for changes made elsewhere (the file, another tab, new comments).
LIVE_SECONDS = 1.0
# A wrong token waits this long before the answer: guessing it over the network stays slow.
LOGIN_DELAY = 1.0
_NO_STORE = {"cache-control": "no-store"}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Inbox:
    """One running inbox: the app's store behind one thread, its access rules, and the decisions it can undo."""

    def __init__(
        self,
        app: App,
        access: Access,
        *,
        undo_seconds: float = UNDO_SECONDS,
        live_seconds: float = LIVE_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.app = app
        self.access = access
        self.clock = clock
        self.undo_seconds = undo_seconds
        self.live_seconds = live_seconds
        self.decider = Decider(app, undo=timedelta(seconds=undo_seconds))
        self.watch = live.Watch(app, clock, every=live_seconds)
        # The store's one connection is used by one thread at a time: every store call runs on this one.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heard-inbox-store")
        self._rows: tuple[str, tuple[Row, ...]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the store's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._db, work)

    def stop(self) -> None:
        """End every open event stream, so the server can shut down at once (callable from any thread)."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    def close(self) -> None:
        """Stop the store's thread and close the store."""
        self._db.shutdown(wait=True)
        self.app.store.close()

    def asgi(self) -> Starlette:
        """The ASGI app: the routes behind the guard, compressed."""

        @asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
            await self.run(_warm)
            await self.run(lambda: self._listing(Filters()))
            yield
            self._stopping.set()

        routes = [
            Route("/", self.page),
            Route("/api/rows", self.rows),
            Route("/api/item", self.item_part),
            Route("/api/decide", self.decide, methods=["POST"]),
            Route("/api/undo", self.undo, methods=["POST"]),
            Route("/api/length", self.length, methods=["POST"]),
            Route("/api/events", self.events),
            Route("/report", self.report),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/favicon.ico", _no_icon),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
        middleware = [
            Middleware(Guard, access=self.access),
            Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),
        ]
        return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)

    def _listing(self, filters: Filters, limit: int = MAX_SHOWN) -> tuple[Listing, str]:
        """The list as ``filters`` narrow it (its first ``limit`` rows), and the version it was read at."""
        version = self.watch.version()
        if self._rows is None or self._rows[0] != version:
            # The waiting rows change only with the version: every page and tab reuses them until it moves.
            self._rows = (version, tuple(waiting_rows(self.app.store, self.app.settings.sla_for)))
        return narrow(self._rows[1], filters, now=self.clock(), limit=limit), version

    async def page(self, request: Request) -> Response:
        """The inbox: filters, the waiting list, and the chosen (or first) item in full."""
        filters = Filters.parse(request.query_params)
        wanted = request.query_params.get("id", "")

        def read() -> tuple[Listing, str, Any]:
            # The page brings the first screens of rows; its script fetches the rest at once (/api/rows), so a
            # long list costs the browser a few hundred rows to parse before the first item can be decided.
            found, version = self._listing(filters, limit=FIRST_ROWS)
            ids = [r.id for r in found.rows]
            chosen = wanted if wanted in ids else (ids[0] if ids else None)
            return found, version, chosen and item(self.app.store, chosen, self.app.settings.sla_for)

        found, version, shown = await self.run(read)
        html = render(
            "inbox.html",
            listing=found,
            partial=found.matched > len(found.rows),
            filters=filters,
            version=version,
            shown=shown,
            now=self.clock(),
            csrf=self.access.csrf,
            undo_seconds=self.undo_seconds,
            public=self.access.public,
        )
        return HTMLResponse(html, headers=_NO_STORE)

    async def rows(self, request: Request) -> Response:
        """The list again, for a page told that something changed."""
        found, version = await self.run(lambda: self._listing(Filters.parse(request.query_params)))
        html = render("_rows.html", listing=found, now=self.clock(), partial=False)
        body = {"html": html, "matched": found.matched, "waiting": found.waiting, "version": version}
        return JSONResponse(body, headers=_NO_STORE)

    async def item_part(self, request: Request) -> Response:
        """One item in full, as a fragment of the page."""
        cid = request.query_params.get("id", "")
        shown = await self.run(lambda: item(self.app.store, cid, self.app.settings.sla_for))
        if shown is None:
            return HTMLResponse("<p class='gone'>This item is no longer waiting.</p>", 404, headers=_NO_STORE)
        return HTMLResponse(render("_item.html", it=shown, now=self.clock()), headers=_NO_STORE)

    async def decide(self, request: Request) -> Response:
        """Approve (as written or edited), reject or dismiss one reply, if it is still as the page showed it."""
        body = await _json(request)
        if body is None:
            return _outcome(Outcome(400, "send JSON: id, action, state, updated_at (and text to approve an edit)"))
        text = body.get("text")
        seen = (str(body.get("state", "")), str(body.get("updated_at", "")))
        done = await self.run(
            lambda: self.decider.decide(
                str(body.get("id", "")),
                str(body.get("action", "")),
                seen,
                now=self.clock(),
                text=text if isinstance(text, str) else None,
            )
        )
        return _outcome(done)

    async def undo(self, request: Request) -> Response:
        """Take back a decision made here, within its window and before posting began."""
        body = await _json(request)
        token = str((body or {}).get("token", ""))
        return _outcome(await self.run(lambda: self.decider.undo(token, now=self.clock())))

    async def length(self, request: Request) -> Response:
        """The exact length of an edited reply as its platform counts it, and why it cannot be approved (if so)."""
        body = await _json(request) or {}
        cid, text = str(body.get("id", "")), str(body.get("text", ""))
        comment = await self.run(lambda: self.app.store.comment(cid))
        if comment is None:
            return JSONResponse({"message": f"{cid}: no such item"}, 404)
        used, problem = measure(comment, text)
        return JSONResponse({"used": used, "problem": problem}, headers=_NO_STORE)

    async def events(self, request: Request) -> Response:
        """Server-sent events: a ``change`` whenever what waits changed anywhere."""
        stopping = self._stopping or asyncio.Event()
        body = live.stream(
            lambda: self.run(self.watch.check), request.is_disconnected, stopping, every=self.live_seconds
        )
        headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
        return StreamingResponse(body, media_type="text/event-stream", headers=headers)

    async def report(self, request: Request) -> Response:
        """`heard report`'s HTML page, for the window ``since`` (30d by default, or ``all``)."""
        from responders.report import build_report, parse_span
        from responders.report.page import render_html

        since = request.query_params.get("since", "30d").strip().lower()
        try:
            span = None if since == "all" else parse_span(since)
        except ValueError as exc:
            return Response(f"since: {exc}", 400, media_type="text/plain")
        figures = await self.run(lambda: build_report(self.app.store, since=span, now=self.clock()))
        headers = {"content-security-policy": REPORT_POLICY, **_NO_STORE}
        return HTMLResponse(render_html(figures), headers=headers)

    async def login(self, request: Request) -> Response:
        """Ask for the token (an inbox served beyond this machine); a right one sets the session cookie."""
        if request.method == "GET":
            return HTMLResponse(render("login.html", wrong=False), headers=_NO_STORE)
        # The one field, read without a form library: a urlencoded body, and a short one.
        body = (await request.body())[:4096].decode("utf-8", "replace")
        given = parse_qs(body).get("token", [""])[0]
        if not self.access.token_matches(given):
            await asyncio.sleep(LOGIN_DELAY)
            return HTMLResponse(render("login.html", wrong=True), 401, headers=_NO_STORE)
        done = RedirectResponse("/", 303)
        done.set_cookie(SESSION_COOKIE, self.access.session(), httponly=True, samesite="strict", path="/")
        return done


async def _no_icon(_: Request) -> Response:
    return Response(status_code=204)


def _warm() -> None:
    """Do once at start what the first page would otherwise wait for: compile the templates, find the platforms."""
    from listener.platforms import registry

    registry()
    for name in ("inbox.html", "_rows.html", "_item.html", "login.html"):
        _environment().get_template(name)


async def _json(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _outcome(o: Outcome) -> JSONResponse:
    undo_until = o.undo_until.isoformat() if o.undo_until else None
    body = {
        "ok": o.ok,
        "message": o.message,
        "state": o.state,
        "updated_at": o.updated_at,
        "token": o.token,
        "undo_until": undo_until,
    }
    return JSONResponse(body, o.status, headers=_NO_STORE)


def render(template: str, **values: Any) -> str:
    """Render one of the inbox's templates; everything interpolated is escaped."""
    return _environment().get_template(template).render(**values)


@cache
def _environment() -> jinja2.Environment:
    # Autoescape everywhere: comments, names, links and drafts are other people's text.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("heard.inbox", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = sla_clock
    env.filters["ms"] = lambda moment: int(moment.timestamp() * 1000)
    env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"
    env.filters["score"] = lambda value: f"{float(value or 0):.2f}"
    return env
