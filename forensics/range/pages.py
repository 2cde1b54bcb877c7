"""HTML of the range's pages. Every value from content or the request is escaped here.

Pages keep script out of the HTML (a Content-Security-Policy forbids inline script): the
page's settings travel in a ``<script type="application/json">`` block that
``/static/shop.js`` or ``/static/live.js`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from forensics.range.content import (
    API_HOST,
    IMG_HOST,
    LIVE_HOST,
    LONG_PAGE_ROW_PX,
    PAGE_SIZE,
    SHOP_HOST,
    Account,
    Content,
    Product,
    money,
    sales_text,
)

# The live room's two stream variants (served by forensics.range.app).
FLV_PATH = "/flv/live.flv"
HLS_PATH = "/hls/live.m3u8"

NOTICE = "取证演练靶场 · 所有内容均为虚构 · Quzheng practice range: all content is fictional"


@dataclass(frozen=True)
class Origins:
    """Absolute origins of the range's sites as the client addresses them (same port)."""

    port_suffix: str

    def __call__(self, host: str, path: str = "") -> str:
        return f"https://{host}{self.port_suffix}{path}"

    @property
    def shop(self) -> str:
        return self(SHOP_HOST)

    @property
    def api(self) -> str:
        return self(API_HOST)

    @property
    def img(self) -> str:
        return self(IMG_HOST)

    @property
    def live(self) -> str:
        return self(LIVE_HOST)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _config_block(config: dict[str, object]) -> str:
    # "</" cannot end the block early once "<" is escaped as a JSON unicode escape.
    text = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="range-config">{text}</script>'


def layout(
    title: str,
    body: str,
    origins: Origins,
    content: Content,
    *,
    user: Account | None = None,
    script: str = "/static/shop.js",
    config: dict[str, object] | None = None,
    body_class: str = "",
) -> str:
    shop = content.shop
    settings: dict[str, object] = {"api": origins.api, "img": origins.img, "shop": origins.shop}
    settings.update(config or {})
    account = (
        f'<a href="/member/orders">{_e(user.display_name)}</a> <a href="/logout">退出</a>'
        if user
        else '<a href="/login">请登录</a>'
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} - {_e(shop.name)}</title>
<link rel="stylesheet" href="/static/range.css">
</head>
<body class="{_e(body_class)}">
<div class="range-notice">{_e(NOTICE)}</div>
<header class="top">
  <div class="top-inner">
    <a class="logo" href="{_e(origins.shop)}/"><img src="{_e(origins.img)}/logo.png" alt="logo"
      width="40" height="40"><span>{_e(shop.name)}</span></a>
    <form class="search" action="{_e(origins.shop)}/search" method="get">
      <input name="q" placeholder="搜索本店商品" maxlength="50"><button>搜索</button>
    </form>
    <nav><a href="{_e(origins.shop)}/">首页</a> <a href="{_e(origins.shop)}/list">全部商品</a>
      <a href="{_e(origins.shop)}/flash">限时秒杀</a> <a href="{_e(origins.shop)}/rank">热销榜</a>
      <a href="{_e(origins.live)}/">直播间</a> {account}</nav>
  </div>
</header>
<main>
{body}
</main>
<footer>
  <p>{_e(shop.licence.name)} · <a href="{_e(origins.shop)}/licence">营业执照信息</a>
  · 统一社会信用代码 {_e(shop.licence.credit_code)}</p>
  <p>{_e(NOTICE)}</p>
</footer>
{_config_block(settings)}
<script src="{_e(script)}" defer></script>
</body>
</html>
"""


def _card(product: Product, origins: Origins, *, lazy: bool = True) -> str:
    image = f"{origins.img}{product.images[0]}"
    attrs = f'src="data:," data-src="{_e(image)}" loading="lazy"' if lazy else f'src="{_e(image)}"'
    return f"""<a class="card" href="{_e(origins.shop)}/item/{_e(product.product_id)}"
  data-product-id="{_e(product.product_id)}">
  <img {attrs} width="220" height="220" alt="{_e(product.title)}">
  <div class="title">{_e(product.title)}</div>
  <div class="price"><b>¥{_e(money(product.price_fen))}</b>
    <s>¥{_e(money(product.original_price_fen))}</s></div>
  <div class="sales">{_e(sales_text(product.monthly_sales))}</div>
