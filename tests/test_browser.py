"""Open each report in headless Chromium, as a reader would, and check every chart drew.

The reports come from the notebooks run once on the invented corpus (and on
the project's own data) by tests/notebook_support.py. Chromium loads each HTML
with no network, lets Vega render (``--virtual-time-budget``), dumps the DOM
and takes a screenshot, saved beside the report and under
``reports/screenshots/``. Nothing beyond Debian's chromium package is needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.paths import REPORTS_DIR
from notebook_support import default_reports, us_reports

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars",
]
SCREENSHOTS_DIR = REPORTS_DIR / "screenshots"
# each chart's container and the SVG vega-embed draws into it
_CHART = re.compile(r'<div[^>]*\bid="(chart-\d+)"[^>]*>(.*?)</div>\s*<script', re.S)
_MARK = re.compile(r'class="mark-(?:rect|symbol|rule|text|area|line|arc|path|image|group)\s+role-mark[^"]*"[^>]*>\s*<(?:path|line|text|g|image)')


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None)
        if found:
            return found
    pytest.skip("no Chromium found for the browser tests; install Debian's chromium package: apt-get install chromium")


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180)


def _open(html: Path, tmp: Path, screenshot: Path) -> str:
    """The DOM after Vega had 10 s of virtual time, and a screenshot of the page."""
    chromium = _chromium()
    url = html.resolve().as_uri()
    dom = _run(chromium, tmp / "profile-dom", "--virtual-time-budget=10000", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = _run(chromium, tmp / "profile-shot", "--virtual-time-budget=10000", "--window-size=1400,4000", f"--screenshot={screenshot}", url)
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    return dom.stdout


def _charts_in(dom: str) -> dict[str, str]:
    return {chart_id: body for chart_id, body in _CHART.findall(dom)}


def _pages(out: Path, results: dict) -> list[Path]:
    failed = [name for name, result in results.items() if isinstance(result, BaseException)]
    if failed:
        pytest.fail(f"notebooks failed to run (see test_notebooks.py): {failed}")
    return sorted(out.glob("*.html"))


NOTEBOOK_NAMES = ["01-corpus", "02-who-speaks", "03-sentiment", "04-framing", "05-positioning"]


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_chart_draws_in_a_browser(name, tmp_path):
    out, results = us_reports()
    pages = {p.stem: p for p in _pages(out, results)}
    if name not in pages:
        pytest.skip(f"no notebook {name} in this checkout")
    html = pages[name]
    source = html.read_text(encoding="utf-8")
    expected = source.count('vegaEmbed("#chart-')
    assert expected >= 1, f"{name}: no chart in the report"
    screenshot = out / "screenshots" / f"{name}.png"
    screenshot.parent.mkdir(exist_ok=True)
    dom = _open(html, tmp_path, screenshot)
    charts = _charts_in(dom)
    assert len(charts) == expected, f"{name}: {expected} charts embedded, {len(charts)} containers found in the DOM"
    for chart_id, body in charts.items():
        assert "<svg" in body, f"{name} {chart_id}: vega-embed drew no SVG (a script error, or Vega not inlined?)"
        assert len(_MARK.findall(body)) >= 1, f"{name} {chart_id}: an SVG with no marks in it"
        assert "no data" not in body, f"{name} {chart_id}: shows the empty state on a corpus that has data"
    assert screenshot.stat().st_size > 20_000
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot, SCREENSHOTS_DIR / f"{name}.png")


def test_tooltips_carry_the_quote_behind_each_mark():
    """Tooltips are in the embedded spec: the quote or sentence text, not only numbers."""
    out, results = us_reports()
    pages = {p.stem: p for p in _pages(out, results)}
    who = pages["02-who-speaks"].read_text(encoding="utf-8")
    assert '"tooltip"' in who and "We are going to win so much" in who
    assert '"select": {"type": "point"' in who.replace("\\", "") or '"type": "point"' in who


def test_empty_corpus_reports_still_draw(tmp_path):
    """On the project's data as shipped (the two seed articles) every chart draws something."""
    out, results = default_reports()
    for html in _pages(out, results):
        if html.stem == "01-corpus":
            continue
        dom = _open(html, tmp_path, tmp_path / f"{html.stem}.png")
        charts = _charts_in(dom)
        assert charts, f"{html.stem}: no chart drew"
        for chart_id, body in charts.items():
            assert "<svg" in body and _MARK.search(body), f"{html.stem} {chart_id}: nothing drawn"
