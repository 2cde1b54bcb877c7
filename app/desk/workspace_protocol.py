"""The capture workspace's line protocol and launch configuration — what both sides of
the workspace process share, and all a dialog needs: no Qt, no capture engine.

Why a process of its own: Qt WebEngine reads its proxy and trust flags once per process,
when the Qt application starts (``app.capture.browser``), and the recording proxy's port
and CA are known only once the proxy runs. So the main window starts ``python -m
ui.workspace`` (``app.desk.workspace_launcher.WorkspaceProcess``), hands it a
``WorkspaceConfig`` and the lead officer's passphrase on stdin (never on the command line
or in the environment), and follows it through one JSON object per line on its stdout
(``event_line`` / ``parse_event``):

    {"event": "starting"}                        proxy, session.start, clean-environment check
    {"event": "ready", "session": "…"}           the workspace window is up
    {"event": "sealed", "seq": 12, "kind": "…", "hash": "…"}
    {"event": "failed", "en": "…", "zh": "…"}    capture stopped (proxy died, disk full…)
    {"event": "closed", "session": "…", "pending": 0}
    {"event": "error", "en": "…", "zh": "…"}     the session could not start

The child builds its capture options from the config with
``app.desk.workspace_options.capture_options``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from forensics.errors import InputError

PROTOCOL = 1


@dataclass(frozen=True)
class WorkspaceConfig:
    case_id: str
    badge: str  # the session lead (already unlocked by the main window)
    target_url: str = ""
    practice_range_port: int | None = None  # training on the practice range
    lang: str = "zh_CN"

    def to_json(self) -> str:
        return json.dumps({"protocol": PROTOCOL, **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> WorkspaceConfig:
        try:
            raw = json.loads(text)
            if raw.get("protocol") != PROTOCOL:
                raise ValueError("protocol")
            port = raw.get("practice_range_port")
            return cls(
                str(raw["case_id"]),
                str(raw["badge"]),
                str(raw.get("target_url", "")),
                int(port) if port is not None else None,
                str(raw.get("lang", "zh_CN")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"bad workspace configuration ({exc})", f"取证工作区配置有误（{exc}）"
            ) from None


def event_line(event: str, **fields: Any) -> str:
    return json.dumps({"event": event, **fields}, ensure_ascii=False)


def parse_event(line: str) -> dict[str, Any] | None:
    """A protocol event, or None for any other output line."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    return raw if isinstance(raw, dict) and isinstance(raw.get("event"), str) else None
