"""A case with one of everything the report shows, built with the real core (no mocks).

What capture writes and the report once misread is built here by the producers' own code
or types: the tool (``forensics.entry_data.ToolData``, as ``app.capture.qualification``),
the pages (``PageData``, as the capture engines build it), the recording segment
(``app.capture.recorder.VideoSegment.ledger_data``), the mark (``MarkData``, as the
recorder), the traffic segment (``forensics.capture.controller.SegmentInfo.ledger_data``,
as the lead seals it), the transcript (``app.desk.transcript.derive_data``) and the
transfer (``TransferData``, as ``forensics.custody.record_transfer``). The clean-environment
checks are the real snapshot, sealed as capture seals it, against an echo service and a
time server on 127.0.0.1 (``env_check``). The time-stamp entries are typed as stamping
writes them but their tokens are stand-ins (``stamp``), so one can be late on demand; the
report of real captures is tested on the golden package (test_real_package.py) and on the
demo's package (test_demo_report.py).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw

from app.capture.recorder import VideoSegment
from app.capture.start_record import METHOD_QT
from app.desk.transcript import Line, derive_data, to_webvtt
from forensics.capture.controller import SegmentInfo
from forensics.case import Case
from forensics.entry_data import (
    MarkData,
    PageData,
    SensitiveUse,
    SessionStartData,
    TimestampData,
    ToolData,
    TransferData,
)
from forensics.environment import Interface, Proc, seal_snapshot, snapshot
from forensics.identity import IdentityStore, Officer, Profile, Signer
from forensics.ledger import ItemSpec, Record
from tests.forensics.environment.echo_service import echo_services
from tests.forensics.timestamp.sntp_responder import sntp_responders

PASSPHRASE = "correct horse battery"


def make_png(
    path: Path, size: tuple[int, int], text: str = "", color: tuple[int, int, int] = (240, 244, 250)
) -> Path:
    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    for y in range(0, size[1], 40):
        draw.rectangle((10, y + 5, size[0] - 10, y + 30), outline=(90, 110, 160), width=2)
    if text:
        draw.text((16, 12), text, fill=(20, 20, 20))
    img.save(path, "PNG")
    return path


def make_jpeg_with_exif(path: Path, when: str, size: tuple[int, int] = (320, 240)) -> Path:
    img = Image.new("RGB", size, (200, 60, 40))
    ImageDraw.Draw(img).ellipse((40, 30, size[0] - 40, size[1] - 30), fill=(250, 220, 90))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R6"
    exif[0x0132] = when
    exif.get_ifd(0x8769)[0x9003] = when
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 13.0, 30.0)
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 12.0)
    img.save(path, "JPEG", exif=exif)
    return path


def make_mp4(
    path: Path, seconds: int = 2, fps: int = 10, size: tuple[int, int] = (160, 96)
) -> Path:
    """A short H.264 video whose frames change colour every second (frame-accurate checks)."""
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": str(fps), "preset": "ultrafast"}
        for n in range(seconds * fps):
            shade = 40 + 180 * (n // fps) // max(1, seconds - 1)
            img = Image.new("RGB", size, (shade, 80, 255 - shade))
            ImageDraw.Draw(img).rectangle(
                (4, 4, 4 + n * 3 % (size[0] - 8), 20), fill=(255, 255, 255)
            )
            frame = av.VideoFrame.from_image(img)
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def create_case(
    home: Path,
    lead: Signer,
    *,
    officers: Sequence[tuple[Officer, str]] = (),
    **data: Any,
) -> Case:
    """``Case.create`` with the report's optional fields (party, agency, …)."""
    data.setdefault("title", "测试")
    target = data.pop("target", {})
    data.pop("format", None)
    return Case.create(home, lead, target=target, officers=officers, **data)


def _token(case: Case) -> Any:
    return case.store.ingest_stream(
        io.BytesIO(b"0\x82\x01\x00 a stand-in RFC 3161 token " + uuid.uuid4().bytes)
    )


def stamp(case: Case, signer: Signer, rec: Record, serial: int) -> Record:
    """A ``timestamp`` entry as forensics.stamping writes it (``TimestampData``; the token
    is a stand-in, so the third one can be late on demand)."""
    digests = _token(case)
    return case.ledger.append(
        signer,
        "timestamp",
        TimestampData(
            stamped_seq=rec.seq,
            stamped_hash=rec.hash,
            tsa_url="http://127.0.0.1:3180/tsa",
            requested=rec.entry["time"],
            queued=serial == 3,
            attempts_before=0,
            failover=(),
            gen_time=rec.entry["time"],
            serial=str(serial),
            policy="1.2.3.4.1",
            accuracy_us=1000,
            tsa_name="CN=示例时间戳服务",
            hash_alg="sha256",
            message_imprint=rec.hash,
            nonce=str(serial),
            tsa_cert_sha256="9" * 64,
            token_sha256=digests.sha256,
        ).to_json(),
        [
            ItemSpec(
                digests,
                f"{rec.seq}.tsr",
                "application/timestamp-reply",
                folder="custody/timestamps",
            )
        ],
    )


