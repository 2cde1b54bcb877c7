"""Trusted time on the ledger: queued RFC 3161 tokens over entry hashes (ISSUE 4).

Every seal point is queued in the same transaction as its entry (``ledger.STAMPED_KINDS``).
``stamp_pending`` asks the configured TSAs for a token over each queued entry hash, in order.
A token is sealed like any evidence file — durable blob first — and named by a signed
``timestamp`` entry at ``custody/timestamps/<seq>.tsr``; the entry keeps genTime, serial,
policy, accuracy and the TSA's name, and says whether the token was obtained late (queued).
When no TSA answers, the queue keeps the entry and the reason; nothing sealed is lost.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from forensics.canonical import format_time, parse_time, utc_now
from forensics.case import Case
from forensics.identity import Signer
from forensics.ledger import ItemSpec, parse_record
from forensics.timestamp import (
    TimestampUnavailable,
    request_token,
    token_info_to_json,
)

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
    pending: int = 0
    error: TimestampUnavailable | None = None
    reason_en: str = ""
    reason_zh: str = ""


def token_path(seq: int) -> str:
    return f"custody/timestamps/{seq}.tsr"


def pending_count(case: Case) -> int:
    return int(str(case.store.query("SELECT COUNT(*) FROM stamp_queue")[0][0]))


def stamp_pending(
    case: Case,
    signer: Signer,
    config: TsaConfig,
    *,
    limit: int | None = None,
    now: Callable[[], datetime] = utc_now,
) -> StampOutcome:
    """Obtain tokens for queued seal points, oldest first; stop at the first TSA outage."""
    out = StampOutcome()
    case.require_member(signer)  # a stranger's signature would make the case fail forever
    rows = case.store.query("SELECT seq, hash, tries FROM stamp_queue ORDER BY seq")
    if not config.usable:
        out.pending = len(rows)
        out.reason_en = "no time-stamp authority is configured (tsa.urls and a trusted TSA root)"
        out.reason_zh = "未配置时间戳服务（tsa.urls 与受信任的 TSA 根证书）"
        return out
    for seq_o, hash_o, tries_o in rows[:limit] if limit else rows:
        seq, entry_hash, tries = int(str(seq_o)), str(hash_o), int(str(tries_o))
        if case.store.query("SELECT 1 FROM items WHERE path=?", (token_path(seq),)):
            case.store.execute("DELETE FROM stamp_queue WHERE seq=?", (seq,))
            continue  # another process stamped it meanwhile
        requested = now()
        try:
            result = request_token(
                bytes.fromhex(entry_hash), config.urls, config.trust_roots, config.timeout
            )
        except TimestampUnavailable as exc:
            # The outage holds up every entry still waiting, not only this one.
            case.store.execute(
                "UPDATE stamp_queue SET tries=tries+1, last_error=? WHERE seq>=?",
                (exc.message_en[:2000], seq),
            )
            out.error = exc
            out.reason_en, out.reason_zh = exc.message_en, exc.message_zh
            break
        entry_time = _entry_time(case, seq)
        late = tries > 0 or (
            entry_time is not None and (requested - entry_time).total_seconds() > LATE_AFTER_SECONDS
        )
        digests = case.store.ingest_stream(io.BytesIO(result.token_der))
        data = {
            "stamped_seq": seq,
            "stamped_hash": entry_hash,
            "tsa_url": result.url,
            "requested": format_time(requested),
            "queued": late,
            "attempts_before": tries,
            "failover": [a.to_json() for a in result.failures],
            **token_info_to_json(result.info),
        }
        case.ledger.append(
            signer,
            "timestamp",
            data,
            [
                ItemSpec(
                    digests,
                    f"{seq}.tsr",
                    "application/timestamp-reply",
                    path=token_path(seq),
                )
            ],
        )
        case.store.execute("DELETE FROM stamp_queue WHERE seq=?", (seq,))
        out.stamped.append(seq)
    out.pending = pending_count(case)
    return out


def _entry_time(case: Case, seq: int) -> datetime | None:
    rows = case.store.query("SELECT record FROM ledger WHERE seq=?", (seq,))
    if not rows:
        return None
    return parse_time(str(parse_record(str(rows[0][0])).entry["time"]))


def load_config(
    urls: Sequence[str], trust_roots: Sequence[bytes], timeout: float = 10.0
) -> TsaConfig:
    return TsaConfig(tuple(u for u in urls if u), tuple(trust_roots), timeout)
