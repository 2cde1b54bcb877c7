"""Deposit, list, search, fetch, re-verify and transfer through the HTTP service, against the
real Ceph RGW and PostgreSQL."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import psycopg
import pytest

from app.reporting import report_hook
from app.vault.auth import sign_headers
from app.vault.custody import seal_deposit, seal_transfer
from app.vault.receipt import check_receipt
from app.vault.server import EMPTY_SHA256
from app.vault.storage import package_key
from forensics.errors import AuthError, IntegrityError, NotFoundError, PolicyError
from forensics.package import export_package, verify_package
from forensics.stamping import stamp_pending
from forensics.verdict import Verdict
from tests.vault.conftest import Agency, Running, rows


def test_deposit_find_fetch_reverify_transfer(
    running: Running, agency: Agency, tmp_path: Path
) -> None:
    w = agency.world
    case, pkg = agency.package()
    lead = running.client(w.lead)
    receipt = lead.deposit(pkg)
    body = check_receipt(receipt, agency.policy, receipt["receipt"]["package_sha256"])
    sha = body["package_sha256"]
    assert body["case_id"] == case.case_id and body["verdict"] == "pass"
    assert body["retention"]["mode"] == "COMPLIANCE"

    # The case seals the receipt as a custody.deposit entry (a seal point), and still verifies.
    rec = seal_deposit(case, w.lead, receipt, agency.policy)
    assert rec.kind == "custody.deposit" and rec.data["package_sha256"] == sha

    # Stored under COMPLIANCE retention, the version the index names.
    row = rows(running.vault.cfg, "SELECT object_version, seal_version FROM packages")[0]
    mode, until = running.vault.store.retention(package_key(sha), str(row[0]))
    assert mode == "COMPLIANCE" and until is not None

    # A retry is idempotent: the first receipt, no second row.
    again = lead.deposit(pkg)
    assert again["receipt"] == receipt["receipt"] and again.get("existing") is True
    assert rows(running.vault.cfg, "SELECT count(*) FROM packages")[0][0] == 1

    # List and search: by case number, party, platform, officer, date.
    assert [r["sha256"] for r in lead.search()] == [sha]
    assert [r["sha256"] for r in lead.search(case_number="12号")] == [sha]
    assert lead.search(case_number="no-such-number") == []
    assert [r["sha256"] for r in lead.search(platform="练习靶场")] == [sha]
    assert [r["sha256"] for r in lead.search(officer=w.second.officer.profile.badge)] == [sha]
    assert lead.search(officer="99999999") == []
    assert [r["sha256"] for r in lead.search(since="2020-01-01")] == [sha]
    assert lead.search(until="2020-01-01") == []

    # An officer of the agency who is not on the case sees nothing of it.
    stranger = running.client(w.stranger)
    assert stranger.search() == []
    with pytest.raises(NotFoundError):
        stranger.fetch(sha, tmp_path)
    # ...until made a reviewer.
    running.vault.grant(w.stranger.officer.key_fp, "reviewer")
    assert [r["sha256"] for r in stranger.search()] == [sha]

    # Fetch: the package and its seal, verifiable by `quzheng verify`, byte-identical.
    out = tmp_path / "fetched"
    out.mkdir()
    got = lead.fetch(sha, out)
    assert got.read_bytes() == pkg.read_bytes()
    assert verify_package(got, agency.policy).verdict is Verdict.PASS

    assert lead.reverify(sha)["verdict"] == "pass"

    # The sweep: the administrator's over HTTP; periodic in the service, one instance at a time.
    with pytest.raises(PolicyError):
        lead.request("POST", "/v1/sweep", {})
    running.vault.grant(w.stranger.officer.key_fp, "admin")
    swept = stranger.request("POST", "/v1/sweep", {})["results"]
    assert [(r["sha256"], r["verdict"]) for r in swept] == [(sha, "pass")]
    with psycopg.connect(running.vault.cfg.pg_dsn) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (0x717A7677,))
        assert running.vault.sweep_once(0) is None  # another instance is sweeping
    assert [r["verdict"] for r in running.vault.sweep_once(0) or []] == ["pass"]

    # Transfer: a time-limited link; the receiver needs no key and verifies what it gets.
    t = lead.transfer(sha, "王法官", "示例市中级人民法院", "庭审举证", 3600)
    court = tmp_path / "court"
    court.mkdir()
    received = running.client(None).fetch_link(t["token"], court)
    assert received.read_bytes() == pkg.read_bytes()
    assert verify_package(received, agency.policy).verdict is Verdict.PASS
    with pytest.raises(NotFoundError):
        running.client(None).fetch_link("not-a-token", court)

    # The sender's case seals the hand-over; with its tokens, the case still verifies as PASS.
    info = lead.request("GET", f"/v1/packages/{sha}")
    sent = seal_transfer(case, w.lead, info, to_name="王法官", to_agency="示例市中级人民法院",
                         reason="庭审举证", expires_at=t["expires_at"])  # fmt: skip
    assert sent.data["package_sha256"] == sha and sent.data["package_size"] == pkg.stat().st_size
    assert stamp_pending(case, w.lead, agency.tsa_config).pending == 0
    assert case.verify(agency.policy).verdict is Verdict.PASS
    # ...and exports again, its report naming the deposit.
    again = export_package(case, w.lead, tmp_path / "again.qzp", tsa=agency.tsa_config,
                           report=report_hook("zh"))  # fmt: skip
    assert verify_package(again.path, agency.policy).verdict is Verdict.PASS

    events = [e["kind"] for e in lead.request("GET", f"/v1/packages/{sha}/events")["events"]]
    assert events == ["deposit", "transfer"]
    log = rows(running.vault.cfg, "SELECT action, actor_badge, outcome FROM access_log ORDER BY id")
    actions = [(a, o.split(":")[0]) for a, _, o in log]  # type: ignore[union-attr]
    assert ("GET /v1/packages", "ok") in actions
    assert any(a.startswith("GET /v1/links") for a, _ in actions)
    assert any(b == w.stranger.officer.profile.badge and o.startswith("refused")
               for _, b, o in log)  # type: ignore[union-attr]  # fmt: skip
    case.close()


def test_refused_deposits(running: Running, agency: Agency, tmp_path: Path) -> None:
    w = agency.world
    case, pkg = agency.package()
    lead = running.client(w.lead)

    # Tampered: one byte of the package changed after sealing.
    bad = tmp_path / "bad" / pkg.name
    bad.parent.mkdir()
    data = bytearray(pkg.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    (bad.parent / (pkg.name + ".seal.json")).write_bytes(
        pkg.with_name(pkg.name + ".seal.json").read_bytes()
    )
    with pytest.raises(IntegrityError, match="altered"):
        lead.deposit(bad)

    # Not an officer of the case: refused even though the package itself is PASS.
    with pytest.raises(Exception, match="not an officer of case"):
        running.client(w.stranger).deposit(pkg)

    # Unsigned requests are refused.
    with pytest.raises(AuthError):
        running.client(None).search()
    # A replayed request (same signature, same nonce) is refused.
    headers = sign_headers(w.lead, "GET", "/v1/packages", EMPTY_SHA256)
    port = int(running.url.rsplit(":", 1)[1])
    statuses = []
    for _ in range(2):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/v1/packages", headers=headers)
        resp = conn.getresponse()
        statuses.append((resp.status, b"replayed" in resp.read()))
        conn.close()
    assert statuses == [(200, False), (401, True)]

    store = running.vault.store
    assert rows(running.vault.cfg, "SELECT count(*) FROM packages")[0][0] == 0
    listed = store.s3.list_objects_v2(Bucket=store.bucket).get("Contents", [])
    assert listed == []
    assert store.s3.list_multipart_uploads(Bucket=store.bucket).get("Uploads", []) == []
    case.close()


def test_stranger_signed_package_refused(
    running: Running, agency: Agency, tmp_path: Path, make_stranger_package: Path
) -> None:
    with pytest.raises(IntegrityError, match="PASS"):
        running.client(agency.world.lead).deposit(make_stranger_package)
    assert rows(running.vault.cfg, "SELECT count(*) FROM packages")[0][0] == 0
    store = running.vault.store
    assert store.s3.list_objects_v2(Bucket=store.bucket).get("Contents", []) == []


@pytest.fixture
def make_stranger_package(agency: Agency, tmp_path: Path) -> Path:
    """A sealed package of another agency whose CA the vault does not trust, naming our lead
    officer's key among its officers (so only the trust policy refuses it)."""
    from forensics.identity import IdentityStore, Profile
    from tests.conftest import PASSPHRASE, World
    from tests.forensics.package.conftest import build_case

    home = tmp_path / "other"
    ids = IdentityStore(home)
    ids.init_ca("别处 CA", PASSPHRASE, agency="别处")
    for name, badge in (("甲", "41000001"), ("乙", "41000002")):
        ids.init_officer(Profile(name, badge, "别处"), PASSPHRASE)
        ids.issue(badge, PASSPHRASE)
    other = World(home, ids, ids.unlock("41000001", PASSPHRASE), ids.unlock("41000002", PASSPHRASE),
                  ids.unlock("41000002", PASSPHRASE))  # fmt: skip
    case = build_case(other, tmp_path, agency.tsa_config)
    case.add_officer(other.lead, agency.world.lead.officer)
    from app.reporting import report_hook
    from forensics.package import export_package

    result = export_package(case, other.lead, tmp_path / "other.qzp", tsa=agency.tsa_config,
                            report=report_hook("zh"))  # fmt: skip
    case.close()
    seal = json.loads(result.path.with_name("other.qzp.seal.json").read_text())
    assert seal["seal"]["sha256"]
    return result.path
