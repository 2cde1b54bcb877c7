"""The built-in RFC 3161 time-stamping authority: identity, token signer and HTTP server.

It serves training, tests, and agencies that run their own time-stamping. Tokens are CMS
SignedData over a TSTInfo (SHA-256, ESSCertIDv2, the TSA chain included) and verify with our
verifier, with rfc3161-client and with ``openssl ts -verify``.

What it trusts: its own clock (injected as ``now``) and the key files in its identity folder,
which only the user can read. Everything in a request is hostile until parsed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import socket
import socketserver
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, cast

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forensics import __version__
from forensics.atomic import write_atomic
from forensics.canonical import utc_now
from forensics.errors import InputError, os_reason
from forensics.keyusage import key_usage
from forensics.timestamp import _der

log = logging.getLogger(__name__)

# A UUID-based OID (ITU-T X.667, arc 2.25): unique without registration. It names the
# policy "Quzheng built-in TSA, version 1": system clock, accuracy as stated in each token.
DEFAULT_POLICY_OID: Final = "2.25.114676465570657066127835642218266844432"
DEFAULT_ACCURACY_US: Final = 1_000_000
ROOT_NAME: Final = "Quzheng TSA Root"
MAX_REQUEST_BYTES: Final = 16 * 1024  # a TimeStampReq is < 200 bytes; anything big is abuse

KEY_FILE: Final = "tsa-key.pem"
CERT_FILE: Final = "tsa-cert.pem"
CHAIN_FILE: Final = "tsa-chain.pem"
ROOT_FILE: Final = "root.pem"
ROOT_KEY_FILE: Final = "root-key.pem"

TsaPrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

_ROOT_YEARS: Final = 20
_TSA_YEARS: Final = 10
_BACKDATE: Final = dt.timedelta(hours=1)  # tolerate a slightly slow clock at issuance


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class TsaIdentity:
    """A TSA key and certificate with its chain. ``chain`` is the TSA certificate first and
    the trust anchor last; ``root_path`` is that anchor as PEM, for verifiers' configuration."""

    key: TsaPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    root_path: Path

    @property
    def root(self) -> x509.Certificate:
        return self.chain[-1]


