"""Every kind of page over TLS trusting only the range CA, on HTTP/1.1 and HTTP/2."""

from __future__ import annotations

import json
import re
import ssl
from html import unescape
from io import BytesIO
from urllib.parse import quote, urlsplit

import pytest
from PIL import Image

from forensics.range import API_HOST, IMG_HOST, LIVE_HOST, SHOP_HOST, RangeServer
from forensics.range.client import client_context
from tests.forensics.range.conftest import FakeClock, Get
from tests.forensics.range.protocols import h2_get_many


def _text(html: str) -> str:
    """Visible text, roughly: enough to check what a page shows."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_manifest_page_is_served_with_its_facts(server: RangeServer, get: Get) -> None:
    manifest = server.manifest
    checked: set[str] = set()
    for page in manifest.pages:
        if page.needs_login or (page.kind == "product" and page.kind in checked):
            continue
        host = urlsplit(page.url).hostname
        assert host is not None
        response = get(host, _path(page.url))
        assert response.status == 200, page.url
        assert response.header("content-type") == "text/html; charset=utf-8"
        assert "content-security-policy" in response.headers
        text = _text(response.text)
        facts = page.facts
        for key in ("shop_name", "company", "credit_code", "legal_representative", "title"):
            if key in facts:
                assert facts[key] in text, (page.kind, key)
        for key in ("price", "original_price", "sales"):
            if key in facts:
                assert facts[key] in text, (page.kind, key)
        for product_id in facts.get("product_ids", []):
            assert f'data-product-id="{product_id}"' in response.text or product_id in text
        if page.kind == "bot_check":
            assert facts["challenge_text"] in text
            assert response.header("x-range-challenge") == "slider"
        checked.add(page.kind)
    assert checked >= {"home", "licence", "listing", "search", "product", "long", "flash"}


def test_licence_page_shows_a_valid_credit_code(server: RangeServer, get: Get) -> None:
    from forensics.range import is_valid_credit_code

    licence = server.content.shop.licence
    page = get(SHOP_HOST, "/licence").text
    assert "营业执照" in page
    assert licence.credit_code in page and is_valid_credit_code(licence.credit_code)
    for value in (licence.name, licence.address, licence.authority, licence.registered_capital):
        assert value in unescape(page)


def test_long_page_lists_every_product_with_lazy_images(server: RangeServer, get: Get) -> None:
    page = get(SHOP_HOST, "/all").text
    rows = re.findall(r'<article class="row"', page)
    assert len(rows) == len(server.content.products)
    assert len(rows) * 300 >= 20_000
    assert page.count('loading="lazy"') >= len(rows)
    assert page.count("data-src=") >= len(rows)
    css = get(SHOP_HOST, "/static/range.css").text
    assert ".long-list .row { height: 300px;" in css


def test_product_page_and_its_api(server: RangeServer, get: Get) -> None:
    item = server.content.products[3]
    page = get(SHOP_HOST, f"/item/{item.product_id}").text
    assert unescape(item.title) in unescape(page)
    assert f"/v1/items/{item.product_id}/reviews" in page  # reviews come by fetch
    reviews = get(API_HOST, f"/v1/items/{item.product_id}/reviews")
    assert reviews.status == 200
    assert reviews.header("cache-control") == "no-store"
    data = json.loads(reviews.body)
    assert [r["text"] for r in data["reviews"]] == [r.text for r in item.reviews]
    detail = json.loads(get(API_HOST, f"/v1/items/{item.product_id}").body)
    assert detail["price_fen"] == item.price_fen
    assert get(SHOP_HOST, "/item/000000").status == 404


def test_api_lists_searches_and_answers_cors(server: RangeServer, get: Get) -> None:
    port = server.port
    origin = f"https://shop.range.test:{port}"
    hot = get(API_HOST, "/v1/products?sort=sales&size=8", headers={"Origin": origin})
    assert hot.header("access-control-allow-origin") == origin
    items = json.loads(hot.body)["items"]
    sales = [i["monthly_sales"] for i in items]
    assert sales == sorted(sales, reverse=True) and len(items) == 8
    assert set(server.manifest.pages[0].facts["hot_product_ids"]) == {
        i["product_id"] for i in items
    }
    foreign = get(API_HOST, "/v1/shop", headers={"Origin": "https://evil.example"})
    assert foreign.header("access-control-allow-origin") is None
    preflight = get(API_HOST, "/v1/shop", method="OPTIONS", headers={"Origin": origin})
    assert preflight.status == 204
    assert "GET" in (preflight.header("access-control-allow-methods") or "")
    category = server.content.products[0].category
    found = json.loads(get(API_HOST, "/v1/products?q=" + quote(category)).body)
    assert found["total"] == len(server.content.search(category)) > 0
    assert get(API_HOST, "/v1/products?sort=bogus").status == 400
    assert get(API_HOST, "/v1/nothing").status == 404


def test_search_page(server: RangeServer, get: Get) -> None:
    query = server.content.search_examples[1]
    page = get(SHOP_HOST, "/search?q=" + quote(query)).text
    hits = server.content.search(query)
    assert f'<b id="result-count">{len(hits)}</b>' in page
    empty = get(SHOP_HOST, "/search?q=" + quote("<script>不存在</script>")).text
    assert "<script>不存在" not in empty  # the query is escaped
    assert '<b id="result-count">0</b>' in empty


def test_listing_pages_and_bounds(get: Get) -> None:
    assert get(SHOP_HOST, "/list?page=4").status == 200
    assert get(SHOP_HOST, "/list?page=5").status == 404
    assert get(SHOP_HOST, "/list?page=abc").status == 400


def test_login_flow(server: RangeServer, get: Get) -> None:
    account = server.content.accounts[0]
    anonymous = get(SHOP_HOST, "/member/orders")
    assert anonymous.status == 303
    assert anonymous.header("location") == "/login?next=/member/orders"
    wrong = get(
        SHOP_HOST,
        "/login",
        method="POST",
        body=f"username={account.username}&password=nope".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert wrong.status == 401 and "用户名或密码错误" in wrong.text
    form = (
        f"username={quote(account.username)}&password={quote(account.password)}&next=/member/orders"
    )
    ok = get(
        SHOP_HOST,
        "/login",
        method="POST",
        body=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert ok.status == 303 and ok.header("location") == "/member/orders"
    cookie = ok.header("set-cookie") or ""
    assert "HttpOnly" in cookie and "Secure" in cookie
    session = cookie.split(";", 1)[0]
    member = get(SHOP_HOST, "/member/orders", headers={"Cookie": session})
    assert member.status == 200
    assert account.display_name in member.text
    for order in server.content.orders:
        assert order.order_no in member.text
    # An open redirect after login is refused.
    evil = get(
        SHOP_HOST,
        "/login",
        method="POST",
        body=form.replace("next=/member/orders", "next=//evil.example/").encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert evil.header("location") == "/member/orders"


def test_flash_price_follows_the_clock(server: RangeServer, get: Get, clock: FakeClock) -> None:
    flash = server.content.flash
    seen = []
    for _ in range(len(flash.prices_fen)):
        data = json.loads(get(API_HOST, "/v1/flash").body)
        assert data["price_fen"] == flash.price_at(data["range_ms"] / 1000)
        page = get(SHOP_HOST, "/flash").text
        assert f"¥{data['price']}" in page
        seen.append(data["price_fen"])
        clock.advance(flash.period_s)
    assert sorted(seen) == sorted(flash.prices_fen)  # one full cycle, each step once
    assert len(set(flash.prices_fen)) > 1


def test_images_are_real_and_deterministic(server: RangeServer, get: Get) -> None:
    item = server.content.products[0]
    first = get(IMG_HOST, item.images[0])
    assert first.status == 200 and first.header("content-type") == "image/jpeg"
    with Image.open(BytesIO(first.body)) as picture:
        assert picture.size == (480, 480)
    from forensics.range.images import product_jpeg

    assert first.body == product_jpeg(server.content, item, 0)
    assert get(IMG_HOST, "/logo.png").header("content-type") == "image/png"
    assert get(IMG_HOST, "/banner.jpg").status == 200
    assert get(IMG_HOST, f"/p/{item.product_id}/9.jpg").status == 404


def test_live_room_page(server: RangeServer, get: Get) -> None:
    plan = server.content.stream
    assert get(LIVE_HOST, "/").header("location") == f"/room/{plan.room_id}"
    page = get(LIVE_HOST, f"/room/{plan.room_id}").text
    assert plan.title in page and plan.anchor in page
    assert 'data-playlist="/hls/live.m3u8"' in page
    assert 'data-flv="/flv/live.flv"' in page and "webm" not in page
    assert 'id="player-error"' in page
    script = get(LIVE_HOST, "/static/live.js").text
    assert "MediaSource" in script and "WebSocket" in script and "webm" not in script
    head = get(LIVE_HOST, "/flv/live.flv", method="HEAD")
    assert head.status == 200 and head.header("content-type") == "video/x-flv"
    assert get(LIVE_HOST, "/flv/live.flv", method="POST").status == 405
    status = json.loads(get(API_HOST, f"/v1/live/{plan.room_id}").body)
    assert status["status"] == "live" and status["room_id"] == plan.room_id


def test_apex_index(get: Get) -> None:
    page = get("range.test", "/")
    assert page.status == 200 and "取证演练靶场" in page.text


def test_http2_by_alpn_with_multiplexed_streams(server: RangeServer) -> None:
    context = client_context(server.ca_cert_path, alpn=("h2", "http/1.1"))
    item = server.content.products[0]
    paths = ["/", "/licence", "/all", f"/item/{item.product_id}", "/rank", "/nope"]
    alpn, responses = h2_get_many(context, server.port, SHOP_HOST, paths)
    assert alpn == "h2"
    assert [r.status for r in responses] == [200, 200, 200, 200, 200, 404]
    assert server.content.shop.licence.credit_code in responses[1].body.decode()
    alpn, (api,) = h2_get_many(context, server.port, API_HOST, ["/v1/flash"])
    assert json.loads(bytes(api.body))["product_id"] == server.content.flash.product_id
    alpn, (playlist,) = h2_get_many(context, server.port, LIVE_HOST, ["/hls/live.m3u8"])
    assert playlist.body.startswith(b"#EXTM3U")


def test_http11_only_client_gets_http11(server: RangeServer) -> None:
    context = client_context(server.ca_cert_path, alpn=("http/1.1",))
    import socket

    with (
        socket.create_connection(("127.0.0.1", server.port)) as raw,
        context.wrap_socket(raw, server_hostname=SHOP_HOST) as tls,
    ):
        assert tls.selected_alpn_protocol() == "http/1.1"


def test_only_the_range_ca_is_needed_and_it_is_needed(server: RangeServer) -> None:
    import socket

    stranger = ssl.create_default_context()  # the system store does not know the range CA
    with (
        socket.create_connection(("127.0.0.1", server.port)) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        stranger.wrap_socket(raw, server_hostname=SHOP_HOST)
    trusting = client_context(server.ca_cert_path)
    for name in (SHOP_HOST, "range.test", "localhost", "127.0.0.1"):
        with (
            socket.create_connection(("127.0.0.1", server.port)) as raw,
            trusting.wrap_socket(raw, server_hostname=name) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