</a>"""


def _grid(products: Iterable[Product], origins: Origins) -> str:
    return '<div class="grid">' + "\n".join(_card(p, origins) for p in products) + "</div>"


def home(content: Content, origins: Origins, user: Account | None) -> str:
    shop = content.shop
    body = f"""<section class="banner"><img src="{_e(origins.img)}/banner.jpg" alt="banner"
  width="1200" height="300"></section>
<section class="shop-head">
  <h1>{_e(shop.name)}</h1>
  <p>店铺编号 {_e(shop.shop_id)} · 粉丝 {_e(shop.followers)} · 店铺评分
  {_e(shop.rating_tenths // 10)}.{_e(shop.rating_tenths % 10)}
  · <a href="/licence">营业执照</a></p>
</section>
<h2>店铺推荐</h2>
{_grid(content.products[:8], origins)}
<h2>热销榜单</h2>
<div id="hot-list" class="grid" data-url="{_e(origins.api)}/v1/products?sort=sales&amp;size=8">
  <p class="loading">加载中…</p></div>"""
    return layout(shop.name, body, origins, content, user=user)


def licence(content: Content, origins: Origins, user: Account | None) -> str:
    lic = content.shop.licence
    rows = (
        ("统一社会信用代码", lic.credit_code),
        ("名称", lic.name),
        ("类型", lic.company_type),
        ("法定代表人", lic.legal_representative),
        ("经营范围", lic.business_scope),
        ("注册资本", lic.registered_capital),
        ("成立日期", lic.founded),
        ("营业期限", lic.term),
        ("住所", lic.address),
        ("登记机关", lic.authority),
        ("发照日期", lic.issued),
    )
    table = "\n".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    body = f"""<section class="licence">
  <h1>营业执照</h1>
  <p class="sub">（副本）· 本信息由经营者自行公示 · 演练用虚构信息</p>
  <table id="licence-fields">{table}</table>
</section>"""
    return layout("营业执照", body, origins, content, user=user)


def listing(content: Content, origins: Origins, user: Account | None, page: int) -> str:
    total_pages = (len(content.products) + PAGE_SIZE - 1) // PAGE_SIZE
    chunk = content.products[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    links = " ".join(
        f"<b>{n}</b>" if n == page else f'<a href="/list?page={n}">{n}</a>'
        for n in range(1, total_pages + 1)
    )
    body = f"""<h1>全部商品</h1><p>第 {page} / {total_pages} 页</p>
{_grid(chunk, origins)}
<nav class="pager">{links}</nav>"""
    return layout(f"全部商品 第{page}页", body, origins, content, user=user)


def search(content: Content, origins: Origins, user: Account | None, query: str, page: int) -> str:
    hits = content.search(query)
    chunk = hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    total_pages = max(1, (len(hits) + PAGE_SIZE - 1) // PAGE_SIZE)
    q = quote(query, safe="")
    links = " ".join(
        f"<b>{n}</b>" if n == page else f'<a href="/search?q={_e(q)}&amp;page={n}">{n}</a>'
        for n in range(1, total_pages + 1)
    )
    examples = " ".join(
        f'<a href="/search?q={_e(quote(x, safe=""))}">{_e(x)}</a>' for x in content.search_examples
    )
    body = f"""<h1>搜索：{_e(query)}</h1>
<p class="count">共找到 <b id="result-count">{len(hits)}</b> 件商品 · 试试：{examples}</p>
{_grid(chunk, origins)}
<nav class="pager">{links}</nav>"""
    return layout(f"搜索 {query}", body, origins, content, user=user)


def product(content: Content, origins: Origins, user: Account | None, item: Product) -> str:
    main = f"{origins.img}{item.images[0]}"
    thumbs = "".join(
        f'<img src="data:," data-src="{_e(origins.img + i)}" loading="lazy" width="80"'
        f' height="80" alt="图{n + 1}">'
        for n, i in enumerate(item.images)
    )
    body = f"""<section class="item" data-product-id="{_e(item.product_id)}">
  <div class="gallery"><img id="main-image" src="{_e(main)}" width="400" height="400"
    alt="{_e(item.title)}"><div class="thumbs">{thumbs}</div></div>
  <div class="info">
    <h1 id="title">{_e(item.title)}</h1>
    <div class="price-box">价格 <span class="price" id="price">¥{_e(money(item.price_fen))}</span>
      <span class="orig">专柜价 <s>¥{_e(money(item.original_price_fen))}</s></span></div>
    <p><span id="sales">{_e(sales_text(item.monthly_sales))}</span> · 库存 {_e(item.stock)} 件
     · 商品编号 {_e(item.product_id)}</p>
    <p>类目：{_e(item.category)} · 发货地：{_e(content.shop.licence.address[:6])}</p>
    <p><button disabled>立即购买</button> <button disabled>加入购物车</button></p>
    <p class="shop-link">店铺：<a href="/">{_e(content.shop.name)}</a>
      · <a href="/licence">营业执照</a></p>
  </div>
</section>
<section><h2>累计评价 <span>{len(item.reviews)}</span></h2>
<div id="reviews" data-url="{_e(origins.api)}/v1/items/{_e(item.product_id)}/reviews">
  <p class="loading">评价加载中…</p></div></section>"""
    return layout(item.title, body, origins, content, user=user)


def long_page(content: Content, origins: Origins, user: Account | None) -> str:
    rows = "\n".join(
        f"""<article class="row" style="height:{LONG_PAGE_ROW_PX}px" id="p{_e(p.product_id)}">
  <img src="data:," data-src="{_e(origins.img + p.images[0])}" loading="lazy" width="240"
    height="240" alt="{_e(p.title)}">
  <div><span class="rank">No.{n}</span>
  <a href="/item/{_e(p.product_id)}"><h3>{_e(p.title)}</h3></a>
  <p class="price">¥{_e(money(p.price_fen))} <s>¥{_e(money(p.original_price_fen))}</s></p>
  <p>{_e(sales_text(p.monthly_sales))} · 商品编号 {_e(p.product_id)}</p></div>
</article>"""
        for n, p in enumerate(content.products, start=1)
    )
    body = f"""<h1>全部商品（{len(content.products)} 件）</h1>
<div class="long-list">{rows}</div>
<p id="end-of-list">— 已经到底了 —</p>"""
    return layout("全部商品", body, origins, content, user=user)


def login(content: Content, origins: Origins, next_path: str, error: str | None = None) -> str:
    message = f'<p class="error" id="login-error">{_e(error)}</p>' if error else ""
    body = f"""<section class="login"><h1>账号登录</h1>{message}
<form method="post" action="/login">
  <input type="hidden" name="next" value="{_e(next_path)}">
  <label>用户名 <input name="username" autocomplete="username" maxlength="64"></label>
  <label>密码 <input name="password" type="password" autocomplete="current-password"
    maxlength="64"></label>
  <button type="submit">登录</button>
</form><p class="hint">演练账号见靶场清单（manifest）</p></section>"""
    return layout("登录", body, origins, content)


def orders(content: Content, origins: Origins, user: Account) -> str:
    rows = []
    for order in content.orders:
        item = content.product(order.product_id)
        title = item.title if item else order.product_id
        rows.append(
            f"""<tr><td>{_e(order.order_no)}</td><td>{_e(order.placed_at)}</td>
<td><a href="/item/{_e(order.product_id)}">{_e(title)}</a></td><td>{_e(order.quantity)}</td>
<td>¥{_e(money(order.amount_fen))}</td><td>{_e(order.status)}</td></tr>"""
        )
    body = f"""<h1>我的订单</h1>
<p id="member">会员：<b id="display-name">{_e(user.display_name)}</b> · 手机 {_e(user.phone_masked)}</p>
<table id="orders"><tr><th>订单号</th><th>下单时间</th><th>商品</th><th>数量</th><th>实付</th>
<th>状态</th></tr>{"".join(rows)}</table>"""
    return layout("我的订单", body, origins, content, user=user)


def flash(
    content: Content, origins: Origins, user: Account | None, price_fen: int, next_change: int
) -> str:
    item = content.product(content.flash.product_id)
    assert item is not None  # the flash product is drawn from the product list
    body = f"""<section id="flash" class="flash" data-url="{_e(origins.api)}/v1/flash">
  <h1>限时秒杀</h1>
  <img src="{_e(origins.img + item.images[0])}" width="240" height="240" alt="{_e(item.title)}">
  <h2><a href="/item/{_e(item.product_id)}">{_e(item.title)}</a></h2>
  <p>秒杀价 <span class="price" id="flash-price">¥{_e(money(price_fen))}</span>
    <s>¥{_e(money(item.original_price_fen))}</s></p>
  <p>价格每 {content.flash.period_s} 秒变动 · 下次变价：第 <span id="next-change">{next_change}</span> 秒</p>
</section>"""
    return layout("限时秒杀", body, origins, content, user=user)


def bot_check(content: Content, origins: Origins) -> str:
    body = f"""<section class="challenge" id="challenge">
  <h1>安全验证</h1>
  <p>访问过于频繁，{_e(content.bot_check_text)}</p>
  <div class="slider"><div class="knob" id="knob">&gt;&gt;</div><span>向右拖动滑块</span></div>
  <p class="small">验证码 ID：{_e(content.seed % 100000):0>5}</p>
</section>"""
    return layout("安全验证", body, origins, content, body_class="challenge-page")


def live_room(content: Content, origins: Origins) -> str:
    plan = content.stream
    cart = "\n".join(
        _card(p, origins, lazy=False)
        for pid in plan.featured
        if (p := content.product(pid)) is not None
    )
    body = f"""<section class="live" data-room="{_e(plan.room_id)}">
  <div class="stage">
    <h1 id="room-title">{_e(plan.title)}</h1>
    <p>主播：<b id="anchor">{_e(plan.anchor)}</b> · 房间号 {_e(plan.room_id)}</p>
    <video id="player" autoplay playsinline width="640" height="360"
      data-flv="{FLV_PATH}" data-playlist="{HLS_PATH}"></video>
    <p id="player-error" class="player-error" role="alert" hidden></p>
    <p><button id="unmute" hidden>打开声音</button> <span id="player-mode"></span>
      · 线路：<a href="?stream=flv">FLV</a> <a href="?stream=hls">HLS</a></p>
  </div>
  <aside class="chat-panel"><h2>直播间互动</h2><ol id="chat-list"></ol></aside>
</section>
<h2>直播间商品</h2><div class="grid">{cart}</div>"""
    return layout(
        plan.title,
        body,
        origins,
        content,
        script="/static/live.js",
        config={
            "chat": f"wss://{LIVE_HOST}{origins.port_suffix}/ws/chat",
            "fps": plan.fps,
            "segment_s": plan.segment_s,
        },
    )


def apex(content: Content, origins: Origins) -> str:
    body = f"""<h1>取证演练靶场 Practice range</h1>
<ul>
<li><a href="{_e(origins.shop)}/">网店 Shop</a> — {_e(content.shop.name)}</li>
<li><a href="{_e(origins.live)}/">直播间 Live room</a> — {_e(content.stream.title)}</li>
<li><a href="{_e(origins.shop)}/licence">营业执照 Business licence</a></li>
</ul>"""
    return layout("取证演练靶场", body, origins, content)


def error_page(status: int, title_zh: str, title_en: str) -> str:
    """A small page for errors; knows nothing of the request, so echoes nothing of it."""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{status} {_e(title_en)}</title></head>
<body><h1>{status} {_e(title_zh)}</h1><p>{_e(title_en)}</p><p>{_e(NOTICE)}</p></body></html>
"""
