"""Trusted time on the ledger: queued RFC 3161 tokens over entry hashes (docs/admin-guide.md §5).

Every seal point is queued in the same transaction as its entry (``ledger.STAMPED_KINDS``).
``stamp_pending`` asks the configured TSAs for a token over each queued entry hash, in order.
A token is sealed like any evidence file — durable blob first — and named by a signed
``timestamp`` entry at ``custody/timestamps/<seq>.tsr``; the entry keeps genTime, serial,
policy, accuracy and the TSA's name, and says whether the token was obtained late (queued).
When no TSA answers, the queue keeps the entry and the reason; nothing sealed is lost.

Tokens are asked for right after each seal point is sealed, not at the end of a session:
``BackgroundStamper`` is poked after every seal and asks on a thread of its own (the
network never holds up sealing), retrying after a back-off while no TSA answers. Its
ledger writes can go through the caller's one writer (a capture session's sealer).
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from forensics.canonical import format_time, utc_now
from forensics.case import Case
from forensics.entry_data import TimestampData
from forensics.errors import QuzhengError
from forensics.identity import Signer
from forensics.ledger import ItemSpec, Record, parse_record
from forensics.timestamp import StampResult, TimestampUnavailable, request_token

logger = logging.getLogger(__name__)

# A token obtained this long after its entry counts as "queued" (obtained late) even when
# the first attempt succeeded: the record must say honestly when the time was fixed.
LATE_AFTER_SECONDS = 60


@dataclass(frozen=True)
class TsaConfig:
    urls: tuple[str, ...]
    trust_roots: tuple[bytes, ...]
    timeout: float = 10.0

    @property
    def usable(self) -> bool:
        return bool(self.urls) and bool(self.trust_roots)


@dataclass
class StampOutcome:
    stamped: list[int] = field(default_factory=list)
    # stamped seq → the ``timestamp`` entry that seals its token (windows fold those entries
    # away and name them in the stamp column, so no sequence number looks missing)
    tokens: dict[int, int] = field(default_factory=dict)
    pending: int = 0
    error: TimestampUnavailable | None = None
    reason_en: str = ""
    reason_zh: str = ""


def token_path(seq: int) -> str:
    return f"custody/timestamps/{seq}.tsr"


def pending_count(case: Case) -> int:
    return case.store.stamp_queue_count()


# Runs a job that writes the case (ledger, queue) where the caller's writes are made, and
# returns its result: the capture session's sealer thread, or simply here.
type Writer = Callable[[Callable[[], bool]], bool]


def _here(job: Callable[[], bool]) -> bool:
    return job()


def stamp_pending(
    case: Case,
    signer: Signer,
    config: TsaConfig,
    *,
    limit: int | None = None,
    now: Callable[[], datetime] = utc_now,
    write: Writer = _here,
) -> StampOutcome:
    """Obtain tokens for queued seal points, oldest first; stop at the first TSA outage.

    The TSA is asked on the calling thread; every write to the case runs through
    ``write`` (e.g. on a capture session's sealer, so the network never holds it up)."""
    out = StampOutcome()
    case.require_member(signer)  # a stranger's signature would make the case fail forever
    rows = case.store.stamp_queue()
    if not config.usable:
        out.pending = len(rows)
        out.reason_en = "no time-stamp authority is configured (tsa.urls and a trusted TSA root)"
        out.reason_zh = "未配置时间戳服务（tsa.urls 与受信任的 TSA 根证书）"
        return out
    for seq, entry_hash, tries in rows[:limit] if limit else rows:
        if _stamped_elsewhere(case, seq):
            write(partial(_forget, case, seq))  # another process stamped it meanwhile
            continue
        requested = now()
        try:
            result = request_token(
                bytes.fromhex(entry_hash), config.urls, config.trust_roots, config.timeout
            )
        except TimestampUnavailable as exc:
            # The outage holds up every entry still waiting, not only this one.
            write(partial(_note_outage, case, seq, exc.message_en))
            out.error = exc
            out.reason_en, out.reason_zh = exc.message_en, exc.message_zh
            break
        entry_time = _entry_time(case, seq)
        late = tries > 0 or (
            entry_time is not None and (requested - entry_time).total_seconds() > LATE_AFTER_SECONDS
        )
        data = _token_data(seq, entry_hash, result, requested, late, tries)
        if write(partial(_record_token, case, signer, seq, result.token_der, data, out.tokens)):
            out.stamped.append(seq)
    out.pending = pending_count(case)
    return out


def _token_data(
    seq: int, entry_hash: str, result: StampResult, requested: datetime, late: bool, tries: int
) -> dict[str, Any]:
    info = result.info
    return TimestampData(
        stamped_seq=seq,
        stamped_hash=entry_hash,
        tsa_url=result.url,
        requested=format_time(requested),
        queued=late,
        attempts_before=tries,
        failover=tuple(a.to_json() for a in result.failures),
        gen_time=format_time(info.gen_time),
        serial=info.serial,
        policy=info.policy,
        accuracy_us=info.accuracy_us,
        tsa_name=info.tsa_name,
        hash_alg=info.hash_alg,
        message_imprint=info.message_imprint,
        nonce=None if info.nonce is None else str(info.nonce),
        tsa_cert_sha256=info.tsa_cert_sha256,
        token_sha256=info.token_sha256,
    ).to_json()


def prepare_token(
    case: Case,
    signer: Signer,
    config: TsaConfig,
    rec: Record,
    *,
    now: Callable[[], datetime] = utc_now,
) -> Record:
    """The ``timestamp`` entry for the prepared seal point ``rec`` (``Ledger.prepare``),
    prepared to follow it: its token is asked for now and stored as a blob, the entry is not
    appended (``Ledger.commit`` appends both, and then ``rec`` is not queued). Raises
    ``TimestampUnavailable`` when no TSA answers."""
    if not config.usable:
        raise TimestampUnavailable(())
    requested = now()
    result = request_token(bytes.fromhex(rec.hash), config.urls, config.trust_roots, config.timeout)
    when = rec.when
    late = when is not None and (requested - when).total_seconds() > LATE_AFTER_SECONDS
    data = _token_data(rec.seq, rec.hash, result, requested, late, 0)
    digests = case.store.ingest_stream(io.BytesIO(result.token_der))
    spec = ItemSpec(
        digests, f"{rec.seq}.tsr", "application/timestamp-reply", path=token_path(rec.seq)
    )
    return case.ledger.prepare(rec, signer, "timestamp", data, [spec])


def _record_token(
    case: Case,
    signer: Signer,
    seq: int,
    token: bytes,
    data: dict[str, Any],
    tokens: dict[int, int],
) -> bool:
    """The token as a sealed blob named by a ``timestamp`` entry (its seq into ``tokens``);
    the queue forgets it."""
    if _stamped_elsewhere(case, seq):  # by another stamper while this one asked the TSA
        return _forget(case, seq)
    digests = case.store.ingest_stream(io.BytesIO(token))
    tokens[seq] = case.ledger.append(
        signer,
        "timestamp",
        data,
        [ItemSpec(digests, f"{seq}.tsr", "application/timestamp-reply", path=token_path(seq))],
    ).seq
    case.store.unqueue(seq)
    return True


def _stamped_elsewhere(case: Case, seq: int) -> bool:
    return case.store.has_item_path(token_path(seq))


def _forget(case: Case, seq: int) -> bool:
    case.store.unqueue(seq)
    return False


def _note_outage(case: Case, seq: int, message: str) -> bool:
    case.store.note_stamp_outage(seq, message)
    return True


def _entry_time(case: Case, seq: int) -> datetime | None:
    line = case.store.record_line(seq)
    if line is None:
        return None
    return parse_record(line).when


class BackgroundStamper:
    """Asks for the tokens of seal points right after they are sealed, on a thread of its own.

    Call ``poke()`` after each seal point is sealed: it never blocks, and pokes made while
    an attempt runs come to one more attempt. While no TSA answers, the queue keeps the seal
    points and the stamper tries again every ``retry_after`` seconds by itself (pokes in
    between wait for that), so a token is obtained late only while the TSA is unreachable.
    ``write`` runs the writes to the case (see ``stamp_pending``; by default on this thread,
    the ledger orders concurrent appends). ``close()`` makes a last attempt and stops.
    """

    def __init__(
        self,
        case: Case,
        signer: Signer,
        config: TsaConfig,
        *,
        write: Writer = _here,
        retry_after: float = 30.0,
        name: str = "stamper",
    ) -> None:
        self.case, self.signer, self.config = case, signer, config
        self.retry_after = retry_after
        self._write = write
        self._cond = threading.Condition()
        self._wanted = False
        self._closing = False
        self._last_attempt = True
        self._retry_at: float | None = None  # time.monotonic() of the retry after an outage
        self._listeners: list[Callable[[StampOutcome], None]] = []
        self.stamped: list[int] = []  # every seq this stamper obtained a token for, in order
        self.tokens: dict[int, int] = {}  # and the ``timestamp`` entry of each
        self.last: StampOutcome | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """A seal point was sealed (or may wait in the queue): ask for its token soon."""
        with self._cond:
            self._wanted = True
            self._cond.notify_all()

    def listen(self, callback: Callable[[StampOutcome], None]) -> None:
        """``callback(outcome)`` after every attempt, on the stamper's thread; at once, if
        there were attempts before, with everything obtained so far (``outcome()``)."""
        with self._cond:
            self._listeners.append(callback)
            tried = self.last is not None
        if tried:
            _tell(callback, self.outcome())

    def close(self, timeout: float | None = 60.0, *, last_attempt: bool = True) -> StampOutcome:
        """Make a last attempt (after the one running, if any), stop, and say what this
        stamper obtained and what stays queued."""
        with self._cond:
            if not self._closing:
                self._closing, self._last_attempt = True, last_attempt
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return self.outcome()

    def outcome(self) -> StampOutcome:
        """Every token obtained so far, and the queue and its reason as last seen."""
        with self._cond:
            last = self.last or StampOutcome()
            out = StampOutcome(
                list(self.stamped), dict(self.tokens), pending=last.pending, error=last.error
            )
            out.reason_en, out.reason_zh = last.reason_en, last.reason_zh
        with contextlib.suppress(QuzhengError):  # a closed case: the last count stands
            out.pending = pending_count(self.case)
        if not out.pending:
            out.error, out.reason_en, out.reason_zh = None, "", ""
        return out

    def _next(self) -> bool:
        """Wait until the next attempt is due; False once closing."""
        with self._cond:
            while not self._closing:
                if self._retry_at is not None:
                    left = self._retry_at - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                elif self._wanted:
                    break
                else:
                    self._cond.wait()
            self._wanted = False
            return not self._closing

    def _run(self) -> None:
        while self._next():
            self._attempt()
        if self._last_attempt:
            self._attempt()

    def _attempt(self) -> None:
        retry = False
        try:
            outcome = stamp_pending(self.case, self.signer, self.config, write=self._write)
            retry = outcome.error is not None
        except Exception as exc:  # the writer closed, the disk is full…: keep the queue
            logger.warning("time-stamping failed: %s", exc)
            retry = True
            outcome = StampOutcome()
            if isinstance(exc, QuzhengError):
                outcome.reason_en, outcome.reason_zh = exc.message_en, exc.message_zh
            else:
                outcome.reason_en = outcome.reason_zh = f"{type(exc).__name__}: {exc}"
            try:
                outcome.pending = pending_count(self.case)
            except QuzhengError:
                outcome.pending = self.last.pending if self.last else 0
        with self._cond:
            self.stamped.extend(outcome.stamped)
            self.tokens.update(outcome.tokens)
            self.last = outcome
            self._retry_at = time.monotonic() + self.retry_after if retry else None
            listeners = list(self._listeners)
        for callback in listeners:
            _tell(callback, outcome)


def _tell(callback: Callable[[StampOutcome], None], outcome: StampOutcome) -> None:
    try:
        callback(outcome)
    except Exception:  # a listener's failure must not stop the stamping
        logger.exception("time-stamp listener failed")


def load_config(
    urls: Sequence[str], trust_roots: Sequence[bytes], timeout: float = 10.0
) -> TsaConfig:
    return TsaConfig(tuple(u for u in urls if u), tuple(trust_roots), timeout)
