"""The range's ASGI application: one app for every ``*.range.test`` site.

The site is chosen by the Host header (HTTP/1.1) or ``:authority`` (HTTP/2, which
hypercorn presents as ``host``). Everything the client sends is hostile: the host must be
one of ours, the path may not hold dot segments, NUL bytes, backslashes or encoded
slashes, bodies and query strings are bounded, and an unexpected failure becomes a small
500 page (the traceback goes to the log, never to the client).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from forensics.range import images, pages, video
from forensics.range.content import (
    API_HOST,
    DOMAIN,
    IMG_HOST,
    LIVE_HOST,
    PAGE_SIZE,
    SHOP_HOST,
    Account,
    Content,
    Product,
    money,
    sales_text,
)
from forensics.range.flv import FlvWriter, SegmentTags, filler_per_frame
from forensics.range.live import FlvSegments, LiveTimeline, SegmentStore
from forensics.range.pages import FLV_PATH, HLS_PATH, Origins

log = logging.getLogger("quzheng.range")

type Scope = dict[str, Any]
type Message = dict[str, Any]
type Receive = Callable[[], Awaitable[Message]]
type Send = Callable[[Message], Awaitable[None]]

MAX_BODY = 16 * 1024
MAX_PATH = 2048
MAX_QUERY = 2048
SESSION_COOKIE = "qz_session"
MAX_SESSIONS = 1000
CHAT_POLL_S = 0.1
CHAT_HISTORY_MS = 15_000
PICTURE_CACHE = 512
# How long the FLV stream waits, at most, before looking at the clock again (the injected
# clock may jump or stand still).
FLV_POLL_S = 0.1

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://*.range.test:*; "
    "media-src 'self' blob:; "
    "connect-src 'self' https://*.range.test:* wss://*.range.test:*; "
    "form-action 'self' https://*.range.test:*; base-uri 'none'; frame-ancestors 'none'"
)
# Used with fullmatch() only: "$" would also match before a trailing newline.
_ORIGIN_RE = re.compile(r"https://(?:[a-z0-9-]+\.)?range\.test(?::\d{1,5})?")
_HOST_RE = re.compile(r"(?P<name>[a-z0-9.-]{1,253})(?::(?P<port>\d{1,5}))?")
_STATIC_NAME_RE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")
_STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}


class HTTPError(Exception):
    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en


_REASONS = {
    400: ("请求无效", "Bad Request"),
    401: ("需要登录", "Unauthorized"),
    404: ("页面不存在", "Not Found"),
    405: ("方法不允许", "Method Not Allowed"),
    413: ("请求体过大", "Payload Too Large"),
    414: ("网址过长", "URI Too Long"),
    421: ("未知站点", "Misdirected Request: this server serves only *.range.test"),
    500: ("服务器内部错误", "Internal Server Error"),
}


def _error(status: int) -> HTTPError:
    zh, en = _REASONS[status]
    return HTTPError(status, zh, en)


@dataclass
class Request:
    method: str
    host: str
    port_suffix: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    http_version: str
    receive: Receive

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def cookie(self, name: str) -> str | None:
        for part in self.headers.get("cookie", "").split(";"):
            key, sep, value = part.strip().partition("=")
            if sep and key == name:
                return value
        return None

    async def body(self) -> bytes:
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise _error(413)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                raise _error(400)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                raise _error(413)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode("utf-8"), headers=[("content-security-policy", _CSP)])

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Response:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status, data, "application/json; charset=utf-8")

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> Response:
        return cls(status, b"", "text/plain; charset=utf-8", [("location", location)])


def check_path(raw_path: bytes, path: str) -> None:
    """Refuse paths that could climb out of a directory or mean two things at once."""
    if len(raw_path) > MAX_PATH:
        raise _error(414)
    if not path.startswith("/") or path.startswith("//"):
        raise _error(400)
    lowered = raw_path.lower()
    # An encoded slash or backslash would let one segment name a deeper path.
    if b"%2f" in lowered or b"%5c" in lowered or "\\" in path or "\x00" in path:
        raise _error(400)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise _error(400)
    if any(part in (".", "..") for part in path.split("/")):
        raise _error(400)


def parse_host(value: str) -> tuple[str, str]:
    """``Shop.Range.Test.:8443`` → ``("shop.range.test", ":8443")``."""
    match = _HOST_RE.fullmatch(value.strip().lower())
    if match is None:
        raise _error(400)
    name = match["name"].rstrip(".")
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise _error(400)
    return name, f":{int(port)}" if port else ""


# ---------------------------------------------------------------------------------------------


class RangeApp:
    def __init__(
        self,
        content: Content,
        timeline: LiveTimeline,
        store: SegmentStore,
        static_dir: Path,
        executor: Executor,
        flv_kbps: int = 0,
    ) -> None:
        self.content = content
        # Load tests: pad the HTTP-FLV stream to about this bitrate (``flv.FlvWriter.filler``).
        self.flv_kbps = flv_kbps
        self.flv_bytes_sent = 0  # FLV body bytes handed to the server, every viewer
        self.timeline = timeline
        self.store = store
        self.static_dir = static_dir.resolve()
        self._executor = executor
        self._sessions: OrderedDict[str, str] = OrderedDict()
        self._static_cache: dict[str, tuple[bytes, str]] = {}
        self._pictures: OrderedDict[str, bytes] = OrderedDict()
        self.flv = FlvSegments(store, executor)
        self.flv_viewers = 0
        self.ready = asyncio.Event()
        self.closing = asyncio.Event()
        self._sites: dict[str, Callable[[Request], Awaitable[Response]]] = {
            DOMAIN: self._apex,
            SHOP_HOST: self._shop,
            LIVE_HOST: self._live,
            API_HOST: self._api,
            IMG_HOST: self._img,
        }

    # -- ASGI entry ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.ready.set()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.closing.set()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _request(self, scope: Scope, receive: Receive) -> Request:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", []):
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        host, port_suffix = parse_host(headers.get("host", ""))
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        path: str = scope["path"]
        check_path(raw_path, path)
        query_string: bytes = scope.get("query_string", b"")
        if len(query_string) > MAX_QUERY:
            raise _error(414)
        try:
            query = parse_qs(
                query_string.decode("latin-1"),
                max_num_fields=20,
                encoding="utf-8",
                errors="replace",
            )
        except ValueError as exc:
            raise _error(400) from exc
        return Request(
            method=scope.get("method", "GET"),
            host=host,
            port_suffix=port_suffix,
            path=path,
            query=query,
            headers=headers,
            http_version=scope.get("http_version", "1.1"),
            receive=receive,
        )

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "GET")
        try:
            request = self._request(scope, receive)
            if request.host == LIVE_HOST and request.path == FLV_PATH:
                self._only(request, "GET")
                await self._flv_response(request, send)
                return
            site = self._sites.get(request.host)
            if site is None:
                raise _error(421 if not request.host.endswith("." + DOMAIN) else 404)
            response = await site(request)
        except HTTPError as exc:
            response = Response.html(pages.error_page(exc.status, exc.zh, exc.en), exc.status)
            if exc.status == 413 and scope.get("http_version") in ("1.0", "1.1"):
                # The unread body makes the connection unusable: say so, and clients reconnect.
                response.headers.append(("connection", "close"))
        except Exception:
            log.exception("range: request failed: %s %r", method, scope.get("path"))
            zh, en = _REASONS[500]
            response = Response.html(pages.error_page(500, zh, en), 500)
        await self._send(send, response, head=method == "HEAD", scope=scope)

    async def _send(self, send: Send, response: Response, *, head: bool, scope: Scope) -> None:
        headers = [
            (b"content-type", response.content_type.encode()),
            (b"content-length", str(len(response.body)).encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else response.body})

    # -- helpers ------------------------------------------------------------------------------

    def _user(self, request: Request) -> Account | None:
        token = request.cookie(SESSION_COOKIE)
        if not token:
            return None
        username = self._sessions.get(token)
        return next((a for a in self.content.accounts if a.username == username), None)

    def _static(self, relative: str) -> Response:
        """A file of the range's static directory, confined to it."""
        cached = self._static_cache.get(relative)
        if cached is None:
            parts = relative.split("/")
            if not all(_STATIC_NAME_RE.fullmatch(p) for p in parts):
                raise _error(404)
            path = self.static_dir.joinpath(*parts)
            content_type = _STATIC_TYPES.get(path.suffix)
            try:
                resolved = path.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                raise _error(404) from exc
            if content_type is None or not resolved.is_relative_to(self.static_dir):
                raise _error(404)
            if not resolved.is_file():
                raise _error(404)
            cached = (resolved.read_bytes(), content_type)
            self._static_cache[relative] = cached
        data, content_type = cached
        return Response(200, data, content_type, [("cache-control", "public, max-age=300")])

    @staticmethod
    def _only(request: Request, *methods: str) -> None:
        allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
        if request.method not in allowed:
            raise HTTPError(405, *_REASONS[405])

    def _common(self, request: Request) -> Response | None:
        """Routes every site shares: static files and the favicon."""
        if request.path.startswith("/static/"):
            self._only(request, "GET")
            return self._static(request.path.removeprefix("/static/"))
        if request.path == "/favicon.ico":
            return Response(204, b"", "image/x-icon")
        return None

    async def _picture(self, key: str, func: Callable[..., bytes], *args: Any) -> bytes:
        """A generated picture, drawn in a worker thread; recent ones are kept in memory."""
        data = self._pictures.get(key)
        if data is not None:
            self._pictures.move_to_end(key)
            return data
        data = await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)
        self._pictures[key] = data
        while len(self._pictures) > PICTURE_CACHE:
            self._pictures.popitem(last=False)
        return data

    # -- range.test ---------------------------------------------------------------------------

    async def _apex(self, request: Request) -> Response:
        if (common := self._common(request)) is not None:
            return common
        self._only(request, "GET")
        if request.path != "/":
            raise _error(404)
        return Response.html(pages.apex(self.content, Origins(request.port_suffix)))

    # -- shop.range.test ----------------------------------------------------------------------

    async def _shop(self, request: Request) -> Response:
        if (common := self._common(request)) is not None:
            return common
        origins = Origins(request.port_suffix)
        user = self._user(request)
        path, c = request.path, self.content
        if path == "/login":
            return await self._login(request, origins)
        self._only(request, "GET")
        if path == "/":
            return Response.html(pages.home(c, origins, user))
        if path == "/licence":
            return Response.html(pages.licence(c, origins, user))
        if path == "/list":
            page = _page_number(request, len(c.products))
            return Response.html(pages.listing(c, origins, user, page))
        if path == "/search":
            query = request.arg("q").strip()[:50]
            page = _page_number(request, max(1, len(c.search(query))))
            return Response.html(pages.search(c, origins, user, query, page))
        if path == "/all":
            return Response.html(pages.long_page(c, origins, user))
        if path == "/flash":
            now = self.timeline.range_seconds()
            price = c.flash.price_at(now)
            return Response.html(
                pages.flash(c, origins, user, price, c.flash.next_change_at(now)),
            )
        if path == "/rank":
            # The bot check: the challenge comes instead of the content, whoever asks.
            response = Response.html(pages.bot_check(c, origins))
            response.headers.append(("x-range-challenge", "slider"))
            return response
        if path == "/logout":
            token = request.cookie(SESSION_COOKIE)
            if token:
                self._sessions.pop(token, None)
            response = Response.redirect("/")
            response.headers.append(("set-cookie", _cookie("", max_age=0)))
            return response
        if path == "/member/orders":
            if user is None:
                return Response.redirect("/login?next=" + quote(path, safe="/"))
            return Response.html(pages.orders(c, origins, user))
        if path.startswith("/item/"):
            item = c.product(path.removeprefix("/item/"))
            if item is None:
                raise _error(404)
            return Response.html(pages.product(c, origins, user, item))
        raise _error(404)

    async def _login(self, request: Request, origins: Origins) -> Response:
        self._only(request, "GET", "POST")
        if request.method in ("GET", "HEAD"):
            return Response.html(
                pages.login(self.content, origins, _safe_next(request.arg("next")))
            )
        body = await request.body()
        try:
            form = parse_qs(body.decode("utf-8"), max_num_fields=10, strict_parsing=False)
        except (UnicodeDecodeError, ValueError) as exc:
            raise _error(400) from exc
        username = (form.get("username") or [""])[0]
        password = (form.get("password") or [""])[0]
        next_path = _safe_next((form.get("next") or [""])[0])
        for account in self.content.accounts:
            same_user = hmac.compare_digest(account.username.encode(), username.encode())
            same_password = hmac.compare_digest(account.password.encode(), password.encode())
            if same_user and same_password:
                token = secrets.token_urlsafe(24)
                self._sessions[token] = account.username
                while len(self._sessions) > MAX_SESSIONS:
                    self._sessions.popitem(last=False)
                response = Response.redirect(next_path)
                response.headers.append(("set-cookie", _cookie(token)))
                return response
        html = pages.login(self.content, origins, next_path, "用户名或密码错误")
        return Response.html(html, 401)

    # -- api.range.test -----------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        origin = request.headers.get("origin", "")
        cors = [("vary", "Origin")]
        if _ORIGIN_RE.fullmatch(origin):
            cors += [
                ("access-control-allow-origin", origin),
                ("access-control-allow-credentials", "true"),
            ]
        if request.method == "OPTIONS":
            response = Response(204, b"", "text/plain; charset=utf-8")
            response.headers += [
                ("access-control-allow-methods", "GET, OPTIONS"),
                ("access-control-allow-headers", "content-type"),
                ("access-control-max-age", "600"),
            ]
        else:
            try:
                self._only(request, "GET")
                response = self._api_route(request)
            except HTTPError as exc:
                response = Response.json({"error": exc.en, "status": exc.status}, exc.status)
        response.headers += cors
        response.headers.append(("cache-control", "no-store"))
        return response

    def _api_route(self, request: Request) -> Response:
        c, path = self.content, request.path
        origins = Origins(request.port_suffix)
        if path == "/v1/shop":
            lic = c.shop.licence
            return Response.json(
                {
                    "shop_id": c.shop.shop_id,
                    "name": c.shop.name,
                    "followers": c.shop.followers,
                    "company": lic.name,
                    "credit_code": lic.credit_code,
                }
            )
        if path == "/v1/products":
            items = list(c.search(request.arg("q"))) if request.arg("q") else list(c.products)
            sort = request.arg("sort", "default")
            if sort == "sales":
                items.sort(key=lambda p: (-p.monthly_sales, p.product_id))
            elif sort == "price":
                items.sort(key=lambda p: (p.price_fen, p.product_id))
            elif sort != "default":
                raise _error(400)
            size = _bounded_int(request.arg("size", str(PAGE_SIZE)), 1, 50)
            page = _bounded_int(request.arg("page", "1"), 1, 1000)
            chunk = items[(page - 1) * size : page * size]
            return Response.json(
                {
                    "total": len(items),
                    "page": page,
                    "size": size,
                    "items": [_product_json(p, origins) for p in chunk],
                }
            )
        if match := re.fullmatch(r"/v1/items/(\d{1,12})(/reviews)?", path):
            item = c.product(match[1])
            if item is None:
                raise _error(404)
            if match[2]:
                return Response.json(
                    {
                        "product_id": item.product_id,
                        "total": len(item.reviews),
                        "reviews": [
                            {
                                "user": r.user,
                                "stars": r.stars,
                                "text": r.text,
                                "date": r.date,
                                "sku": r.sku,
                            }
                            for r in item.reviews
                        ],
                    }
                )
            return Response.json(_product_json(item, origins))
        if path == "/v1/flash":
            now = self.timeline.range_seconds()
            price = c.flash.price_at(now)
            return Response.json(
                {
                    "product_id": c.flash.product_id,
                    "price_fen": price,
                    "price": money(price),
                    "range_ms": int(now * 1000),
                    "next_change_s": c.flash.next_change_at(now),
                    "period_s": c.flash.period_s,
                }
            )
        if path == f"/v1/live/{c.stream.room_id}":
            claim = c.stream.claim_at(self.timeline.stream_seconds())
            return Response.json(
                {
                    "room_id": c.stream.room_id,
                    "title": c.stream.title,
                    "anchor": c.stream.anchor,
                    "status": "live",
                    "stream_ms": self.timeline.stream_ms(),
                    "live_edge_segment": self.timeline.live_edge(),
                    "claim": None if claim is None else {"id": claim.claim_id, "text": claim.text},
                }
            )
        raise _error(404)

    # -- img.range.test -----------------------------------------------------------------------

    async def _img(self, request: Request) -> Response:
        self._only(request, "GET")
        c, path = self.content, request.path
        cache = [("cache-control", "public, max-age=86400")]
        if match := re.fullmatch(r"/p/(\d{1,12})/(\d)\.jpg", path):
            item = c.product(match[1])
            index = int(match[2])
            if item is None or index >= len(item.images):
                raise _error(404)
            data = await self._picture(path, images.product_jpeg, c, item, index)
            return Response(200, data, "image/jpeg", cache)
        if path == "/logo.png":
            return Response(200, await self._picture(path, images.logo_png, c), "image/png", cache)
        if path == "/banner.jpg":
            data = await self._picture(path, images.banner_jpeg, c)
            return Response(200, data, "image/jpeg", cache)
        if match := re.fullmatch(r"/avatar/([a-z0-9]{1,16})\.png", path):
            data = await self._picture(path, images.avatar_png, c, match[1])
            return Response(200, data, "image/png", cache)
        raise _error(404)

    # -- live.range.test ----------------------------------------------------------------------

    async def _live(self, request: Request) -> Response:
        if (common := self._common(request)) is not None:
            return common
        self._only(request, "GET")
        c, path = self.content, request.path
        origins = Origins(request.port_suffix)
        room = f"/room/{c.stream.room_id}"
        if path == "/":
            return Response.redirect(room, 302)
        if path == room:
            return Response.html(pages.live_room(c, origins))
        if path == HLS_PATH:
            return Response(
                200,
                self.timeline.playlist().encode("ascii"),
                "application/vnd.apple.mpegurl",
                [("cache-control", "no-cache")],
            )
        if match := re.fullmatch(r"/hls/seg/(\d{1,9})\.ts", path):
            number = int(match[1])
            if not self.timeline.is_published(number):
                raise _error(404)
            data = await self.store.get("ts", number)
            return Response(200, data, "video/mp2t", [("cache-control", "public, max-age=3600")])
        if match := re.fullmatch(r"/frames/(\d{1,9})\.jpg", path):
            frame = int(match[1])
            if frame > self.timeline.current_frame():
                raise _error(404)
            data = await self._picture(path, video.still_jpeg, c.stream, frame)
            return Response(200, data, "image/jpeg", [("cache-control", "public, max-age=3600")])
        raise _error(404)

    # -- the HTTP-FLV stream ------------------------------------------------------------------

    async def _flv_response(self, request: Request, send: Send) -> None:
        """One endless FLV response, as a live CDN sends a viewer: the FLV header, metadata
        and sequence headers, then the newest published segment at once (the "GOP cache",
        so the player starts on a key frame), then every later tag when the stream clock
        reaches its time, segment after segment, until the client goes or the server stops.

        Over HTTP/1.1 it is one chunked response (no length is known), over HTTP/2 one
        stream. A client that falls more than a segment behind (or a clock that jumps
        ahead) is moved to the live edge; the timestamps then jump too, as on a real CDN.
        """
        number = max(0, self.timeline.live_edge())
        tags = await self.flv.get(number)  # a failure here is still an ordinary 500
        headers = [
            (b"content-type", b"video/x-flv"),
            (b"cache-control", b"no-cache, no-store"),
            (b"x-content-type-options", b"nosniff"),
        ]
        origin = request.headers.get("origin", "")
        if _ORIGIN_RE.fullmatch(origin):  # a player on another range site may read it
            headers += [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if request.method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return

        gone = asyncio.Event()

        async def watch_client() -> None:
            while True:
                message = await request.receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                    return

        watcher = asyncio.create_task(watch_client())
        self.flv_viewers += 1
        try:
            await self._flv_stream(send, gone, number, tags)
            if not gone.is_set():  # the server is stopping: end the response cleanly
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except Exception:  # the connection broke mid-write: nothing more to send
            log.debug("range: FLV stream ended with an error", exc_info=True)
        finally:
            self.flv_viewers -= 1
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher

    async def _flv_wait(self, gone: asyncio.Event, seconds: float) -> bool:
        """Wait up to ``seconds``; True when the stream must end (client gone, server
        stopping)."""
        if not (gone.is_set() or self.closing.is_set()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(gone.wait(), min(seconds, FLV_POLL_S))
        return gone.is_set() or self.closing.is_set()

    async def _flv_stream(
        self, send: Send, gone: asyncio.Event, number: int, tags: SegmentTags
    ) -> None:
        timeline = self.timeline
        writer = FlvWriter(filler=filler_per_frame(self.flv_kbps, self.content.stream.fps))

        async def emit(data: bytes) -> None:
            await send({"type": "http.response.body", "body": data, "more_body": True})
            self.flv_bytes_sent += len(data)

        await emit(writer.start(tags))
        while True:
            self.flv.prefetch(number + 1)
            batch: list[bytes] = []
            for timestamp_ms, data in writer.segment(tags):
                while (wait := timestamp_ms / 1000 - timeline.stream_seconds()) > 0:
                    if batch:
                        await emit(b"".join(batch))
                        batch = []
                    if await self._flv_wait(gone, wait):
                        return
                batch.append(data)
            if batch:
                await emit(b"".join(batch))
            if gone.is_set() or self.closing.is_set():
                return
            number = max(number + 1, timeline.live_edge())
            tags = await self.flv.get(number)

    # -- WebSocket chat -----------------------------------------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        try:
            request = self._request(scope, receive)
            if request.host != LIVE_HOST or request.path != "/ws/chat":
                raise _error(404 if request.host.endswith(DOMAIN) else 421)
        except HTTPError as exc:
            await self._refuse(scope, send, exc)
            return
        await send({"type": "websocket.accept"})
        try:
            await self._chat(receive, send)
        except Exception:  # a broken connection must not take the server with it
            log.debug("range: chat connection ended with an error", exc_info=True)

    async def _refuse(self, scope: Scope, send: Send, exc: HTTPError) -> None:
        if "websocket.http.response" in scope.get("extensions", {}):
            body = pages.error_page(exc.status, exc.zh, exc.en).encode()
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": exc.status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")],
                }
            )
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008})

    async def _chat(self, receive: Receive, send: Send) -> None:
        """Send the chat script as stream time passes; end when the client or server goes."""
        c, timeline = self.content, self.timeline
        now_ms = timeline.stream_ms()
        await _send_json(
            send,
            {
                "type": "hello",
                "room_id": c.stream.room_id,
                "stream_ms": now_ms,
                "loop_ms": c.stream.loop_s * 1000,
            },
        )
        # Recent history first, as real rooms show it on entering.
        cursor = max(0, now_ms - CHAT_HISTORY_MS)
        client_gone = asyncio.Event()

        async def watch_client() -> None:
            while True:
                incoming = await receive()
                if incoming["type"] == "websocket.disconnect":
                    client_gone.set()
                    return
                if incoming.get("text") == "ping":
                    await _send_json(send, {"type": "pong", "stream_ms": timeline.stream_ms()})

        watcher = asyncio.create_task(watch_client())
        try:
            while not client_gone.is_set():
                if self.closing.is_set():
                    await send({"type": "websocket.close", "code": 1001})
                    return
                now_ms = timeline.stream_ms()
                for line in c.chat_between(cursor, now_ms + 1):
                    await _send_json(send, line.to_dict())
                cursor = max(cursor, now_ms + 1)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(client_gone.wait(), CHAT_POLL_S)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher


