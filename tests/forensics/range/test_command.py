"""``serve()``: the CLI command starts, prints where to go, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from forensics.range import SHOP_HOST, RangeError, RangeServer
from forensics.range.client import RangeConnection, client_context, fetch

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics differ on Windows")
def test_serve_prints_urls_and_stops_on_sigterm(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from forensics.range.command import serve; "
        f"sys.exit(serve(0, Path({str(tmp_path)!r}), 7))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        output = "".join(lines)
        port = int(re.search(r"127\.0\.0\.1:(\d+)", output)[1])  # type: ignore[index]
        assert f"https://{SHOP_HOST}:{port}/" in output
        assert "Range CA" in output and "根证书" in output
        ca = tmp_path / "tls" / "range-ca.pem"
        assert str(ca) in output
        connection = RangeConnection(SHOP_HOST, port, client_context(ca))
        try:
            assert fetch(connection, "/licence").status == 200
        finally:
            connection.close()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


def test_port_in_use_is_a_range_error(range_data: Path) -> None:
    with RangeServer(range_data) as first:
        with pytest.raises(RangeError) as caught:
            RangeServer(range_data, port=first.port).start()
        assert "cannot listen" in str(caught.value)
        assert "无法" in caught.value.diagnostics("zh")


def test_not_started_server_has_no_port(range_data: Path) -> None:
    server = RangeServer(range_data)
    with pytest.raises(RangeError):
        server.url(SHOP_HOST, "/")
    server.stop()  # harmless


def test_ca_is_made_once_and_reused(tmp_path: Path) -> None:
    with RangeServer(tmp_path) as server:
        ca = server.ca_cert_path.read_bytes()
        key_mode = (tmp_path / "tls" / "range-ca.key").stat().st_mode & 0o777
    assert key_mode == 0o600
    with RangeServer(tmp_path) as again:
        assert again.ca_cert_path.read_bytes() == ca
    manifest = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert '"quzheng-range-manifest"' in manifest


def test_ca_is_name_constrained(range_data: Path) -> None:
    from cryptography import x509

    with RangeServer(range_data) as server:
        cert = x509.load_pem_x509_certificate(server.ca_cert_path.read_bytes())
    constraints = cert.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    permitted = {str(getattr(n, "value", n)) for n in constraints.value.permitted_subtrees or []}
    assert permitted == {"range.test", "localhost", "127.0.0.0/8"}
