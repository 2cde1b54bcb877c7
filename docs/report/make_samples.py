"""Render the sample report pages in this folder from a practice-range case.

    .venv/bin/python docs/report/make_samples.py [--keep DIR]

What is real: the practice range runs locally and its pages, product photos, live-stream
frames and business licence are fetched over TLS with the range client; the HTML and the
raw exchanges (WARC) are sealed as they came; the case, officers, agency CA, ledger,
signatures and the RFC 3161 tokens (from the built-in TSA) are the real core's.

What stands in for modules not built yet (issues still open): the screenshots are drawn
from the fetched page content instead of grabbed from the browser view; the screen
recording is the range's stream frames encoded to MP4; the clean-environment data and the
proxy disclosure are illustrative values in the shape the ledger will hold them.

Needs poppler-utils (pdftoppm) to turn pages into PNG.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from forensics.case import Case  # noqa: E402
from forensics.identity import IdentityStore, Profile  # noqa: E402
from forensics.range import IMG_HOST, LIVE_HOST, SHOP_HOST, RangeServer  # noqa: E402
from forensics.range.client import RangeConnection, client_context, fetch  # noqa: E402
from forensics.range.video import render_frame  # noqa: E402
from forensics.report import ReportBinding, ReportSource, build_report  # noqa: E402
from forensics.report.fonts import FONT_DIR  # noqa: E402
from forensics.report.tool import tool_info  # noqa: E402
from forensics.stamping import TsaConfig, stamp_pending  # noqa: E402
from forensics.timestamp import TsaServer  # noqa: E402

OUT = Path(__file__).resolve().parent
PASS = "sample passphrase"
AGENCY = "示例市市场监督管理局"


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / "QuzhengSans-Regular.ttf"), size)


def page_picture(
    title: str, lines: list[str], photo: bytes | None, height: int = 800
) -> Image.Image:
    """A screenshot-like picture of a fetched page (the GUI grabs the real browser view)."""
    img = Image.new("RGB", (1280, height), (250, 250, 252))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1280, 64), fill=(200, 30, 40))
    d.text((32, 14), title, font=font(30), fill=(255, 255, 255))
    x = 40
    if photo is not None:
        with Image.open(io.BytesIO(photo)) as p:
            img.paste(p.convert("RGB").resize((420, 420)), (40, 100))
        x = 500
    y = 110
    for line in lines:
        d.text((x, y), line, font=font(26), fill=(30, 30, 30))
        y += 46
    return img


def record(writer: WARCWriter, host: str, path: str, status: int, ctype: str, body: bytes) -> None:
    headers = StatusAndHeaders(f"{status} OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
    rec = writer.create_warc_record(
        f"https://{host}{path}",
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-IP-Address": "127.0.0.1"},
    )
    writer.write_record(rec)


def last_page(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, help="keep the case and PDFs in this folder")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qz-samples-"))
    work = tmp / "work"
    work.mkdir()
    home = tmp / "home"
    ids = IdentityStore(home)
    ids.init_ca(f"{AGENCY} CA", PASS)
    for name, badge in (("张明", "31000001"), ("李华", "31000002"), ("王芳", "31000007")):
        ids.init_officer(Profile(name, badge, AGENCY), PASS)
        ids.issue(badge, PASS)
    lead, second, recorder = (ids.unlock(b, PASS) for b in ("31000001", "31000002", "31000007"))

    with (
        RangeServer(tmp / "range", seed=2026) as rng,
        TsaServer(tmp / "tsa") as tsa,
    ):
        content = rng.content
        shop, lic = content.shop, content.shop.licence
        product = content.products[0]
        case = Case.create(
            home,
            lead,
            title=f"{shop.name}销售假冒“{shop.brand_zh}”商品案",
            number="示市监案〔2026〕17号",
            cause="涉嫌销售侵犯注册商标专用权的商品",
            target={
                "platform": "练习靶场商城（shop.range.test）",
                "shop": shop.name,
                "account": shop.shop_id,
                "url": rng.url(SHOP_HOST, "/"),
                "listing_ids": product.product_id,
            },
            location=f"{AGENCY} 电子数据取证室",
            purpose="固定涉案网店销售、宣传假冒商品的电子数据",
            officers=[second.officer],
        )
        case.add_officer(lead, recorder.officer, role="recorder")
        with case:
            env = {
                "os": platform.platform(),
                "hostname": "qz-lab-01",
                "public_ip": "203.0.113.7",
                "local_ip": "192.168.10.20",
                "dns_servers": ["223.5.5.5", "119.29.29.29"],
                "hosts_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "system_proxy": "none",
                "vpn": False,
                "browser_profile_fresh": True,
            }
            case.ledger.append(
                lead,
                "env.check",
                {
                    **env,
                    "phase": "before",
                    "clock": {"offset_us": 8421, "rtt_us": 2310, "server": "ntp.ntsc.ac.cn"},
                },
            )
            session = case.start_session(
                lead,
                {
                    "tool": tool_info(),
                    "proxy": {
                        "software": "mitmproxy",
                        "mitmproxy": "12.3.0",
                        "listen": "127.0.0.1:8089",
                        "ca_sha256": "9f3c" * 16,
                        "addon_sha256": "51ab" * 16,
                        "modifies_traffic": False,
                    },
                },
            )
            ctx = client_context(rng.ca_cert_path)
            warc_path = work / "traffic-000.warc.gz"
            with open(warc_path, "wb") as wf:
                writer = WARCWriter(wf, gzip=True)
                pages = {}
                for host, path, name in (
                    (SHOP_HOST, "/", "home.html"),
                    (SHOP_HOST, f"/p/{product.product_id}", "product.html"),
                    (SHOP_HOST, "/licence", "licence.html"),
                ):
                    conn = RangeConnection(host, rng.port, ctx)
                    got = fetch(conn, path)
                    conn.close()
                    record(writer, host, path, got.status, "text/html; charset=utf-8", got.body)
                    pages[name] = (path, got.body)
                conn = RangeConnection(IMG_HOST, rng.port, ctx)
                photo = fetch(conn, f"/p/{product.product_id}/0.jpg").body
                conn.close()
                record(writer, IMG_HOST, f"/p/{product.product_id}/0.jpg", 200, "image/jpeg", photo)
            for name, (path, body) in pages.items():
                (work / name).write_bytes(body)
                case.seal_file(
                    lead,
                    work / name,
                    kind="capture.snapshot",
                    data={"url": rng.url(SHOP_HOST, path), "server_ips": ["127.0.0.1"]},
                    session=session,
                    media_type="text/html",
                )
            price = f"¥{product.price_fen / 100:.2f}"
            shot = page_picture(
                shop.name,
                [
                    product.title[:28],
                    f"售价 {price}  月销 {product.monthly_sales}",
                    "正品保证 假一赔十",
                ],
                photo,
            )
            shot.save(work / "product.png")
            case.seal_file(
                lead,
                work / "product.png",
                kind="capture.screenshot",
                data={
                    "url": rng.url(SHOP_HOST, f"/p/{product.product_id}"),
                    "title": product.title,
                    "server_ips": ["127.0.0.1"],
                },
                session=session,
            )
            licence = page_picture(
                "营业执照",
                [
                    f"名称：{lic.name}",
                    f"统一社会信用代码：{lic.credit_code}",
                    f"法定代表人：{lic.legal_representative}",
                    f"住所：{lic.address[:30]}",
                    f"登记机关：{lic.authority}",
                ]
                + [f"经营范围：{lic.business_scope[i : i + 30]}" for i in range(0, 90, 30)]
                + [""] * 20,
                None,
                height=2200,
            )
            licence.save(work / "licence-full.png")
            case.seal_file(
                lead,
                work / "licence-full.png",
                kind="capture.fullpage",
                data={"url": rng.url(SHOP_HOST, "/licence"), "title": "营业执照"},
                session=session,
            )
            # the screen recording: the live room's frames while a claim is on screen
            plan = content.stream
            claim = plan.claims[0]
            first = max(0, claim.start_s - 3) * plan.fps
            video = work / "screen-000.mp4"
            with av.open(str(video), "w") as out:
                st = out.add_stream("libx264", rate=plan.fps)
                st.width, st.height, st.pix_fmt = plan.width, plan.height, "yuv420p"
                st.options = {"preset": "veryfast", "g": str(plan.fps * 2)}
                for n in range(8 * plan.fps):
                    frame = av.VideoFrame.from_image(render_frame(plan, first + n))
                    frame.pts, frame.time_base = n, Fraction(1, plan.fps)
                    for packet in st.encode(frame):
                        out.mux(packet)
                for packet in st.encode():
                    out.mux(packet)
            rec = case.seal_file(
                lead,
                video,
                kind="capture.video",
                data={"segment": 0, "url": rng.url(LIVE_HOST, "/"), "title": plan.title},
                session=session,
                media_type="video/mp4",
            )
            video_sha = rec.entry["items"][0]["sha256"]
            at_us = (claim.start_s * plan.fps - first) * 100_000 + 500_000
            case.ledger.append(
                lead,
                "mark",
                {"at_us": at_us, "note": f"主播口播：{claim.text}", "recording_sha256": video_sha},
                session=session,
            )
            case.seal_file(
                lead,
                warc_path,
                kind="capture.traffic",
                data={
                    "segment": warc_path.name,
                    "records": 4,
                    "urls": [rng.url(SHOP_HOST, p) for p, _ in pages.values()],
                    "hosts": [SHOP_HOST, IMG_HOST],
                },
                session=session,
                media_type="application/warc",
            )
            transcript = work / "transcript.txt"
            transcript.write_text(
                f"00:00:{at_us // 1_000_000:02d}.500 主播：{claim.text}\n", encoding="utf-8"
            )
            case.seal_file(
                lead,
                transcript,
                kind="derive",
                data={
                    "parent_sha256": video_sha,
                    "kind": "transcript",
                    "reason": "录像中的口播转写为文字",
                },
                session=session,
                media_type="text/plain",
            )
            photo_path = work / "试买收货照片.jpg"
            img = Image.new("RGB", (640, 480), (235, 225, 205))
            ImageDraw.Draw(img).rectangle((120, 120, 520, 400), fill=(170, 120, 70))
            ImageDraw.Draw(img).text(
                (150, 240), shop.brand_variant, font=font(48), fill=(255, 255, 255)
            )
            exif = Image.Exif()
            exif[0x010F], exif[0x0110] = "HUAWEI", "P60"
            exif.get_ifd(0x8769)[0x9003] = datetime.now(UTC).strftime("%Y:%m:%d %H:%M:%S")
            img.save(photo_path, "JPEG", exif=exif)
            case.import_file(lead, photo_path, session=session)
            case.note(
                lead,
                f"商品页面标称“正品保证”，售价 {price}；主播口播“{claim.text}”。",
                session=session,
            )
            case.ledger.append(
                lead,
                "env.check",
                {
                    **env,
                    "phase": "after",
                    "clock": {"offset_us": 8977, "rtt_us": 2120, "server": "ntp.ntsc.ac.cn"},
                },
                session=session,
            )
            case.end_session(session, [lead, second])
            config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), timeout=10.0)
            stamp_pending(case, lead, config)
            source = ReportSource.from_case(case)
            zh = build_report(source, tmp / "report-zh.pdf")
            en = build_report(
                source,
                tmp / "report-en.pdf",
                lang="en",
                binding=ReportBinding("QZP-2026-SAMPLE", "0" * 64, "1" * 64),
            )
            print(f"zh: {zh.pages} pages, en: {en.pages} pages")
    for old in OUT.glob("*.png"):
        old.unlink()
    # Numbered pages, and the last one (signatures and certificate fingerprints) by name.
    for pdf, pages, prefix in (
        (tmp / "report-zh.pdf", [(n, f"page-{n}") for n in (1, 3, 5, 6)], "zh"),
        (tmp / "report-en.pdf", [(1, "page-1")], "en"),
    ):
        pages.append((last_page(pdf), "signatures"))
        for n, name in pages:
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "90",
                    "-f",
                    str(n),
                    "-l",
                    str(n),
                    "-singlefile",
                    str(pdf),
                    str(OUT / f"{prefix}-{name}"),
                ],
                check=True,
            )
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for name in ("report-zh.pdf", "report-en.pdf"):
            shutil.copy2(tmp / name, args.keep / name)
    shutil.rmtree(tmp, ignore_errors=True)
    print("PNG pages written to", OUT, os.listdir(OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