@dataclass
class FullCase:
    case: Case
    records: dict[str, Record]
    assistant: Signer


PROXY = {
    "software": "mitmproxy",
    "mitmproxy": "12.3.0",
    "quzheng": "0.1.0",
    "listen": "127.0.0.1:8089",
    "ca_sha256": "3" * 64,
    "addon_sha256": "4" * 64,
    "modifies_traffic": False,
}


TARGET = "https://shop.range.test/"
# How far the time servers of the two environment checks run ahead of this machine's clock.
CLOCK_AHEAD_S = (0.0123, 0.0130)


def env_check(
    case: Case, signer: Signer, work: Path, phase: str, ahead_s: float, session: str | None = None
) -> Record:
    """A clean-environment check as capture seals it (``forensics.environment``): the real
    snapshot, with an IP echo service and a time server on 127.0.0.1 (the egress IP
    ``ECHO_IP``, the clock ``ahead_s`` behind the server's) and the machine's edges pinned
    (hosts file, resolver settings, processes, interfaces, the desktop's proxy setting)."""
    hosts, resolv = work / "hosts", work / "resolv.conf"
    hosts.write_text("127.0.0.1 localhost\n")
    resolv.write_text("nameserver 223.5.5.5\nnameserver 119.29.29.29\n")
    with echo_services() as echo, sntp_responders() as sntp:
        snap = snapshot(
            [TARGET],
            ntp_servers=[sntp(ahead_s)],
            echo_urls=[echo()],
            resolver=lambda host: ["127.0.0.1"],
            timeout=2.0,
            hosts_path=hosts,
            resolv_conf=resolv,
            etc_environment=work / "environment",
            environ={"PATH": "/usr/bin", "LANG": "C.UTF-8"},
            processes=lambda: [Proc(1, "systemd", "root"), Proc(4242, "quzheng", "officer")],
            interfaces=lambda: [
                Interface("lo", True, ("127.0.0.1", "::1")),
                Interface("eth0", True, ("192.168.10.20",)),
            ],
            run=lambda args, timeout: "'none'\n",
        )
    return seal_snapshot(case, signer, snap, phase=phase, session=session)


def page(url: str, title: str, at: str, **blocks: Any) -> PageData:
    """A page's facts as the capture engines build them (``PageData``), typed by a link."""
    return PageData(
        url=url,
        requested_url=url,
        title=title,
        captured_at=at,
        viewport={"width": 640, "height": 400},
        zoom_percent=100,
        navigation=({"how": "link", "url": url, "time": at},),
        logged_in_account=None,
        **blocks,
    )


