"""Verification of RFC 3161 time-stamp tokens: every client-side check of RFC 3161 §2.2.

The steps below are numbered; each failure raises ``TokenError`` with its own stable code,
so "a token for another entry", "a tampered token", "a TSA we do not trust" and "a TSA
certificate not made for time-stamping" are distinct findings.

What it trusts: the trust anchors the caller configures, nothing in the token. The token is
hostile: it is parsed once, in one guarded place, into plain Python values.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import VerifierBuilder, decode_timestamp_response

from forensics.canonical import format_time
from forensics.errors import InputError
from forensics.timestamp import _der
from forensics.timestamp.errors import (
    CROSS_CHECK_FAILED,
    IMPRINT_MISMATCH,
    NONCE_MISMATCH,
    SIGNATURE_INVALID,
    STATUS_REJECTED,
    TOKEN_MALFORMED,
    TSA_CERT_EXPIRED,
    TSA_CERT_UNIDENTIFIED,
    TSA_EKU_MISSING,
    TSA_UNTRUSTED,
    TokenError,
)
from forensics.x509names import name_key, name_text

CertSource = bytes | x509.Certificate
MAX_TOKEN_BYTES: Final = 256 * 1024  # real tokens are 1–10 KB; bound hostile input
_MAX_PATH: Final = 6


@dataclass(frozen=True)
class TokenInfo:
    """What a verified token vouches for. ``chain`` is the validated certificate path as
    PEM, the TSA certificate first and the trust anchor last."""

    gen_time: dt.datetime  # UTC, with microseconds
    serial: str  # decimal; serials reach 160 bits
    policy: str  # dotted OID
    accuracy_us: int | None
    tsa_name: str  # RFC 4514 string of the TSA's name
    hash_alg: str  # "sha256"
    message_imprint: str  # lowercase hex
    nonce: int | None
    chain: tuple[str, ...]
    tsa_cert_sha256: str  # hex fingerprint of the signing certificate
    token_sha256: str  # hex SHA-256 of the token's DER bytes


def token_info_to_json(info: TokenInfo) -> dict[str, Any]:
    """The ledger's view of a token: strings and integers only (no floats, docs/package-format.md §0).
    The nonce is a decimal string because it is 64 bits wide. The chain is stored as files
    (custody/certs), so only the TSA certificate's fingerprint appears here."""
    return {
        "gen_time": format_time(info.gen_time),
        "serial": info.serial,
        "policy": info.policy,
        "accuracy_us": info.accuracy_us,
        "tsa_name": info.tsa_name,
        "hash_alg": info.hash_alg,
        "message_imprint": info.message_imprint,
        "nonce": None if info.nonce is None else str(info.nonce),
        "tsa_cert_sha256": info.tsa_cert_sha256,
        "token_sha256": info.token_sha256,
    }


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Cert:
    der: bytes
    crypto: x509.Certificate
    issuer_key: str  # asn1crypto's normalised form, for RFC 5280 name comparison
    subject_key: str
    subject_text: str  # RFC 4514, never through cryptography's warning name parser
    issuer_text: str
    serial: int
    ski: bytes | None


@dataclass(frozen=True)
class _EssId:
    hash_name: str  # hashlib name
    cert_hash: bytes
    issuers: tuple[str, ...]  # normalised directory names of IssuerSerial, may be empty
    serial: int | None


@dataclass(frozen=True)
class _Parsed:
    signed_data_version: int
    digest_algorithms: frozenset[str]
    econtent_type: str
    econtent: bytes
    certs: tuple[_Cert, ...]
    signer_version: int
    sid_issuer: str | None
    sid_serial: int | None
    sid_ski: bytes | None
    digest_oid: str
    signed_attrs_der: bytes | None  # re-tagged as SET OF, as signed
    attr_types: tuple[str, ...]
    content_types: tuple[str, ...]
    message_digests: tuple[bytes, ...]
    ess: tuple[_EssId, ...] | None  # first ESSCertID(v2) of each attribute present
    signature_oid: str
    signature: bytes
    # TSTInfo
    tst_version: int
    policy: str
    imprint_oid: str
    imprint: bytes
    serial: int
    gen_time: dt.datetime
    accuracy_us: int | None
    nonce: int | None
    tsa_name_key: str | None  # normalised directory name
    tsa_name_text: str | None
    critical_tst_extensions: tuple[str, ...]


