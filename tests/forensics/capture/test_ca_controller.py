"""The per-installation proxy CA and the controller's parsing of the child's reports."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from forensics.capture.ca import ensure_ca
from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.errors import CaptureError


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_ca_is_created_once_with_an_owner_only_key(tmp_path: Path) -> None:
    confdir = tmp_path / "conf"
    info = ensure_ca(confdir)
    assert stat.S_IMODE(confdir.stat().st_mode) == 0o700
    assert stat.S_IMODE(info.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((confdir / "mitmproxy-ca.p12").stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(info.cert_path.read_bytes())
    assert info.sha256 == hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert info.spki_sha256_b64 == base64.b64encode(hashlib.sha256(spki).digest()).decode()
    assert "Quzheng" in info.subject
    # Loosened by someone: tightened again; the CA itself is kept (same fingerprint).
    info.key_path.chmod(0o644)
    again = ensure_ca(confdir)
    assert again.sha256 == info.sha256
    assert stat.S_IMODE(info.key_path.stat().st_mode) == 0o600


def test_ca_in_an_unusable_place_is_a_capture_error(tmp_path: Path) -> None:
    blocker = tmp_path / "conf"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(CaptureError) as info:
        ensure_ca(blocker)
    assert info.value.message_zh


def test_segment_event_parsing() -> None:
    event = {
        "event": "segment",
        "path": "/w/traffic-x.warc.gz",
        "records": 4,
        "bytes": 1234,
        "urls": ["https://a.test/"],
        "hosts": ["a.test"],
        "sensitive": [{"url": "https://a.test/", "headers": ["cookie"]}],
        "started": "2026-01-01T00:00:00.000000Z",
        "ended": "2026-01-01T00:01:00.000000Z",
    }
    info = SegmentInfo.from_event(event)
    assert info.path == Path("/w/traffic-x.warc.gz") and info.sensitive[0].headers == ("cookie",)
    assert info.ledger_data() == {
        "segment": "traffic-x.warc.gz",
        "records": 4,
        "started": "2026-01-01T00:00:00.000000Z",
        "ended": "2026-01-01T00:01:00.000000Z",
        "urls": ["https://a.test/"],
        "hosts": ["a.test"],
        "sensitive": [{"url": "https://a.test/", "headers": ["cookie"]}],
    }
    for broken in ({**event, "urls": "x"}, {**event, "records": "4"}, {"event": "segment"}):
        with pytest.raises(CaptureError):
            SegmentInfo.from_event(broken)


def test_a_child_that_never_listens_times_out_cleanly(tmp_path: Path) -> None:
    import sys

    proxy = RecordingProxy(
        tmp_path / "w",
        tmp_path / "c",
        startup_timeout=1.0,
        command=[sys.executable, "-c", "import time; time.sleep(30)"],
    )
    with pytest.raises(CaptureError) as info:
        proxy.start()
    assert "did not start in time" in info.value.message_en
    assert not proxy.running


def test_not_running_proxy_says_so(tmp_path: Path) -> None:
    proxy = RecordingProxy(tmp_path / "w", tmp_path / "c")
    with pytest.raises(CaptureError):
        _ = proxy.port
    assert proxy.stop() == []


def test_listen_port_from_a_range(tmp_path: Path) -> None:
    """proxy.port_range: the proxy listens on the loopback port it is given."""
    import socket

    from app import settings
    from forensics.capture.controller import RecordingProxy

    home = tmp_path / "home"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        base = s.getsockname()[1]
    settings.set_value(home, "proxy.port_range", f"{base}-{base + 20}")
    port = settings.proxy_port(home)
    assert base <= port <= base + 20
    with RecordingProxy(tmp_path / "work", tmp_path / "ca", listen_port=port) as proxy:
        assert proxy.port == port
