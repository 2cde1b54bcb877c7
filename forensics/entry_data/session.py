"""The data of ``session.start`` (how the session captures: method, targets, the tool,
the recording proxy and the browser; REQUIREMENTS §A8) and of ``session.end`` (who closed
the capture session, their key fingerprints, each one's signature on the entry, and
whether a training case let one officer do it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forensics.entry_data.fields import count, flag, obj, plain, strings, text
from forensics.entry_data.tool import ToolData


@dataclass(frozen=True)
class SessionStartData:
    """``session.start`` as ``app.capture.start_record.start_data`` writes it. The nested
    technical records (the proxy's disclosure, the browser, the video settings, extra
    upstream CAs, the sound plan) are kept as recorded; ``browser`` and ``sound`` are
    written only when recorded (older sessions have neither)."""

    method: str
    targets: tuple[str, ...]
    tool: ToolData | None = None
    # The recording proxy's disclosure (``forensics.capture``): mitmproxy version, addon
    # and CA hashes, listen address.
    proxy: dict[str, Any] = field(default_factory=dict)
    # ``app.capture.start_record.browser_record``: engine, product, version, program hash
    # and profile.
    browser: dict[str, Any] = field(default_factory=dict)
    browser_profile: str = ""
    browser_profile_fresh: bool = False
    host_mapping: dict[str, str] = field(default_factory=dict)
    upstream_trust_extra: tuple[dict[str, Any], ...] = ()  # {"file", "sha256"} each
    video: dict[str, Any] = field(default_factory=dict)  # fps, segment_seconds, preset, crf
    traffic_segment_seconds: int = 0
    environment_check: bool = False
    # How the browser's sound is captured (``app.capture.sound.SoundPlan.record``); written
    # only when recorded.
    sound: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "targets": list(self.targets)}
        if self.tool is not None:
            out["tool"] = self.tool.to_json()
        out["proxy"] = dict(self.proxy)
        if self.browser:
            out["browser"] = dict(self.browser)
        out.update(
            {
                "browser_profile": self.browser_profile,
                "browser_profile_fresh": self.browser_profile_fresh,
                "host_mapping": dict(self.host_mapping),
                "upstream_trust_extra": [dict(u) for u in self.upstream_trust_extra],
                "video": dict(self.video),
                "traffic_segment_seconds": self.traffic_segment_seconds,
                "environment_check": self.environment_check,
            }
        )
        if self.sound:
            out["sound"] = dict(self.sound)
        return out

    @classmethod
    def from_json(cls, raw: object) -> SessionStartData:
        d = obj(raw)
        tool = d.get("tool")
        upstream = d.get("upstream_trust_extra")
        return cls(
            method=text(d.get("method")),
            targets=strings(d.get("targets")),
            tool=ToolData.from_json(tool) if obj(tool) else None,
            proxy=plain(d.get("proxy")),
            browser=plain(d.get("browser")),
            browser_profile=text(d.get("browser_profile")),
            browser_profile_fresh=flag(d.get("browser_profile_fresh")),
            host_mapping={
                k: v for k, v in obj(d.get("host_mapping")).items() if isinstance(v, str)
            },
            upstream_trust_extra=tuple(
                plain(u) for u in (upstream if isinstance(upstream, list) else ()) if obj(u)
            ),
            video=plain(d.get("video")),
            traffic_segment_seconds=count(d.get("traffic_segment_seconds")),
            environment_check=flag(d.get("environment_check")),
            sound=plain(d.get("sound")),
        )


@dataclass(frozen=True)
class SessionEndData:
    signers: tuple[str, ...]
    training_single_officer: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # the closing summary, as written
    # Read only: listed signers that are no key fingerprint (not a non-empty string), as
    # text; the verifier reports each as a signer without a signature. Never written.
    malformed_signers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = {**self.extra, "signers": list(self.signers)}
        if self.training_single_officer:
            out["training_single_officer"] = True
        return out

    @classmethod
    def from_json(cls, raw: object) -> SessionEndData:
        d = obj(raw)
        extra = {
            k: v for k, v in plain(d).items() if k not in ("signers", "training_single_officer")
        }
        listed = d.get("signers")
        malformed = tuple(
            str(v)
            for v in (listed if isinstance(listed, list) else ())
            if not (v and isinstance(v, str))
        )
        return cls(
            strings(d.get("signers")), flag(d.get("training_single_officer")), extra, malformed
        )