def _malformed(en: str, zh: str) -> TokenError:
    return TokenError(TOKEN_MALFORMED, en, zh)


@functools.lru_cache(maxsize=64)
def _parse_cert(der: bytes) -> _Cert:
    """Cached: a TSA's certificates recur in every token it signs."""
    crypto = x509.load_der_x509_certificate(der)
    crypto.public_key()  # an unsupported or corrupt key is a malformed token, found here
    asn = asn1_x509.Certificate.load(der, strict=True)
    tbs = asn["tbs_certificate"]
    try:
        ski: bytes | None = crypto.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value.digest
    except x509.ExtensionNotFound:
        ski = None
    issuer, subject = bytes(tbs["issuer"].dump()), bytes(tbs["subject"].dump())
    return _Cert(
        der=der,
        crypto=crypto,
        issuer_key=name_key(issuer),
        subject_key=name_key(subject),
        subject_text=name_text(subject),
        issuer_text=name_text(issuer),
        serial=int(tbs["serial_number"].native),
        ski=ski,
    )


def _absent(value: Any) -> bool:
    return isinstance(value, core.Void)


def _plain_algorithm(alg: Any) -> str:
    """The OID of an AlgorithmIdentifier whose parameters are absent or NULL (as for every
    hash and signature algorithm we accept); anything else is malformed."""
    if not isinstance(alg["parameters"], core.Void | core.Null):
        raise ValueError(f"unexpected parameters for algorithm {alg['algorithm'].dotted}")
    return str(alg["algorithm"].dotted)


def _accuracy_us(acc: Any) -> int | None:
    if _absent(acc):
        return None
    parts = [acc[f].native or 0 for f in ("seconds", "millis", "micros")]
    if any(p < 0 for p in parts) or parts[1] > 999 or parts[2] > 999:
        raise ValueError("accuracy out of range")
    return int(parts[0]) * 1_000_000 + int(parts[1]) * 1000 + int(parts[2])


def _ess_ids(attr_values: Any, v2: bool) -> _EssId:
    if len(attr_values) != 1:
        raise ValueError("a signing-certificate attribute must have exactly one value")
    first = attr_values[0]["certs"][0]  # the first ESSCertID names the signer (RFC 5035 §5.4)
    if v2:
        hash_oid = first["hash_algorithm"]["algorithm"].dotted
        if hash_oid not in _der.DIGESTS:
            raise ValueError(f"ESSCertIDv2 hash {hash_oid} is not supported")
        hash_name = _der.DIGESTS[hash_oid][0]
    else:
        hash_name = "sha1"
    issuers: tuple[str, ...] = ()
    serial = None
    issuer_serial = first["issuer_serial"]
    if not _absent(issuer_serial):
        issuers = tuple(
            name_key(bytes(gn.chosen.untag().dump()))
            for gn in issuer_serial["issuer"]
            if gn.name == "directory_name"
        )
        serial = int(issuer_serial["serial_number"].native)
    return _EssId(hash_name, bytes(first["cert_hash"].native), issuers, serial)


