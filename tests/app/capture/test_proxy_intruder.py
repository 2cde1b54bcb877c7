"""Issue #16, end to end: during a real capture session (the practice range over TLS, the
recording proxy, Qt WebEngine offscreen), another process on this computer uses the
recording proxy. It is refused, nothing of it is sealed, the browser's own traffic is, and
the refusal is in the ledger as an environment finding."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from app.capture.proxy_watch import PROXY_REFUSED_EN, PROXY_REFUSED_ZH
from app.capture.traffic import normalize_url
from forensics.capture.clientauth import is_browser_background_host
from forensics.case import Case
from forensics.timestamp import TsaServer
from tests.app.capture.conftest import Scenario, verify
from tests.app.capture.test_session_e2e import blob, records, sealed_responses, warc_records
from tests.conftest import World

INTRUDER_PATH = "/intruder-5be2c0-exfil"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the intruder is curl")
def test_another_local_process_is_refused_and_nothing_of_it_is_sealed(
    case: Case, world: World, tsa: TsaServer, scenario: Scenario
) -> None:
    intruder_url = f"https://shop.range.test{INTRUDER_PATH}"
    run: dict[str, Any] = scenario("intruder", case_id=case.case_id, intruder_url=intruder_url)
    assert run["error"] is None, run["_stderr"][-3000:]
    # The browser authenticated before capturing; its own requests were never refused.
    assert run["primed"] is True
    assert run["refused_before_intruder"] == 0
    # The intruder (no credentials, then a wrong secret) got 407 both times.
    assert run["intruder_codes"] == ["407", "407"]
    assert run["refused_total"] == 2
    # The officer was told at once, in both languages.
    assert run["told_live"] and any(
        PROXY_REFUSED_ZH in t and PROXY_REFUSED_EN in t for t in run["told"]
    )

    report = verify(case, world, tsa)
    assert report.bottom_line, [f.text("en") for f in report.errors]

    # Nothing of the intruder is sealed; the browser's pages are.
    sealed = sealed_responses(case)
    for url in run["urls"]:
        assert normalize_url(url) in sealed, url
    for record in records(case, "capture.traffic"):
        data = blob(case, record)
        assert b"intruder-5be2c0" not in data
        for rec in warc_records(data):
            assert INTRUDER_PATH not in (rec.rec_headers.get_header("WARC-Target-URI") or "")

    # The refusal is an environment finding of the session.
    (end,) = [r for r in records(case, "session.end") if r.entry["session"] == run["session"]]
    findings = {f["kind"]: f for f in end.entry["data"]["environment_findings"]}
    assert len(findings) == len(end.entry["data"]["environment_findings"])
    finding = findings.pop("proxy-client-refused")
    assert finding["count"] == 2
    assert [f["credentials"] for f in finding["first"]] == ["none", "wrong"]
    assert all(
        f["method"] == "CONNECT" and f["host"] == "shop.range.test:443" for f in finding["first"]
    )
    assert all(f["client"].startswith("127.0.0.1:") for f in finding["first"])
    assert PROXY_REFUSED_EN in finding["en"] and PROXY_REFUSED_ZH in finding["zh"]
    assert any(PROXY_REFUSED_EN in w for w in end.entry["data"]["warnings"])
    # The browser's own background requests (if its engine made any), refused too, are no
    # intruder: a finding of their own, to its vendor's services only.
    background = findings.pop("browser-background-refused", None)
    assert not findings, findings
    if background is not None:
        assert background["count"] >= 1 and background["hosts"]
        for host_port in background["hosts"]:
            host, _, port = host_port.rpartition(":")
            assert is_browser_background_host(host, int(port)), host_port

    # The disclosure says how clients are admitted; the secret is nowhere in the case.
    (start,) = [r for r in records(case, "session.start") if r.entry["session"] == run["session"]]
    assert "per-session secret" in start.entry["data"]["proxy"]["client_auth"]
    secret = run["secret"].encode()
    assert len(secret) >= 32
    for path in case.store.dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
