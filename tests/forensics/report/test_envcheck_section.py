"""The report reads sealed environment checks (forensics.environment) as they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics.environment import seal_snapshot, snapshot
from forensics.report import ReportSource, build_report
from tests.conftest import World
from tests.forensics.report.builders import create_case
from tests.forensics.report.test_report import NOW, pages_text, squeeze


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_before_and_after_checks_in_report(world: World, tmp_path: Path, lang: str) -> None:
    case = create_case(
        world.home,
        world.lead,
        officers=[(world.second.officer, "officer")],
        title="环境检查",
        number="示市监案〔2026〕3号",
        cause="涉嫌销售假冒商品",
        purpose="固定证据",
        location="取证室",
    )
    with case:
        session = case.start_session(world.lead)
        hosts = tmp_path / "hosts"
        hosts.write_text("127.0.0.1 localhost\n")
        kw = {
            "ntp_servers": ["127.0.0.1:9"],
            "echo_urls": ["http://127.0.0.1:9/"],
            "timeout": 0.3,
            "hosts_path": hosts,
        }
        before = snapshot(["https://shop.range.test/"], **kw)  # type: ignore[arg-type]
        seal_snapshot(case, world.lead, before, phase="before", session=session)
        hosts.write_text("127.0.0.1 localhost\n10.0.0.9 shop.range.test\n")
        after = snapshot(["https://shop.range.test/"], **kw)  # type: ignore[arg-type]
        seal_snapshot(case, world.lead, after, phase="after", session=session)
        case.end_session(session, [world.lead, world.second])
        summary = build_report(
            ReportSource.from_case(case), tmp_path / f"r-{lang}.pdf", lang=lang, now=lambda: NOW
        )
    text = squeeze("".join(pages_text(summary.path)))
    assert "hosts" in text
    # Exactly the recorded change (the hosts file) is reported, not every section.
    changed = [w for w in summary.warnings if w.startswith("environment changed")]
    assert changed and all("hosts" in w.lower() for w in changed), summary.warnings
