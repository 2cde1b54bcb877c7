"""The officer's side of the vault: signed requests over HTTP (``quzheng vault …``)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from app.vault.auth import sign_headers
from app.vault.deposit import parse_seal
from app.vault.server import EMPTY_SHA256, H_SEAL
from forensics.atomic import write_atomic
from forensics.errors import AuthError, InputError, IntegrityError, NotFoundError, PolicyError
from forensics.identity import Signer

TIMEOUT_S = 600.0
COPY = 1 << 20


class VaultError(InputError):
    """The vault answered with an error."""


class VaultClient:
    def __init__(self, url: str, signer: Signer | None) -> None:
        u = urlsplit(url.rstrip("/"))
        if u.scheme not in ("http", "https") or not u.hostname:
            raise InputError(f"not a vault URL: {url!r}", f"不是保管库地址：{url!r}")
        self.url, self._u, self.signer = url.rstrip("/"), u, signer

    def _conn(self) -> http.client.HTTPConnection:
        cls = (
            http.client.HTTPSConnection if self._u.scheme == "https" else http.client.HTTPConnection
        )
        return cls(self._u.hostname or "", self._u.port, timeout=TIMEOUT_S)

    def _headers(self, method: str, path: str, body_sha: str) -> dict[str, str]:
        if self.signer is None:
            return {}
        return sign_headers(self.signer, method, path, body_sha)

    def _check(self, resp: http.client.HTTPResponse) -> None:
        if resp.status == 200:
            return
        raw = resp.read(1 << 20)
        try:
            obj = json.loads(raw)
            en, zh = str(obj.get("error", "")), str(obj.get("error_zh", ""))
        except ValueError:
            en = zh = f"HTTP {resp.status}"
        cls: type[InputError] = {401: AuthError, 403: InputError, 404: NotFoundError}.get(
            resp.status, VaultError
        )
        if resp.status == 403:
            raise PolicyError(f"the vault: {en}", f"保管库：{zh}")
        if resp.status == 422:
            raise IntegrityError(f"the vault: {en}", f"保管库：{zh}")
        raise cls(f"the vault: {en}", f"保管库：{zh}")

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else b""
        sha = hashlib.sha256(data).hexdigest() if body is not None else EMPTY_SHA256
        conn = self._conn()
        try:
            headers = {**self._headers(method, path, sha), "Content-Length": str(len(data))}
            if body is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, self._u.path + path, body=data or None, headers=headers)
            resp = conn.getresponse()
            self._check(resp)
            return json.loads(resp.read())
        except OSError as exc:
            raise VaultError(f"the vault at {self.url} cannot be reached: {exc}",
                             f"无法连接保管库 {self.url}") from None  # fmt: skip
        finally:
            conn.close()

    def download(self, path: str, out: Path) -> int:
        conn = self._conn()
        try:
            conn.request(
                "GET", self._u.path + path, headers=self._headers("GET", path, EMPTY_SHA256)
            )
            resp = conn.getresponse()
            self._check(resp)
            n = 0
            part = out.with_name(out.name + ".part")
            with open(part, "wb") as fh:
                while chunk := resp.read(COPY):
                    fh.write(chunk)
                    n += len(chunk)
            part.replace(out)
            return n
        except OSError as exc:
            raise VaultError(
                f"download from {self.url} failed: {exc}", "从保管库下载失败"
            ) from None
        finally:
            conn.close()

    # -- operations -----------------------------------------------------------------------

    def deposit(self, package: Path, seal: Path | None = None) -> dict[str, Any]:
        seal = seal or package.with_name(package.name + ".seal.json")
        try:
            seal_bytes = seal.read_bytes()
            size = package.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read {exc.filename}: {exc.strerror}",
                             f"无法读取 {exc.filename}") from None  # fmt: skip
        declared = str(parse_seal(seal_bytes).body.sha256)
        path = "/v1/deposits"
        headers = {
            **self._headers("POST", path, declared),
            H_SEAL: base64.b64encode(seal_bytes).decode(),
            "Content-Length": str(size),
            "Content-Type": "application/zip",
        }
        conn = self._conn()
        try:
            conn.putrequest("POST", self._u.path + path)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            with open(package, "rb") as fh:
                while chunk := fh.read(COPY):
                    conn.send(chunk)
            resp = conn.getresponse()
            self._check(resp)
            return dict(json.loads(resp.read()))
        except (BrokenPipeError, ConnectionResetError):
            # The vault refused before reading everything: its answer says why.
            resp = conn.getresponse()
            self._check(resp)
            raise VaultError("the vault closed the connection", "保管库关闭了连接") from None
        except OSError as exc:
            raise VaultError(f"the vault at {self.url} cannot be reached: {exc}",
                             f"无法连接保管库 {self.url}") from None  # fmt: skip
        finally:
            conn.close()

    def search(self, **query: str | int) -> list[dict[str, Any]]:
        qs = urlencode({k: v for k, v in query.items() if v not in ("", None)})
        return list(self.request("GET", "/v1/packages" + (f"?{qs}" if qs else ""))["packages"])

    def fetch(self, sha256: str, out_dir: Path) -> Path:
        """The package and its seal into ``out_dir``, verifiable with ``quzheng verify``."""
        info = self.request("GET", f"/v1/packages/{sha256}")
        out = out_dir / Path(str(info["file_name"])).name
        self.download(f"/v1/packages/{sha256}/seal", out.with_name(out.name + ".seal.json"))
        self.download(f"/v1/packages/{sha256}/content", out)
        return out

    def fetch_link(self, token: str, out_dir: Path) -> Path:
        info = self.request("GET", f"/v1/links/{token}")
        out = out_dir / Path(str(info["file_name"])).name
        self.download(f"/v1/links/{token}/seal", out.with_name(out.name + ".seal.json"))
        self.download(f"/v1/links/{token}/content", out)
        return out

    def reverify(self, sha256: str) -> dict[str, Any]:
        return dict(self.request("POST", f"/v1/packages/{sha256}/reverify", {}))

    def transfer(
        self, sha256: str, to_name: str, to_agency: str, reason: str, expires_s: int
    ) -> dict[str, Any]:
        body = {
            "to_name": to_name,
            "to_agency": to_agency,
            "reason": reason,
            "expires_s": expires_s,
        }
        return dict(self.request("POST", f"/v1/packages/{sha256}/transfer", body))


def save_receipt(package: Path, receipt: Mapping[str, Any]) -> Path:
    path = package.with_name(package.name + ".receipt.json")
    write_atomic(path, json.dumps(receipt, ensure_ascii=False, indent=2).encode())
    return path
