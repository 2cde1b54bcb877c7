"""Test material for custody: a complete case exported as a sealed package (built-in TSA,
report included), and a second agency's data home that trusts the sender's CA and the TSA."""

from __future__ import annotations

from pathlib import Path

from app import settings
from app.reporting import report_hook
from forensics.identity import IdentityStore, Profile
from forensics.package import export_package
from forensics.stamping import TsaConfig
from forensics.timestamp import TsaServer
from tests.conftest import PASSPHRASE, World
from tests.forensics.package.conftest import build_case


def use_tsa(home: Path, tsa: TsaServer) -> None:
    """The data home asks ``tsa`` for time-stamps and trusts its root (as the wizard sets up)."""
    IdentityStore(home).trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
    settings.set_value(home, "tsa.urls", tsa.url)


def export_complete_case(world: World, tsa: TsaServer, tmp: Path, name: str = "case.qzp") -> str:
    """Export a complete case (two officers, evidence, a closed session) to ``tmp / name``;
    returns the case id. The case is closed again."""
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)
    with build_case(world, tmp, config) as case:
        export_package(case, world.lead, tmp / name, tsa=config, report=report_hook("zh"))
        return case.case_id


def certified_officers(
    ids: IdentityStore, officers: tuple[tuple[str, str], ...], agency: str
) -> None:
    """Officers certified by their own agency's CA (which the data home then trusts)."""
    ids.init_ca(f"{agency} CA", PASSPHRASE, agency=agency)
    for name, badge in officers:
        ids.init_officer(Profile(name, badge, agency), PASSPHRASE)
        ids.issue(badge, PASSPHRASE)


def police_home(tmp: Path, world: World, tsa: TsaServer) -> IdentityStore:
    """The receiving agency: officers P0001 and P0002, trusting the sender's CA and the TSA."""
    ids = IdentityStore(tmp / "police")
    certified_officers(ids, (("赵警官", "P0001"), ("钱警官", "P0002")), "示例市公安局")
    for pem in sorted((world.home / "trust").glob("*.pem")):
        ids.trust_ca(pem.read_bytes(), pem.stem)
    use_tsa(ids.home, tsa)
    return ids