def _parse(token_der: bytes) -> _Parsed:
    """Steps (1)–(2): the structure, read into plain values in one place. Raises whatever
    asn1crypto or cryptography raise on garbage; the caller turns that into token-malformed.

    Order matters: raw bytes that are hashed or signed (eContent, signed attributes,
    certificates) are taken before their children are read, because asn1crypto re-encodes
    a structure once it has normalised a child (e.g. it adds NULL hash parameters)."""
    ci = cms.ContentInfo.load(token_der, strict=True)  # strict: no trailing bytes
    if ci["content_type"].dotted != _der.OID_SIGNED_DATA:
        raise ValueError("not a CMS SignedData")
    sd = ci["content"]
    encap = sd["encap_content_info"]
    econtent_type = encap["content_type"].dotted
    if _absent(encap["content"]):
        raise ValueError("the signed content (TSTInfo) is missing")
    econtent = bytes(encap["content"].contents)
    tst = tsp.TSTInfo.load(econtent, strict=True)

    certs = []
    if not _absent(sd["certificates"]):
        for choice in sd["certificates"]:
            if choice.name != "certificate":
                continue  # attribute certificates play no part in RFC 3161
            certs.append(_parse_cert(bytes(choice.chosen.dump())))

    if len(sd["signer_infos"]) != 1:
        raise ValueError(f"expected one SignerInfo, found {len(sd['signer_infos'])}")
    si = sd["signer_infos"][0]
    sid = si["sid"]
    sid_issuer = sid_serial = sid_ski = None
    if sid.name == "issuer_and_serial_number":
        sid_issuer = name_key(bytes(sid.chosen["issuer"].dump()))
        sid_serial = int(sid.chosen["serial_number"].native)
    else:
        sid_ski = bytes(sid.chosen.native)

    signed_attrs_der = None
    attr_types: list[str] = []
    content_types: list[str] = []
    digests: list[bytes] = []
    ess: list[_EssId] | None = None
    if not _absent(si["signed_attrs"]):
        contents = bytes(si["signed_attrs"].contents)  # as received: this is what was signed
        signed_attrs_der = b"\x31" + _der.der_length(len(contents)) + contents
        ess = []
        for attr in cms.CMSAttributes.load(signed_attrs_der, strict=True):
            oid = attr["type"].dotted
            attr_types.append(oid)
            if oid == _der.OID_CONTENT_TYPE:
                content_types.extend(v.dotted for v in attr["values"])
            elif oid == _der.OID_MESSAGE_DIGEST:
                digests.extend(bytes(v.native) for v in attr["values"])
            elif oid == _der.OID_SIGNING_CERTIFICATE_V2:
                ess.append(_ess_ids(attr["values"], v2=True))
            elif oid == _der.OID_SIGNING_CERTIFICATE:
                ess.append(_ess_ids(attr["values"], v2=False))

    tsa = tst["tsa"]
    tsa_key = tsa_text = None
    if not _absent(tsa):
        if tsa.name == "directory_name":
            # Shown as the signer's subject, which step (7) checks it equals.
            tsa_key = name_key(bytes(tsa.chosen.untag().dump()))
        else:
            tsa_text = f"{tsa.name}:{tsa.native}"

    critical_ext: tuple[str, ...] = ()
    if not _absent(tst["extensions"]):
        critical_ext = tuple(e["extn_id"].dotted for e in tst["extensions"] if e["critical"].native)
    gen_time = tst["gen_time"].native
    if not isinstance(gen_time, dt.datetime) or gen_time.tzinfo is None:
        raise ValueError("genTime is not a UTC time")
    imprint = tst["message_imprint"]
    nonce = tst["nonce"]
    return _Parsed(
        signed_data_version=int(sd["version"]),
        digest_algorithms=frozenset(_plain_algorithm(a) for a in sd["digest_algorithms"]),
        econtent_type=econtent_type,
        econtent=econtent,
        certs=tuple(certs),
        signer_version=int(si["version"]),
        sid_issuer=sid_issuer,
        sid_serial=sid_serial,
        sid_ski=sid_ski,
        digest_oid=_plain_algorithm(si["digest_algorithm"]),
        signed_attrs_der=signed_attrs_der,
        attr_types=tuple(attr_types),
        content_types=tuple(content_types),
        message_digests=tuple(digests),
        ess=None if ess is None else tuple(ess),
        signature_oid=_plain_algorithm(si["signature_algorithm"]),
        signature=bytes(si["signature"].native),
        tst_version=int(tst["version"]),
        policy=tst["policy"].dotted,
        imprint_oid=_plain_algorithm(imprint["hash_algorithm"]),
        imprint=bytes(imprint["hashed_message"].native),
        serial=int(tst["serial_number"].native),
        gen_time=gen_time.astimezone(dt.UTC),
        accuracy_us=_accuracy_us(tst["accuracy"]),
        nonce=None if _absent(nonce) else int(nonce.native),
        tsa_name_key=tsa_key,
        tsa_name_text=tsa_text,
        critical_tst_extensions=critical_ext,
    )


# --------------------------------------------------------------------------- helpers


