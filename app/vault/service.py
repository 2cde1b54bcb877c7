"""The vault's operations, over the object store and the index (docs/vault.md).

Stateless: every fact lives in PostgreSQL or the bucket, so any number of instances can
answer behind one address. Roles: ``officer`` (the default of every officer the agency CA
certifies: sees the cases they are an officer of), ``reviewer`` (sees and re-verifies every
case), ``admin`` (a reviewer who also runs the sweep and grants roles).
"""

from __future__ import annotations

import hashlib
import queue
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from app.vault import deposit as D
from app.vault.auth import Caller
from app.vault.config import VaultConfig
from app.vault.metadata import case_meta
from app.vault.receipt import make_receipt
from app.vault.schema import migrate
from app.vault.storage import ObjectStore
from forensics.canonical import format_time
from forensics.errors import InputError, NotFoundError, PolicyError
from forensics.identifiers import check_sha256
from forensics.identity import Signer
from forensics.package.checks import verify_package
from forensics.stamping import TsaConfig
from forensics.trust import TrustPolicy
from forensics.verdict import Verdict

ROLES = ("officer", "reviewer", "admin")
MAX_LIST = 1000
LINK_MAX_S = 30 * 86400
_SWEEP_LOCK = 0x717A7677  # "qzvw": one sweeping instance at a time
POOL_SIZE = 16  # index connections per instance; more requests wait for one


def _forbidden(en: str, zh: str) -> PolicyError:
    return PolicyError(f"not allowed: {en}", f"无权操作：{zh}")


@dataclass(frozen=True)
class Query:
    case_number: str = ""
    party: str = ""
    platform: str = ""
    officer: str = ""  # badge
    since: str = ""  # ISO date/time: deposited at or after
    until: str = ""
    limit: int = 100
    after: str = ""  # paging: "deposited_at|sha256" of the last row seen


def _log_deposit(inc: D.Incoming, finishing_s: float) -> None:
    """One line per deposit on stderr: where its time went (docs/vault.md §7)."""
    receiving, verifying, last_parts = inc.phases
    print(
        f"vault deposit {inc.sha256[:16]} ({inc.size / (1 << 20):.0f} MiB): received in "
        f"{receiving:.1f} s (parts uploading meanwhile), verified in {verifying:.1f} s, last "
        f"parts {last_parts:.1f} s, receipt, storage and index {finishing_s:.1f} s",
        file=sys.stderr,
        flush=True,
    )


