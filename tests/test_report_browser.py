"""Render the HTML report in headless Chromium: the charts draw, and the page logs no console errors."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from bench.gen_history import generate
from responders.report import run_report
from tests.conftest import NOW, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
# Chromium logs page console messages as "...:INFO:CONSOLE:1] ..." (older builds: "CONSOLE(1)]"),
# script errors as "Uncaught ...". The page has no script, so any console line is a fault.
CONSOLE_ERROR = re.compile(r"CONSOLE[:(]\d+\)?\]|Uncaught")
BAR_BLUE = (0x2F, 0x6F, 0xDF)


def chromium(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE_ERROR.search(line)]


def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) into raw rows."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6)
    channels = 3 if color == 2 else 4
    raw, stride, out, prev = zlib.decompress(idat), width * channels, bytearray(), bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        out += line
        prev = line
    return width, height, channels, bytes(out)


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind in (1, 2):
        return left if kind == 1 else up
    if kind == 3:
        return (left + up) // 2
    p = left + up - corner
    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
    return left if pa <= pb and pa <= pc else up if pb <= pc else corner


def count_colour(png: Path, rgb: tuple[int, int, int]) -> int:
    width, height, channels, pixels = read_png(png)
    target = bytes(rgb)
    return sum(pixels[i : i + 3] == target for i in range(0, len(pixels), channels))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    store = generate(folder / "h.db", comments=1200, days=30, seed=11, now=NOW)
    out = folder / "report.html"
    run_report(store, since=None, now=NOW, html=out, as_json=True, say=lambda _: None)
    store.close()
    return out


def test_charts_draw_in_the_dom(page: Path) -> None:
    run = chromium(page, "--dump-dom")
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", run.stdout, re.S)
    assert len(svgs) >= 7
    for svg in svgs:
        drawn = re.findall(
            r'<rect class="bar"[^>]*height="([\d.]+)"|<rect class="bar"[^>]*width="([\d.]+)"'
            r'|<path class="line" d="M[\d.]+,[\d.]+ L',
            svg,
        )
        assert drawn, svg[:200]
    assert console_errors(run.stderr) == []


def test_screenshot_shows_the_charts_and_no_console_errors(page: Path) -> None:
    shot = ROOT / "bench" / "output" / "report.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.unlink(missing_ok=True)
    run = chromium(page, "--window-size=1100,2600", f"--screenshot={shot}")
    assert shot.exists(), run.stderr[-2000:]
    # The blue bars of the weekly response-rate chart and the platform bars cover real pixels.
    assert count_colour(shot, BAR_BLUE) > 5000
    assert console_errors(run.stderr) == []


def test_console_error_detection_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!doctype html><p>x</p><script>console.error('boom');</script><script>undefinedThing();</script>"
    )
    errors = console_errors(chromium(broken, "--dump-dom").stderr)
    assert any("boom" in e for e in errors) and any("Uncaught ReferenceError" in e for e in errors)
