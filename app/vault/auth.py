"""Officers sign their requests to the vault with their own key (docs/vault.md "Requests").

Every request carries four headers:

* ``X-Quzheng-Chain``: the officer's certificate chain, PEM (leaf first), base64;
* ``X-Quzheng-Time``: the time of signing, ``YYYY-MM-DDTHH:MM:SSZ`` (UTC);
* ``X-Quzheng-Nonce``: 32 random hex digits, never used twice;
* ``X-Quzheng-Signature``: the officer key's ECDSA P-256 / SHA-256 signature (DER, base64)
  over the UTF-8 lines ``quzheng-vault-1``, the method, the path with its query, the body's
  SHA-256 (hex; for a deposit, the package's SHA-256 as its seal states it), the time and
  the nonce, joined by ``\\n``.

The service accepts a request when the chain is proven to the agency CA under the same trust
policy as ``quzheng verify`` (``forensics.certtrust.judge_chain``: only an agency CA or a pinned
certificate counts — no training identity), the signature verifies, the time is within
``MAX_SKEW_S`` of the service's clock and the nonce was not seen before (nonces are kept in
PostgreSQL, so every instance behind one address sees them).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from forensics.certtrust import judge_chain
from forensics.errors import AuthError
from forensics.identity import Signer, cert_key_fingerprint, load_certs_pem, verify_signature
from forensics.trust import TrustPolicy
from forensics.verdict import Collector

SCHEME = "quzheng-vault-1"
MAX_SKEW_S = 300
H_CHAIN, H_TIME, H_NONCE, H_SIG = (
    "X-Quzheng-Chain",
    "X-Quzheng-Time",
    "X-Quzheng-Nonce",
    "X-Quzheng-Signature",
)
_TIME_FMT = "%Y-%m-%dT%H:%M:%SZ"
MAX_CHAIN_BYTES = 32 << 10


def message(method: str, path: str, body_sha256: str, when: str, nonce: str) -> bytes:
    return "\n".join((SCHEME, method.upper(), path, body_sha256, when, nonce)).encode()


def sign_headers(
    signer: Signer, method: str, path: str, body_sha256: str, now: datetime | None = None
) -> dict[str, str]:
    when = (now or datetime.now(UTC)).strftime(_TIME_FMT)
    nonce = secrets.token_hex(16)
    sig = signer.sign(message(method, path, body_sha256, when, nonce))
    return {
        H_CHAIN: base64.b64encode(signer.officer.chain_pem().encode()).decode(),
        H_TIME: when,
        H_NONCE: nonce,
        H_SIG: sig["value"],
    }


@dataclass(frozen=True)
class Caller:
    """An authenticated officer."""

    key_fp: str
    badge: str
    name: str
    agency: str
    cert_sha256: str

    def who(self) -> str:
        return f"{self.name} ({self.badge})"


def _refuse(en: str, zh: str) -> AuthError:
    return AuthError(f"request refused: {en}", f"请求被拒绝：{zh}")


def authenticate(
    headers: Mapping[str, str],
    method: str,
    path: str,
    body_sha256: str,
    policy: TrustPolicy,
    now: datetime | None = None,
) -> tuple[Caller, str]:
    """The officer who signed this request and its nonce (the caller records the nonce);
    ``AuthError`` naming what is wrong otherwise."""
    chain_b64, when, nonce, sig = (headers.get(h, "") for h in (H_CHAIN, H_TIME, H_NONCE, H_SIG))
    if not (chain_b64 and when and nonce and sig):
        raise _refuse("not signed by an officer (see docs/vault.md)", "未经执法人员签名")
    if (
        len(chain_b64) > MAX_CHAIN_BYTES
        or len(nonce) != 32
        or not all(c in "0123456789abcdef" for c in nonce)
    ):
        raise _refuse("malformed signature headers", "签名头格式错误")
    try:
        t = datetime.strptime(when, _TIME_FMT).replace(tzinfo=UTC)
    except ValueError:
        raise _refuse(f"bad time {when!r}", f"时间格式错误 {when!r}") from None
    skew = abs(((now or datetime.now(UTC)) - t).total_seconds())
    if skew > MAX_SKEW_S:
        raise _refuse(
            f"signed {skew:.0f} s away from the vault's clock (at most {MAX_SKEW_S})",
            f"签名时间与保管库时钟相差 {skew:.0f} 秒（最多 {MAX_SKEW_S} 秒）",
        )
    try:
        chain = load_certs_pem(base64.b64decode(chain_b64, validate=True), "request")
    except (binascii.Error, ValueError):
        raise _refuse("unreadable certificate chain", "证书链无法读取") from None
    if not chain:
        raise _refuse("no certificate", "没有证书")
    found = Collector()
    fact = judge_chain("request", chain, policy, False, found)
    if fact.trusted_by not in ("agency-ca", "pinned"):
        reason = "; ".join(f.text("en") for f in found.findings if f.code != "cert-trusted")
        raise _refuse(
            f"the certificate is not proven to the agency's CA ({reason})",
            "证书未能证明由本机构 CA 签发",
        )
    if not verify_signature(chain[0], message(method, path, body_sha256, when, nonce),
                            {"alg": "ecdsa-p256-sha256", "value": sig}):  # fmt: skip
        raise _refuse("the signature does not verify", "签名验证失败")
    return (
        Caller(
            key_fp=cert_key_fingerprint(chain[0]),
            badge=fact.badge,
            name=fact.name,
            agency=fact.agency,
            cert_sha256=fact.cert_sha256,
        ),
        nonce,
    )