# ---------------------------------------------------------------------------------------------


async def _send_json(send: Send, value: dict[str, Any]) -> None:
    await send({"type": "websocket.send", "text": json.dumps(value, ensure_ascii=False)})


def _cookie(token: str, max_age: int | None = None) -> str:
    parts = [f"{SESSION_COOKIE}={token}", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def _safe_next(value: str) -> str:
    """Only a local path may follow a login: no other host, no scheme."""
    local = value.startswith("/") and not value.startswith("//") and "\\" not in value
    if local and all(0x20 < ord(ch) < 0x7F for ch in value):
        return value
    return "/member/orders"


def _bounded_int(value: str, low: int, high: int) -> int:
    if not value.isdigit() or len(value) > 6:
        raise _error(400)
    return min(high, max(low, int(value)))


def _page_number(request: Request, items: int) -> int:
    pages_total = max(1, (items + PAGE_SIZE - 1) // PAGE_SIZE)
    page = _bounded_int(request.arg("page", "1"), 1, 10_000)
    if page > pages_total:
        raise _error(404)
    return page


def _product_json(p: Product, origins: Origins) -> dict[str, Any]:
    return {
        "product_id": p.product_id,
        "title": p.title,
        "category": p.category,
        "price_fen": p.price_fen,
        "price": money(p.price_fen),
        "original_price": money(p.original_price_fen),
        "monthly_sales": p.monthly_sales,
        "sales_text": sales_text(p.monthly_sales),
        "image": origins.img + p.images[0],
        "url": origins.shop + f"/item/{p.product_id}",
    }
