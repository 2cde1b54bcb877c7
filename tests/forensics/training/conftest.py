"""Packages of a training case on the practice range (seed 2026), built once per test run.

``complete`` does everything the three exercises ask: shop, licence, product, snapshot,
orders page, live room, a 3-minute screen recording of the stream embedded in a larger
"screen" (so the scorer must locate the player), raw HLS segments and chat in the WARC,
marks, purchase photos, a note, environment checks before and after, two officers, tokens
from the built-in TSA. ``lacking`` leaves out the product snapshot, the check after capture
and the recording.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image, ImageDraw
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.identity import IdentityStore, Profile, Signer
from forensics.package import export_package
from forensics.range import LIVE_HOST, SHOP_HOST, build_content
from forensics.range.video import encode_ts_segment, render_frame
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import AGENCY, PASSPHRASE

SEED = 2026
PORT = 8443
CONTENT = build_content(SEED)


def url(host: str, path: str) -> str:
    return f"https://{host}:{PORT}{path}"


HERO = CONTENT.products[0].product_id
ORDER = CONTENT.orders[0]
ROOM = CONTENT.stream.room_id
LICENCE = CONTENT.shop.licence


@dataclass
class Trainees:
    home: Path
    ids: IdentityStore
    lead: Signer
    second: Signer


@dataclass
class Built:
    path: Path
    config: TsaConfig
    ids: IdentityStore

    @property
    def tsa_roots(self) -> list[bytes]:
        return list(self.config.trust_roots)

    def trust(self) -> dict[str, Any]:
        return {"policy": TrustPolicy.of(self.ids.trusted_cas(), self.tsa_roots)}


def _minimal_report(
    case: Case, records: object, out: Path, package_id: str, sha256: str, sm3: str
) -> None:
    # verify checks that report/report.pdf is present; the report's content is another module's.
    out.write_bytes(b"%PDF-1.4\n% training test report " + package_id.encode() + b"\n%%EOF\n")


@pytest.fixture(scope="session")
def trainees(tmp_path_factory: pytest.TempPathFactory) -> Trainees:
    home = tmp_path_factory.mktemp("training-home")
    ids = IdentityStore(home)
    ids.init_ca("示例市市场监督管理局 CA", PASSPHRASE)
    for name, badge in (("张明", "31000001"), ("李华", "31000002")):
        ids.init_officer(Profile(name, badge, AGENCY), PASSPHRASE)
        ids.issue(badge, PASSPHRASE)
    return Trainees(
        home, ids, ids.unlock("31000001", PASSPHRASE), ids.unlock("31000002", PASSPHRASE)
    )


@pytest.fixture(scope="session")
def tsa_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TsaConfig]:
    with TsaServer(tmp_path_factory.mktemp("training-tsa")) as server:
        yield TsaConfig((server.url,), (server.trust_anchor_path.read_bytes(),), 5.0)


def screen_recording(path: Path, start_s: int, seconds: int) -> Path:
    """A 1-frame-per-second "screen" with the range's player in it, as an officer records."""
    plan = CONTENT.stream
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=1, options={"preset": "ultrafast", "threads": "1"})
        stream.width, stream.height, stream.pix_fmt = 960, 540, "yuv420p"
        stream.time_base = Fraction(1, 1)
        for i in range(seconds + 1):
            screen = Image.new("RGB", (960, 540), (236, 236, 240))
            ImageDraw.Draw(screen).rectangle((0, 0, 960, 40), fill=(60, 60, 70))
            player = render_frame(plan, (start_s + i) * plan.fps).resize((560, 315))
            screen.paste(player, (200, 90))
            frame = av.VideoFrame.from_image(screen)  # type: ignore[no-untyped-call]
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (120, 200)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def _response(
    writer: WARCWriter, target: str, body: bytes, ctype: str, status: str = "200 OK"
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            target, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
        )
    )