def build_full_case(
    home: Path,
    ids: IdentityStore,
    lead: Signer,
    second: Signer,
    recorder: Signer,
    work: Path,
    **extra: Any,
) -> FullCase:
    """Two officers, a recorder and a self-signed assistant; one session with every kind."""
    if "A0001" not in ids.list_badges():
        ids.init_officer(Profile("赵技术", "A0001", "某司法鉴定所"), PASSPHRASE)  # self-signed
    assistant = ids.unlock("A0001", PASSPHRASE)
    data: dict[str, Any] = {
        "title": "某网店销售假冒“示例”商品案",
        "number": "示市监案〔2026〕17号",
        "cause": "涉嫌销售侵犯注册商标专用权的商品",
        "target": {
            "platform": "练习靶场商城",
            "shop": "示例旗舰店",
            "account": "shop_8848",
            "url": "https://shop.range.test/",
        },
        "location": "示例市市场监督管理局 电子取证室",
        "purpose": "固定网店销售假冒商品的电子数据",
        "party": "示例商贸有限公司",
        "agency": "示例市市场监督管理局",
    }
    data.update(extra)
    case = create_case(
        home,
        lead,
        officers=[
            (second.officer, "officer"),
            (recorder.officer, "recorder"),
            (assistant.officer, "assistant"),
        ],
        **data,
    )
    r: dict[str, Record] = {}
    r["env_before"] = env_check(case, lead, work, "before", CLOCK_AHEAD_S[0])
    # The tool as capture writes it (app.capture.qualification builds the same type).
    tool = ToolData("Quzheng 取证", "0.1.0", "6" * 64, "Linux-6.1-x86_64", "3.12.8")
    start = SessionStartData(METHOD_QT, (TARGET,), tool=tool, proxy=PROXY)
    session = case.start_session(lead, start)
    shot = make_png(work / "shot.png", (640, 400), "shop.range.test")
    r["shot"] = case.seal_file(
        lead,
        shot,
        kind="capture.screenshot",
        data={
            **page(
                "https://shop.range.test/product/1001",
                "示例 正品保证 ¥199",
                "2026-11-28T11:29:00Z",
                server={"ip": "127.0.0.1", "ips": ["127.0.0.1"]},
                image={"width": 640, "height": 400, "format": "png"},
            ).to_json(),
            # No producer writes "proves" (what the item is to prove): the report prints it
            # when a ledger holds it.
            "proves": "涉案商品页面标称“正品保证”",
        },
        session=session,
    )
    stamp(case, lead, r["shot"], 1)
    tall = make_png(work / "full.png", (300, 2400), "full page")
    r["full"] = case.seal_file(
        lead,
        tall,
        kind="capture.fullpage",
        data=page(
            "https://shop.range.test/long",
            "长页面",
            "2026-11-28T11:29:30Z",
            server={"ip": "198.51.100.20", "ips": ["198.51.100.20"]},
            image={"width": 300, "height": 2400, "format": "png", "parts": 1},
            parts=(
                {
                    "offset_y": 0,
                    "height": 2400,
                    "wait_ms": 120,
                    "grab_ms": 40,
                    "not_loaded": 0,
                    "flat_below_first_screen": False,
                    "regrabbed": False,
                },
            ),
            method="the view was resized to the page's full height and grabbed whole",
            render_ms=160,
        ).to_json(),
        session=session,
    )
    video = make_mp4(work / "seg-000.mp4")
    recording = str(uuid.uuid4())
    # The segment and the mark as the recorder writes them (app.capture.recorder).
    segment = VideoSegment(
        recording=recording,
        index=0,
        path=video,
        started=datetime(2026, 11, 28, 11, 30, tzinfo=UTC),
        ended=datetime(2026, 11, 28, 11, 30, 2, tzinfo=UTC),
        start_us=0,
        end_us=2_000_000,
        frames=20,
        dropped=0,
        width=160,
        height=96,
        fps=10,
        final=True,
        encoder="libx264",
        urls=("https://live.range.test/room/88",),
        live={
            "platform": "示例直播平台",
            "room_id": "880123",
            "anchor_account": "anchor_li",
            "stream_urls": ["https://live.range.test/hls/live.m3u8"],
        },
    )
    r["video"] = case.seal_file(
        lead,
        video,
        kind="capture.video",
        data=segment.ledger_data(data["number"]),
        session=session,
        media_type="video/mp4",
    )
    stamp(case, lead, r["video"], 2)
    mark = MarkData(
        recording=recording,
        segment=0,
        at_us=1_200_000,
        segment_at_us=1_200_000,
        time="2026-11-28T11:30:01.200000Z",
        note="主播称“假一赔十”",
    )
    r["mark"] = case.ledger.append(lead, "mark", mark.to_json(), session=session)
    warc = work / "traffic-000.warc"
    warc.write_bytes(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n" + b"x" * 2000)
    r["traffic"] = case.seal_file(
        lead,
        warc,
        kind="capture.traffic",
        data=SegmentInfo(
            path=warc,
            records=12,
            bytes=warc.stat().st_size,
            urls=("https://shop.range.test/", "https://api.range.test/reviews?id=1001"),
            hosts=("shop.range.test", "api.range.test"),
            sensitive=(SensitiveUse("https://shop.range.test/member", ("Cookie",)),),
            started="2026-11-28T11:29:00Z",
            ended="2026-11-28T11:31:00Z",
        ).ledger_data(),
        session=session,
        media_type="application/warc",
    )
    photo = make_jpeg_with_exif(work / "现场照片.jpg", "2020:01:02 10:11:12")
    r["photo"] = case.import_file(lead, photo, session=session)
    # The transcript as the desk's transcript dialog seals it (app.desk.transcript).
    lines = [
        Line(1000, 3000, "主播", "本店全部正品，假一赔十。"),
        Line(3000, 5000, "主播", "今天下单再送礼品。"),
    ]
    parent = {"seq": r["video"].seq, **r["video"].entry["items"][0]}
    r["transcript"] = case.seal_stream(
        lead,
        io.BytesIO(to_webvtt(lines)),
        name="transcript.vtt",
        media_type="text/vtt; charset=utf-8",
        kind="derive",
        data=derive_data(parent, lines, "录像中的语音转写为文字，便于核对"),
        session=session,
    )
    r["note"] = case.note(lead, "页面标称“正品保证”，售价 199 元。", session=session)
    r["env_after"] = env_check(case, lead, work, "after", CLOCK_AHEAD_S[1], session)
    r["end"] = case.end_session(session, [lead, second])
    stamp(case, lead, r["end"], 3)
    r["transfer"] = case.ledger.append(
        lead,
        "custody.transfer",
        TransferData(
            to_name="王警官",
            to_badge="",
            to_agency="示例市公安局经济犯罪侦查支队",
            reason="涉嫌犯罪，移送公安机关（行刑衔接）",
            package_file="case.qzp",
            package_id=str(uuid.uuid4()),
            package_sha256="7" * 64,
            package_sm3="8" * 64,
            package_size=4096,
        ).to_json(),
    )
    return FullCase(case, r, assistant)
