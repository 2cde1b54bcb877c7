"""Finding the range's frame markers in recordings where the player is anywhere on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from forensics.range.video import encode_ts_segment, render_frame
from forensics.training.frames import MarkerFinder, locate_marker, scan_video
from tests.forensics.training.conftest import CONTENT, screen_recording

PLAN = CONTENT.stream


@pytest.mark.parametrize("scale", [0.5, 0.75, 1.0, 1.6])
@pytest.mark.parametrize("background", [(245, 245, 245), (12, 12, 12)])
def test_marker_found_inside_a_larger_screen(
    scale: float, background: tuple[int, int, int]
) -> None:
    frame = render_frame(PLAN, 1000)  # claim 4 on screen
    screen = Image.new("RGB", (1280, 800), background)
    screen.paste(frame.resize((int(640 * scale), int(360 * scale))), (137, 90))
    assert locate_marker(screen) is not None
    marker = MarkerFinder().read(screen)
    assert marker is not None and (marker.claim_id, marker.frame) == (4, 1000)


def test_no_marker_no_false_positive() -> None:
    screen = Image.new("RGB", (800, 600), (0, 0, 0))
    for x in range(0, 800, 40):  # stripes that look a bit like blocks
        screen.paste((255, 255, 255), (x, 500, x + 20, 520))
    assert MarkerFinder().read(screen) is None


def test_scan_reads_claims_and_duration(tmp_path: Path) -> None:
    path = screen_recording(tmp_path / "rec.mp4", 90, 20)  # stream seconds 90-110
    scan = scan_video(path, sample_seconds=2)
    assert scan.error is None and scan.duration_s is not None and 20 <= scan.duration_s <= 22
    claims = {s.claim_id for s in scan.sightings}
    assert 4 in claims  # "假一赔十" is on screen from second 95
    assert all(s.frame % PLAN.fps == 0 for s in scan.sightings)


def test_scan_of_garbage_reports_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    scan = scan_video(bad)
    assert scan.error is not None and scan.duration_s is None and not scan.sightings


def test_duration_without_decoding(tmp_path: Path) -> None:
    path = screen_recording(tmp_path / "rec.mp4", 0, 10)
    scan = scan_video(path, want_markers=False)
    assert scan.samples == 0 and scan.duration_s is not None and 10 <= scan.duration_s <= 12
    segment = encode_ts_segment(PLAN, 50)  # MPEG-TS declares no duration: packets are read
    scan = scan_video(segment, want_markers=False)
    assert scan.duration_s is not None and 1.5 <= scan.duration_s <= 2.5
