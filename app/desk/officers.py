"""Officer profiles for the windows: who exists, unlocking, and the first-run set-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.desk.tsa import builtin_tsa_url, ensure_builtin_identity
from app.installation import Installation
from forensics.errors import InputError, os_reason
from forensics.identity import (
    BUILTIN_TSA_LABEL,
    Officer,
    Profile,
    Signer,
    cert_fingerprint,
    check_badge,
)
from forensics.trust import organization
from forensics.x509names import subject_text

MIN_PASSPHRASE = 10


@dataclass(frozen=True)
class OfficerInfo:
    badge: str
    name: str
    agency: str
    role: str
    key_fp: str
    self_signed: bool

    @property
    def label(self) -> str:
        return f"{self.name} ({self.badge})"


def list_officers(inst: Installation) -> list[OfficerInfo]:
    ids = inst.ids
    out = []
    for badge in ids.list_badges():
        try:
            o = ids.officer(badge)
        except InputError:
            continue  # a damaged profile is not offered; the CLI reports it
        out.append(
            OfficerInfo(
                badge,
                o.profile.name,
                o.profile.agency,
                o.profile.role,
                o.key_fp,
                o.cert.issuer == o.cert.subject,
            )
        )
    return out


def unlock(inst: Installation, badge: str, passphrase: str) -> Signer:
    """Raises ``AuthError`` on a wrong passphrase (scrypt: call off the GUI thread)."""
    return inst.ids.unlock(badge, passphrase)


def needs_setup(inst: Installation) -> bool:
    """The first-run wizard runs while no officer profile exists."""
    return not inst.ids.list_badges()


@dataclass(frozen=True)
class SetupChoices:
    """What the first-run wizard collected."""

    profile: Profile
    passphrase: str
    ca_mode: str = "none"  # none | trust (a CA certificate file) | create (a local agency CA)
    ca_file: Path | None = None
    ca_name: str = ""
    ca_passphrase: str = ""
    tsa_mode: str = "builtin"  # builtin (training) | urls (casework)
    tsa_urls: str = ""
    tsa_root_file: Path | None = None
    ntp_servers: str = ""
    data_dir: str = ""
    language: str = ""
    builtin_tsa_port: int = 3161


@dataclass(frozen=True)
class SetupResult:
    badge: str
    key_fp: str
    cert_sha256: str
    issued_by_agency: bool


def check_passphrase(passphrase: str, repeat: str) -> str | None:
    """The reason a new passphrase is refused (a code for the window), or None."""
    if len(passphrase) < MIN_PASSPHRASE:
        return "short"
    if passphrase != repeat:
        return "mismatch"
    return None


@dataclass(frozen=True)
class LocalCa:
    """The agency CA this installation holds (it can issue officer certificates)."""

    subject: str
    agency: str
    sha256: str


def local_ca(inst: Installation) -> LocalCa | None:
    cert = inst.ids.ca_cert()
    if cert is None:
        return None
    return LocalCa(subject_text(cert), organization(cert), cert_fingerprint(cert))


def create_officer(
    inst: Installation, profile: Profile, passphrase: str, ca_passphrase: str | None = None
) -> Officer:
    """A new officer profile (off the GUI thread): a self-signed key, or with
    ``ca_passphrase`` a certificate issued by this installation's agency CA. Nothing is
    written when the core refuses (badge taken, wrong CA passphrase)."""
    return inst.ids.new_officer(profile, passphrase, ca_passphrase)


def issue_certificate(inst: Installation, badge: str, ca_passphrase: str) -> Officer:
    """Have the local agency CA issue a certificate for an existing officer's key."""
    return inst.ids.issue(badge, ca_passphrase)


def _setup_refusal(inst: Installation, choices: SetupChoices) -> InputError | None:
    """Why the first-start set-up cannot run here, found before it writes anything."""
    ids = inst.ids
    if not needs_setup(inst):
        return InputError(
            "this installation is already set up: add further officers with "
            "Officer → New officer profile…",
            "本机已完成首次设置：其他执法人员请通过“执法人员 → 新建执法人员档案…”添加",
        )
    check_badge(choices.profile.badge)  # raises InputError naming the badge
    if not choices.profile.name.strip():
        return InputError("the officer's name is empty", "执法人员姓名为空")
    creates_ca = choices.ca_mode == "create"
    if len(choices.passphrase) < MIN_PASSPHRASE or (
        creates_ca and len(choices.ca_passphrase) < MIN_PASSPHRASE
    ):
        return InputError(
            f"a passphrase needs at least {MIN_PASSPHRASE} characters",
            f"口令至少需要 {MIN_PASSPHRASE} 个字符",
        )
    if choices.ca_mode == "create" and ids.has_ca():
        return InputError(
            "an agency CA already exists here: choose another option for the agency certificate",
            "本机已存在机构 CA：请为机构证书选择其他选项",
        )
    if choices.ca_mode == "trust" and (choices.ca_file is None or not choices.ca_file.is_file()):
        return InputError("choose the agency CA certificate file", "请选择机构 CA 证书文件")
    return None


def run_setup(inst: Installation, choices: SetupChoices) -> SetupResult:
    """Create the officer, the agency trust and the settings (off the GUI thread). It runs
    at the first start only: on a home with officers it refuses before writing anything
    (further officers come from ``create_officer``)."""
    refusal = _setup_refusal(inst, choices)
    if refusal is not None:
        raise refusal
    ids = inst.ids
    if choices.ca_mode == "trust":
        if choices.ca_file is None:
            raise InputError("choose the agency CA certificate file", "请选择机构 CA 证书文件")
        ids.trust_ca(_read(choices.ca_file), "agency-ca")
    issued = choices.ca_mode == "create"
    if issued:
        ids.init_ca(
            choices.ca_name or choices.profile.agency,
            choices.ca_passphrase,
            agency=choices.profile.agency,
        )
    officer = ids.new_officer(
        choices.profile, choices.passphrase, choices.ca_passphrase if issued else None
    )
    if choices.tsa_mode == "builtin":
        identity = ensure_builtin_identity(inst)
        ids.trust_tsa(identity.root_path.read_bytes(), BUILTIN_TSA_LABEL)
        inst.set_setting("tsa.urls", builtin_tsa_url(choices.builtin_tsa_port))
    else:
        inst.set_setting("tsa.urls", choices.tsa_urls.strip())
        if choices.tsa_root_file is not None:
            ids.trust_tsa(_read(choices.tsa_root_file), choices.tsa_root_file.stem)
    if choices.ntp_servers.strip():
        inst.set_setting("ntp.servers", choices.ntp_servers.strip())
    inst.set_setting("data.dir", choices.data_dir.strip())
    if choices.language:
        inst.set_setting("ui.language", choices.language)
    return SetupResult(
        choices.profile.badge, officer.key_fp, cert_fingerprint(officer.cert), issued
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror}", f"无法读取 {path}：{os_reason(exc)[1]}"
        ) from None
