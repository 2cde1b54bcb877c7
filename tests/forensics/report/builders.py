"""A case with one of everything the report shows, built with the real core (no mocks)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw

from forensics.case import Case
from forensics.identity import IdentityStore, Officer, Profile, Signer
from forensics.ledger import ItemSpec, Record

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
    """A ``timestamp`` entry as forensics.stamping writes it (the token is a stand-in)."""
    digests = _token(case)
    return case.ledger.append(
        signer,
        "timestamp",
        {
            "stamped_seq": rec.seq,
            "stamped_hash": rec.hash,
            "tsa_url": "http://127.0.0.1:3180/tsa",
            "tsa_name": "CN=示例时间戳服务",
            "serial": str(serial),
            "gen_time": rec.entry["time"],
            "policy": "1.2.3.4.1",
            "accuracy_us": 1000,
            "queued": serial == 3,
        },
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
    clock_before = {"offset_us": 12345, "rtt_us": 3200, "server": "ntp.ntsc.ac.cn"}
    r["env_before"] = case.ledger.append(
        lead,
        "env.check",
        {
            "phase": "before",
            "os": "Debian GNU/Linux 12",
            "hostname": "qz-lab-01",
            "public_ip": "203.0.113.7",
            "local_ip": "192.168.10.20",
            "dns_servers": ["223.5.5.5", "119.29.29.29"],
            "hosts_sha256": "5" * 64,
            "system_proxy": "none",
            "vpn": False,
            "processes": [f"proc{i}" for i in range(30)],
            "browser_profile_fresh": True,
            "clock": clock_before,
        },
    )
    session = case.start_session(
        lead,
        {
            "tool": {
                "name": "Quzheng 取证",
                "version": "0.1.0",
                "build": "6" * 64,
                "os": "Linux-6.1-x86_64",
                "python": "3.12.8",
            },
            "proxy": PROXY,
        },
    )
    shot = make_png(work / "shot.png", (640, 400), "shop.range.test")
    r["shot"] = case.seal_file(
        lead,
        shot,
        kind="capture.screenshot",
        data={
            "url": "https://shop.range.test/product/1001",
            "title": "示例 正品保证 ¥199",
            "server_ips": ["127.0.0.1"],
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
        data={
            "url": "https://shop.range.test/long",
            "title": "长页面",
            "server": {"ip": "198.51.100.20", "ips": ["198.51.100.20"]},  # as the engine writes
        },
        session=session,
    )
    video = make_mp4(work / "seg-000.mp4")
    r["video"] = case.seal_file(
        lead,
        video,
        kind="capture.video",
        data={
            "segment": 0,
            "url": "https://live.range.test/room/88",
            "live": {
                "platform": "示例直播平台",
                "room_id": "880123",
                "anchor_account": "anchor_li",
                "stream_urls": ["https://live.range.test/hls/live.m3u8"],
            },
        },
        session=session,
        media_type="video/mp4",
    )
    stamp(case, lead, r["video"], 2)
    r["mark"] = case.ledger.append(
        lead,
        "mark",
        {
            "at_us": 1_200_000,
            "note": "主播称“假一赔十”",
            "recording_sha256": r["video"].entry["items"][0]["sha256"],
        },
        session=session,
    )
    warc = work / "traffic-000.warc"
    warc.write_bytes(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n" + b"x" * 2000)
    r["traffic"] = case.seal_file(
        lead,
        warc,
        kind="capture.traffic",
        data={
            "segment": "traffic-000.warc",
            "records": 12,
            "urls": ["https://shop.range.test/", "https://api.range.test/reviews?id=1001"],
            "hosts": ["shop.range.test", "api.range.test"],
            "sensitive": [{"url": "https://shop.range.test/member", "headers": ["Cookie"]}],
        },
        session=session,
        media_type="application/warc",
    )
    photo = make_jpeg_with_exif(work / "现场照片.jpg", "2020:01:02 10:11:12")
    r["photo"] = case.import_file(lead, photo, session=session)
    transcript = work / "transcript.txt"
    transcript.write_text(
        "00:00:01.000 --> 00:00:03.000 主播：本店全部正品，假一赔十。\n"
        "00:00:03.000 --> 00:00:05.000 主播：今天下单再送礼品。\n",
        encoding="utf-8",
    )
    r["transcript"] = case.seal_file(
        lead,
        transcript,
        kind="derive",
        data={
            "parent_sha256": r["video"].entry["items"][0]["sha256"],
            "kind": "transcript",
            "reason": "录像中的语音转写为文字，便于核对",
        },
        session=session,
        media_type="text/plain",
    )
    r["note"] = case.note(lead, "页面标称“正品保证”，售价 199 元。", session=session)
    r["env_after"] = case.ledger.append(
        lead,
        "env.check",
        {
            "phase": "after",
            "os": "Debian GNU/Linux 12",
            "hostname": "qz-lab-01",
            "public_ip": "203.0.113.7",
            "dns_servers": ["223.5.5.5", "119.29.29.29"],
            "hosts_sha256": "5" * 64,
            "system_proxy": "none",
            "clock": {"offset_us": 13010, "rtt_us": 2900, "server": "ntp.ntsc.ac.cn"},
        },
        session=session,
    )
    r["end"] = case.end_session(session, [lead, second])
    stamp(case, lead, r["end"], 3)
    r["transfer"] = case.ledger.append(
        lead,
        "custody.transfer",
        {
            "to_name": "王警官",
            "to_agency": "示例市公安局经济犯罪侦查支队",
            "reason": "涉嫌犯罪，移送公安机关（行刑衔接）",
            "package_sha256": "7" * 64,
        },
    )
    return FullCase(case, r, assistant)
