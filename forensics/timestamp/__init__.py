"""Trusted time: RFC 3161 client and verifier, the built-in TSA, and the SNTP clock check.

``request_token`` gets a verified token over an entry hash from the configured TSAs (or
raises ``TimestampUnavailable``: queue and retry); ``verify_token`` re-checks a stored token
and raises ``TokenError`` with a distinct ``code`` per finding; ``TsaServer`` runs the
built-in TSA; ``check_clock`` measures the local clock against NTP servers.
"""

from forensics.timestamp.client import StampResult, build_request, request_token
from forensics.timestamp.errors import Attempt, TimestampUnavailable, TokenError
from forensics.timestamp.sntp import (
    DEFAULT_NTP_SERVERS,
    DEFAULT_WARN_THRESHOLD_MS,
    ClockCheck,
    ServerResult,
    check_clock,
)
from forensics.timestamp.token_check import (
    TimeAgreement,
    TokenInfo,
    check_time_agreement,
    parse_response,
    response_from_token,
    token_from_response,
    token_info_to_json,
    verify_token,
)
from forensics.timestamp.tsa import (
    TimeStampAuthority,
    TsaIdentity,
    TsaServer,
    create_tsa_identity,
)

__all__ = [
    "DEFAULT_NTP_SERVERS",
    "DEFAULT_WARN_THRESHOLD_MS",
    "Attempt",
    "ClockCheck",
    "ServerResult",
    "StampResult",
    "TimeAgreement",
    "TimeStampAuthority",
    "TimestampUnavailable",
    "TokenError",
    "TokenInfo",
    "TsaIdentity",
    "TsaServer",
    "build_request",
    "check_clock",
    "check_time_agreement",
    "create_tsa_identity",
    "parse_response",
    "request_token",
    "response_from_token",
    "token_from_response",
    "token_info_to_json",
    "verify_token",
]
