"""The deposit receipt: signed by the vault's own key, time-stamped (docs/vault.md "Receipt").

``{"receipt": BODY, "signature_alg", "signature_der_b64", "signer_cert_pem", "timestamp"}``:
the vault's ECDSA signature over the canonical bytes of BODY, its certificate chain (issued by
the agency CA, like an officer's), and an RFC 3161 token over the SHA-256 of those bytes.
The depositing officer checks it (``check_receipt``) and seals it in the case as a
``custody.deposit`` ledger entry.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from forensics.canonical import canonical_bytes
from forensics.certtrust import judge_chain
from forensics.errors import IntegrityError
from forensics.identity import Signer, load_certs_pem, verify_signature
from forensics.stamping import TsaConfig
from forensics.timestamp import TokenError, request_token, token_info_to_json, verify_token
from forensics.trust import TrustPolicy
from forensics.verdict import Collector

KIND = "quzheng.vault.receipt"


def make_receipt(body: dict[str, Any], vault: Signer, tsa: TsaConfig) -> dict[str, Any]:
    """Sign and time-stamp ``body`` (raises ``TimestampUnavailable`` when no TSA answers:
    a deposit without a time-stamped receipt is not made)."""
    signed = canonical_bytes({**body, "kind": KIND})
    sig = vault.sign(signed)
    stamp = request_token(hashlib.sha256(signed).digest(), tsa.urls, tsa.trust_roots, tsa.timeout)
    return {
        "receipt": {**body, "kind": KIND},
        "signature_alg": sig["alg"],
        "signature_der_b64": sig["value"],
        "signer_cert_pem": vault.officer.chain_pem(),
        "timestamp": {
            "token_der_b64": base64.b64encode(stamp.token_der).decode(),
            "tsa_url": stamp.url,
            **token_info_to_json(stamp.info),
        },
    }


def _bad(en: str, zh: str) -> IntegrityError:
    return IntegrityError(f"deposit receipt: {en}", f"入库回执：{zh}")


def check_receipt(receipt: Any, policy: TrustPolicy, package_sha256: str) -> dict[str, Any]:
    """The receipt's body when it names ``package_sha256``, is signed by a vault certified
    under ``policy`` and carries a valid token; ``IntegrityError`` otherwise."""
    if not isinstance(receipt, dict) or not isinstance(receipt.get("receipt"), dict):
        raise _bad("not a receipt", "不是回执")
    body: dict[str, Any] = receipt["receipt"]
    if body.get("kind") != KIND or body.get("package_sha256") != package_sha256:
        raise _bad("it is for another package", "回执对应的不是此证据包")
    signed = canonical_bytes(body)
    chain = load_certs_pem(str(receipt.get("signer_cert_pem", "")).encode(), "receipt")
    if not chain:
        raise _bad("no signer certificate", "缺少签名证书")
    found = Collector()
    fact = judge_chain("receipt", chain, policy, False, found)
    if fact.trusted_by not in ("agency-ca", "pinned"):
        raise _bad("the vault's certificate is not trusted", "保管库证书不受信任")
    sig = {"alg": str(receipt.get("signature_alg")), "value": str(receipt.get("signature_der_b64"))}
    if not verify_signature(chain[0], signed, sig):
        raise _bad("the signature does not verify", "签名验证失败")
    ts = receipt.get("timestamp")
    token = ts.get("token_der_b64") if isinstance(ts, dict) else None
    if not isinstance(token, str):
        raise _bad("no time-stamp", "缺少时间戳")
    roots = policy.tsa_roots + policy.builtin_tsa_roots
    try:
        verify_token(base64.b64decode(token), hashlib.sha256(signed).digest(), roots)
    except (TokenError, ValueError) as exc:
        raise _bad(f"the time-stamp does not verify ({exc})", "时间戳验证失败") from None
    return body
