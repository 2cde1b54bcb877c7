"""Officers' identities: profile, private key encrypted at rest, X.509 certificate.

Layout under the data directory::

    identities/<badge>/profile.json   name, 执法证号 (badge), agency, role
    identities/<badge>/key.pem        ECDSA P-256 private key, PKCS#8 under scrypt (keywrap), 0600
    identities/<badge>/cert.pem       the officer's certificate, then its CA chain
    ca/ca-key.pem, ca/ca-cert.pem     an agency CA for small agencies and training
    trust/<sha256>.pem                agency CA certificates this installation trusts
    trust/tsa/<sha256>.pem            TSA roots it trusts (and asks for tokens)
    trust/…/<sha256>.labels.json      the labels each anchor was trusted under

Anchors are stored under the SHA-256 of their (first) certificate, so trusting another
root never replaces one already trusted.

Self-signed officer certificates are allowed (REQUIREMENTS.md §C5); their fingerprints are
printed in the paper record for handwritten signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forensics import keywrap
from forensics.atomic import make_private_dir, write_atomic
from forensics.errors import AuthError, InputError, NotFoundError, os_reason
from forensics.keyusage import key_usage
from forensics.trust import TrustPolicy

SIG_ALG = "ecdsa-p256-sha256"
# The file name (stem) under trust/tsa/ of the built-in TSA's root that set-up trusts by
# itself: good for requesting tokens and for training packages, not for evidence.
BUILTIN_TSA_LABEL = "builtin-tsa"
_BADGE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")
_FP_RE = re.compile(r"^[0-9a-f]{64}$")
_LABEL_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")  # display only: never a file name
_CERT_YEARS = 5
_log = logging.getLogger(__name__)


def key_fingerprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """SHA-256 of the public key's SubjectPublicKeyInfo DER (the ledger's ``actor.key``)."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def cert_fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def cert_key_fingerprint(cert: x509.Certificate) -> str:
    pub = cert.public_key()
    if not isinstance(pub, ec.EllipticCurvePublicKey):
        raise InputError("certificate key is not ECDSA", "证书公钥不是 ECDSA")
    return key_fingerprint(pub)


def check_badge(badge: str) -> str:
    if not _BADGE_RE.match(badge):
        raise InputError(
            f"invalid badge number {badge!r}: use letters, digits, '-' or '_' (at most 40)",
            f"执法证号 {badge!r} 无效：只能包含字母、数字、“-”或“_”（最多 40 位）",
        )
    return badge


@dataclass(frozen=True)
class Profile:
    name: str
    badge: str
    agency: str
    role: str = "officer"

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "badge": self.badge, "agency": self.agency, "role": self.role}


@dataclass(frozen=True)
class Officer:
    """An officer's public identity: profile and certificate chain (leaf first)."""

    profile: Profile
    chain: tuple[x509.Certificate, ...]

    @property
    def cert(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def key_fp(self) -> str:
        return cert_key_fingerprint(self.cert)

    def chain_pem(self) -> str:
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain)

    def actor(self) -> dict[str, str]:
        return {"name": self.profile.name, "badge": self.profile.badge, "key": self.key_fp}


@dataclass(frozen=True)
class Signer:
    """An unlocked officer: can sign ledger entries."""

    officer: Officer
    _key: ec.EllipticCurvePrivateKey

    def sign(self, message: bytes) -> dict[str, str]:
        der = self._key.sign(message, ec.ECDSA(hashes.SHA256()))
        return {"alg": SIG_ALG, "value": base64.b64encode(der).decode()}


def verify_signature(cert: x509.Certificate, message: bytes, sig: dict[str, str]) -> bool:
    """True when ``sig`` is a valid signature by ``cert``'s key over ``message``."""
    if sig.get("alg") != SIG_ALG:
        return False
    pub = cert.public_key()
    if not isinstance(pub, ec.EllipticCurvePublicKey):
        return False
    try:
        der = base64.b64decode(sig.get("value", ""), validate=True)
        pub.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _name(cn: str, org: str, serial: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attrs)


def _officer_cert(
    profile: Profile,
    public_key: ec.EllipticCurvePublicKey,
    issuer_name: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    now: datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(profile.name, profile.agency, profile.badge))
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * _CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            key_usage(sign=True, non_repudiation=True),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < 8:
        raise InputError(
            "the passphrase must have at least 8 characters",
            "口令至少需要 8 个字符",
        )


def _encrypt_key(key: ec.EllipticCurvePrivateKey, passphrase: str) -> bytes:
    _check_passphrase(passphrase)
    return keywrap.wrap_key(key, passphrase)


