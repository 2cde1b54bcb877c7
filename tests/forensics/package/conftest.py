"""A complete case (two officers, evidence, traffic, a closed session, tokens) and its package."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from app.reporting import report_hook
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.package import ExportResult, export_package
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from tests.conftest import World

PASSWORD = "package password 1"


@dataclass
class Exported:
    world: World
    case: Case
    tsa: TsaServer
    config: TsaConfig
    result: ExportResult
    tmp: Path

    @property
    def path(self) -> Path:
        return self.result.path

    @property
    def tsa_roots(self) -> list[bytes]:
        return list(self.config.trust_roots)


def make_warc(path: Path) -> None:
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for i in range(3):
            body = f"<html><title>商品 {i}</title><body>正品保证 ¥{199 + i}</body></html>".encode()
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    f"https://shop.range.test/item/{i}",
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),  # known length: warcio needs no spooled temp file
                    http_headers=headers,
                )
            )


def build_case(world: World, tmp: Path, config: TsaConfig) -> Case:
    case = Case.create(
        world.home,
        world.lead,
        title="网店销售假冒商品案",
        number="示市监案〔2026〕12号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        target={"platform": "练习靶场", "shop": "示例旗舰店", "url": "https://shop.range.test/"},
        location="示例市市场监督管理局 取证室",
        purpose="固定网店销售假冒商品的电子数据",
        officers=[world.second.officer],
    )
    session = case.start_session(world.lead, SessionStartData("test", ()))
    shot = tmp / "shot.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (20, 120, 220)).save(shot)
    case.seal_file(
        world.lead,
        shot,
        kind="capture.screenshot",
        data={"url": "https://shop.range.test/item/1", "title": "商品 1"},
        session=session,
    )
    warc = tmp / "traffic.warc.gz"
    make_warc(warc)
    case.seal_file(
        world.lead,
        warc,
        kind="capture.traffic",
        data={"urls": ["https://shop.range.test/item/0"], "hosts": ["shop.range.test"]},
        session=session,
        folder="archive",
        media_type="application/warc",
        name="segment-0001.warc.gz",
    )
    case.note(world.lead, "页面标称“正品保证”。", session=session)
    case.end_session(session, [world.lead, world.second])
    stamp_pending(case, world.lead, config)
    return case


@pytest.fixture
def make_exported(
    world: World, tsa: TsaServer, tmp_path: Path
) -> Iterator[Callable[..., Exported]]:
    cases: list[Case] = []
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)

    def make(password: str | None = None, name: str = "case.qzp") -> Exported:
        case = build_case(world, tmp_path, config)
        cases.append(case)
        result = export_package(
            case,
            world.lead,
            tmp_path / name,
            password=password,
            tsa=config,
            report=report_hook("zh"),
        )
        return Exported(world, case, tsa, config, result, tmp_path)

    yield make
    for c in cases:
        c.close()


@pytest.fixture
def exported(make_exported: Callable[..., Exported]) -> Exported:
    return make_exported()


def rewrite(src: Path, dst: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Copy a (plain) package with its members changed: the attacker's tool."""
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    change(members)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