def _load_config_certs(blobs: Sequence[CertSource], what_en: str, what_zh: str) -> list[_Cert]:
    """Certificates the caller configured (trust anchors, known TSA certificates)."""
    try:
        certs = _der.load_certificates(blobs if isinstance(blobs, bytes) else list(blobs))
        return [_parse_cert(_der.cert_der(c)) for c in certs]
    except Exception as exc:  # configuration, not evidence: a usage error
        raise InputError(f"cannot read the {what_en}: {exc}", f"无法读取{what_zh}：{exc}") from None


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(ku.key_cert_sign)


def _build_path(leaf: _Cert, pool: Sequence[_Cert], anchors: Sequence[_Cert]) -> list[_Cert] | None:
    """A path leaf → … → trust anchor, each link a verified signature; None if there is none.
    Intermediates must be CAs; the anchor is trusted as configured."""
    anchor_ders = {a.der for a in anchors}

    def walk(path: list[_Cert]) -> list[_Cert] | None:
        cur = path[-1]
        if cur.der in anchor_ders:
            return path
        for a in anchors:
            if a.subject_key == cur.issuer_key and _issued_by(cur.crypto, a.crypto):
                return [*path, a]
        if len(path) >= _MAX_PATH:
            return None
        for cand in pool:
            if (
                all(cand.der != c.der for c in path)
                and cand.subject_key == cur.issuer_key
                and _is_ca(cand.crypto)
                and _issued_by(cur.crypto, cand.crypto)
                and (found := walk([*path, cand])) is not None
            ):
                return found
        return None

    return walk([leaf])


def _verify_signature(p: _Parsed, signer: x509.Certificate) -> None:
    """Step (5): the signature over the signed attributes, by the signer's key."""
    assert p.signed_attrs_der is not None
    kind, sig_hash = _der.SIGNATURES.get(p.signature_oid, ("?", None))
    hash_name = sig_hash or _der.DIGESTS[p.digest_oid][0]
    algo: hashes.HashAlgorithm
    if hash_name == "sha256":
        algo = hashes.SHA256()
    elif hash_name == "sha384":
        algo = hashes.SHA384()
    elif hash_name == "sha512":
        algo = hashes.SHA512()
    else:
        algo = hashes.SM3()
    key = signer.public_key()
    try:
        if kind == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(p.signature, p.signed_attrs_der, ec.ECDSA(algo))
        elif kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(p.signature, p.signed_attrs_der, padding.PKCS1v15(), algo)
        else:
            raise TokenError(
                SIGNATURE_INVALID,
                f"unsupported signature algorithm {p.signature_oid} for a {type(key).__name__} key",
                f"不支持的签名算法 {p.signature_oid}",
            )
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        raise TokenError(
            SIGNATURE_INVALID,
            "the TSA's signature does not match the token's content (altered or corrupt)",
            "时间戳签名与其内容不符（已被篡改或损坏）",
        ) from None


def _check_eku(cert: _Cert) -> None:
    """Step (8), RFC 3161 §2.3: exactly one EKU, id-kp-timeStamping, marked critical; key
    usage, when present, only digitalSignature and/or nonRepudiation (as OpenSSL checks)."""
    subject, signer = cert.subject_text, cert.crypto
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or not eku.critical or list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        why_en = (
            "has no extended key usage"
            if eku is None
            else "has a non-critical extended key usage"
            if not eku.critical
            else "has extended key usages other than only timeStamping"
        )
        why_zh = (
            "没有扩展密钥用途"
            if eku is None
            else "的扩展密钥用途未标记为关键"
            if not eku.critical
            else "的扩展密钥用途不是唯一的 timeStamping"
        )
        raise TokenError(
            TSA_EKU_MISSING,
            f"the TSA certificate {subject} {why_en}; RFC 3161 requires the critical, sole "
            "timeStamping usage",
            f"时间戳服务证书 {subject} {why_zh}；RFC 3161 要求关键且唯一的 timeStamping 用途",
        )
    try:
        ku = signer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if (
        ku.key_encipherment
        or ku.data_encipherment
        or ku.key_agreement
        or ku.key_cert_sign
        or ku.crl_sign
        or not (ku.digital_signature or ku.content_commitment)
    ):
        raise TokenError(
            TSA_EKU_MISSING,
            f"the TSA certificate {subject} allows key usages beyond signing time-stamps",
            f"时间戳服务证书 {subject} 的密钥用途超出签发时间戳的范围",
        )