def _key_pem(key: TsaPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _issue(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    issuer_name: x509.Name,
    issuer_key: TsaPrivateKey,
    *,
    ca: bool,
    not_before: dt.datetime,
    years: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(
            key_usage(ca=True),
            critical=True,
        )
    else:
        # RFC 3161 §2.3: the TSA certificate carries exactly one EKU, id-kp-timeStamping,
        # and the extension MUST be critical. Key usage as OpenSSL's timestamp purpose wants.
        builder = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                key_usage(sign=True, non_repudiation=True),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _same_key(key: TsaPrivateKey, cert: x509.Certificate) -> bool:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return key.public_key().public_bytes(enc, fmt) == cert.public_key().public_bytes(enc, fmt)


def _load_identity(directory: Path) -> TsaIdentity:
    try:
        key = serialization.load_pem_private_key((directory / KEY_FILE).read_bytes(), None)
        cert = x509.load_pem_x509_certificate((directory / CERT_FILE).read_bytes())
        chain = tuple(x509.load_pem_x509_certificates((directory / CHAIN_FILE).read_bytes()))
        root = x509.load_pem_x509_certificate((directory / ROOT_FILE).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(
            f"cannot read the TSA identity in {directory}: {exc}",
            f"无法读取 {directory} 中的时间戳服务身份：{exc}",
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise InputError(
            f"the TSA key in {directory} must be ECDSA or RSA (OpenSSL cannot verify others)",
            f"{directory} 中的时间戳服务密钥必须是 ECDSA 或 RSA（OpenSSL 无法验证其他类型）",
        )
    if not _same_key(key, cert) or not chain or chain[0] != cert or chain[-1] != root:
        raise InputError(
            f"the TSA key, certificate and chain in {directory} do not belong together",
            f"{directory} 中的时间戳服务密钥、证书与证书链不匹配",
        )
    return TsaIdentity(key=key, cert=cert, chain=chain, root_path=directory / ROOT_FILE)


def create_tsa_identity(
    directory: Path,
    name: str = "Quzheng built-in TSA",
    issuer_key: TsaPrivateKey | None = None,
    issuer_cert: x509.Certificate | None = None,
    *,
    issuer_chain: Sequence[x509.Certificate] = (),
    now: Callable[[], dt.datetime] | None = None,
) -> TsaIdentity:
    """Create the TSA key and certificate in ``directory`` once; later calls load them.

    Without an issuer, a self-signed root ``Quzheng TSA Root`` is made (its key kept beside
    it) and issues the TSA certificate, so verifiers have a chain and a trust anchor file.
    With ``issuer_key``/``issuer_cert`` (e.g. the agency CA), that CA issues it; pass the
    CA's own issuers in ``issuer_chain`` when it is not a root. Keys are ECDSA P-256 and
    readable by the owner only. Delete the folder to start over with a new identity.
    """
    directory = Path(directory)
    files = [directory / n for n in (KEY_FILE, CERT_FILE, CHAIN_FILE, ROOT_FILE)]
    present = [p.exists() for p in files]
    if all(present):
        return _load_identity(directory)
    if any(present):
        raise InputError(
            f"the TSA identity in {directory} is incomplete; remove the folder to create a new one",
            f"{directory} 中的时间戳服务身份不完整；删除该文件夹后可重新创建",
        )
    if (issuer_key is None) != (issuer_cert is None):
        raise InputError(
            "give both the issuer key and the issuer certificate, or neither",
            "签发者密钥与签发者证书须同时提供或同时不提供",
        )
    if (
        issuer_key is not None
        and issuer_cert is not None
        and not _same_key(issuer_key, issuer_cert)
    ):
        raise InputError(
            "the issuer key does not belong to the issuer certificate",
            "签发者密钥与签发者证书不匹配",
        )
    clock = now or utc_now
    not_before = clock().astimezone(dt.UTC).replace(microsecond=0) - _BACKDATE
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if issuer_key is None or issuer_cert is None:
            root_key = ec.generate_private_key(ec.SECP256R1())
            root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME)])
            root_cert = _issue(
                root_name,
                root_key.public_key(),
                root_name,
                root_key,
                ca=True,
                not_before=not_before,
                years=_ROOT_YEARS,
            )
            write_atomic(directory / ROOT_KEY_FILE, _key_pem(root_key), private=True)
            issuer_key, issuer_cert, issuers = root_key, root_cert, [root_cert]
        else:
            issuers = [issuer_cert, *issuer_chain]
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = _issue(
            subject,
            key.public_key(),
            issuer_cert.subject,
            issuer_key,
            ca=False,
            not_before=not_before,
            years=_TSA_YEARS,
        )
        chain = (cert, *issuers)
        pem = serialization.Encoding.PEM
        write_atomic(directory / KEY_FILE, _key_pem(key), private=True)
        write_atomic(directory / CERT_FILE, cert.public_bytes(pem))
        write_atomic(directory / CHAIN_FILE, b"".join(c.public_bytes(pem) for c in chain))
        # Written last: its presence marks a complete identity.
        write_atomic(directory / ROOT_FILE, chain[-1].public_bytes(pem))
    except OSError as exc:
        raise InputError(
            f"cannot write the TSA identity in {directory}: {exc}",
            f"无法在 {directory} 中写入时间戳服务身份：{exc}",
        ) from exc
    return TsaIdentity(key=key, cert=cert, chain=chain, root_path=directory / ROOT_FILE)


def identity_problems(identity: TsaIdentity) -> list[tuple[str, str]]:
    """Why a verifier would refuse this identity's tokens, as (en, zh) pairs; empty if fit."""
    problems: list[tuple[str, str]] = []
    try:
        eku = identity.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        fit = eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    except x509.ExtensionNotFound:
        fit = False
    if not fit:
        problems.append(
            (
                "the TSA certificate lacks the critical, sole timeStamping extended key usage",
                "时间戳服务证书缺少关键且唯一的 timeStamping 扩展密钥用途",
            )
        )
    if not _same_key(identity.key, identity.cert):
        problems.append(
            ("the TSA key does not match its certificate", "时间戳服务密钥与证书不匹配")
        )
    return problems


# --------------------------------------------------------------------------- authority


class _Rejected(Exception):
    def __init__(self, fail_info: str, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


class TimeStampAuthority:
    """Signs RFC 3161 tokens. Thread-safe: the HTTP server calls ``respond`` concurrently.

    genTime has microseconds and strictly increases: a clock that stalls or steps back
    within the stated accuracy is nudged 1 µs past the last genTime; one that steps back
    further makes the TSA refuse (timeNotAvailable) until it has caught up, rather than
    issue times it cannot vouch for. The serial number is that genTime in
    µs since 1970 followed by 32 random bits, so it increases too and stays unique across
    restarts. ``strict=False`` lets a non-conforming identity sign (training material and
    tests that reproduce a misconfigured foreign TSA); never use it for real stamping.
    """

    def __init__(
        self,
        identity: TsaIdentity,
        now: Callable[[], dt.datetime] | None = None,
        policy_oid: str = DEFAULT_POLICY_OID,
        *,
        accuracy_us: int = DEFAULT_ACCURACY_US,
        strict: bool = True,
    ) -> None:
        if strict and (problems := identity_problems(identity)):
            raise InputError(
                "the TSA identity is not fit for time-stamping: "
                + "; ".join(p[0] for p in problems),
                "时间戳服务身份不适合签发时间戳：" + "；".join(p[1] for p in problems),
            )
        if accuracy_us <= 0:
            raise InputError("accuracy must be positive", "精度必须为正数")
        self.identity = identity
        self.policy_oid = policy_oid
        self.accuracy_us = accuracy_us
        self._now = now or utc_now
        self._lock = threading.Lock()
        self._last_gen: dt.datetime | None = None
        self._issued = 0

        # Everything constant in a token is encoded once here (with asn1crypto); per token
        # only the TSTInfo, the messageDigest and the signature are new. asn1crypto builds
        # a whole token in ~15 ms, which would cap the server at ~60 tokens/s.
        asn1_cert = asn1_x509.Certificate.load(_der.cert_der(identity.cert))
        ess_v2 = tsp.SigningCertificateV2(
            {
                "certs": [
                    {
                        # hashAlgorithm left out: its DEFAULT is SHA-256, and DER omits defaults.
                        "cert_hash": _der.digest("sha256", _der.cert_der(identity.cert)),
                        "issuer_serial": {
                            "issuer": [
                                asn1_x509.GeneralName(name="directory_name", value=asn1_cert.issuer)
                            ],
                            "serial_number": identity.cert.serial_number,
                        },
                    }
                ]
            }
        )
        sid = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value={"issuer": asn1_cert.issuer, "serial_number": identity.cert.serial_number},
        )
        sig_alg = (
            "sha256_ecdsa" if isinstance(identity.key, ec.EllipticCurvePrivateKey) else "sha256_rsa"
        )
        sha256_id = algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
        tsa_name = asn1_x509.GeneralName(name="directory_name", value=asn1_cert.subject)
        self._policy_der = core.ObjectIdentifier(policy_oid).dump()
        self._accuracy_der = tsp.Accuracy(self._accuracy()).dump()
        self._tsa_der = _der.tlv(0xA0, tsa_name.dump())  # [0] EXPLICIT GeneralName
        self._attr_content_type = cms.CMSAttribute(
            {"type": "content_type", "values": ["tst_info"]}
        ).dump()
        self._attr_ess = cms.CMSAttribute(
            {"type": "signing_certificate_v2", "values": [ess_v2]}
        ).dump()
        self._oid_message_digest = core.ObjectIdentifier(_der.OID_MESSAGE_DIGEST).dump()
        self._signed_data_head = _der.der_uint(3) + _der.tlv(0x31, sha256_id)
        self._oid_tst_info = core.ObjectIdentifier(_der.OID_TST_INFO).dump()
        self._oid_signed_data = core.ObjectIdentifier(_der.OID_SIGNED_DATA).dump()
        # certificates [0] IMPLICIT SET OF: DER sorts the members.
        self._certs_der = _der.tlv(0xA0, b"".join(sorted(_der.cert_der(c) for c in identity.chain)))
        self._signer_head = _der.der_uint(1) + sid.dump() + sha256_id
        self._sig_alg_der = algos.SignedDigestAlgorithm({"algorithm": sig_alg}).dump()

    @property
    def issued(self) -> int:
        """How many tokens were granted (for the server's log and the benchmark)."""
        return self._issued

    # (1) parse and check the request ------------------------------------------------
    def _parse_request(self, request_der: bytes) -> tuple[bytes, bytes | None, bool]:
        try:
            req = tsp.TimeStampReq.load(request_der, strict=True)
            # Copied before its children are read: asn1crypto would re-encode it once it
            # normalises the hash parameters, and RFC 3161 wants the imprint byte for byte.
            imprint_der = bytes(req["message_imprint"].dump())
            imprint = tsp.MessageImprint.load(imprint_der, strict=True)
            version = int(req["version"])
            alg = imprint["hash_algorithm"]["algorithm"].dotted
            params = imprint["hash_algorithm"]["parameters"]
            hashed = bytes(imprint["hashed_message"].native)
            policy = None if isinstance(req["req_policy"], core.Void) else req["req_policy"].dotted
            nonce = None if isinstance(req["nonce"], core.Void) else bytes(req["nonce"].dump())
            cert_req = bool(req["cert_req"].native)
            has_extensions = not isinstance(req["extensions"], core.Void)
        except Exception as exc:  # asn1crypto raises many types on garbage; all mean the same
            raise _Rejected("bad_data_format", f"not a DER TimeStampReq ({exc})") from None
        if version != 1:
            raise _Rejected("bad_request", "only TimeStampReq version 1 is supported")
        if alg not in _der.DIGESTS:
            raise _Rejected("bad_alg", f"hash algorithm {alg} is not accepted")
        if not isinstance(params, core.Void | core.Null):
            raise _Rejected("bad_alg", "hash algorithm parameters must be absent or NULL")
        if len(hashed) != _der.DIGESTS[alg][1]:
            raise _Rejected("bad_data_format", "the imprint length does not match its algorithm")
        if policy is not None and policy != self.policy_oid:
            raise _Rejected("unaccepted_policy", f"policy {policy} is not offered")
        if has_extensions:
            raise _Rejected("unaccepted_extensions", "request extensions are not supported")
        return imprint_der, nonce, cert_req

    # (2) the next genTime and serial, under the lock ---------------------------------
    def _next_time_and_serial(self) -> tuple[dt.datetime, int]:
        with self._lock:
            now = self._now()
            if now.tzinfo is None:
                raise _Rejected("time_not_available", "the TSA clock gave a naive time")
            gen = now.astimezone(dt.UTC)
            last = self._last_gen
            if last is not None and gen <= last:
                if last - gen > dt.timedelta(microseconds=self.accuracy_us):
                    raise _Rejected(
                        "time_not_available", "the TSA clock stepped back; try again later"
                    )
                gen = last + dt.timedelta(microseconds=1)
            self._last_gen = gen
        epoch_us = (gen - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        return gen, (epoch_us << 32) | secrets.randbits(32)

    def _accuracy(self) -> dict[str, int]:
        seconds, rest = divmod(self.accuracy_us, 1_000_000)
        millis, micros = divmod(rest, 1000)
        out = {}
        if seconds:
            out["seconds"] = seconds
        if millis:
            out["millis"] = millis
        if micros:
            out["micros"] = micros
        return out

    def _sign(self, data: bytes) -> bytes:
        key = self.identity.key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hashes.SHA256()))
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    # (3) build and sign the token -----------------------------------------------------
    def _grant(self, imprint_der: bytes, nonce_der: bytes | None, cert_req: bool) -> bytes:
        gen, serial = self._next_time_and_serial()
        cert = self.identity.cert
        if not cert.not_valid_before_utc <= gen <= cert.not_valid_after_utc:
            raise _Rejected("system_failure", "the TSA certificate is not valid at this time")
        tlv = _der.tlv
        tst_info = tlv(
            0x30,
            _der.der_uint(1)  # version v1
            + self._policy_der
            + imprint_der  # RFC 3161 §2.4.2: the request's imprint, byte for byte
            + _der.der_uint(serial)
            + _der.der_generalized_time(gen)
            + self._accuracy_der
            + (nonce_der or b"")  # echoed as received
            + self._tsa_der,
        )
        attr_digest = tlv(
            0x30,
            self._oid_message_digest + tlv(0x31, tlv(0x04, _der.digest("sha256", tst_info))),
        )
        # SignedAttributes is a DER SET OF: members sorted by their encodings (RFC 5652 §5.4
        # signs the SET; in the SignerInfo it is tagged [0] IMPLICIT).
        attrs = b"".join(sorted((self._attr_content_type, attr_digest, self._attr_ess)))
        signature = self._sign(tlv(0x31, attrs))
        signer_info = tlv(
            0x30,
            self._signer_head + tlv(0xA0, attrs) + self._sig_alg_der + tlv(0x04, signature),
        )
        encap = tlv(0x30, self._oid_tst_info + tlv(0xA0, tlv(0x04, tst_info)))
        signed_data = tlv(
            0x30,
            self._signed_data_head
            + encap
            + (self._certs_der if cert_req else b"")
            + tlv(0x31, signer_info),
        )
        token = tlv(0x30, self._oid_signed_data + tlv(0xA0, signed_data))
        with self._lock:
            self._issued += 1
        return tlv(0x30, tlv(0x30, _der.der_uint(0)) + token)  # status granted, token

    @staticmethod
    def _reject(fail_info: str, text: str) -> bytes:
        resp = _der.TimeStampResp(
            {
                "status": {
                    "status": "rejection",
                    "status_string": [text],
                    "fail_info": tsp.PKIFailureInfo({fail_info}),
                }
            }
        )
        return cast(bytes, resp.dump())

    def respond(self, request_der: bytes) -> bytes:
        """A DER TimeStampResp for a DER TimeStampReq: granted with a token, or a rejection
        (status 2 with failInfo) for malformed requests, unsupported hashes, policies or
        extensions. Never raises on bad input."""
        try:
            imprint, nonce, cert_req = self._parse_request(request_der)
            return self._grant(imprint, nonce, cert_req)
        except _Rejected as rej:
            return self._reject(rej.fail_info, rej.text)
        except Exception:  # a bug or a key failure must still give the client an answer
            log.exception("TSA failed to sign a token")
            return self._reject("system_failure", "internal error while signing")