def traffic_warc(path: Path) -> tuple[Path, list[str]]:
    html = "text/html; charset=utf-8"
    pages = [
        (url(SHOP_HOST, "/"), f"<html><title>{CONTENT.shop.name}</title></html>".encode(), html),
        (
            url(SHOP_HOST, "/licence"),
            f"<html><h1>营业执照</h1><p>{LICENCE.name}</p><p>统一社会信用代码 {LICENCE.credit_code}</p></html>".encode(),
            html,
        ),
        (url(SHOP_HOST, f"/item/{HERO}"), "<html>正品保证 &amp; 包邮</html>".encode(), html),
        (url(SHOP_HOST, f"/item/{ORDER.product_id}"), b"<html>item</html>", html),
        (url(SHOP_HOST, "/login"), b"<html>login</html>", html),
        (url(SHOP_HOST, "/member/orders"), f"<html>订单号 {ORDER.order_no}</html>".encode(), html),
        (url("api.range.test", f"/v1/items/{HERO}/reviews"), b'{"reviews":[]}', "application/json"),
        (url("img.range.test", f"/p/{HERO}/0.jpg"), b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
        (url(LIVE_HOST, f"/room/{ROOM}"), b"<html>live</html>", html),
        (url(LIVE_HOST, "/ws/chat"), b"", "text/plain"),
        (url(LIVE_HOST, "/hls/live.m3u8"), b"#EXTM3U\n", "application/vnd.apple.mpegurl"),
        # Segment 7 covers stream seconds 14-16: the "genuine" claim is on screen.
        (url(LIVE_HOST, "/hls/seg/7.ts"), encode_ts_segment(CONTENT.stream, 7), "video/mp2t"),
    ]
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for target, body, ctype in pages:
            _response(writer, target, body, ctype)
    return path, [p[0] for p in pages]


@dataclass(frozen=True)
class Media:
    recording: Path
    warc: Path
    urls: tuple[str, ...]


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    d = tmp_path_factory.mktemp("training-media")
    warc, urls = traffic_warc(d / "traffic.warc.gz")
    return Media(screen_recording(d / "screen.mp4", 0, 185), warc, tuple(urls))


def build_case(
    t: Trainees,
    config: TsaConfig,
    media: Media,
    work: Path,
    *,
    lacking: frozenset[str] = frozenset(),
) -> Case:
    work.mkdir(parents=True, exist_ok=True)
    case = Case.create(
        t.home,
        t.lead,
        title="网店及直播间销售假冒商品案（训练）",
        number="示市监训〔2026〕1号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        target={"platform": "练习靶场", "shop": CONTENT.shop.name, "url": url(SHOP_HOST, "/")},
        location="示例市市场监督管理局 取证室",
        purpose="固定网店与直播间销售假冒商品的电子数据",
        officers=[t.second.officer],
    )
    lead = t.lead
    case.ledger.append(lead, "env.check", {"phase": "before", "os": "Debian 12"})
    session = case.start_session(lead, SessionStartData("training", ()))

    def seal(kind: str, file: Path, data: dict[str, object], media_type: str | None = None) -> None:
        case.seal_file(lead, file, kind=kind, data=data, session=session, media_type=media_type)

    case.seal_file(
        lead, media.warc, kind="capture.traffic",
        data={"urls": list(media.urls), "hosts": sorted({u.split("/")[2].split(":")[0] for u in media.urls})},
        session=session, folder="archive", media_type="application/warc", name="traffic-0001.warc.gz",
    )  # fmt: skip
    seal(
        "capture.fullpage",
        png(work / "licence.png", (200, 10, 10)),
        {"url": url(SHOP_HOST, "/licence")},
    )
    seal(
        "capture.fullpage",
        png(work / "item.png", (10, 200, 10)),
        {"url": url(SHOP_HOST, f"/item/{HERO}")},
    )
    if "snapshot" not in lacking:
        snap = work / "item.mhtml"
        snap.write_text("MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n\r\n正品", "utf-8")
        seal(
            "capture.snapshot", snap, {"url": url(SHOP_HOST, f"/item/{HERO}")}, "multipart/related"
        )
    seal(
        "capture.screenshot",
        png(work / "ordered.png", (10, 10, 200)),
        {"url": url(SHOP_HOST, f"/item/{ORDER.product_id}")},
    )
    seal(
        "capture.fullpage",
        png(work / "orders.png", (90, 90, 20)),
        {"url": url(SHOP_HOST, "/member/orders")},
    )
    seal(
        "capture.screenshot",
        png(work / "room.png", (20, 90, 90)),
        {"url": url(LIVE_HOST, f"/room/{ROOM}")},
    )
    if "recording" not in lacking:
        seal(
            "capture.video", media.recording, {"url": url(LIVE_HOST, f"/room/{ROOM}")}, "video/mp4"
        )
        for at in (14_000_000, 98_000_000):
            case.ledger.append(lead, "mark", {"at_us": at, "note": "口播"}, session=session)
    for i, colour in enumerate(((250, 250, 0), (0, 250, 250), (250, 0, 250))):
        case.import_file(lead, png(work / f"photo-{i}.png", colour, (64, 48)), session=session)
    case.note(lead, f"测试购买：订单号 {ORDER.order_no}，已付款并收货拆封。", session=session)
    if "env-after" not in lacking:
        case.ledger.append(
            lead, "env.check", {"phase": "after", "os": "Debian 12"}, session=session
        )
    case.end_session(session, [lead, t.second])
    stamp_pending(case, lead, config)
    return case


def export(
    t: Trainees, config: TsaConfig, case: Case, out: Path, password: str | None = None
) -> Path:
    with case:
        result = export_package(
            case, t.lead, out, password=password, tsa=config, report=_minimal_report
        )
    return result.path


@pytest.fixture(scope="session")
def complete(
    trainees: Trainees,
    tsa_config: TsaConfig,
    media: Media,
    tmp_path_factory: pytest.TempPathFactory,
) -> Built:
    d = tmp_path_factory.mktemp("complete")
    case = build_case(trainees, tsa_config, media, d / "work")
    return Built(export(trainees, tsa_config, case, d / "complete.qzp"), tsa_config, trainees.ids)


@pytest.fixture(scope="session")
def lacking(
    trainees: Trainees,
    tsa_config: TsaConfig,
    media: Media,
    tmp_path_factory: pytest.TempPathFactory,
) -> Built:
    d = tmp_path_factory.mktemp("lacking")
    case = build_case(
        trainees,
        tsa_config,
        media,
        d / "work",
        lacking=frozenset({"snapshot", "env-after", "recording"}),
    )
    return Built(export(trainees, tsa_config, case, d / "lacking.qzp"), tsa_config, trainees.ids)