def response_from_token(token_der: bytes) -> bytes:
    """Wrap a token as a granted TimeStampResp (what ``openssl ts -verify -in`` reads
    without ``-token_in``, and what rfc3161-client parses). The token bytes are kept as is."""
    body = b"\x30\x03\x02\x01\x00" + token_der  # PKIStatusInfo { status granted }
    return b"\x30" + _der.der_length(len(body)) + body


@dataclass(frozen=True)
class ResponseStatus:
    """The status part of a TimeStampResp."""

    status: int
    text: str  # the TSA's statusString, joined
    fail_info: tuple[str, ...]  # asn1crypto names, e.g. ("bad_alg",)

    def describe(self) -> tuple[str, str]:
        name = _der.STATUS_TEXT.get(self.status, "unknown")
        fails = ", ".join(f"{f} ({_der.FAIL_INFO_TEXT.get(f, '?')})" for f in self.fail_info)
        en = f"status {self.status} ({name})"
        zh = f"状态 {self.status}（{name}）"
        if self.text:
            en += f": {self.text}"
            zh += f"：{self.text}"
        if fails:
            en += f"; failInfo {fails}"
            zh += f"；失败信息 {fails}"
        return en, zh


def parse_response(response_der: bytes) -> tuple[ResponseStatus, bytes | None]:
    """A TimeStampResp → its status and the token's DER bytes (None when absent).
    Raises ``TokenError(token-malformed)`` when the bytes are not a TimeStampResp."""
    try:
        resp = _der.TimeStampResp.load(response_der, strict=True)
        token = resp["time_stamp_token"]
        # The token's bytes as received, taken before anything inside it is read (reading
        # makes asn1crypto normalise and re-encode); its structure is verify_token's job.
        token_der = None if _absent(token) else bytes(token.dump())
        info = resp["status"]
        status = int(info["status"])
        text = "" if _absent(info["status_string"]) else " ".join(info["status_string"].native)
        fails = () if _absent(info["fail_info"]) else tuple(sorted(info["fail_info"].native))
    except Exception as exc:  # asn1crypto raises many types on garbage; all mean the same
        raise _malformed(
            f"not an RFC 3161 TimeStampResp ({exc})", f"不是 RFC 3161 时间戳应答（{exc}）"
        ) from None
    return ResponseStatus(status, text, tuple(str(f) for f in fails)), token_der


def token_from_response(response_der: bytes) -> bytes:
    """The token of a granted TimeStampResp; ``TokenError(status-rejected)`` otherwise."""
    status, token = parse_response(response_der)
    if status.status not in (0, 1):
        en, zh = status.describe()
        raise TokenError(STATUS_REJECTED, f"the TSA refused: {en}", f"时间戳服务拒绝：{zh}")
    if token is None:
        raise _malformed("the TSA granted but sent no token", "时间戳服务应答为准许，但未附时间戳")
    return token


# --------------------------------------------------------------------------- verify_token


