"""The engine behind the project's real recording proxy (issue #16's client auth): the
credentials go through Playwright's ``proxy=`` setting (answered over CDP, never on the
command line), the proxy CA is trusted through the SPKI pin only, and the page is recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psutil

from app.capture.chromium.engine import ChromiumEngine, EngineConfig, RequestEvent
from app.capture.chromium.flags import ProxyConfig
from forensics.capture.clientauth import PRIME_HOST
from forensics.capture.controller import RecordingProxy, SegmentInfo
from tests.app.capture.chromium.conftest import CHROMIUM, needs_chromium
from tests.forensics.capture.conftest import (  # noqa: F401 - fixtures
    UPSTREAM_SUFFIX,
    evil_upstream,
    pki,
    proxy_factory,
    upstream,
)
from tests.forensics.capture.test_proxy import read_records

pytestmark = needs_chromium

SHOP = f"shop.{UPSTREAM_SUFFIX}"
T = 60


def test_a_page_through_the_recording_proxy_with_credentials_and_pin(
    proxy_factory: Callable[..., RecordingProxy],  # noqa: F811
    tmp_path: Path,
) -> None:
    segments: list[SegmentInfo] = []
    refused: list[dict[str, object]] = []
    proxy = proxy_factory(on_segment=segments.append, on_refused=refused.append)
    proxy.start()
    user, secret = proxy.credentials
    spki = proxy.disclosure["ca_spki_sha256_b64"]
    assert isinstance(spki, str)
    requests: list[RequestEvent] = []
    engine = ChromiumEngine(
        EngineConfig(
            CHROMIUM,
            headless=True,
            profile_dir=tmp_path / "profile",
            proxy=ProxyConfig(proxy.proxy_url, user, secret),
            ca_spki_sha256_b64=spki,
            prime_url=f"http://{PRIME_HOST}/",
        ),
        on_request=requests.append,
    )
    try:
        engine.start().result(T)  # primes: fails unless the proxy accepted the secret
        # The secret is on no command line of the browser's processes.
        assert engine.browser_pid is not None
        main = psutil.Process(engine.browser_pid)
        for proc in [main, *main.children(recursive=True)]:
            assert secret not in " ".join(proc.cmdline())
        result = engine.navigate(f"https://{SHOP}/").result(T)
        assert result.status == 200  # TLS through the proxy: no certificate error
        assert engine.page_state().result(T).title == "测试店铺"
        assert engine.evaluate("location.protocol").result(T) == "https:"
        assert any(r.url == f"https://{SHOP}/" for r in requests)
    finally:
        engine.close().result(T)
    # The priming challenge is not reported, and nothing of ours was refused. What the
    # proxy does refuse is Chromium's own background traffic from the browser process
    # (update.googleapis.com, accounts.google.com right after launch, even with
    # --disable-background-networking/--disable-component-update): those requests belong
    # to no page, so Playwright's proxy credentials (answered per page over CDP) never
    # reach them. Refused means neither forwarded nor recorded; issue #17 must still
    # decide how to silence them (they are reported like intruders).
    ours = {SHOP, PRIME_HOST}
    for refusal in refused:
        host = str(refusal.get("host", "")).rsplit(":", 1)[0]
        assert host not in ours, refusal
        assert host.endswith((".google.com", ".googleapis.com", ".gstatic.com")), refusal
    segs = proxy.stop()
    records = read_records([s.path for s in segs])
    uris = {r.get("WARC-Target-URI") for r in records}
    assert f"https://{SHOP}/" in uris
    assert not any(PRIME_HOST in (u or "") for u in uris)
    # The secret went nowhere into the record.
    for seg in segs:
        assert secret.encode() not in seg.path.read_bytes()
