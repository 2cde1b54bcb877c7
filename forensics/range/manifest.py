"""The manifest: what the range shows where and when, with the URLs of one running server.

``Manifest.to_dict()`` is plain canonical-JSON data (strings, integers, lists, objects); the
server also writes it to ``<data_dir>/manifest.json`` for the demo and for scoring.
Times are of two kinds:

* *range time*: seconds since the server started, on its injected clock (the flash price);
* *stream time*: seconds into the live stream; stream time = range time + ``preroll_s``.
  A claim with ``start_s``/``end_s`` is on screen at stream times ``start_s + k*loop_s``
  (inclusive) to ``end_s + k*loop_s`` (exclusive) for every loop ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from forensics.range.content import (
    API_HOST,
    IMG_HOST,
    LIVE_HOST,
    LONG_PAGE_MIN_HEIGHT_PX,
    LONG_PAGE_ROW_PX,
    MANIFEST_FORMAT,
    MANIFEST_VERSION,
    PAGE_SIZE,
    SHOP_HOST,
    Claim,
    Content,
    Product,
    money,
    sales_text,
)
from forensics.range.markers import MARKER_BITS, MARKER_LAYOUT


@dataclass(frozen=True)
class Page:
    """One page of the range: where it is and the facts a capture of it must show."""

    kind: str
    url: str
    title: str
    facts: dict[str, Any]
    # API calls the page's script makes to fill itself in (content absent from the HTML).
    loads: tuple[str, ...] = ()
    needs_login: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "title": self.title,
            "facts": self.facts,
            "loads": list(self.loads),
            "needs_login": self.needs_login,
        }


@dataclass(frozen=True)
class Manifest:
    seed: int
    port: int
    content: Content
    ca_cert_path: str

    def url(self, host: str, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"https://{host}:{self.port}{path}"

    # -- convenience for tests and scoring ----------------------------------------------------

    def claim_at(self, stream_s: float) -> Claim | None:
        return self.content.stream.claim_at(stream_s)

    def flash_price_at(self, range_s: float) -> int:
        return self.content.flash.price_at(range_s)

    @property
    def pages(self) -> tuple[Page, ...]:
        c = self.content
        shop, lic = c.shop, c.shop.licence
        u = self.url
        pages = [
            Page(
                "home",
                u(SHOP_HOST, "/"),
                shop.name,
                {
                    "shop_name": shop.name,
                    "shop_id": shop.shop_id,
                    "brand": shop.brand_zh,
                    "company": lic.name,
                    "featured_product_ids": [p.product_id for p in c.products[:8]],
                    "hot_product_ids": [p.product_id for p in self._hot()],
                },
                loads=(u(API_HOST, "/v1/products?sort=sales&size=8"),),
            ),
            Page(
                "licence",
                u(SHOP_HOST, "/licence"),
                "营业执照",
                {
                    "company": lic.name,
                    "credit_code": lic.credit_code,
                    "legal_representative": lic.legal_representative,
                    "address": lic.address,
                    "authority": lic.authority,
                    "registered_capital": lic.registered_capital,
                    "founded": lic.founded,
                },
            ),
        ]
        pages_total = (len(c.products) + PAGE_SIZE - 1) // PAGE_SIZE
        for n in range(1, pages_total + 1):
            chunk = c.products[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]
            pages.append(
                Page(
                    "listing",
                    u(SHOP_HOST, f"/list?page={n}"),
                    f"全部商品 第{n}页",
                    {"page": n, "product_ids": [p.product_id for p in chunk]},
                )
            )
        for q in c.search_examples:
            hits = c.search(q)
            pages.append(
                Page(
                    "search",
                    u(SHOP_HOST, "/search?q=" + quote(q, safe="")),
                    f"搜索 {q}",
                    {
                        "query": q,
                        "total": len(hits),
                        "product_ids": [p.product_id for p in hits[:PAGE_SIZE]],
                    },
                )
            )
        for p in c.products:
            pages.append(
                Page(
                    "product",
                    u(SHOP_HOST, f"/item/{p.product_id}"),
                    p.title,
                    {
                        "product_id": p.product_id,
                        "title": p.title,
                        "price": money(p.price_fen),
                        "price_fen": p.price_fen,
                        "original_price": money(p.original_price_fen),
                        "sales": sales_text(p.monthly_sales),
                        "monthly_sales": p.monthly_sales,
                        "images": [self.url(IMG_HOST, i) for i in p.images],
                        "review_texts": [r.text for r in p.reviews],
                    },
                    loads=(u(API_HOST, f"/v1/items/{p.product_id}/reviews"),),
                )
            )
        pages.append(
            Page(
                "long",
                u(SHOP_HOST, "/all"),
                "全部商品（长页面）",
                {
                    "min_height_px": LONG_PAGE_MIN_HEIGHT_PX,
                    "row_height_px": LONG_PAGE_ROW_PX,
                    "product_ids": [p.product_id for p in c.products],
                    "last_product_id": c.products[-1].product_id,
                    "lazy_images": True,
                },
            )
        )
        account = c.accounts[0]
        pages.append(
            Page(
                "login",
                u(SHOP_HOST, "/login"),
                "登录",
                {"username": account.username, "password": account.password},
            )
        )
        pages.append(
            Page(
                "member",
                u(SHOP_HOST, "/member/orders"),
                "我的订单",
                {
                    "display_name": account.display_name,
                    "order_numbers": [o.order_no for o in c.orders],
                    "order_product_ids": [o.product_id for o in c.orders],
                },
                needs_login=True,
            )
        )
        flash = c.flash
        pages.append(
            Page(
                "flash",
                u(SHOP_HOST, "/flash"),
                "限时秒杀",
                {
                    "product_id": flash.product_id,
                    "period_s": flash.period_s,
                    "prices_fen": list(flash.prices_fen),
                    "rule": "price_fen = prices_fen[(range_s // period_s) % len(prices_fen)]",
                },
                loads=(u(API_HOST, "/v1/flash"),),
            )
        )
        pages.append(
            Page(
                "bot_check",
                u(SHOP_HOST, "/rank"),
                "安全验证",
                {"challenge_text": c.bot_check_text, "content_shown": False},
            )
        )
        plan = c.stream
        pages.append(
            Page(
                "live_room",
                u(LIVE_HOST, f"/room/{plan.room_id}"),
                plan.title,
                {
                    "room_id": plan.room_id,
                    "anchor": plan.anchor,
                    "featured_product_ids": list(plan.featured),
                    "playlist": u(LIVE_HOST, "/hls/live.m3u8"),
                    "chat": f"wss://{LIVE_HOST}:{self.port}/ws/chat",
                },
                loads=(u(LIVE_HOST, "/hls/live.m3u8"), u(API_HOST, f"/v1/live/{plan.room_id}")),
            )
        )
        return tuple(pages)

    def _hot(self) -> list[Product]:
        return sorted(self.content.products, key=lambda p: (-p.monthly_sales, p.product_id))[:8]

    def to_dict(self) -> dict[str, Any]:
        c = self.content
        lic = c.shop.licence
        plan = c.stream
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "seed": self.seed,
            "port": self.port,
            "ca_cert": self.ca_cert_path,
            "hosts": {
                "shop": SHOP_HOST,
                "live": LIVE_HOST,
                "api": API_HOST,
                "img": IMG_HOST,
            },
            "shop": {
                "shop_id": c.shop.shop_id,
                "name": c.shop.name,
                "brand_zh": c.shop.brand_zh,
                "brand_en": c.shop.brand_en,
                "brand_variant": c.shop.brand_variant,
                "licence": {
                    "name": lic.name,
                    "credit_code": lic.credit_code,
                    "company_type": lic.company_type,
                    "legal_representative": lic.legal_representative,
                    "registered_capital": lic.registered_capital,
                    "founded": lic.founded,
                    "term": lic.term,
                    "address": lic.address,
                    "business_scope": lic.business_scope,
                    "authority": lic.authority,
                    "issued": lic.issued,
                },
            },
            "accounts": [
                {
                    "username": a.username,
                    "password": a.password,
                    "display_name": a.display_name,
                }
                for a in c.accounts
            ],
            "orders": [
                {
                    "order_no": o.order_no,
                    "product_id": o.product_id,
                    "quantity": o.quantity,
                    "amount_fen": o.amount_fen,
                    "placed_at": o.placed_at,
                    "status": o.status,
                }
                for o in c.orders
            ],
            "products": [
                {
                    "product_id": p.product_id,
                    "title": p.title,
                    "category": p.category,
                    "price_fen": p.price_fen,
                    "original_price_fen": p.original_price_fen,
                    "monthly_sales": p.monthly_sales,
                    "url": self.url(SHOP_HOST, f"/item/{p.product_id}"),
                    "images": [self.url(IMG_HOST, i) for i in p.images],
                    "reviews": [
                        {"user": r.user, "stars": r.stars, "text": r.text, "date": r.date}
                        for r in p.reviews
                    ],
                }
                for p in c.products
            ],
            "pages": [p.to_dict() for p in self.pages],
            "stream": {
                "room_id": plan.room_id,
                "title": plan.title,
                "anchor": plan.anchor,
                "playlist": self.url(LIVE_HOST, "/hls/live.m3u8"),
                "segment_seconds": plan.segment_s,
                "window_segments": plan.window_segments,
                "preroll_seconds": plan.preroll_s,
                "fps": plan.fps,
                "width": plan.width,
                "height": plan.height,
                "video_codec": "h264",
                "audio_codec": "aac",
                "loop_seconds": plan.loop_s,
                "discount_code": plan.discount_code,
                "claims": [
                    {
                        "claim_id": k.claim_id,
                        "kind": k.kind,
                        "text": k.text,
                        "text_en": k.text_en,
                        "start_s": k.start_s,
                        "end_s": k.end_s,
                    }
                    for k in plan.claims
                ],
                "marker": {"bits": MARKER_BITS, "layout": MARKER_LAYOUT},
            },
            "chat": {
                "url": f"wss://{LIVE_HOST}:{self.port}/ws/chat",
                "loop_ms": plan.loop_s * 1000,
                "messages": [
                    {
                        "index": m.index,
                        "t_ms": m.t_ms,
                        "kind": m.kind,
                        "user": m.user,
                        "text": m.text,
                    }
                    for m in c.chat
                ],
            },
        }