def verify_token(
    token_der: bytes,
    digest: bytes,
    trust_roots: Sequence[CertSource],
    nonce: int | None = None,
    *,
    extra_certs: Sequence[CertSource] = (),
) -> TokenInfo:
    """Check a TimeStampToken (DER ContentInfo) over ``digest`` (a SHA-256 value) against
    the configured ``trust_roots`` (PEM or DER certificates); ``nonce`` when the request's
    is known. ``extra_certs`` are untrusted certificates that may complete the path (for
    tokens requested without certReq). Returns what the token vouches for; raises
    ``TokenError`` with a distinct ``code`` for each failed check, ``InputError`` for bad
    configuration."""
    anchors = _load_config_certs(trust_roots, "trust anchors", "信任锚")
    if not anchors:
        raise InputError(
            "no trust anchor is configured for time-stamp verification",
            "未配置用于验证时间戳的信任锚",
        )
    extras = _load_config_certs(extra_certs, "extra certificates", "附加证书")
    if not isinstance(digest, bytes) or len(digest) != 32:
        raise InputError(
            "the digest must be 32 bytes of SHA-256", "摘要必须是 32 字节的 SHA-256 值"
        )
    if not isinstance(token_der, bytes | bytearray):
        raise _malformed("the token is not bytes", "时间戳不是字节串")
    token_der = bytes(token_der)

    # (1) a DER ContentInfo holding SignedData, bounded in size, fully parsed once.
    if len(token_der) > MAX_TOKEN_BYTES:
        raise _malformed(
            f"the token is {len(token_der)} bytes, over the {MAX_TOKEN_BYTES}-byte bound",
            f"时间戳长 {len(token_der)} 字节，超过上限 {MAX_TOKEN_BYTES} 字节",
        )
    try:
        p = _parse(token_der)
    except Exception as exc:  # asn1crypto/cryptography raise many types on garbage
        raise _malformed(
            f"not a well-formed RFC 3161 TimeStampToken ({type(exc).__name__}: {exc})",
            f"不是格式正确的 RFC 3161 时间戳（{type(exc).__name__}：{exc}）",
        ) from None

    # (2) the structure RFC 3161 §2.4.2 and RFC 5652 prescribe.
    if p.econtent_type != _der.OID_TST_INFO:
        raise _malformed(
            f"the signed content is {p.econtent_type}, not id-ct-TSTInfo",
            f"签名内容类型为 {p.econtent_type}，不是 id-ct-TSTInfo",
        )
    if p.signed_data_version != 3 or p.tst_version != 1:
        raise _malformed(
            "unexpected SignedData or TSTInfo version", "SignedData 或 TSTInfo 版本不符"
        )
    if (p.signer_version, p.sid_ski is None) not in ((1, True), (3, False)):
        raise _malformed(
            "SignerInfo version does not fit its identifier", "SignerInfo 版本与标识不符"
        )
    if p.digest_oid not in _der.DIGESTS or p.digest_oid not in p.digest_algorithms:
        raise TokenError(
            SIGNATURE_INVALID,
            f"the token is signed with digest {p.digest_oid}, which is weak, unsupported or "
            "not declared",
            f"时间戳的签名摘要算法 {p.digest_oid} 过弱、不受支持或未声明",
        )
    if p.critical_tst_extensions:
        raise _malformed(
            f"the TSTInfo has unknown critical extensions {list(p.critical_tst_extensions)}",
            f"TSTInfo 含未知的关键扩展 {list(p.critical_tst_extensions)}",
        )

    # (3) the signer certificate, named by the SignerInfo's sid, is in the token (or given).
    pool = [*p.certs, *extras]
    signer = next(
        (
            c
            for c in pool
            if (p.sid_ski is not None and c.ski == p.sid_ski)
            or (p.sid_ski is None and c.issuer_key == p.sid_issuer and c.serial == p.sid_serial)
        ),
        None,
    )
    if signer is None:
        raise TokenError(
            TSA_CERT_UNIDENTIFIED,
            "the certificate that signed the token is neither in the token nor given",
            "签发该时间戳的证书既不在时间戳中，也未另行提供",
        )

    # (4) signed attributes bind the content: contentType and messageDigest, once each.
    if p.signed_attrs_der is None:
        raise TokenError(
            SIGNATURE_INVALID,
            "the token has no signed attributes, so nothing binds its content to the signature",
            "时间戳没有签名属性，内容与签名之间无绑定",
        )
    for oid in (
        _der.OID_CONTENT_TYPE,
        _der.OID_MESSAGE_DIGEST,
        _der.OID_SIGNING_CERTIFICATE,
        _der.OID_SIGNING_CERTIFICATE_V2,
    ):
        if p.attr_types.count(oid) > 1:
            raise _malformed(f"signed attribute {oid} appears twice", f"签名属性 {oid} 重复出现")
    content_digest = _der.digest(_der.DIGESTS[p.digest_oid][0], p.econtent)
    if p.content_types != (_der.OID_TST_INFO,) or p.message_digests != (content_digest,):
        raise TokenError(
            SIGNATURE_INVALID,
            "the token's content does not match its signed digest (altered or corrupt)",
            "时间戳内容与其签名摘要不符（已被篡改或损坏）",
        )

    # (5) the signature over the signed attributes.
    _verify_signature(p, signer.crypto)

    # (6) ESSCertID / ESSCertIDv2 (RFC 2634, RFC 5035, RFC 5816) name the signer certificate,
    #     so a certificate with the same key or the same issuer and serial cannot be swapped in.
    subject = signer.subject_text
    if not p.ess:
        raise TokenError(
            TSA_CERT_UNIDENTIFIED,
            "the token has no signing-certificate attribute (ESSCertID or ESSCertIDv2)",
            "时间戳缺少签名证书属性（ESSCertID 或 ESSCertIDv2）",
        )
    for ess in p.ess:
        matches = _der.digest(ess.hash_name, signer.der) == ess.cert_hash and (
            not ess.issuers or (signer.issuer_key in ess.issuers and ess.serial == signer.serial)
        )
        if not matches:
            raise TokenError(
                TSA_CERT_UNIDENTIFIED,
                f"the token's ESSCertID does not identify the certificate {subject} that "
                "signed it (certificate substituted?)",
                f"时间戳中的 ESSCertID 与签发证书 {subject} 不符（证书被替换？）",
            )

    # (7) the TSTInfo's tsa name, when present, is the signer's subject (RFC 3161 §2.4.2).
    if p.tsa_name_key is not None and p.tsa_name_key != signer.subject_key:
        raise TokenError(
            TSA_CERT_UNIDENTIFIED,
            f"the token names a TSA other than its signer {subject}",
            f"时间戳所列的服务名称与签发者 {subject} 不符",
        )

    # (8) the signer certificate is made for time-stamping only.
    _check_eku(signer)

    # (9) a certificate path to a configured trust anchor, every link valid at genTime.
    path = _build_path(signer, pool, anchors)
    if path is None:
        raise TokenError(
            TSA_UNTRUSTED,
            f"the TSA certificate {subject} (issued by {signer.issuer_text}) "
            "does not chain to a configured trust anchor",
            f"时间戳服务证书 {subject}（签发者 {signer.issuer_text}）无法链接到已配置的信任锚",
        )
    for cert in path:
        if not cert.crypto.not_valid_before_utc <= p.gen_time <= cert.crypto.not_valid_after_utc:
            name = cert.subject_text
            raise TokenError(
                TSA_CERT_EXPIRED,
                f"the certificate {name} was not valid at the token's time "
                f"{format_time(p.gen_time)}",
                f"证书 {name} 在时间戳时间 {format_time(p.gen_time)} 时无效",
            )

    # (10) every other certificate in the token is accounted for: a copy of an anchor, or
    #      signed by a known certificate. A corrupt extra certificate is a corrupt token.
    on_path = {c.der for c in path} | {a.der for a in anchors}
    known = [*pool, *anchors]
    for extra in p.certs:
        if extra.der in on_path:
            continue
        if not any(
            k.subject_key == extra.issuer_key and _issued_by(extra.crypto, k.crypto) for k in known
        ):
            raise _malformed(
                f"the certificate {extra.subject_text} in the token does not "
                "verify against any known issuer (corrupt or unrelated)",
                f"时间戳中的证书 {extra.subject_text} 无法由任何已知签发者验证（已损坏或无关）",
            )

    # (11) the imprint is the hash we sent: SHA-256 of the entry.
    if p.imprint_oid != _der.OID_SHA256 or p.imprint != digest:
        got = _der.DIGESTS.get(p.imprint_oid, (p.imprint_oid, 0))[0]
        raise TokenError(
            IMPRINT_MISMATCH,
            f"the token vouches for {got}:{p.imprint.hex()}, not sha256:{digest.hex()}",
            f"该时间戳证明的是 {got}:{p.imprint.hex()}，而非 sha256:{digest.hex()}",
        )

    # (12) the nonce we sent came back (the answer is to our request, not a replay).
    if nonce is not None and p.nonce != nonce:
        raise TokenError(
            NONCE_MISMATCH,
            f"the token's nonce {p.nonce} is not the request's {nonce}",
            f"时间戳的随机数 {p.nonce} 与请求的 {nonce} 不符",
        )

    # (13) an independent implementation agrees (rfc3161-client: PKCS#7 signature and chain,
    #      EKU, imprint, nonce). It should never disagree; if it does, we do not pass it.
    _cross_check(token_der, digest, anchors, extras, nonce, signer.crypto if not p.certs else None)

    # A directoryName was checked equal to the signer's subject in (7); print that.
    tsa_name = p.tsa_name_text if p.tsa_name_key is None and p.tsa_name_text else subject
    return TokenInfo(
        gen_time=p.gen_time,
        serial=str(p.serial),
        policy=p.policy,
        accuracy_us=p.accuracy_us,
        tsa_name=tsa_name,
        hash_alg="sha256",
        message_imprint=p.imprint.hex(),
        nonce=p.nonce,
        chain=tuple(_der.cert_pem(c.crypto) for c in path),
        tsa_cert_sha256=hashlib.sha256(signer.der).hexdigest(),
        token_sha256=hashlib.sha256(token_der).hexdigest(),
    )


