"""What the practice range shows, for a given seed: the values exercises may refer to.

An exercise names range facts by placeholder (``${credit_code}``, ``${order_no}``) instead of
copying values, so the same exercise works with any seed. Claims of the live stream are named
by kind; their numeric ids (the ones burned into every frame's marker) come from here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from forensics.range import build_content
from forensics.training.urls import UrlPattern


@dataclass(frozen=True)
class ClaimInfo:
    claim_id: int
    kind: str
    text: str
    text_en: str
    start_s: int
    end_s: int


FACT_NAMES: Final = (
    "shop_name",
    "shop_id",
    "brand",
    "company",
    "credit_code",
    "room_id",
    "anchor",
    "discount_code",
    "username",
    "display_name",
    "order_no",
    "order_product_id",
    "hero_product_id",
)


@lru_cache(maxsize=8)
def range_facts(seed: int) -> dict[str, str]:
    """Plain strings by placeholder name (see ``FACT_NAMES``)."""
    c = build_content(seed)
    order = c.orders[0]
    return {
        "shop_name": c.shop.name,
        "shop_id": c.shop.shop_id,
        "brand": c.shop.brand_zh,
        "company": c.shop.licence.name,
        "credit_code": c.shop.licence.credit_code,
        "room_id": c.stream.room_id,
        "anchor": c.stream.anchor,
        "discount_code": c.stream.discount_code,
        "username": c.accounts[0].username,
        "display_name": c.accounts[0].display_name,
        "order_no": order.order_no,
        "order_product_id": order.product_id,
        "hero_product_id": c.stream.featured[0],
    }


@lru_cache(maxsize=8)
def range_claims(seed: int) -> dict[str, ClaimInfo]:
    """The live stream's claims by kind."""
    plan = build_content(seed).stream
    return {
        k.kind: ClaimInfo(k.claim_id, k.kind, k.text, k.text_en, k.start_s, k.end_s)
        for k in plan.claims
    }


@lru_cache(maxsize=8)
def stream_loop_s(seed: int) -> int:
    return build_content(seed).stream.loop_s


def fill(value: str, facts: Mapping[str, str], *, regex: bool = False) -> str:
    """``value`` with its ``${placeholders}`` replaced by range facts (escaped for a regular
    expression when ``regex``)."""
    if regex:
        facts = {k: re.escape(v) for k, v in facts.items()}
    return string.Template(value).safe_substitute(facts)


def url_with_facts(url: UrlPattern, facts: Mapping[str, str]) -> UrlPattern:
    """``url`` with the placeholders of its path filled in."""
    return url if url.path is None else UrlPattern(url.host, fill(url.path, facts, regex=True))