# --------------------------------------------------------------------------- HTTP server

_REQUEST_TYPE: Final = "application/timestamp-query"
_REPLY_TYPE: Final = "application/timestamp-reply"


class _HttpServer(ThreadingHTTPServer):
    # Handler threads are joined on close, after their connections are shut down, so no
    # thread or socket outlives stop().
    daemon_threads = False
    block_on_close = True

    def __init__(self, host: str, port: int, authority: TimeStampAuthority, max_bytes: int) -> None:
        self.authority = authority
        self.max_request_bytes = max_bytes
        self._active: set[socket.socket] = set()
        self._active_lock = threading.Lock()
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall for
        # seconds on an offline machine; the name is not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._active_lock:
            self._active.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._active_lock:
            self._active.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._active_lock:
            active = list(self._active)
        for sock in active:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("TSA connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for clients that reuse connections
    server_version = f"QuzhengTSA/{__version__}"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = -1  # headers and body leave in one segment (no Nagle/delayed-ACK stall)
    timeout = 30.0  # a client that stops sending is dropped

    @property
    def _server(self) -> _HttpServer:
        return cast(_HttpServer, self.server)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("TSA %s: " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, ctype: str, *, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 405:
            self.send_header("Allow", "POST")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _text(self, status: int, en: str, zh: str, *, close: bool = False) -> None:
        body = f"{en}\n{zh}\n".encode()
        self._send(status, body, "text/plain; charset=utf-8", close=close)

    def do_GET(self) -> None:
        self._text(
            405,
            f"Quzheng RFC 3161 time-stamping authority: POST an {_REQUEST_TYPE}.",
            f"取证 RFC 3161 时间戳服务：请以 POST 发送 {_REQUEST_TYPE}。",
        )

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def do_HEAD(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "POST")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        if self.headers.get_content_type() != _REQUEST_TYPE:
            self._text(
                415,
                f"Content-Type must be {_REQUEST_TYPE}",
                f"Content-Type 必须是 {_REQUEST_TYPE}",
                close=True,
            )
            return
        raw_length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") or raw_length is None:
            self._text(411, "Content-Length is required", "需要 Content-Length", close=True)
            return
        try:
            length = int(raw_length)
            if length < 0:
                raise ValueError(raw_length)
        except ValueError:
            self._text(400, "bad Content-Length", "Content-Length 无效", close=True)
            return
        if length > self._server.max_request_bytes:
            self._text(413, "request too large", "请求过大", close=True)
            return
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            return
        self._send(200, self._server.authority.respond(body), _REPLY_TYPE)


class TsaServer:
    """The built-in TSA over HTTP, in a background thread. A context manager.

    Binds 127.0.0.1 unless told otherwise; port 0 picks a free port (see ``url``).
    Give ``identity_dir`` (created once, then reused) or a ready ``authority``.
    """

    def __init__(
        self,
        identity_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        authority: TimeStampAuthority | None = None,
        now: Callable[[], dt.datetime] | None = None,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        if (identity_dir is None) == (authority is None):
            raise InputError(
                "give the TSA either an identity folder or an authority",
                "须为时间戳服务提供身份文件夹或签发者之一",
            )
        if authority is None:
            assert identity_dir is not None
            authority = TimeStampAuthority(create_tsa_identity(identity_dir, now=now), now=now)
        self.authority = authority
        self.host = host
        self._port = port
        self._max = max_request_bytes
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def identity(self) -> TsaIdentity:
        return self.authority.identity

    @property
    def trust_anchor_path(self) -> Path:
        return self.authority.identity.root_path

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise InputError("the TSA server is not running", "时间戳服务未运行")
        return self._httpd.server_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> Self:
        """Bind and listen, then serve in a background thread. Returns once listening."""
        if self._httpd is not None:
            return self
        try:
            httpd = _HttpServer(self.host, self._port, self.authority, self._max)
        except OSError as exc:
            raise InputError(
                f"the TSA cannot listen on {self.host}:{self._port}: {exc.strerror or exc}",
                f"时间戳服务无法在 {self.host}:{self._port} 上监听：{os_reason(exc)[1]}",
            ) from exc
        self._httpd = httpd
        self._port = httpd.server_port  # a restart reuses the same port
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"quzheng-tsa-{httpd.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections and release the port. Idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._httpd = self._thread = None
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
