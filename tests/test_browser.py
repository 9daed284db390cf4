"""Open each report page in headless Chromium, as a reader would: every chart drew, nothing logged an error.

The reports come from the notebooks run once on the invented corpus (and on
the project's own data) by tests/notebook_support.py: the notebooks' HTML and
the pages written beside them (annotated articles ``articles/*.html``,
answer pages ``answers/*.html``). Playwright drives Debian's
Chromium (never a downloaded browser) with every request off the local disk
refused, waits until each chart's SVG is drawn, collects console errors and
uncaught page errors (a test fails on any), and saves a full-page screenshot
beside the report and under ``reports/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis.paths import REPORTS_DIR
from notebook_support import EXPECTED_OUTPUTS, default_reports, us_reports

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


def _open(html: Path, tmp: Path, screenshot: Path) -> tuple[str, list[str]]:
    """``(DOM, problems)`` once every chart of the page has drawn; a full-page screenshot saved to ``screenshot``.

    ``problems`` lists console errors, uncaught page errors and any request
    that left the local disk (refused: the report must work offline).
    """
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    problems: list[str] = []
    charts_n = html.read_text(encoding="utf-8").count('vegaEmbed("#chart-')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[f for f in FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "assert") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def refuse(route):
            problems.append(f"request off the disk: {route.request.url}")
            route.abort()

        page.route(re.compile(r"^(?!file:|data:|about:|blob:)"), refuse)
        page.goto(html.resolve().as_uri(), wait_until="load")
        if charts_n:
            page.wait_for_function(f"document.querySelectorAll('.workbench-chart svg').length >= {charts_n}", timeout=60_000)
        page.wait_for_timeout(300)  # any error thrown after drawing
        page.screenshot(path=str(screenshot), full_page=True)
        dom = page.content()
        browser.close()
    return dom, problems


def _charts_in(dom: str) -> dict[str, str]:
    return {chart_id: body for chart_id, body in _CHART.findall(dom)}


def _pages(out: Path, results: dict) -> list[Path]:
    failed = [name for name, result in results.items() if isinstance(result, BaseException)]
    if failed:
        pytest.fail(f"notebooks failed to run (see test_notebooks.py): {failed}")
    return sorted(out.glob("*.html"))


NOTEBOOK_NAMES = list(EXPECTED_OUTPUTS)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_chart_draws_in_a_browser(name, tmp_path):
    out, results = us_reports()
    pages = {p.stem: p for p in _pages(out, results)}
    if name not in pages:
        pytest.skip(f"no notebook {name} in this checkout")
    html = pages[name]
    source = html.read_text(encoding="utf-8")
    expected = source.count('vegaEmbed("#chart-')
    assert expected >= 1 or not EXPECTED_OUTPUTS[name][1], f"{name}: no chart in the report"
    screenshot = out / "screenshots" / f"{name}.png"
    screenshot.parent.mkdir(exist_ok=True)
    dom, problems = _open(html, tmp_path, screenshot)
    assert not problems, f"{name}: {problems}"
    charts = _charts_in(dom)
    assert len(charts) == expected, f"{name}: {expected} charts embedded, {len(charts)} containers found in the DOM"
    for chart_id, body in charts.items():
        assert "<svg" in body, f"{name} {chart_id}: vega-embed drew no SVG (a script error, or Vega not inlined?)"
        assert len(_MARK.findall(body)) >= 1, f"{name} {chart_id}: an SVG with no marks in it"
        assert "no data" not in body, f"{name} {chart_id}: shows the empty state on a corpus that has data"
    assert screenshot.stat().st_size > 20_000
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot, SCREENSHOTS_DIR / f"{name}.png")


@pytest.mark.parametrize("label, reports", [("us2016", us_reports), ("seed", default_reports)])
def test_annotated_articles_and_answer_pages_draw_with_no_console_error(label, reports, tmp_path):
    """Every page the notebooks write beside their own (annotated articles, answer pages) opens with no error."""
    out, results = reports()
    _pages(out, results)
    articles = sorted((out / "articles").glob("*.html"))
    assert len(articles) >= 3 and (out / "articles" / "index.html") in articles, articles
    for html in [*articles, *sorted((out / "answers").glob("*.html"))]:
        name = f"{html.parent.name}-{html.stem}"
        screenshot = out / "screenshots" / f"{name}.png"
        screenshot.parent.mkdir(exist_ok=True)
        dom, problems = _open(html, tmp_path, screenshot)
        assert not problems, f"{html.parent.name}/{html.name}: {problems}"
        if html.parent.name == "articles" and html.stem != "index":
            assert 'class="wb-text"' in dom and 'class="wb-quote' in dom and "wb-mention" in dom, html.name
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, SCREENSHOTS_DIR / f"{label}-{name}.png")


def test_article_text_holding_script_runs_nothing_in_a_browser(tmp_path):
    import pandas as pd

    from analysis import annotate
    from analysis.actors import parse_codebook
    from analysis.tables import build_tables

    book = parse_codebook({"actors": [{"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"}]})
    text = "Lee said <script>window.pwned = 1; console.error('ran')</script> <!-- <img src=x onerror=\"window.pwned=2\">."
    tables = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X</title><script>window.pwned=3</script>"], "text": [text]}), book)
    page = tmp_path / "hostile.html"
    page.write_text(annotate.article_page(annotate.annotate_article(tables, "a"), "X</title><script>"), encoding="utf-8")
    dom, problems = _open(page, tmp_path, tmp_path / "hostile.png")
    assert not problems, problems
    assert "window.pwned = 1" in dom.replace("&lt;", "<") and "<script>window" not in dom


def test_tooltips_carry_the_quote_behind_each_mark():
    """Tooltips are in the embedded spec: the quote or sentence text, not only numbers."""
    out, results = us_reports()
    pages = {p.stem: p for p in _pages(out, results)}
    who = pages["02-who-speaks"].read_text(encoding="utf-8")
    assert '"tooltip"' in who and "We are going to win so much" in who
    assert '"select": {"type": "point"' in who.replace("\\", "") or '"type": "point"' in who


def test_empty_corpus_reports_still_draw(tmp_path):
    """On the project's data as shipped (the two seed articles) every chart draws something, with no console error."""
    out, results = default_reports()
    for html in _pages(out, results):
        if html.stem == "01-corpus":
            continue
        screenshot = out / "screenshots" / f"{html.stem}.png"
        screenshot.parent.mkdir(exist_ok=True)
        dom, problems = _open(html, tmp_path, screenshot)
        assert not problems, f"{html.stem}: {problems}"
        charts = _charts_in(dom)
        assert charts or not EXPECTED_OUTPUTS[html.stem][1], f"{html.stem}: no chart drew"
        for chart_id, body in charts.items():
            assert "<svg" in body and _MARK.search(body), f"{html.stem} {chart_id}: nothing drawn"
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, SCREENSHOTS_DIR / f"seed-{html.stem}.png")
