"""``quzheng demo --out DIR``: the whole job, headless, on the practice range.

It starts the practice range and the built-in TSA, creates two officers (certified by a
demo agency CA) and a case inside ``DIR``, and runs one capture session through the
recording proxy: the clean-environment check, a product page (viewport screenshot and
snapshot), the 20,000 px listing (full page), then the live room recorded with a mark; the
screen is recorded continuously and the raw traffic sealed as WARC segments. Both officers
close the session; the case is exported as a sealed package with its report, verified, and
the demo prints where everything is and the verdict.

Nothing leaves 127.0.0.1: the environment check's time servers and IP echo services are the
demo's own empty lists (recorded as "not configured"), and the range's host names resolve
only inside the recording proxy.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.i18n import cli_lang, t
from app.installation import Installation
from app.reporting import report_hook
from forensics.atomic import write_atomic
from forensics.case import Case
from forensics.errors import CaptureError, InputError
from forensics.identity import Profile
from forensics.package import export_package, verify_package
from forensics.stamping import TsaConfig

if TYPE_CHECKING:
    from app.capture.envcheck import EnvCheck

PASS_NOTE = "demo-passphrase.txt"
AGENCY = "示例市市场监督管理局"
LIVE_SECONDS = 30
MARK_AT = 12.0


def _wait(predicate: Callable[[], bool], timeout_s: float) -> bool:
    """Run the Qt event loop until ``predicate()`` holds."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return True


def run_demo(out: Path, *, live_seconds: int = LIVE_SECONDS) -> int:
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise InputError(
            f"{out} is not empty; the demo needs a new or empty folder",
            f"{out} 不是空目录；演示需要新的或空的目录",
        )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from forensics.range import DOMAIN, RangeServer
    from forensics.timestamp import TsaServer

    lang = cli_lang()
    home = out / "home"
    home.mkdir(parents=True, exist_ok=True)
    passphrase = secrets.token_urlsafe(12)
    write_atomic(out / PASS_NOTE, passphrase + "\n", private=True)

    with RangeServer(out / "range") as rng, TsaServer(out / "tsa") as tsa:
        say = print
        inst = Installation(home)
        ids = inst.ids
        ids.init_ca(f"{AGENCY} 演示 CA", passphrase, agency=AGENCY)
        for name, badge in (("张明", "31000001"), ("李华", "31000002")):
            ids.init_officer(Profile(name, badge, AGENCY), passphrase)
            ids.issue(badge, passphrase)
        # The demo's agency runs this TSA for its evidence, so it trusts its root explicitly
        # (a built-in TSA trusted only by set-up counts for training packages alone).
        ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "demo-agency-tsa")
        lead = ids.unlock("31000001", passphrase)
        second = ids.unlock("31000002", passphrase)
        tsa_config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 10.0)
        say(
            t(
                "1/5 practice range, TSA, officers and agency CA ready",
                "1/5 练习靶场、时间戳服务、执法人员与机构 CA 已就绪",
                lang,
            )
        )

        pages = {p["kind"]: p["url"] for p in rng.manifest.to_dict()["pages"]}
        case = Case.create(
            home,
            lead,
            title="凯岚潮品折扣店销售假冒“凯岚”商品案（演示）",
            number="示市监案〔2026〕演示1号",
            cause="涉嫌销售侵犯注册商标专用权的商品",
            target={
                "platform": "练习靶场",
                "shop": "凯岚潮品折扣店",
                "url": pages["home"],
                # The live room as an officer declares it: its room number and the anchor's
                # account (captures of the room repeat them beside the stream URLs seen).
                "room": rng.content.stream.room_id,
                "account": rng.content.stream.anchor,
            },
            location="示例市市场监督管理局 电子数据取证室",
            purpose="固定涉案网店销售、直播宣传假冒商品的电子数据",
            officers=[second.officer],
            agency=AGENCY,
            party="凯岚潮品折扣店（网店经营者，身份待核实）",
            party_not_signed_reason="远程在线取证，当事人不在场",
        )
        with case:
            _session(
                case, inst, rng, DOMAIN, pages, lead, second, tsa_config, live_seconds, say, lang
            )
            say(
                t(
                    "3/5 session closed by both officers",
                    "3/5 取证会话已由两名执法人员签名结束",
                    lang,
                )
            )
            package = out / "case.qzp"
            result = export_package(case, lead, package, tsa=tsa_config, report=report_hook(None))
            say(
                t(
                    "4/5 sealed package exported with its report",
                    "4/5 已导出含提取笔录的证据包",
                    lang,
                )
            )
            report = verify_package(package, inst.trust_policy())
            case_dir = case.store.dir
    verdict = t("PASS", "通过", lang) if report.bottom_line else t("FAIL", "未通过", lang)
    say(t("5/5 package verified", "5/5 证据包已校验", lang))
    say(t("Package: ", "证据包：", lang) + str(result.path))
    say(t("Seal: ", "封签：", lang) + str(result.seal_path))
    say(f"SHA-256: {result.sha256}")
    say(f"SM3:     {result.sm3}")
    say(t("Case directory: ", "案件目录：", lang) + str(case_dir))
    say(t("Data home (QUZHENG_HOME): ", "数据目录（QUZHENG_HOME）：", lang) + str(home))
    say(t("Officers' passphrase: ", "执法人员口令：", lang) + str(out / PASS_NOTE))
    say(
        t("Verify again: ", "再次校验：", lang)
        + f"QUZHENG_HOME={home} quzheng verify {result.path}"
    )
    for f in report.errors:
        say(f"  ✗ [{f.code}] {f.subject}: {f.text(lang)}")
    say(t("Verdict: ", "校验结论：", lang) + verdict)
    return 0 if report.bottom_line else 1