def _load_key(
    path: Path, passphrase: str, what_en: str, what_zh: str
) -> ec.EllipticCurvePrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"{what_en} key not found: {path}", f"{what_zh}私钥不存在：{path}"
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read {what_en} key {path}: {exc.strerror}",
            f"无法读取{what_zh}私钥 {path}：{os_reason(exc)[1]}",
        ) from None
    try:
        key = serialization.load_pem_private_key(data, passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise AuthError(
            f"wrong passphrase for the {what_en} key (or the key file is damaged)",
            f"{what_zh}私钥口令错误（或私钥文件已损坏）",
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InputError(f"{what_en} key is not ECDSA P-256", f"{what_zh}私钥不是 ECDSA P-256")
    if keywrap.needs_rewrap(data):
        # Written under a weaker KDF (PBKDF2 at 2048 iterations before): re-wrap it now that
        # the passphrase is known. A home that cannot be written keeps the old file.
        try:
            write_atomic(path, keywrap.wrap_key(key, passphrase), private=True)
        except OSError as exc:
            _log.warning("could not re-wrap %s under the stronger KDF: %s", path, exc.strerror)
    return key


def load_certs_pem(data: bytes, source: str) -> tuple[x509.Certificate, ...]:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise InputError(
            f"not a PEM certificate file: {source}", f"不是 PEM 证书文件：{source}"
        ) from None
    return tuple(certs)


@dataclass(frozen=True)
class TrustAnchor:
    """A root trusted here: its fingerprint, the labels it was trusted under, its kind."""

    fingerprint: str
    labels: tuple[str, ...]
    cert: x509.Certificate
    tsa: bool

    @property
    def builtin_only(self) -> bool:
        """Trusted only as the built-in TSA set-up trusted by itself: training only."""
        return self.tsa and bool(self.labels) and set(self.labels) <= {BUILTIN_TSA_LABEL}


def _labels_path(pem: Path) -> Path:
    return pem.with_name(pem.stem + ".labels.json")


def _write_labels(pem: Path, labels: tuple[str, ...]) -> None:
    write_atomic(_labels_path(pem), json.dumps({"labels": list(labels)}) + "\n", private=True)


def _read_labels(pem: Path) -> tuple[str, ...]:
    try:
        raw = json.loads(_labels_path(pem).read_text("utf-8"))
        labels = raw["labels"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    if not isinstance(labels, list):
        return ()
    return tuple(x for x in labels if isinstance(x, str) and _LABEL_RE.match(x))


def _builtin_only(pem: Path) -> bool:
    labels = _read_labels(pem)
    return bool(labels) and set(labels) <= {BUILTIN_TSA_LABEL}


class IdentityStore:
    """Officer identities and the optional agency CA under one data directory."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.identities = home / "identities"
        self.ca_dir = home / "ca"
        self.trust_dir = home / "trust"

    # -- officers -----------------------------------------------------------------------

    def _dir(self, badge: str) -> Path:
        return self.identities / check_badge(badge)

    def init_officer(
        self, profile: Profile, passphrase: str, now: datetime | None = None
    ) -> Officer:
        """Create a profile with a new key and a self-signed certificate."""
        now = now or datetime.now(UTC)
        self._check_new(profile)
        d = self._dir(profile.badge)
        make_private_dir(d)
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(profile.name, profile.agency, profile.badge)
        cert = _officer_cert(profile, key.public_key(), name, key, now)
        write_atomic(d / "key.pem", _encrypt_key(key, passphrase), private=True)
        write_atomic(d / "cert.pem", cert.public_bytes(serialization.Encoding.PEM), private=True)
        profile_json = json.dumps(profile.as_json(), ensure_ascii=False, indent=2) + "\n"
        write_atomic(d / "profile.json", profile_json.encode("utf-8"), private=True)
        return Officer(profile, (cert,))

    def _check_new(self, profile: Profile) -> None:
        """Refuse a profile that cannot be created: no name, a bad or taken badge."""
        if not profile.name.strip():
            raise InputError("the officer's name is empty", "执法人员姓名为空")
        if (self._dir(profile.badge) / "key.pem").exists():
            raise InputError(
                f"an officer with badge {profile.badge} already exists",
                f"执法证号 {profile.badge} 的执法人员已存在",
            )

    def list_badges(self) -> list[str]:
        if not self.identities.is_dir():
            return []
        return sorted(p.name for p in self.identities.iterdir() if (p / "profile.json").is_file())

    def officer(self, badge: str) -> Officer:
        d = self._dir(badge)
        try:
            raw = json.loads((d / "profile.json").read_text(encoding="utf-8"))
            profile = Profile(
                str(raw["name"]),
                str(raw["badge"]),
                str(raw["agency"]),
                str(raw.get("role", "officer")),
            )
            chain = load_certs_pem((d / "cert.pem").read_bytes(), str(d / "cert.pem"))
        except FileNotFoundError:
            raise NotFoundError(
                f"no officer with badge {badge} (create one with 'quzheng identity init')",
                f"没有执法证号为 {badge} 的执法人员（请先运行 quzheng identity init）",
            ) from None
        except (ValueError, KeyError, TypeError):
            raise InputError(
                f"officer profile {d} is damaged", f"执法人员档案 {d} 已损坏"
            ) from None
        if not chain:
            raise InputError(f"officer certificate {d / 'cert.pem'} is empty", "执法人员证书为空")
        return Officer(profile, chain)

    def unlock(self, badge: str, passphrase: str) -> Signer:
        officer = self.officer(badge)
        key = _load_key(
            self._dir(badge) / "key.pem", passphrase, f"officer {badge}", f"执法人员 {badge} 的"
        )
        if key_fingerprint(key.public_key()) != officer.key_fp:
            raise InputError(
                f"the certificate of officer {badge} does not belong to its key",
                f"执法人员 {badge} 的证书与私钥不匹配",
            )
        return Signer(officer, key)

    # -- agency CA ----------------------------------------------------------------------

    def init_ca(
        self,
        name: str,
        passphrase: str,
        now: datetime | None = None,
        *,
        agency: str | None = None,
    ) -> x509.Certificate:
        """An agency CA: CN ``name``, O ``agency`` (the agency whose officers it certifies;
        the verifier treats an officer certificate naming that agency but not issued by
        this CA as forged)."""
        now = now or datetime.now(UTC)
        if (self.ca_dir / "ca-key.pem").exists():
            raise InputError("an agency CA already exists here", "此处已存在机构 CA")
        make_private_dir(self.ca_dir)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(name, agency or name)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                key_usage(ca=True),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        write_atomic(self.ca_dir / "ca-key.pem", _encrypt_key(key, passphrase), private=True)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        write_atomic(self.ca_dir / "ca-cert.pem", pem, private=True)
        self.trust_ca(pem, "agency-ca")
        return cert

    def has_ca(self) -> bool:
        """Whether this installation holds an agency CA's key (``init_ca``), so it can issue
        officer certificates."""
        return (self.ca_dir / "ca-key.pem").is_file() and (self.ca_dir / "ca-cert.pem").is_file()

    def ca_cert(self) -> x509.Certificate | None:
        """The local agency CA's certificate, or None when this installation holds none."""
        if not self.has_ca():
            return None
        path = self.ca_dir / "ca-cert.pem"
        certs = load_certs_pem(path.read_bytes(), str(path))
        return certs[0] if certs else None

    def _unlock_ca(
        self, ca_passphrase: str
    ) -> tuple[ec.EllipticCurvePrivateKey, tuple[x509.Certificate, ...]]:
        if not self.has_ca():
            raise NotFoundError(
                "this installation holds no agency CA (create one with 'quzheng ca init')",
                "本机没有机构 CA（可用 quzheng ca init 创建）",
            )
        ca_key = _load_key(self.ca_dir / "ca-key.pem", ca_passphrase, "agency CA", "机构 CA ")
        path = self.ca_dir / "ca-cert.pem"
        ca_chain = load_certs_pem(path.read_bytes(), str(path))
        if not ca_chain or key_fingerprint(ca_key.public_key()) != cert_key_fingerprint(
            ca_chain[0]
        ):
            raise InputError(
                f"the agency CA certificate {path} does not belong to its key",
                f"机构 CA 证书 {path} 与其私钥不匹配",
            )
        return ca_key, ca_chain

    def new_officer(
        self,
        profile: Profile,
        passphrase: str,
        ca_passphrase: str | None = None,
        now: datetime | None = None,
    ) -> Officer:
        """Create an officer profile; with ``ca_passphrase``, its certificate is issued at
        once by the local agency CA. Everything that can be refused (the badge taken, the CA
        missing or its passphrase wrong) is checked before anything is written, so a refusal
        leaves no half-made profile behind."""
        self._check_new(profile)
        _check_passphrase(passphrase)
        unlocked = self._unlock_ca(ca_passphrase) if ca_passphrase is not None else None
        officer = self.init_officer(profile, passphrase, now)
        if unlocked is None:
            return officer
        return self._issue_with(officer, *unlocked, now or datetime.now(UTC))

    def issue(self, badge: str, ca_passphrase: str, now: datetime | None = None) -> Officer:
        """Replace an officer's self-signed certificate with one issued by the agency CA."""
        now = now or datetime.now(UTC)
        officer = self.officer(badge)
        ca_key, ca_chain = self._unlock_ca(ca_passphrase)
        return self._issue_with(officer, ca_key, ca_chain, now)

    def _issue_with(
        self,
        officer: Officer,
        ca_key: ec.EllipticCurvePrivateKey,
        ca_chain: tuple[x509.Certificate, ...],
        now: datetime,
    ) -> Officer:
        badge = officer.profile.badge
        pub = officer.cert.public_key()
        assert isinstance(pub, ec.EllipticCurvePublicKey)  # officer certs are made here
        cert = _officer_cert(officer.profile, pub, ca_chain[0].subject, ca_key, now)
        chain = (cert, *ca_chain)
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
        write_atomic(self._dir(badge) / "cert.pem", pem, private=True)
        return Officer(officer.profile, chain)

    def trust_ca(self, pem: bytes, label: str) -> TrustAnchor:
        """Trust an agency CA (its first certificate is the anchor)."""
        return self._trust(self.trust_dir, pem, label)

    def trust_tsa(self, pem: bytes, label: str) -> TrustAnchor:
        """Trust a time-stamp authority's root certificate for issuing and checking tokens."""
        return self._trust(self.trust_dir / "tsa", pem, label)

    def _trust(self, d: Path, pem: bytes, label: str) -> TrustAnchor:
        """Store ``pem`` under its fingerprint: trusting another root never replaces one
        already trusted, whatever its label; trusting the same root again adds the label."""
        certs = load_certs_pem(pem, label)
        if not certs:
            raise InputError(f"no certificate in {label}", f"{label} 中没有证书")
        label = label.strip() or "trusted"
        if not _LABEL_RE.match(label):
            raise InputError(
                f"a trust label is 1 to 100 printable characters: {label!r}",
                f"信任标签须为 1 至 100 个可打印字符：{label!r}",
            )
        make_private_dir(d)
        self._migrate(d)
        fp = cert_fingerprint(certs[0])
        path = d / f"{fp}.pem"
        if not path.exists():
            write_atomic(path, pem, private=True)
        labels = _read_labels(path)
        if label not in labels:
            labels = (*labels, label)
            _write_labels(path, labels)
        return TrustAnchor(fp, labels, certs[0], d.name == "tsa")

    def _migrate(self, d: Path) -> None:
        """Anchors stored under their label by earlier versions move under their
        fingerprint (the label is kept); a damaged file is left where it is."""
        if not d.is_dir():
            return
        for old in sorted(d.glob("*.pem")):
            if _FP_RE.match(old.stem):
                continue
            try:
                certs = load_certs_pem(old.read_bytes(), str(old))
            except (InputError, OSError):
                continue
            if not certs:
                continue
            fp = cert_fingerprint(certs[0])
            target = d / f"{fp}.pem"
            if not target.exists():
                write_atomic(target, old.read_bytes(), private=True)
            labels = _read_labels(target)
            if old.stem not in labels:
                labels = (*labels, old.stem)
                _write_labels(target, labels)
            old.unlink()

    def trust_anchors(self) -> list[TrustAnchor]:
        """Every anchor trusted here: agency CAs first, then TSA roots."""
        out: list[TrustAnchor] = []
        for d, tsa in ((self.trust_dir, False), (self.trust_dir / "tsa", True)):
            for path in self._anchor_files(d):
                try:
                    certs = load_certs_pem(path.read_bytes(), str(path))
                except InputError:
                    continue
                if certs:
                    out.append(TrustAnchor(path.stem, _read_labels(path), certs[0], tsa))
        return out

    def _anchor_files(self, d: Path) -> list[Path]:
        self._migrate(d)
        return sorted(p for p in d.glob("*.pem") if _FP_RE.match(p.stem)) if d.is_dir() else []

    def _tsa_files(self) -> list[Path]:
        return self._anchor_files(self.trust_dir / "tsa")

    def trusted_tsa_pems(self) -> list[bytes]:
        """Every TSA root this installation asks for tokens from (explicit and built-in)."""
        return [p.read_bytes() for p in self._tsa_files()]

    def trust_policy(
        self, pins: Iterable[str] = (), *, accept_training: bool = False
    ) -> TrustPolicy:
        """The verifier's trust (verifier guide §2.2): the agency CAs and TSA roots trusted
        here, plus ``pins``. The built-in TSA that set-up trusted by itself
        (``BUILTIN_TSA_LABEL``) counts for training packages only; an agency that uses it for
        evidence trusts its root explicitly ('quzheng identity trust --tsa')."""
        files = self._tsa_files()
        return TrustPolicy.of(
            self.trusted_cas(),
            [p.read_bytes() for p in files if not _builtin_only(p)],
            pins=pins,
            builtin_tsa_roots=[p.read_bytes() for p in files if _builtin_only(p)],
            accept_training=accept_training,
        )

    def trusted_cas(self) -> list[x509.Certificate]:
        if not self.trust_dir.is_dir():
            return []
        out: list[x509.Certificate] = []
        for p in self._anchor_files(self.trust_dir):
            out.extend(load_certs_pem(p.read_bytes(), str(p)))
        return out