class Vault:
    def __init__(
        self,
        cfg: VaultConfig,
        policy: TrustPolicy,
        signer: Signer | None = None,
        tsa: TsaConfig | None = None,
        *,
        check_bucket: bool = True,
    ) -> None:
        self.cfg, self.policy, self.signer, self.tsa = cfg, policy, signer, tsa
        self.store = ObjectStore(cfg)
        if check_bucket:
            self.store.require_object_lock()
        self._pool = _Pool(self.connect, POOL_SIZE)
        with self.connect() as conn:
            migrate(conn)

    # -- the index ------------------------------------------------------------------------

    def connect(self) -> psycopg.Connection[dict[str, Any]]:
        try:
            return psycopg.connect(self.cfg.pg_dsn, row_factory=dict_row, connect_timeout=10)
        except psycopg.Error as exc:
            raise InputError(
                f"the vault's index (PostgreSQL) cannot be reached: {exc}",
                "无法连接保管库索引（PostgreSQL）",
            ) from None

    def db(self) -> _Pool:
        return self._pool

    def close(self) -> None:
        """Close the index connections."""
        self._pool.close()

    def remember_nonce(self, nonce: str) -> bool:
        """False when the nonce was seen before (a replayed request). The nonce's commit
        does not wait for the disk: it guards a 300-second window, and a lost nonce would
        need the database to crash and come back within it."""
        with self._pool.conn() as conn, conn.transaction():
            conn.execute("SET LOCAL synchronous_commit TO OFF")
            if secrets.randbelow(100) == 0:  # now and then, forget nonces past any window
                conn.execute("DELETE FROM nonces WHERE seen_at < now() - interval '1 hour'")
            cur = conn.execute(
                "INSERT INTO nonces (nonce) VALUES (%s) ON CONFLICT DO NOTHING", (nonce,)
            )
            return cur.rowcount == 1

    def role(self, caller: Caller) -> str:
        row = (
            self.db()
            .execute("SELECT role FROM roles WHERE key_fp = %s", (caller.key_fp,))
            .fetchone()
        )
        return str(row["role"]) if row else "officer"

    def grant(self, key_fp: str, role: str) -> None:
        if role not in ROLES:
            raise InputError(
                f"unknown role {role!r} (one of {', '.join(ROLES)})", f"未知角色 {role!r}"
            )
        check_sha256(key_fp, "key fingerprint")
        self.db().execute(
            "INSERT INTO roles (key_fp, role) VALUES (%s, %s) "
            "ON CONFLICT (key_fp) DO UPDATE SET role = excluded.role, granted_at = now()",
            (key_fp, role),
        )

    def log(
        self, caller: Caller | None, action: str, target: str, outcome: str, remote: str = ""
    ) -> None:
        self.db().execute(
            "INSERT INTO access_log (actor_key, actor_badge, action, target, outcome, remote) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (caller.key_fp if caller else "", caller.badge if caller else "", action, target,
             outcome, remote),
        )  # fmt: skip

    # -- deposit --------------------------------------------------------------------------

    def existing_receipt(self, sha256: str) -> dict[str, Any] | None:
        row = (
            self.db()
            .execute("SELECT receipt FROM deposits WHERE package_sha256 = %s", (sha256,))
            .fetchone()
        )
        return dict(row["receipt"]) if row else None

    def deposit(
        self, caller: Caller, seal_bytes: bytes, body: BinaryIO, length: int
    ) -> dict[str, Any]:
        """Receive, verify, store and index one package; the signed, time-stamped receipt.
        Idempotent: a package already deposited returns its first receipt."""
        if self.signer is None or self.tsa is None or not self.tsa.usable:
            raise InputError(
                "this vault instance has no signing identity or TSA: it cannot give receipts",
                "此保管库实例没有签名身份或时间戳服务，无法出具回执",
            )
        sha = str(D.parse_seal(seal_bytes).body.sha256)
        have = self.existing_receipt(sha)
        if have is not None:
            _drain(body, length)
            return {**have, "existing": True}
        inc = D.receive(
            self.store, self.policy, seal_bytes, body, length, self.cfg.spool, self.cfg.part_size
        )
        finishing = time.monotonic()
        completed = False
        try:
            meta = case_meta(inc.spool)
            if caller.key_fp not in {m.key_fp for m in meta.members}:
                raise _forbidden(
                    f"{caller.who()} is not an officer of case {meta.case_id}",
                    f"{caller.who()} 不是案件 {meta.case_id} 的办案人员",
                )
            now = datetime.now(UTC).replace(microsecond=0)
            until = self.store.retain_until(now)
            body_ = {
                "v": 1,
                "vault_bucket": self.cfg.bucket,
                "package_sha256": inc.sha256,
                "package_sm3": str(inc.seal.body.sm3 or ""),
                "package_id": str(inc.seal.body.package_id or ""),
                "package_file": inc.file_name,
                "size": inc.size,
                "seal_sha256": inc.seal_sha256,
                "case_id": meta.case_id,
                "case_number": meta.number,
                "verdict": inc.report.verdict.value,
                "retention": {"mode": "COMPLIANCE", "until": format_time(until)},
                "deposited_at": format_time(now),
                "depositor": {"key": caller.key_fp, "badge": caller.badge, "name": caller.name},
            }
            receipt = make_receipt(body_, self.signer, self.tsa)
            version, seal_version = D.store_objects(self.store, inc, until)
            completed = True
            with self._pool.conn() as conn, conn.transaction():
                conn.execute(
                    "INSERT INTO cases (case_id, number, title, party, platform, agency, opened_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (case_id) DO UPDATE SET"
                    " number = excluded.number, title = excluded.title, party = excluded.party,"
                    " platform = excluded.platform, agency = excluded.agency",
                    (meta.case_id, meta.number, meta.title, meta.party, meta.platform,
                     meta.agency, meta.opened_at or None),
                )  # fmt: skip
                for m in meta.members:
                    conn.execute(
                        "INSERT INTO case_members (case_id, key_fp, badge, name) VALUES"
                        " (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        (meta.case_id, m.key_fp, m.badge, m.name),
                    )
                cur = conn.execute(
                    "INSERT INTO packages (sha256, case_id, package_id, file_name, size, sm3,"
                    " object_key, object_version, seal_sha256, seal_key, seal_version,"
                    " retain_until, deposited_at, verified_at, verdict) VALUES (%s, %s, %s, %s,"
                    " %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (inc.sha256, meta.case_id, body_["package_id"], inc.file_name, inc.size,
                     body_["package_sm3"], inc.upload.key, version, inc.seal_sha256,
                     f"seals/{inc.sha256}.seal.json", seal_version, until, now, now,
                     inc.report.verdict.value),
                )  # fmt: skip
                if cur.rowcount == 0:  # a concurrent deposit of the same package won
                    row = conn.execute(
                        "SELECT receipt FROM deposits WHERE package_sha256 = %s", (inc.sha256,)
                    ).fetchone()
                    return {**dict(row["receipt"]), "existing": True} if row else receipt
                conn.execute(
                    "INSERT INTO deposits (package_sha256, depositor_key, depositor_badge,"
                    " deposited_at, receipt) VALUES (%s, %s, %s, %s, %s)",
                    (inc.sha256, caller.key_fp, caller.badge, now, Jsonb(receipt)),
                )
                self._event(conn, inc.sha256, "deposit", caller, {"receipt_for": inc.file_name})
                conn.execute(
                    "INSERT INTO verifications (package_sha256, verdict, detail) VALUES (%s, %s, %s)",
                    (inc.sha256, inc.report.verdict.value, "at deposit"),
                )
            _log_deposit(inc, time.monotonic() - finishing)
            return receipt
        finally:
            if not completed:
                inc.upload.abort()  # nothing was made visible: leave no unfinished upload
            D.discard(inc)

    @staticmethod
    def _event(
        conn: psycopg.Connection[Any], sha: str, kind: str, caller: Caller, detail: dict[str, Any]
    ) -> None:
        conn.execute(
            "INSERT INTO custody_events (package_sha256, kind, actor_key, actor_badge, detail)"
            " VALUES (%s, %s, %s, %s, %s)",
            (sha, kind, caller.key_fp, caller.badge, Jsonb(detail)),
        )

    # -- find -----------------------------------------------------------------------------

    def _visible(self, caller: Caller) -> tuple[str, list[Any]]:
        """SQL restricting packages ``p`` to what ``caller`` may see."""
        if self.role(caller) in ("reviewer", "admin"):
            return "TRUE", []
        return (
            "EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = p.case_id AND m.key_fp = %s)",
            [caller.key_fp],
        )

    def search(self, caller: Caller, q: Query) -> list[dict[str, Any]]:
        where, args = self._visible(caller)
        parts = [where]
        for column, value in (
            ("c.number", q.case_number),
            ("c.party", q.party),
            ("c.platform", q.platform),
        ):
            if value:
                parts.append(f"{column} ILIKE %s")
                args.append(f"%{value}%")
        if q.officer:
            parts.append(
                "EXISTS (SELECT 1 FROM case_members o WHERE o.case_id = p.case_id AND o.badge = %s)"
            )
            args.append(q.officer)
        for op, value in ((">=", q.since), ("<", q.until)):
            if value:
                parts.append(f"p.deposited_at {op} %s::timestamptz")
                args.append(value)
        if q.after:
            at, _, sha = q.after.partition("|")
            parts.append("(p.deposited_at, p.sha256) < (%s::timestamptz, %s)")
            args += [at, sha]
        limit = max(1, min(q.limit, MAX_LIST))
        try:
            rows = (
                self.db()
                .execute(
                    "SELECT p.sha256, p.case_id, c.number AS case_number, c.title, c.party,"
                    " c.platform, p.package_id, p.file_name, p.size, p.deposited_at, p.verified_at,"
                    " p.verdict, p.retain_until FROM packages p JOIN cases c USING (case_id)"
                    f" WHERE {' AND '.join(parts)} ORDER BY p.deposited_at DESC, p.sha256 DESC"
                    f" LIMIT {limit}",
                    args,
                )
                .fetchall()
            )
        except psycopg.DataError as exc:
            raise InputError(f"bad search: {exc}", "查询条件无效") from None
        return [_jsonable(r) for r in rows]

    def package(self, caller: Caller, sha: str) -> dict[str, Any]:
        check_sha256(sha, "package")
        where, args = self._visible(caller)
        row = (
            self.db()
            .execute(
                f"SELECT p.*, c.number AS case_number, c.title, c.party, c.platform FROM packages p"
                f" JOIN cases c USING (case_id) WHERE p.sha256 = %s AND {where}",
                [sha, *args],
            )
            .fetchone()
        )
        if row is None:
            raise NotFoundError(f"no package {sha} that you may see", f"没有您可查看的证据包 {sha}")
        return _jsonable(row)

    def receipt(self, caller: Caller, sha: str) -> dict[str, Any]:
        self.package(caller, sha)
        got = self.existing_receipt(sha)
        assert got is not None  # a packages row has its deposit row (one transaction)
        return got

    def events(self, caller: Caller, sha: str) -> list[dict[str, Any]]:
        self.package(caller, sha)
        rows = (
            self.db()
            .execute(
                "SELECT kind, actor_badge, actor_key, at, detail FROM custody_events"
                " WHERE package_sha256 = %s ORDER BY id",
                (sha,),
            )
            .fetchall()
        )
        return [_jsonable(r) for r in rows]

    # -- fetch ------------------------------------------------------------------------------

    def open_package(self, row: dict[str, Any]) -> Iterator[bytes]:
        return self.store.stream(str(row["object_key"]), str(row["object_version"]))

    def seal_bytes(self, row: dict[str, Any]) -> bytes:
        return self.store.read(str(row["seal_key"]), str(row["seal_version"]))

    # -- re-verify ------------------------------------------------------------------------

    def reverify(self, sha: str, row: dict[str, Any] | None = None) -> dict[str, Any]:
        """Read the indexed versions back, verify them as at deposit, record the result.
        A mismatch is reported, never repaired."""
        if row is None:
            row = self.db().execute("SELECT * FROM packages WHERE sha256 = %s", (sha,)).fetchone()
            if row is None:
                raise NotFoundError(f"no package {sha}", f"没有证据包 {sha}")
        work = Path(self.cfg.spool) / f"reverify-{secrets.token_hex(8)}"
        work.mkdir(parents=True)
        try:
            path = work / str(row["file_name"])
            h = hashlib.sha256()
            try:
                with open(path, "wb") as out:
                    for chunk in self.open_package(row):
                        h.update(chunk)
                        out.write(chunk)
                (work / (path.name + ".seal.json")).write_bytes(self.seal_bytes(row))
                if h.hexdigest() != sha:
                    verdict, detail = (
                        Verdict.FAIL.value,
                        f"stored bytes have SHA-256 {h.hexdigest()}",
                    )
                else:
                    report = verify_package(path, self.policy)
                    verdict = report.verdict.value
                    detail = "; ".join(
                        f.text("en") for f in report.findings if f.severity != "info"
                    )[:2000]
            except InputError as exc:
                verdict, detail = Verdict.FAIL.value, exc.message_en
        finally:
            shutil.rmtree(work, ignore_errors=True)
        db = self.db()
        db.execute(
            "INSERT INTO verifications (package_sha256, verdict, detail) VALUES (%s, %s, %s)",
            (sha, verdict, detail),
        )
        db.execute(
            "UPDATE packages SET verified_at = now(), verdict = %s WHERE sha256 = %s",
            (verdict, sha),
        )
        return {"sha256": sha, "verdict": verdict, "detail": detail}

    def sweep(self, older_than_s: int = 0) -> list[dict[str, Any]]:
        """Re-verify every package last verified more than ``older_than_s`` ago; abort
        multipart uploads and spool files interrupted deposits left over a day ago."""
        rows = (
            self.db()
            .execute(
                "SELECT * FROM packages WHERE verified_at <= now() - make_interval(secs => %s)"
                " ORDER BY verified_at",
                (older_than_s,),
            )
            .fetchall()
        )
        out = [self.reverify(str(r["sha256"]), r) for r in rows]
        self.store.abort_stale_uploads(timedelta(days=1))
        D.remove_stale_spools(Path(self.cfg.spool), timedelta(days=1))
        return out

    def sweep_once(self, older_than_s: int) -> list[dict[str, Any]] | None:
        """``sweep`` under a PostgreSQL advisory lock: None when another instance holds it."""
        with self.connect() as conn:
            conn.autocommit = True
            got = conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (_SWEEP_LOCK,)).fetchone()
            if not (got and got["got"]):
                return None
            try:
                return self.sweep(older_than_s)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_SWEEP_LOCK,))

    # -- transfer -------------------------------------------------------------------------

    def transfer(
        self, caller: Caller, sha: str, to_name: str, to_agency: str, reason: str, expires_s: int
    ) -> dict[str, Any]:
        self.package(caller, sha)
        if not (to_name.strip() and to_agency.strip() and reason.strip()):
            raise InputError("a transfer needs the receiver's name, agency and the reason",
                             "移交需要接收人姓名、单位和移交原因")  # fmt: skip
        if not 60 <= expires_s <= LINK_MAX_S:
            raise InputError(
                f"a link lasts 60 s to {LINK_MAX_S} s", f"链接有效期须为 60 至 {LINK_MAX_S} 秒"
            )
        token = secrets.token_urlsafe(32)
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=expires_s)
        with self._pool.conn() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO transfer_links (token_sha256, package_sha256, expires_at, created_by,"
                " to_name, to_agency, reason) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (hashlib.sha256(token.encode()).hexdigest(), sha, expires, caller.key_fp,
                 to_name, to_agency, reason),
            )  # fmt: skip
            self._event(conn, sha, "transfer", caller,
                        {"to_name": to_name, "to_agency": to_agency, "reason": reason,
                         "expires_at": format_time(expires)})  # fmt: skip
        return {"token": token, "expires_at": format_time(expires), "sha256": sha}

    def link(self, token: str) -> dict[str, Any]:
        row = (
            self.db()
            .execute(
                "SELECT l.*, p.* FROM transfer_links l JOIN packages p ON p.sha256 = l.package_sha256"
                " WHERE l.token_sha256 = %s AND l.expires_at > now()",
                (hashlib.sha256(token.encode()).hexdigest(),),
            )
            .fetchone()
        )
        if row is None:
            raise NotFoundError("no such link, or it has expired", "链接不存在或已过期")
        return dict(row)


@dataclass(frozen=True)
class _Result:
    rows: list[dict[str, Any]]
    rowcount: int

    def fetchone(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[dict[str, Any]]:
        return self.rows


class _Pool:
    """At most ``size`` index connections (autocommit), reused across request threads."""

    def __init__(
        self, connect: Callable[[], psycopg.Connection[dict[str, Any]]], size: int
    ) -> None:
        self._connect, self._idle = connect, queue.LifoQueue[psycopg.Connection[dict[str, Any]]]()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def conn(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        self._slots.acquire()
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = self._connect()
                conn.autocommit = True
            try:
                yield conn
            except BaseException:
                conn.close()  # its state is unknown
                raise
            if conn.closed or conn.broken:
                return
            self._idle.put(conn)
        finally:
            self._slots.release()

    def execute(self, sql: Any, args: Any = None) -> _Result:
        with self.conn() as c:
            cur = c.execute(sql, args)
            return _Result(cur.fetchall() if cur.description else [], cur.rowcount)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def _drain(body: BinaryIO, length: int) -> None:
    while length > 0:
        chunk = body.read(min(1 << 20, length))
        if not chunk:
            return
        length -= len(chunk)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: format_time(v) if isinstance(v, datetime) else v for k, v in row.items()}