def _sorted_certificates(token_der: bytes) -> bytes:
    """The token with its certificate SET in DER order. CMS allows BER outside the signed
    attributes, and OpenSSL's own TSA writes that (unsigned) set unsorted, which the strict
    DER parser of rfc3161-client refuses. Nothing signed changes."""
    ci = cms.ContentInfo.load(token_der)
    sd = ci["content"]
    if _absent(sd["certificates"]):
        return token_der
    ders = [bytes(c.dump()) for c in sd["certificates"]]
    if ders == sorted(ders):
        return token_der
    sd["certificates"] = [cms.CertificateChoices.load(d) for d in sorted(ders)]
    return bytes(ci.dump())


def _cross_check(
    token_der: bytes,
    digest: bytes,
    anchors: Sequence[_Cert],
    extras: Sequence[_Cert],
    nonce: int | None,
    tsa_cert: x509.Certificate | None,
) -> None:
    """Step (13). Only a verdict of rfc3161-client counts: when its strict DER parser cannot
    read a token that steps (1)–(12) accepted (legal BER), there is no second opinion."""
    try:
        response = decode_timestamp_response(response_from_token(_sorted_certificates(token_der)))
    except Exception:  # a parse failure is no verdict, see above
        return
    try:
        verifier = VerifierBuilder(
            roots=[a.crypto for a in anchors],
            intermediates=[e.crypto for e in extras],
            tsa_certificate=tsa_cert,
            nonce=nonce,
        ).build()
        verifier.verify(response, digest)
    except Exception as exc:  # the library raises its own error and ValueError: both count
        raise TokenError(
            CROSS_CHECK_FAILED,
            f"rfc3161-client rejects the token: {exc}",
            f"rfc3161-client 拒绝该时间戳：{exc}",
        ) from None


