"""The report's particulars: title block, the case, time (sessions and time-stamps), place,
people, target and carrier sections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Spacer

from forensics.entries import text as str_of
from forensics.entry_data import EnvCheckData
from forensics.report.envview import flat_view
from forensics.report.fonts import HEX_FONT
from forensics.report.labels import LABELS, field_name, kind_name
from forensics.report.layout import CELL_SIZE, FRAME_W, HEX_SIZE, StoryBuilder, wrap
from forensics.report.narrative import (
    bj,
    category,
    duration,
    flat,
    offset_text,
    phase_text,
    role_text,
    utc,
)


def _us_text(us: int) -> str:
    if us >= 1_000_000 and us % 100_000 == 0:
        return f"{us / 1_000_000:g} s"
    return f"{us / 1000:g} ms"


class ParticularSections(StoryBuilder):
    """The title block and the case, time, place, people, target and carrier sections."""

    def title_block(self) -> None:
        s = self.story
        s.append(self.p(self.m.agency or " ", "agency"))
        s.append(self.p(self.L("doc.title"), "title"))
        s.append(self.p(self.L("doc.subtitle"), "subtitle"))
        s.append(self.p(self.L("doc.number", self.m.document_number), "docno"))
        if self.m.meta.training:
            s.append(self.p(self.L("doc.training"), "note"))
            s.append(Spacer(1, 4))

    def extraction_text(self) -> str:
        ext = self.m.extraction
        if ext is None:
            return "-"
        a, b = ext
        text = self.L("t.range", bj(a), bj(b)) + "\n" + self.L("t.utc_range", utc(a), utc(b))
        if self.m.extraction_from_items:
            text += "\n" + self.L("t.from_items")
        return text

    def case_section(self) -> None:
        m = self.m.meta
        self.h("sec.case")
        self.story.append(
            self.kv(
                [
                    (self.L("f.title"), m.title),
                    (self.L("f.number"), m.number),
                    (self.L("f.case_id"), m.case_id),
                    (self.L("f.cause"), m.cause),
                    (self.L("f.party"), m.party or self.L("f.party_unknown")),
                    (self.L("f.purpose"), m.purpose),
                    (self.L("f.agency"), self.m.agency),
                    (self.L("f.location"), m.location),
                    (self.L("f.extraction"), self.extraction_text()),
                    (self.L("f.entries"), str(len(self.m.records))),
                    (
                        self.L("f.head"),
                        [self.p(f"#{self.m.head_seq}", "cell"), self.hexp(self.m.head_hash)],
                    ),
                ]
            )
        )

    def clock_summary(self) -> str:
        parts = []
        for c in self.m.clocks:
            if c.offset_us is None:
                text = f"{phase_text(self.lang, c.phase)} {self.L('t.offset_unknown')}"
            else:
                text = self.L(
                    "t.offset_item",
                    phase=phase_text(self.lang, c.phase),
                    offset=offset_text(c.offset_us),
                    server=c.server or "-",
                    rtt=offset_text(c.rtt_us).lstrip("+") if c.rtt_us is not None else "-",
                )
                if c.over_threshold:
                    text += " " + self.L("t.offset_warn", c.threshold_ms)
            parts.append(text)
        return ("；" if self.lang == "zh" else "; ").join(parts) or self.L("t.offset_unknown")

    def time_section(self) -> None:
        self.h("sec.time")
        self.story.append(
            self.kv(
                [
                    (self.L("f.extraction"), self.extraction_text()),
                    (self.L("t.offset_label"), self.clock_summary()),
                ]
            )
        )
        for c in self.m.clocks:
            if c.over_threshold:
                self.warnings.append(
                    f"clock offset {offset_text(c.offset_us or 0)} at entry {c.seq}"
                )
        if self.m.sessions:
            self.h3(self.L("t.sessions"))
            rows = []
            for s in self.m.sessions:
                who = []
                for key in s.signers:
                    o = self.m.officer(key)
                    who.append(f"{o.name} {o.badge}" if o else key[:16])
                people = ", ".join(who)
                if s.single_officer:
                    people += f" ({self.L('t.single')})"
                dur = duration((s.end - s.start).total_seconds()) if s.start and s.end else "-"
                rows.append(
                    [
                        wrap(s.sid, CELL_SIZE, 60),
                        f"{bj(s.start)}\nUTC {utc(s.start)}" if s.start else "-",
                        f"{bj(s.end)}\nUTC {utc(s.end)}" if s.end else "-",
                        dur,
                        wrap(people, CELL_SIZE, FRAME_W - 66 - 2 * 118 - 46 - 6),
                    ]
                )
            self.story.extend(
                self.table(
                    [
                        self.L(k)
                        for k in (
                            "t.col_session",
                            "t.col_start",
                            "t.col_end",
                            "t.col_duration",
                            "t.col_people",
                        )
                    ],
                    rows,
                    [66, 118, 118, 46, FRAME_W - 66 - 2 * 118 - 46],
                )
            )
        self.stamps_block()

    def stamps_block(self) -> None:
        self.h3(self.L("t.stamps"))
        stamps = self.m.stamps
        if not stamps:
            self.story.append(self.p(self.L("t.no_stamps"), "note"))
            self.warnings.append("no time-stamp in the ledger")
            return
        covered = max((s.stamped_seq for s in stamps if s.stamped_seq is not None), default=-1)
        text = self.L("t.coverage", covered) if covered >= 0 else ""
        uncovered = [r.seq for r in self.m.records if r.seq > covered and r.kind != "timestamp"]
        if len(uncovered) == 1:
            text += " " + self.L("t.uncovered_one", uncovered[0])
        elif uncovered:
            text += " " + self.L("t.uncovered", uncovered[0], uncovered[-1])
        # Policy and accuracy are usually the same for every token: said once, not per row.
        common: list[str] = []
        policies = {s.policy for s in stamps}
        accuracies = {s.accuracy_us for s in stamps}
        if len(policies) == 1 and "" not in policies:
            common.append(self.L("t.policy", next(iter(policies))))
        only_accuracy = next(iter(accuracies)) if len(accuracies) == 1 else None
        if only_accuracy is not None:
            common.append(self.L("t.accuracy", _us_text(only_accuracy)))
        if common:
            text += " " + self.L(
                "t.all_tokens", "；".join(common) if self.lang == "zh" else "; ".join(common)
            )
        self.story.append(self.p(text))
        self.story.append(Spacer(1, 3))
        widths = [46, 160, 96, FRAME_W - 302]
        rows = []
        for s in stamps:
            tsa = [s.tsa or "-", s.serial or "-"]
            if len(policies) > 1 and s.policy:
                tsa.append(self.L("t.policy", s.policy))
            if len(accuracies) > 1 and s.accuracy_us is not None:
                tsa.append(self.L("t.accuracy", _us_text(s.accuracy_us)))
            if s.late:
                tsa.append(self.L("t.late"))
            gen = (
                f"{bj(s.gen_time)}\nUTC {utc(s.gen_time)[:10]}\n{utc(s.gen_time, True)[11:]}"
                if s.gen_time
                else wrap(s.gen_time_raw or "-", CELL_SIZE, widths[2] - 6)
            )
            token = s.token
            token_text = f"{token.path}\n{token.sha256}" if token else "-"
            entry = f"#{s.stamped_seq}" if s.stamped_seq is not None else "?"
            if s.stamped_kind:
                entry += f"\n{kind_name(self.lang, s.stamped_kind)}"
            rows.append(
                [
                    wrap(entry, CELL_SIZE, widths[0] - 6),
                    wrap("\n".join(tsa), CELL_SIZE, widths[1] - 6),
                    gen,
                    token_text,
                ]
            )
        self.story.extend(
            self.table(
                [self.L(k) for k in ("t.col_entry", "t.col_tsa", "t.col_gentime", "t.col_token")],
                rows,
                widths,
                [("FONTNAME", (3, 1), (3, -1), HEX_FONT), ("FONTSIZE", (3, 1), (3, -1), HEX_SIZE)],
            )
        )

    def env_value(self, data: Mapping[str, Any], *keys: str) -> str:
        for k in keys:
            v = data.get(k)
            if v not in (None, "", [], {}) and not (
                k == "proxy" and isinstance(v, dict) and "mitmproxy" in v
            ):
                return flat(self.lang, v, 6)
        return ""

    def place_section(self) -> None:
        self.h("sec.place")
        rows: list[tuple[str, object]] = [(self.L("f.location"), self.m.meta.location)]
        checks = [r for r in self.m.records if r.kind == "env.check"]
        first = next(
            (r for r in checks if EnvCheckData.from_json(r.data).phase == "before"),
            checks[0] if checks else None,
        )
        if first is not None:
            d = flat_view(first.data)
            for key, keys in (
                ("n.public_ip", ("public_ip", "egress_ip", "public_ips")),
                ("n.local_ip", ("local_ip", "local_ips")),
                ("n.dns", ("dns_servers", "dns")),
                ("n.hostname", ("hostname", "host")),
                ("n.os", ("os", "os_version", "platform")),
                ("n.proxy", ("system_proxy", "os_proxy", "proxy")),
                ("n.vpn", ("vpn",)),
            ):
                value = self.env_value(d, *keys)
                if value:
                    rows.append((self.L(key), value))
        else:
            rows.append((self.L("n.summary"), self.L("n.none")))
        if self.m.hosts:
            rows.append((self.L("n.hosts"), self.listing(self.m.hosts, 30)))
        if self.m.server_ips:
            rows.append((self.L("n.server_ips"), self.listing(self.m.server_ips, 30)))
        self.story.append(self.kv(rows))

    def people_section(self) -> None:
        self.h("sec.people")
        widths = [46, 52, 96, 44, 50, FRAME_W - 288]
        rows = []
        for o in self.m.officers:
            rows.append(
                [
                    wrap(o.name, CELL_SIZE, widths[0] - 6),
                    wrap(o.badge, CELL_SIZE, widths[1] - 6),
                    wrap(o.agency, CELL_SIZE, widths[2] - 6),
                    wrap(role_text(self.lang, o.role), CELL_SIZE, widths[3] - 6),
                    wrap(
                        self.L("p.self") if o.self_signed else self.L("p.ca"),
                        CELL_SIZE,
                        widths[4] - 6,
                    ),
                    o.key,
                ]
            )
        self.story.extend(
            self.table(
                [
                    self.L(k)
                    for k in (
                        "p.col_name",
                        "p.col_badge",
                        "p.col_agency",
                        "p.col_role",
                        "p.col_cert",
                        "p.col_key",
                    )
                ],
                rows,
                widths,
                [("FONTNAME", (5, 1), (5, -1), HEX_FONT), ("FONTSIZE", (5, 1), (5, -1), HEX_SIZE)],
            )
        )
        if any(o.self_signed for o in self.m.officers):
            self.story.append(self.p(self.L("p.self_note"), "note"))
        recorders = [o for o in self.m.officers if o.role == "recorder"]
        assistants = [o for o in self.m.officers if o.role == "assistant"]
        none = self.L("p.none")
        self.story.append(Spacer(1, 3))
        self.story.append(
            self.p(
                self.L(
                    "p.recorder",
                    ", ".join(
                        f"{o.name}（{o.badge}）" if self.lang == "zh" else f"{o.name} ({o.badge})"
                        for o in recorders
                    )
                    or none,
                )
            )
        )
        self.story.append(
            self.p(
                self.L(
                    "p.assistants",
                    ", ".join(f"{o.name} {o.agency}".strip() for o in assistants) or none,
                )
            )
        )
        if self.m.meta.training:
            self.story.append(self.p(self.L("doc.training"), "note"))

    def target_section(self) -> None:
        self.h("sec.target")
        rows: list[tuple[str, object]] = []
        for key, value in self.m.meta.target.items():
            lk = f"g.{key}"
            rows.append(
                (
                    self.L(lk) if lk in LABELS else field_name(self.lang, str(key)),
                    flat(self.lang, value),
                )
            )
        if not rows:
            rows.append((self.L("g.platform"), self.L("g.no_target")))
        counts: dict[str, int] = {}
        for row in self.m.evidence:
            name = category(self.lang, row.kind)
            counts[name] = counts.get(name, 0) + 1
        sep = "；" if self.lang == "zh" else "; "
        rows.append(
            (
                self.L("g.content"),
                sep.join(self.L("g.count", k, v) for k, v in counts.items()) or "-",
            )
        )
        if self.m.urls:
            rows.append((self.L("g.urls"), self.listing(self.m.urls, 40)))
        if self.m.login_accounts:
            rows.append((self.L("g.login"), ", ".join(self.m.login_accounts)))
        self.story.append(self.kv(rows))

    def carrier_section(self) -> None:
        self.h("sec.carrier")
        if self.m.meta.carrier_statement:
            self.story.append(self.p(self.m.meta.carrier_statement))
            return
        target = self.m.meta.target
        platform = str_of(target.get("platform")) or self.L("c.platform_unknown")
        where = self.L("c.where", ", ".join(self.m.server_ips[:8])) if self.m.server_ips else ""
        self.story.append(self.p(self.L("c.statement", platform=platform, where=where)))
