"""What the practice range shows, generated deterministically from a seed.

Every name, price, review, claim and chat line comes from ``random.Random`` seeded with a
string derived from the seed (string seeds hash with SHA-512, so they do not depend on
``PYTHONHASHSEED``): the same seed gives the same shop on every machine. The ``Manifest``
built from it says what appears where and when, so tests and scoring can check what a
capture contains without reading the pages back.

All content is fictional. Money is kept in fen (integers) and times in whole seconds or
milliseconds, so the manifest is valid canonical JSON (docs/package-format.md §0 allows no floats).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from forensics.range.errors import RangeError

DOMAIN = "range.test"
SHOP_HOST = f"shop.{DOMAIN}"
LIVE_HOST = f"live.{DOMAIN}"
API_HOST = f"api.{DOMAIN}"
IMG_HOST = f"img.{DOMAIN}"
SITE_HOSTS = (DOMAIN, SHOP_HOST, LIVE_HOST, API_HOST, IMG_HOST)

MANIFEST_FORMAT = "quzheng-range-manifest"
MANIFEST_VERSION = 1

PAGE_SIZE = 20
PRODUCT_COUNT = 80
IMAGES_PER_PRODUCT = 4
# The long page lists every product in fixed-height rows; 80 x 300 px is 24,000 px.
LONG_PAGE_ROW_PX = 300
LONG_PAGE_MIN_HEIGHT_PX = 20_000
FLASH_PERIOD_S = 5

# ---------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码, GB 32100-2015) with its embedded
# organisation code (GB 11714-1997): both check characters are real, so a scorer can validate
# what an officer transcribed from the licence page.

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_check(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _uscc_check(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True if ``code`` is an 18-character unified social credit code with valid checks."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    org = code[8:17]
    if not org[:8].isalnum() or _org_check(org[:8]) != org[8]:
        return False
    return _uscc_check(code[:17]) == code[17]


def _credit_code(rng: random.Random, division_code: str) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + division_code + body + _org_check(body)
    return first17 + _uscc_check(first17)


# ---------------------------------------------------------------------------------------------
# The content model.


@dataclass(frozen=True)
class Licence:
    """The fields of a business licence (营业执照) as the shop displays it."""

    name: str
    credit_code: str
    company_type: str
    legal_representative: str
    registered_capital: str
    founded: str
    term: str
    address: str
    business_scope: str
    authority: str
    issued: str


@dataclass(frozen=True)
class Shop:
    shop_id: str
    name: str
    brand_zh: str
    brand_en: str
    # How the listings spell the brand to slip past keyword filters (a lowercase "l" for "I").
    brand_variant: str
    followers: int
    rating_tenths: int
    licence: Licence


@dataclass(frozen=True)
class Review:
    user: str
    stars: int
    text: str
    date: str
    sku: str


@dataclass(frozen=True)
class Product:
    product_id: str
    title: str
    category: str
    price_fen: int
    original_price_fen: int
    monthly_sales: int
    stock: int
    images: tuple[str, ...]
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    phone_masked: str


@dataclass(frozen=True)
class Order:
    order_no: str
    product_id: str
    quantity: int
    amount_fen: int
    placed_at: str
    status: str


@dataclass(frozen=True)
class Claim:
    """An on-screen claim by the anchor, shown from ``start_s`` (inclusive) to ``end_s``
    (exclusive) seconds into every loop of the stream."""

    claim_id: int
    kind: str
    text: str
    text_en: str
    start_s: int
    end_s: int


@dataclass(frozen=True)
class ChatLine:
    """One scripted chat message at ``t_ms`` milliseconds into every loop."""

    index: int
    t_ms: int
    kind: str
    user: str
    text: str


@dataclass(frozen=True)
class ChatMessage:
    """A chat message as sent: ``seq`` counts across loops, ``t_ms`` is stream time."""

    seq: int
    t_ms: int
    kind: str
    user: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "chat",
            "seq": self.seq,
            "t_ms": self.t_ms,
            "kind": self.kind,
            "user": self.user,
            "text": self.text,
        }


@dataclass(frozen=True)
class StreamPlan:
    room_id: str
    title: str
    anchor: str
    featured: tuple[str, ...]
    discount_code: str
    claims: tuple[Claim, ...]
    loop_s: int = 180
    fps: int = 10
    width: int = 640
    height: int = 360
    segment_s: int = 2
    window_segments: int = 6
    # The stream "began" this long before the server started, so the first playlist already
    # holds a few segments and a player can start at once.
    preroll_s: int = 6

    def claim_at(self, stream_s: float) -> Claim | None:
        """The claim on screen at ``stream_s`` seconds into the stream, if any."""
        into_loop = stream_s % self.loop_s
        for claim in self.claims:
            if claim.start_s <= into_loop < claim.end_s:
                return claim
        return None

    def claim(self, claim_id: int) -> Claim:
        for claim in self.claims:
            if claim.claim_id == claim_id:
                return claim
        raise RangeError(f"no claim with id {claim_id}", f"没有编号为 {claim_id} 的口播")

    def occurrences(self, from_s: int, to_s: int) -> list[tuple[int, int, Claim]]:
        """``(start_s, end_s, claim)`` for every showing that overlaps [from_s, to_s)."""
        found: list[tuple[int, int, Claim]] = []
        for loop in range(max(0, from_s // self.loop_s), to_s // self.loop_s + 1):
            base = loop * self.loop_s
            for claim in self.claims:
                start, end = base + claim.start_s, base + claim.end_s
                if start < to_s and end > from_s:
                    found.append((start, end, claim))
        return found


@dataclass(frozen=True)
class FlashSale:
    """A price that changes every ``period_s`` seconds of range time, cycling through
    ``prices_fen``."""

    product_id: str
    period_s: int
    prices_fen: tuple[int, ...]

    def price_at(self, range_s: float) -> int:
        step = int(max(0.0, range_s) // self.period_s)
        return self.prices_fen[step % len(self.prices_fen)]

    def next_change_at(self, range_s: float) -> int:
        return (int(max(0.0, range_s) // self.period_s) + 1) * self.period_s


@dataclass(frozen=True)
class Content:
    seed: int
    shop: Shop
    products: tuple[Product, ...]
    accounts: tuple[Account, ...]
    orders: tuple[Order, ...]
    stream: StreamPlan
    chat: tuple[ChatLine, ...]
    flash: FlashSale
    bot_check_text: str
    search_examples: tuple[str, ...]
    _by_id: dict[str, Product] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({p.product_id: p for p in self.products})

    def product(self, product_id: str) -> Product | None:
        return self._by_id.get(product_id)

    def search(self, query: str) -> list[Product]:
        """Products whose title or category contains every word of ``query``."""
        words = [w.casefold() for w in query.split() if w]
        if not words:
            return []
        return [
            p
            for p in self.products
            if all(w in (p.title + " " + p.category).casefold() for w in words)
        ]

    def chat_between(self, from_ms: int, to_ms: int) -> Iterator[ChatMessage]:
        """Chat messages with stream time in [from_ms, to_ms), in order, across loops."""
        if to_ms <= from_ms or not self.chat:
            return
        loop_ms = self.stream.loop_s * 1000
        for loop in range(max(0, from_ms // loop_ms), (to_ms - 1) // loop_ms + 1):
            for line in self.chat:
                t = loop * loop_ms + line.t_ms
                if from_ms <= t < to_ms:
                    yield ChatMessage(
                        seq=loop * len(self.chat) + line.index,
                        t_ms=t,
                        kind=line.kind,
                        user=line.user,
                        text=line.text,
                    )


def money(fen: int) -> str:
    """``12990`` → ``"129.90"`` (yuan with two decimals, no float arithmetic)."""
    return f"{fen // 100}.{fen % 100:02d}"


def sales_text(count: int) -> str:
    """How Chinese shops show monthly sales: ``月销 3456`` or ``月销 1.2万+``."""
    if count >= 10_000:
        return f"月销 {count // 10_000}.{count % 10_000 // 1000}万+"
    return f"月销 {count}"


# ---------------------------------------------------------------------------------------------
# Generation. Word banks are fixed; the seed picks from them.

_BRANDS = (("凯岚", "KAILAN"), ("澜途", "LANTU"), ("翎雅", "LINGYA"))
_DIVISIONS = (
    ("浙江省义乌市", "330782"),
    ("福建省晋江市", "350582"),
    ("广东省广州市白云区", "440111"),
)
_TRADE_WORDS = ("鑫悦", "聚品", "恒泰", "优选", "锦程", "汇通", "博源", "星辰")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = ("建华", "志强", "秀英", "伟", "静", "海峰", "丽娟", "国平", "晓东", "春梅")
_STREETS = ("商城大道", "稠州北路", "宾王路", "工人西路", "机场路", "世纪大道")
_CATEGORIES = (
    ("运动鞋", ("黑色/42", "白色/41", "灰色/43")),
    ("双肩包", ("黑色", "藏青", "卡其")),
    ("手提包", ("经典棕", "黑色", "米白")),
    ("卫衣", ("黑色/L", "灰色/XL", "白色/M")),
    ("羽绒服", ("黑色/L", "藏青/XL", "米白/M")),
    ("墨镜", ("黑框灰片", "玳瑁茶片")),
    ("手表", ("钢带黑盘", "皮带白盘")),
    ("钱包", ("黑色长款", "棕色短款")),
)
_ADJECTIVES = ("2025新款", "爆款", "经典款", "明星同款", "限量款", "潮流", "轻奢")
_SELLING = ("专柜正品", "原单品质", "官方同款", "正品代购", "原厂尾单", "高版本")
_REVIEW_TEXTS = (
    (5, "质量很好，和专柜的一模一样，物流也快"),
    (5, "第二次回购了，性价比高"),
    (4, "价格便宜，穿着还行，就是有点味道"),
    (4, "包装很精美，送朋友了"),
    (3, "和图片有色差，凑合吧"),
    (2, "做工一般，线头有点多，感觉不是正品"),
    (2, "客服说是原单，拿到手 logo 印歪了"),
    (1, "扫了吊牌二维码打不开，怀疑是假货"),
    (2, "皮质摸着像 PU，不像真皮"),
    (5, "发货快，包装完好，好评"),
)
_CHAT_TEXTS = (
    "主播好！",
    "是正品吗？",
    "有没有 42 码",
    "上链接！",
    "多少钱？",
    "包邮吗",
    "已下单",
    "和专柜一样吗",
    "能开发票吗",
    "主播说正品保证的",
    "怎么这么便宜",
    "拍了拍了",
    "什么时候发货",
    "有防伪码吗",
)
_NICK_WORDS = ("小鱼", "阿杰", "momo", "快乐星球", "橘子", "老王", "Lily", "木子", "夏天", "大熊")


def _masked(rng: random.Random) -> str:
    return rng.choice("abcdefghjkmnpqrstuvwxyz") + "***" + rng.choice("0123456789")


def _licence(rng: random.Random, brand_zh: str) -> Licence:
    division, code = rng.choice(_DIVISIONS)
    city = division.removeprefix("浙江省").removeprefix("福建省").removeprefix("广东省")
    city = city.split("市")[0] + "市"
    trade = rng.choice(_TRADE_WORDS)
    year = rng.randint(2016, 2022)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return Licence(
        name=f"{city}{trade}商贸有限公司",
        credit_code=_credit_code(rng, code),
        company_type="有限责任公司（自然人投资或控股）",
        legal_representative=rng.choice(_SURNAMES) + rng.choice(_GIVEN),
        registered_capital=f"人民币{rng.choice((50, 100, 200, 500))}万元",
        founded=f"{year}年{month:02d}月{day:02d}日",
        term=f"{year}年{month:02d}月{day:02d}日至长期",
        address=(
            f"{division}{rng.choice(_STREETS)}{rng.randint(1, 999)}号"
            f"{rng.randint(1, 12)}幢{rng.randint(101, 1808)}室"
        ),
        business_scope=(
            "一般项目：服装服饰零售；鞋帽零售；箱包销售；钟表销售；互联网销售（除销售需要许可的商品）"
            f"（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。【{brand_zh}】为他人注册商标。"
        ),
        authority=f"{city}市场监督管理局",
        issued=f"{year + rng.randint(0, 2)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日",
    )


def _products(rng: random.Random, brand: tuple[str, str], variant: str) -> tuple[Product, ...]:
    brand_zh, _ = brand
    ids = rng.sample(range(600_000, 700_000), PRODUCT_COUNT)
    products = []
    for n, pid in enumerate(ids):
        category, skus = _CATEGORIES[n % len(_CATEGORIES)]
        # Counterfeit pricing: a tenth or less of the genuine price, ending in .00/.90/.99.
        original = rng.randrange(1999, 12999, 100) * 100
        price = rng.randrange(89, 599) * 100 + rng.choice((0, 90, 99))
        title = (
            f"{variant}{brand_zh} {rng.choice(_ADJECTIVES)}{category} "
            f"{rng.choice(_SELLING)} {rng.choice(('男女同款', '女士', '男士', '情侣款'))}"
        )
        reviews = []
        for _ in range(rng.randint(3, 6)):
            stars, text = rng.choice(_REVIEW_TEXTS)
            reviews.append(
                Review(
                    user=_masked(rng),
                    stars=stars,
                    text=text,
                    date=f"2025-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                    sku=rng.choice(skus),
                )
            )
        product_id = str(pid)
        products.append(
            Product(
                product_id=product_id,
                title=title,
                category=category,
                price_fen=price,
                original_price_fen=original,
                monthly_sales=rng.choice((rng.randint(50, 9_999), rng.randint(10_000, 60_000))),
                stock=rng.randint(3, 999),
                images=tuple(f"/p/{product_id}/{k}.jpg" for k in range(IMAGES_PER_PRODUCT)),
                reviews=tuple(reviews),
            )
        )
    return tuple(products)


def _claims(rng: random.Random, hero: Product, code: str) -> tuple[Claim, ...]:
    def at(base: int) -> int:
        return base + rng.randint(0, 4)

    rows = (
        ("authenticity", "正品保证", "GENUINE GUARANTEED", 10, 12),
        (
            "price",
            f"专柜价¥{hero.original_price_fen // 100} 直播间只要¥{money(hero.price_fen)}",
            f"STORE PRICE {hero.original_price_fen // 100} NOW ONLY {money(hero.price_fen)}",
            35,
            15,
        ),
        ("discount_code", f"优惠码 {code} 立减50元", f"DISCOUNT CODE {code} -50 CNY", 65, 15),
        ("compensation", "假一赔十", "FAKE? 10X REFUND", 95, 12),
        ("scarcity", "最后30件 今晚12点涨价", "LAST 30 PIECES", 125, 12),
        ("authorisation", "官方授权 品牌直供", "OFFICIALLY AUTHORISED", 150, 15),
    )
    claims = []
    for n, (kind, text, text_en, base, length) in enumerate(rows, start=1):
        start = at(base)
        claims.append(Claim(n, kind, text, text_en, start, start + length))
    return tuple(claims)


def _chat(
    rng: random.Random, plan_claims: tuple[Claim, ...], code: str, loop_s: int
) -> tuple[ChatLine, ...]:
    lines: list[tuple[int, str, str, str]] = []
    t = 1000
    while t < loop_s * 1000 - 1000:
        nick = rng.choice(_NICK_WORDS) + str(rng.randint(1, 99))
        roll = rng.random()
        if roll < 0.12:
            lines.append((t, "enter", nick, f"{nick} 进入直播间"))
        elif roll < 0.2:
            lines.append((t, "gift", nick, f"送出 小心心 ×{rng.randint(1, 20)}"))
        else:
            lines.append((t, "chat", nick, rng.choice(_CHAT_TEXTS)))
        t += rng.randint(1500, 4000)
    # The assistant repeats the anchor's claims in chat shortly after they appear on screen,
    # as real rooms do; scoring can look for them in a capture of the chat panel.
    for claim in plan_claims:
        lines.append(
            (claim.start_s * 1000 + 1500, "assistant", "场控小助手", f"【置顶】{claim.text}")
        )
    lines.append((plan_claims[2].start_s * 1000 + 4000, "chat", "橘子7", f"优惠码 {code} 能用吗"))
    lines.sort(key=lambda row: row[0])
    return tuple(ChatLine(i, t, kind, user, text) for i, (t, kind, user, text) in enumerate(lines))


def build_content(seed: int) -> Content:
    """All range content for ``seed``. Pure: the same seed always gives equal content."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise RangeError(
            "the range seed must be a non-negative integer below 2**63",
            "靶场种子必须是小于 2**63 的非负整数",
        )

    def rng(part: str) -> random.Random:
        return random.Random(f"quzheng-range:{seed}:{part}")

    r = rng("shop")
    brand = r.choice(_BRANDS)
    brand_zh, brand_en = brand
    variant = (
        brand_en.replace("I", "l", 1) if "I" in brand_en else brand_en[:-1] + brand_en[-1].lower()
    )
    licence = _licence(r, brand_zh)
    shop = Shop(
        shop_id=str(r.randint(10_000_000, 99_999_999)),
        name=f"{brand_zh}{r.choice(('潮品折扣店', '品牌特卖店', '奥莱直营店'))}",
        brand_zh=brand_zh,
        brand_en=brand_en,
        brand_variant=variant,
        followers=r.randint(20_000, 900_000),
        rating_tenths=r.randint(44, 49),
        licence=licence,
    )
    products = _products(rng("products"), brand, variant)

    r = rng("accounts")
    account = Account(
        username=f"buyer{r.randint(1000, 9999)}",
        password=f"Range-{r.randint(1000, 9999)}-{''.join(r.choices('abcdefghjkmnpqrstuvwxyz', k=4))}",
        display_name=f"演练买家{r.randint(10, 99)}",
        phone_masked=f"1{r.choice('35789')}{r.randint(0, 9)}****{r.randint(1000, 9999)}",
    )
    orders = []
    for k in range(3):
        product = r.choice(products)
        quantity = r.randint(1, 2)
        orders.append(
            Order(
                order_no=str(r.randint(10**17, 10**18 - 1)),
                product_id=product.product_id,
                quantity=quantity,
                amount_fen=product.price_fen * quantity,
                placed_at=f"2025-11-{10 + k * 5:02d} {r.randint(8, 22):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
                status=("已签收", "已发货", "待发货")[k],
            )
        )

    r = rng("stream")
    featured = tuple(p.product_id for p in r.sample(products, 5))
    hero = next(p for p in products if p.product_id == featured[0])
    code = brand_en[:2] + "".join(r.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=4))
    claims = _claims(r, hero, code)
    stream = StreamPlan(
        room_id=str(r.randint(100_000, 999_999)),
        title=f"{brand_zh}官方直播间 正品特卖 全场包邮",
        anchor=f"{brand_zh}小{r.choice(('美', '雪', '琪', '悦'))}",
        featured=featured,
        discount_code=code,
        claims=claims,
    )
    chat = _chat(rng("chat"), claims, code, stream.loop_s)

    r = rng("flash")
    flash_product = r.choice(products)
    base = flash_product.price_fen
    flash = FlashSale(
        product_id=flash_product.product_id,
        period_s=FLASH_PERIOD_S,
        prices_fen=tuple(max(100, base - r.randint(0, 60) * 100) for _ in range(12)),
    )
    return Content(
        seed=seed,
        shop=shop,
        products=products,
        accounts=(account,),
        orders=tuple(orders),
        stream=stream,
        chat=chat,
        flash=flash,
        bot_check_text="请拖动下方滑块完成安全验证",
        search_examples=(products[0].category, brand_zh + " " + products[1].category, variant),
    )
