"""`lgf report` as a user runs it, checked in a real headless Chromium: the page loads with no
script or console errors, every chart draws, and a screenshot is kept as a test artefact
(tests/artifacts/, git-ignored). Skips only when no chromium binary exists and CI is not set;
under CI=true a missing browser fails (.ci/run installs Debian's chromium)."""

import json
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

LGF = str(Path(sys.executable).with_name("lgf"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
    None,
)


def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI is set but no chromium binary is installed (.ci/run installs it)")
        pytest.skip("no chromium binary (apt-get install -y chromium)")
    return CHROMIUM


def browse(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--virtual-time-budget=60000",
            "--window-size=1280,7200",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def body_attributes(dom: str) -> dict[str, str]:
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:2000]
    return {k: unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', body.group(1))}


def test_report_draws_every_chart_in_headless_chromium(built, tmp_path):
    page = tmp_path / "report.html"
    env = {**os.environ, "LGF_DATA_DIR": str(built.data_dir)}
    result = subprocess.run(
        [LGF, "report", "--council", "Leeds", "-o", str(page)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    # works offline: no script or stylesheet from elsewhere (plotly.js itself is inline; its
    # default topojson address is used only by maps, which the report has none of)
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", text)
    assert "Plotly.newPlot" in text and len(text) > 3_000_000
    assert text.count("<details><summary>SQL:") >= 7  # every chart shows its SQL
    figures = json.loads(
        re.search(r'id="lgf-figures">(.*?)</script>', text, re.S).group(1).replace("<\\/", "</")
    )
    cash = figures["chart-england-cash"]["data"]
    total = next(t for t in cash if t["name"] == "Net current expenditure (total)")
    by_year = dict(zip(total["x"], total["y"], strict=True))
    assert round(by_year["2019-20"], 2) == 110.33  # the published England row, GBP bn
    assert by_year["2013-14"] is None  # not bundled: a gap, not a zero

    dom = browse(page, tmp_path, "--dump-dom")
    attributes = body_attributes(dom.stdout)
    assert attributes.get("data-status") == "done", (attributes, dom.stderr[-2000:])
    assert json.loads(attributes["data-errors"]) == []
    expected = int(attributes["data-charts-expected"])
    assert expected == len(figures) == 7
    assert int(attributes["data-charts-drawn"]) == expected

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report_leeds.png"
    shot.unlink(missing_ok=True)
    browse(page, tmp_path, f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 50_000
    print(f"screenshot: {shot}")


def test_report_names_an_unknown_council(built, tmp_path):
    env = {**os.environ, "LGF_DATA_DIR": str(built.data_dir)}
    result = subprocess.run(
        [LGF, "report", "--council", "Atlantis", "-o", str(tmp_path / "r.html")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert "no current council matches 'Atlantis'" in result.stderr
    assert "Traceback" not in result.stderr
