"""Errors of the trusted-time package.

``TokenError.code`` and ``Attempt.code`` are stable, machine-readable strings: the ledger,
the verification report and the training module key on them. Never reuse a code for another
meaning; add a new one instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from forensics.errors import IntegrityError, QuzhengError

# Codes of TokenError, each a distinct finding of RFC 3161 §2.2 client-side checks.
TOKEN_MALFORMED = "token-malformed"  # not a DER TimeStampToken / broken structure
STATUS_REJECTED = "status-rejected"  # the TSA answered with a status other than granted
IMPRINT_MISMATCH = "imprint-mismatch"  # a genuine token, but over another hash
NONCE_MISMATCH = "nonce-mismatch"  # the answer is not to our request (replay)
SIGNATURE_INVALID = "signature-invalid"  # the signed content or signature was altered
TSA_CERT_UNIDENTIFIED = "tsa-cert-unidentified"  # ESSCertID(v2)/sid do not name the signer
TSA_EKU_MISSING = "tsa-eku-missing"  # signer lacks the critical, sole timeStamping EKU
TSA_UNTRUSTED = "tsa-untrusted"  # no certificate path to a configured trust anchor
TSA_CERT_EXPIRED = "tsa-cert-expired"  # a path certificate is not valid at genTime
CROSS_CHECK_FAILED = "cross-check-failed"  # rfc3161-client disagreed with our checks

TOKEN_ERROR_CODES = (
    TOKEN_MALFORMED,
    STATUS_REJECTED,
    IMPRINT_MISMATCH,
    NONCE_MISMATCH,
    SIGNATURE_INVALID,
    TSA_CERT_UNIDENTIFIED,
    TSA_EKU_MISSING,
    TSA_UNTRUSTED,
    TSA_CERT_EXPIRED,
    CROSS_CHECK_FAILED,
)


class TokenError(IntegrityError):
    """A time-stamp token (or a TSA's answer) failed an RFC 3161 §2.2 check.

    ``code`` is one of ``TOKEN_ERROR_CODES``; the messages say what was found.
    """

    def __init__(self, code: str, message_en: str, message_zh: str) -> None:
        assert code in TOKEN_ERROR_CODES, code
        super().__init__(f"[{code}] {message_en}", f"[{code}] {message_zh}")
        self.code = code
        self.detail_en = message_en
        self.detail_zh = message_zh


# Codes of Attempt: why one TSA URL did not give a usable token.
ATTEMPT_CODES = (
    "bad-url",  # not an http(s) URL
    "unresolvable",  # DNS failed
    "connection-refused",
    "timeout",  # no complete answer within the deadline
    "network",  # another network error (reset, TLS failure, …)
    "http-status",  # an HTTP status other than 200
    "too-large",  # the answer exceeded the size bound
    "not-rfc3161",  # the body is not a TimeStampResp (garbage)
    "status-rejected",  # a TimeStampResp with a status other than granted
    "token-invalid",  # granted, but the token failed verification (see token_code)
)


@dataclass(frozen=True)
class Attempt:
    """One failed try at one TSA URL."""

    url: str
    code: str
    message_en: str
    message_zh: str
    token_code: str | None = None  # the TokenError code when code == "token-invalid"

    def to_json(self) -> dict[str, str]:
        out = {"url": self.url, "code": self.code, "message": self.message_en}
        if self.token_code is not None:
            out["token_code"] = self.token_code
        return out


class TimestampUnavailable(QuzhengError):
    """No configured TSA gave a valid token. The seal stands; the caller queues the request."""

    def __init__(self, attempts: tuple[Attempt, ...]) -> None:
        self.attempts = attempts
        if not attempts:
            en = "no time-stamping authority (TSA) URL is configured"
            zh = "未配置时间戳服务（TSA）地址"
        else:
            en = "no time-stamping authority gave a valid token:\n" + "\n".join(
                f"  {a.url}: {a.message_en}" for a in attempts
            )
            zh = "所有时间戳服务均未给出有效的时间戳：\n" + "\n".join(
                f"  {a.url}：{a.message_zh}" for a in attempts
            )
        super().__init__(en, zh)
