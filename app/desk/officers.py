"""Officer profiles for the windows: who exists, unlocking, and the first-run set-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.desk.tsa import builtin_tsa_url, ensure_builtin_identity
from app.installation import Installation
from forensics.errors import InputError
from forensics.identity import BUILTIN_TSA_LABEL, Profile, Signer, cert_fingerprint

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


def run_setup(inst: Installation, choices: SetupChoices) -> SetupResult:
    """Create the officer, the agency trust and the settings (off the GUI thread)."""
    ids = inst.ids
    if choices.ca_mode == "trust":
        if choices.ca_file is None:
            raise InputError("choose the agency CA certificate file", "请选择机构 CA 证书文件")
        ids.trust_ca(_read(choices.ca_file), "agency-ca")
    officer = ids.init_officer(choices.profile, choices.passphrase)
    issued = False
    if choices.ca_mode == "create":
        ids.init_ca(
            choices.ca_name or choices.profile.agency,
            choices.ca_passphrase,
            agency=choices.profile.agency,
        )
        officer = ids.issue(choices.profile.badge, choices.ca_passphrase)
        issued = True
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
            f"cannot read {path}: {exc.strerror}", f"无法读取 {path}：{exc.strerror}"
        ) from None
