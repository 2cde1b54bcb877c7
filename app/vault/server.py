"""``quzheng vault serve``: the vault over HTTP (docs/vault.md "HTTP API").

The standard library's ``ThreadingHTTPServer``: one thread per request, the blocking S3 and
PostgreSQL clients as they are, the request body read straight from the socket (a deposit
never sits in memory). No state between requests: run several instances behind one address
(TLS is the front proxy's job, as for any internal service).

Every route but ``/v1/health`` and the transfer links is signed by an officer
(``app.vault.auth``); every answer to a signed request, refused or not, is in the access log.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.vault.auth import Caller, authenticate
from app.vault.deposit import parse_seal
from app.vault.service import Query, Vault
from forensics.errors import AuthError, InputError, NotFoundError, PolicyError, QuzhengError
from forensics.identifiers import check_sha256

H_SEAL = "X-Quzheng-Seal"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MAX_JSON_BODY = 64 << 10


class _Handler(BaseHTTPRequestHandler):
    server: VaultHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the access log is in PostgreSQL

    # -- plumbing -----------------------------------------------------------------------

    def _send(self, status: int, obj: Any) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, exc: QuzhengError) -> None:
        status = 400
        if isinstance(exc, AuthError):
            status = 401
        elif isinstance(exc, NotFoundError):
            status = 404
        elif isinstance(exc, PolicyError):
            status = 403
        elif exc.exit_code == 1:  # IntegrityError: refused evidence
            status = 422
        self._send(status, {"error": exc.message_en, "error_zh": exc.message_zh})

    def _length(self) -> int:
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0:
            raise InputError("bad Content-Length", "Content-Length 无效")
        return n

    def _json_body(self) -> tuple[dict[str, Any], str]:
        n = self._length()
        if n > MAX_JSON_BODY:
            raise InputError("request body too large", "请求体过大")
        raw = self.rfile.read(n)
        try:
            obj = json.loads(raw or b"{}")
        except ValueError:
            raise InputError("the request body is not JSON", "请求体不是 JSON") from None
        if not isinstance(obj, dict):
            raise InputError("the request body is not a JSON object", "请求体不是 JSON 对象")
        return obj, hashlib.sha256(raw).hexdigest()

    def _caller(self, body_sha256: str) -> Caller:
        vault = self.server.vault
        caller, nonce = authenticate(
            {k: v for k, v in self.headers.items()}, self.command, self.path, body_sha256,
            vault.policy,
        )  # fmt: skip
        if not vault.remember_nonce(nonce):
            raise AuthError(
                "request refused: replayed (nonce seen before)", "请求被拒绝：重放的请求"
            )
        return caller

    def _remote(self) -> str:
        return str(self.client_address[0])

    # -- routes -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        caller: Caller | None = None
        self._authenticated: Caller | None = None
        action = f"{method} /{'/'.join(parts[:2])}"
        target = parts[2] if len(parts) > 2 else ""
        vault = self.server.vault
        try:
            if parts == ["v1", "health"]:
                self._send(200, {"ok": True})
                return
            if len(parts) >= 3 and parts[:2] == ["v1", "links"]:
                self._link(parts[2], parts[3:])
                return
            if method == "POST" and parts == ["v1", "deposits"]:
                caller = self._deposit()
                return
            if method == "POST":
                body, body_sha = self._json_body()
            else:
                body, body_sha = {}, EMPTY_SHA256
                if self._length():
                    raise InputError("a GET has no body", "GET 请求不应有请求体")
            caller = self._caller(body_sha)
            self._route(method, parts, parse_qs(url.query), body, caller)
            vault.log(caller, action, target, "ok", self._remote())
        except QuzhengError as exc:
            caller = caller or self._authenticated
            unauth = caller is None and isinstance(exc, AuthError)
            outcome = f"{'unauthenticated' if unauth else 'refused'}: {exc.message_en}"[:500]
            with contextlib.suppress(QuzhengError):  # the index may be what failed
                vault.log(caller, action, target, outcome, self._remote())
            self.close_connection = True
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a fault of ours: said once, logged, never a hang-up
            self.close_connection = True
            traceback.print_exc(file=sys.stderr)
            with contextlib.suppress(Exception):
                vault.log(caller, action, target, f"error: {type(exc).__name__}", self._remote())
            with contextlib.suppress(OSError):
                self._send(500, {"error": f"internal error ({type(exc).__name__})",
                                 "error_zh": f"内部错误（{type(exc).__name__}）"})  # fmt: skip

    def _route(
        self,
        method: str,
        parts: list[str],
        qs: dict[str, list[str]],
        body: dict[str, Any],
        caller: Caller,
    ) -> None:
        vault = self.server.vault
        one = {k: v[0] for k, v in qs.items() if v}
        if method == "POST" and parts == ["v1", "sweep"]:
            if vault.role(caller) != "admin":
                raise PolicyError("not allowed: the sweep is the vault administrator's",
                                  "无权操作：复核全部证据包须由保管库管理员执行")  # fmt: skip
            self._send(200, {"results": vault.sweep(int(body.get("older_than_s", 0) or 0))})
            return
        if method == "GET" and parts == ["v1", "packages"]:
            try:
                limit = int(one.get("limit", "100"))
            except ValueError:
                raise InputError("limit is not a number", "limit 不是数字") from None
            q = Query(
                case_number=one.get("case_number", ""), party=one.get("party", ""),
                platform=one.get("platform", ""), officer=one.get("officer", ""),
                since=one.get("since", ""), until=one.get("until", ""), limit=limit,
                after=one.get("after", ""),
            )  # fmt: skip
            self._send(200, {"packages": vault.search(caller, q)})
            return
        if len(parts) < 3 or parts[:2] != ["v1", "packages"]:
            raise NotFoundError(
                f"no route {method} {self.path}", f"没有此接口 {method} {self.path}"
            )
        sha = check_sha256(parts[2], "package")
        rest = parts[3:]
        if method == "GET" and not rest:
            self._send(200, vault.package(caller, sha))
        elif method == "GET" and rest == ["receipt"]:
            self._send(200, vault.receipt(caller, sha))
        elif method == "GET" and rest == ["events"]:
            self._send(200, {"events": vault.events(caller, sha)})
        elif method == "GET" and rest == ["seal"]:
            row = vault.package(caller, sha)
            self._bytes(vault.seal_bytes(row), "application/json")
        elif method == "GET" and rest == ["content"]:
            row = vault.package(caller, sha)
            self._stream(vault, row)
        elif method == "POST" and rest == ["reverify"]:
            vault.package(caller, sha)
            self._send(200, vault.reverify(sha))
        elif method == "POST" and rest == ["transfer"]:
            try:
                expires = int(body.get("expires_s", 7 * 86400))
            except (TypeError, ValueError):
                raise InputError("expires_s is not a number", "expires_s 不是数字") from None
            self._send(200, vault.transfer(
                caller, sha, str(body.get("to_name", "")), str(body.get("to_agency", "")),
                str(body.get("reason", "")), expires,
            ))  # fmt: skip
        else:
            raise NotFoundError(
                f"no route {method} {self.path}", f"没有此接口 {method} {self.path}"
            )

    def _bytes(self, data: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, vault: Vault, row: dict[str, Any]) -> None:
        chunks = vault.open_package(row)
        first = next(chunks, b"")  # a missing object is an error before the headers go out
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(row["size"]))
        self.send_header("X-Quzheng-File", str(row["file_name"]))
        self.end_headers()
        self.wfile.write(first)
        for chunk in chunks:
            self.wfile.write(chunk)

    def _deposit(self) -> Caller:
        raw = self.headers.get(H_SEAL, "")
        try:
            seal = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InputError(
                f"the {H_SEAL} header is not base64", f"{H_SEAL} 头不是 base64"
            ) from None
        declared = str(parse_seal(seal).body.sha256)
        caller = self._caller(declared)  # the signature covers the package's SHA-256
        vault = self.server.vault
        try:
            receipt = vault.deposit(caller, seal, self.rfile, self._length())  # type: ignore[arg-type]
        except QuzhengError:
            self.close_connection = True  # the rest of the body is not read
            raise
        vault.log(caller, "POST /v1/deposits", declared, "ok", self._remote())
        self._send(200, receipt)
        return caller

    def _link(self, token: str, rest: list[str]) -> None:
        vault = self.server.vault
        row = vault.link(token)
        sha = str(row["sha256"])
        vault.log(None, f"GET /v1/links/{'/'.join(rest) or '-'}", sha,
                  f"ok: transfer to {row['to_name']} ({row['to_agency']})", self._remote())  # fmt: skip
        if rest == ["seal"]:
            self._bytes(vault.seal_bytes(row), "application/json")
        elif rest == ["content"]:
            self._stream(vault, row)
        elif not rest:
            self._send(200, {"sha256": sha, "file_name": row["file_name"], "size": row["size"],
                             "expires_at": row["expires_at"].isoformat()})  # fmt: skip
        else:
            raise NotFoundError("no such link route", "没有此链接接口")


class VaultHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, addr: tuple[str, int], vault: Vault) -> None:
        super().__init__(addr, _Handler)
        self.vault = vault


def serve(vault: Vault, host: str, port: int, sweep_every_s: int = 0) -> int:
    """Serve until SIGTERM or SIGINT; prints the address it listens on. With
    ``sweep_every_s``, re-verify every package that often (one instance at a time)."""
    httpd = VaultHTTPServer((host, port), vault)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    if sweep_every_s > 0:
        threading.Thread(
            target=_sweeper, args=(vault, sweep_every_s, stop), name="sweep", daemon=True
        ).start()
    print(f"vault listening on http://{host}:{httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        vault.close()
    return 0


def _sweeper(vault: Vault, every_s: int, stop: threading.Event) -> None:
    """The periodic re-verification; findings go to stderr and the index, never repaired."""
    while not stop.wait(every_s):
        try:
            results = vault.sweep_once(every_s)
        except QuzhengError as exc:
            print(f"vault sweep: {exc.message_en}", file=sys.stderr, flush=True)
            continue
        if results is None:
            continue  # another instance is sweeping
        bad = [r for r in results if r["verdict"] != "pass"]
        print(f"vault sweep: re-verified {len(results)}, not PASS {len(bad)}"
              + "".join(f"\n  {r['sha256']} {r['verdict']}: {r['detail']}" for r in bad),
              file=sys.stderr, flush=True)  # fmt: skip
