"""The data of a ``timestamp`` entry: which entry an RFC 3161 token stamps, how it was
obtained (URL, when asked, late or queued, failed attempts) and what the verified token
says (``forensics.timestamp.token_check.token_info_to_json``). The token itself is the
entry's item ``custody/timestamps/<seq>.tsr``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import count, flag, integer, obj, plain, text


@dataclass(frozen=True)
class TimestampData:
    stamped_seq: int | None
    stamped_hash: str
    tsa_url: str
    requested: str  # RFC 3339 UTC, when the token was asked for
    queued: bool  # obtained late (after an outage or retries)
    attempts_before: int
    failover: tuple[dict[str, Any], ...]  # the TSA URLs that failed first, as recorded
    gen_time: str  # the token's genTime, RFC 3339 UTC
    serial: str
    policy: str
    accuracy_us: int | None
    tsa_name: str
    hash_alg: str
    message_imprint: str
    nonce: str | None  # decimal (64 bits)
    tsa_cert_sha256: str
    token_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "stamped_seq": self.stamped_seq,
            "stamped_hash": self.stamped_hash,
            "tsa_url": self.tsa_url,
            "requested": self.requested,
            "queued": self.queued,
            "attempts_before": self.attempts_before,
            "failover": [dict(f) for f in self.failover],
            "gen_time": self.gen_time,
            "serial": self.serial,
            "policy": self.policy,
            "accuracy_us": self.accuracy_us,
            "tsa_name": self.tsa_name,
            "hash_alg": self.hash_alg,
            "message_imprint": self.message_imprint,
            "nonce": self.nonce,
            "tsa_cert_sha256": self.tsa_cert_sha256,
            "token_sha256": self.token_sha256,
        }

    @classmethod
    def from_json(cls, raw: object) -> TimestampData:
        d = obj(raw)
        failover = d.get("failover")
        nonce = d.get("nonce")
        return cls(
            stamped_seq=integer(d.get("stamped_seq")),
            stamped_hash=text(d.get("stamped_hash")),
            tsa_url=text(d.get("tsa_url")),
            requested=text(d.get("requested")),
            queued=flag(d.get("queued")),
            attempts_before=count(d.get("attempts_before")),
            failover=tuple(
                plain(f) for f in (failover if isinstance(failover, list) else ()) if obj(f)
            ),
            gen_time=text(d.get("gen_time")),
            serial=text(d.get("serial")),
            policy=text(d.get("policy")),
            accuracy_us=integer(d.get("accuracy_us")),
            tsa_name=text(d.get("tsa_name")),
            hash_alg=text(d.get("hash_alg")),
            message_imprint=text(d.get("message_imprint")),
            nonce=nonce if isinstance(nonce, str) else None,
            tsa_cert_sha256=text(d.get("tsa_cert_sha256")),
            token_sha256=text(d.get("token_sha256")),
        )