def _demo_env_check(domain: str) -> EnvCheck:
    """The clean-environment check without the internet (see the module docstring)."""

    def check(
        targets: Sequence[str],
        disclosure: Mapping[str, object],
        profile_dir: Path,
        *,
        browser: Mapping[str, Any] | None = None,
    ) -> Any:
        from forensics.environment import snapshot

        def resolve(host: str) -> Sequence[str]:
            # What the recording proxy does for the practice range: *.range.test → loopback.
            return ["127.0.0.1"] if host == domain or host.endswith("." + domain) else []

        return snapshot(
            targets,
            ntp_servers=[],
            echo_urls=[],
            browser_profile=profile_dir,
            capture_browser=browser,
            proxy_disclosure=disclosure,
            resolver=resolve,
            timeout=1.0,
        )

    return check


def _session(
    case: Case,
    inst: Installation,
    rng: Any,
    domain: str,
    pages: dict[str, str],
    lead: Any,
    second: Any,
    tsa: TsaConfig,
    live_seconds: int,
    say: Callable[[str], None],
    lang: str,
) -> None:
    from app.capture.browser import configure_chromium, ensure_application, quiet_qt_messages
    from app.capture.options import CaptureOptions
    from app.capture.recorder import VideoSettings
    from app.capture.session import CaptureSession
    from app.capture.tasks import Outcome

    options = CaptureOptions(
        targets=(pages["home"], pages["live_room"]),
        map_hosts={domain: f"127.0.0.1:{rng.port}"},
        upstream_cas=(rng.ca_cert_path,),
        traffic_segment_seconds=30.0,
        video=VideoSettings(segment_seconds=20.0),
        env_check=_demo_env_check(domain),
        method="demo",
        record_from_start=True,
        browser=inst.browser_choice()[0],
        browser_path=inst.browser_choice()[1],
    )
    # Each seal point is time-stamped as soon as it is sealed, while the session runs.
    session = CaptureSession(inst, case, lead, options=options, out=say, tsa=tsa)
    session.start()
    failure: BaseException | None = None
    browser = None
    try:
        configure_chromium(session.browser_config)
        quiet_qt_messages()
        ensure_application()
        browser = session.open_browser()
        browser.resize(1280, 800)
        browser.show()
        say(
            t(
                "2/5 session started: environment checked, recording",
                "2/5 取证会话开始：已完成清洁性检查，正在录像",
                lang,
            )
        )
        say(
            "   " + t("Capture browser: ", "取证浏览器：", lang) + session.browser_description(lang)
        )

        def visit(url: str) -> None:
            loaded: list[bool] = []
            assert browser is not None
            browser.loaded.connect(loaded.append)
            browser.navigate(url)
            if not _wait(lambda: bool(loaded) or session.error is not None, 60.0) or not loaded[-1]:
                session.check_alive()
                raise CaptureError(f"{url} did not load", f"{url} 未能加载")
            _wait(lambda: False, 1.0)  # let the page paint what it loaded

        def act(start: Callable[[Callable[[Outcome[Any]], None]], None]) -> None:
            box: list[Outcome[Any]] = []
            start(box.append)
            if not _wait(lambda: bool(box) or session.error is not None, 180.0) or not box:
                session.check_alive()
                raise CaptureError("a capture did not finish", "截取未能完成")
            say("   " + box[0].unwrap().summary(lang))

        visit(pages["product"])
        act(session.screenshot)
        act(session.snapshot)
        visit(pages["long"])
        act(session.full_page)
        visit(pages["live_room"])
        act(session.screenshot)
        started = time.monotonic()
        _wait(lambda: time.monotonic() - started >= min(MARK_AT, live_seconds / 2), live_seconds)
        session.mark("直播间主播口播“正品保证”").result(timeout=30)
        _wait(
            lambda: time.monotonic() - started >= live_seconds or session.error is not None,
            live_seconds + 5,
        )
        session.check_alive()
    except Exception as exc:  # close the session first (two signatures), then report
        failure = exc
    finally:
        session.stop_capture()
        if browser is not None:
            browser.shutdown()
        summary = session.finish([lead, second], tsa=tsa, failure=failure)
    for line in summary.lines(lang):
        say("   " + line)
    error = summary.error or failure
    if error is not None:
        raise (
            error
            if isinstance(error, CaptureError)
            else CaptureError(f"capture failed: {error}", f"取证失败：{error}")
        )