# --------------------------------------------------------------------------- time agreement


@dataclass(frozen=True)
class TimeAgreement:
    """How a token's genTime compares with the local time written in the stamped entry.

    ``finding`` is None when they agree within accuracy plus tolerance; "clock-ahead" when
    the entry claims a time later than the TSA vouches it existed; "clock-behind" when the
    token came later than allowed although it was requested at once (not queued)."""

    delta_us: int  # genTime minus the entry's local time
    allowed_us: int  # the token's accuracy plus the configured tolerance
    finding: str | None

    def to_json(self) -> dict[str, Any]:
        return {"delta_us": self.delta_us, "allowed_us": self.allowed_us, "finding": self.finding}


def check_time_agreement(
    info: TokenInfo, local_time: dt.datetime, tolerance_us: int, *, queued: bool = False
) -> TimeAgreement:
    """Compare genTime with the entry's local time. A queued token (requested later, when
    the TSA was back) is expected to be late, so only the "clock-ahead" direction counts."""
    if local_time.tzinfo is None:
        raise InputError("naive datetime given where UTC is required", "时间缺少时区")
    delta = (info.gen_time - local_time) // dt.timedelta(microseconds=1)
    allowed = (info.accuracy_us or 0) + max(0, tolerance_us)
    finding = None
    if delta < -allowed:
        finding = "clock-ahead"
    elif delta > allowed and not queued:
        finding = "clock-behind"
    return TimeAgreement(delta_us=delta, allowed_us=allowed, finding=finding)
