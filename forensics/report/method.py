"""The report's method sections: how the data was taken (tool and proxy) and the clean
environment checks before and after, with their comparison."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Spacer

from forensics.entries import int_of, mapping
from forensics.entries import text as str_of
from forensics.entry_data import EnvCheckData
from forensics.report.envview import changes as env_changes
from forensics.report.envview import flat_view
from forensics.report.envview import sections as env_sections
from forensics.report.labels import field_name
from forensics.report.layout import StoryBuilder
from forensics.report.narrative import both, flat, offset_text, phase_text
from forensics.report.tool import APP_NAME, tool_info


class MethodSections(StoryBuilder):
    """The method and clean-environment sections."""

    def method_section(self) -> None:
        self.h("sec.method")
        kinds = {r.kind for r in self.m.records}
        if any(k.startswith("capture.") for k in kinds):
            self.story.append(self.p(self.L("m.online")))
        if "import.file" in kinds:
            self.story.append(self.p(self.L("m.import")))
        self.story.append(self.p(self.L("m.seal")))
        tools = self.m.tools
        note = self.L("m.tool_ledger")
        if not tools:
            tools = [tool_info()]
            note = self.L("m.tool_here")
        for tool in tools:
            self.h3(f"{self.L('m.tool')} {note}")
            rows: list[tuple[str, object]] = [
                (self.L("m.name"), tool.name or APP_NAME),
                (self.L("m.version"), tool.version or "-"),
                (self.L("m.build"), self.hexp(tool.build_sha256 or "-")),
                (self.L("m.os"), tool.os or "-"),
                (self.L("m.python"), tool.python or "-"),
            ]
            self.story.append(self.kv(rows, 120))
        self.h3(self.L("m.proxy"))
        if not self.m.proxies:
            self.story.append(self.p(self.L("m.proxy_none")))
        for px in self.m.proxies:
            modifies = px.get("modifies_traffic")
            rows = [
                (
                    self.L("m.px_software"),
                    f"{str_of(px.get('software')) or 'mitmproxy'} {str_of(px.get('mitmproxy'))}".strip(),
                ),
                (self.L("m.px_listen"), str_of(px.get("listen")) or "-"),
                (self.L("m.px_ca"), self.hexp(str_of(px.get("ca_sha256")) or "-")),
                (self.L("m.px_addon"), self.hexp(str_of(px.get("addon_sha256")) or "-")),
                (
                    self.L("m.px_modifies"),
                    self.L("m.yes")
                    if modifies is True
                    else self.L("m.no")
                    if modifies is False
                    else "-",
                ),
            ]
            extra = {
                k: v
                for k, v in px.items()
                if k
                not in {
                    "software",
                    "mitmproxy",
                    "listen",
                    "ca_sha256",
                    "addon_sha256",
                    "modifies_traffic",
                }
            }
            for k, v in extra.items():
                rows.append((field_name(self.lang, str(k)), self.disclosed(str(k), v)))
            self.story.append(self.kv(rows, 120))
            self.story.append(Spacer(1, 4))

    def clean_section(self) -> None:
        self.h("sec.clean")
        checks = [r for r in self.m.records if r.kind == "env.check"]
        if not checks:
            self.story.append(self.p(self.L("e.none"), "note"))
            self.warnings.append("no environment check in the ledger")
            return
        for rec in checks:
            d = rec.data
            when = rec.when
            title = self.L(
                "e.check",
                rec.seq,
                phase_text(self.lang, EnvCheckData.from_json(d).phase),
                both(when) if when else "",
            )
            self.h3(title)
            rows: list[tuple[str, object]] = []
            view = flat_view(d)
            if view is not d:
                # A sealed snapshot: one row per section, then the clock line.
                rows += [(name, text) for name, text in env_sections(d, self.lang)]
                rows.append((self.L("e.clock"), self.clock_line(mapping(view.get("clock")))))
                self.story.append(self.kv(rows, 120))
                continue
            for key, value in d.items():
                if key == "phase":
                    continue
                if key == "clock" and isinstance(value, dict):
                    rows.append((self.L("e.clock"), self.clock_line(value)))
                    continue
                name = field_name(self.lang, str(key))
                if isinstance(value, dict):
                    for sub, sv in list(value.items())[:40]:
                        rows.append(
                            (f"{name} / {field_name(self.lang, str(sub))}", self.env_text(sv))
                        )
                else:
                    rows.append((name, self.env_text(value)))
            self.story.append(self.kv(rows, 120))
        phases = {r.seq: EnvCheckData.from_json(r.data).phase for r in checks}
        before = next((r for r in checks if phases[r.seq] == "before"), None)
        after = next((r for r in reversed(checks) if phases[r.seq] == "after"), None)
        recorded = env_changes(after.data, self.lang) if after else None
        if before is not None and after is not None and recorded is not None:
            # The after check compared itself with the before check when it was sealed.
            rows = [
                (self.L("e.changed") if real else self.L("e.compare"), text)
                for text, real in recorded
            ] or [(self.L("e.compare"), self.L("e.same"))]
            for text, real in recorded:
                if real:
                    self.warnings.append(f"environment changed during capture: {text}")
            self.h3(self.L("e.compare") + f"（#{before.seq} / #{after.seq}）")
            self.story.append(self.kv(rows, 120))
        elif before is not None and after is not None:
            bd, ad = before.data, after.data
            rows = []
            for key in bd:
                if key in ("phase", "clock", "checked_at", "time") or key not in ad:
                    continue
                same = bd[key] == ad[key]
                rows.append(
                    (
                        field_name(self.lang, str(key)),
                        self.L("e.same") if same else self.L("e.changed"),
                    )
                )
                if not same:
                    self.warnings.append(f"environment changed during capture: {key}")
            if rows:
                self.h3(self.L("e.compare") + f"（#{before.seq} / #{after.seq}）")
                self.story.append(self.kv(rows, 120))

    def clock_line(self, clock: Mapping[str, Any]) -> str:
        offset = int_of(clock.get("offset_us"))
        rtt = int_of(clock.get("rtt_us", clock.get("round_trip_us")))
        server = str_of(clock.get("server")) or str_of(clock.get("best_server")) or "-"
        if offset is None:
            return f"{self.L('t.offset_unknown')} ({server})"
        text = f"{offset_text(offset)} ({server}, RTT {offset_text(rtt).lstrip('+') if rtt is not None else '-'})"
        threshold = int_of(clock.get("warn_threshold_ms")) or 1000
        if abs(offset) > threshold * 1000:
            text += " " + self.L("t.offset_warn", threshold)
        return text

    def env_text(self, value: object) -> str:
        if isinstance(value, list) and len(value) > 12:
            return flat(self.lang, value, 12) + " " + self.L("e.items", len(value))
        return flat(self.lang, value, 12)

    def disclosed(self, key: str, value: object) -> str:
        """A further field of the proxy disclosure; its addon files one per line."""
        if key == "addon_files" and isinstance(value, list):
            lines = []
            for f in value[:12]:
                entry = mapping(f)
                if entry:
                    lines.append(
                        f"{str_of(entry.get('path')) or '-'}  {str_of(entry.get('sha256'))}"
                    )
                else:
                    lines.append(flat(self.lang, f))
            if len(value) > 12:
                lines.append(f"…(+{len(value) - 12})")
            return "\n".join(lines)
        return flat(self.lang, value, 8)
