"""The JupyterLab path as a researcher takes it: open notebook 05, run every cell, read the map and findings.

A real ``jupyter lab`` is started on loopback (no token, a free port,
``--no-browser``, its runtime, config, data, settings and workspaces in a
temporary folder so the user's own settings do not matter; autosave off,
news and update checks off, every cell kept in the page) and driven in headless Chromium (Debian's
``/usr/bin/chromium``) through Playwright, which is given that binary and
never downloads a browser of its own. The notebook is opened from
``notebooks/`` in place: its bytes must be the same before and after,
including after JupyterLab saves it untouched (the project's Jupyter config,
``jupyter-config/jupyter_server_config.json``, keeps the metadata JupyterLab
adds on opening out of the file). Screenshots go to ``reports/screenshots/``.
Skips, saying why, where Chromium is missing.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.paths import NOTEBOOKS_DIR, PROJECT_ROOT, REPORTS_DIR
from test_browser import FLAGS, _chromium

NOTEBOOK = NOTEBOOKS_DIR / "05-positioning.ipynb"
SCREENSHOTS_DIR = REPORTS_DIR / "screenshots"
RUN_TIMEOUT_S = 300
_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    # every cell in the page, not only those scrolled into view
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
_APP = "window.jupyterapp"
_PANEL = f"{_APP}.shell.currentWidget"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``(base URL, server log path)`` of a JupyterLab serving the project root; stopped after the module."""
    chromium = _chromium()
    tmp = tmp_path_factory.mktemp("jupyterlab")
    for name, value in _SETTINGS.items():
        (tmp / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "settings" / name).write_text(json.dumps(value), encoding="utf-8")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"), JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
    port = _free_port()
    log = tmp / "server.log"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={PROJECT_ROOT}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root"]
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start; its log:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield url, chromium, tmp
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _browser(playwright, chromium: str, profile: Path):
    flags = [f for f in FLAGS if f != "--headless"]
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium, headless=True, args=flags, viewport={"width": 1400, "height": 1000})


def _open_notebook(page, url: str, notebook: Path = NOTEBOOK):
    page.goto(f"{url}/lab/tree/notebooks/{notebook.name}?reset")  # ?reset: no tab restored from an earlier test
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
    page.wait_for_function(f"{_PANEL} && {_PANEL}.sessionContext.session && {_PANEL}.sessionContext.session.kernel"
                           f" && {_PANEL}.sessionContext.session.kernel.status === 'idle'", timeout=90_000)


def _wait_for_run(page) -> None:
    """Until every code cell has run (an execution count, no ``[*]``) and the kernel is idle."""
    page.wait_for_function(
        f"""() => {{
            const cells = {_PANEL}.content.widgets.filter(c => c.model.type === 'code');
            return cells.every(c => c.model.executionCount !== null)
                && {_PANEL}.sessionContext.session.kernel.status === 'idle';
        }}""",
        timeout=RUN_TIMEOUT_S * 1000,
        polling=1000,
    )


@pytest.fixture(scope="module")
def committed_bytes():
    return NOTEBOOK.read_bytes()


def test_opening_and_saving_leaves_the_notebook_as_committed(lab, committed_bytes):
    from playwright.sync_api import sync_playwright

    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.json"
    assert installed.is_file() and installed.read_bytes() == (PROJECT_ROOT / "jupyter-config" / "jupyter_server_config.json").read_bytes(), (
        f"{installed} is not the project's jupyter-config/jupyter_server_config.json; `make test` (or `make venv`) installs it")
    url, chromium, tmp = lab
    with sync_playwright() as p:
        context = _browser(p, chromium, tmp / "profile-save")
        page = context.new_page()
        _open_notebook(page, url)
        time.sleep(2)  # JupyterLab writes the kernel's language_info into the model once it has connected
        page.evaluate(f"{_APP}.commands.execute('docmanager:save')")
        page.wait_for_function(f"!{_PANEL}.context.model.dirty", timeout=30_000)
        context.close()
    assert NOTEBOOK.read_bytes() == committed_bytes, "saving the untouched notebook in JupyterLab changed the file"


def test_run_all_cells_in_jupyterlab_shows_the_map_and_findings(lab, committed_bytes):
    from playwright.sync_api import sync_playwright

    url, chromium, tmp = lab
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = _browser(p, chromium, tmp / "profile-run")
        page = context.new_page()
        _open_notebook(page, url)
        page.evaluate(f"{_APP}.commands.execute('notebook:run-all-cells')")
        _wait_for_run(page)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
        assert errors.count() == 0, "a cell failed: " + "\n".join(errors.all_inner_texts())[:3000]
        charts = page.locator(".jp-RenderedVegaCommon5")
        charts.first.wait_for(timeout=60_000)
        chart = charts.first
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => { const c = document.querySelector('.jp-RenderedVegaCommon5'); return c && c.querySelector('svg, canvas'); }", timeout=60_000)
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 200, f"the positioning map drew at {box}"
        page.screenshot(path=str(SCREENSHOTS_DIR / "jupyterlab-05-positioning-map.png"))
        findings = page.locator(".jp-Notebook .jp-CodeCell").last.locator(".jp-OutputArea-output.jp-RenderedMarkdown")
        findings.last.scroll_into_view_if_needed()
        text, findings_n = "\n".join(findings.all_inner_texts()), findings.count()
        answer_titles = page.locator(".jp-OutputArea-output .answer h1").all_inner_texts()  # the answer pages, shown inline
        page.screenshot(path=str(SCREENSHOTS_DIR / "jupyterlab-05-positioning-findings.png"))
        context.close()
    assert findings_n == 3 and "CBC News" in text and "The Epoch Times" in text, text[:1000]
    # describe_positioning (with its verdicts), describe_treatment, then describe_voice
    assert "treatment of Jamil Jivani" in text and "slant" in text and "the outlet's own words" in text and " of quotes " in text, text[:1000]
    assert answer_titles == ["How CBC News positions Jamil Jivani relative to liberal government",
                             "How The Epoch Times positions Jamil Jivani relative to liberal government"], answer_titles
    assert "**" not in text, "Markdown shown as source, not rendered"
    assert (SCREENSHOTS_DIR / "jupyterlab-05-positioning-map.png").stat().st_size > 20_000
    assert NOTEBOOK.read_bytes() == committed_bytes, "running the notebook in JupyterLab wrote to the committed file"


def test_annotated_articles_show_inline_in_jupyterlab(lab):
    """Notebook 06 run in JupyterLab: the annotated article draws in the output, its own styles applied."""
    from playwright.sync_api import sync_playwright

    notebook = NOTEBOOKS_DIR / "06-reading.ipynb"
    committed = notebook.read_bytes()
    url, chromium, tmp = lab
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = _browser(p, chromium, tmp / "profile-reading")
        page = context.new_page()
        _open_notebook(page, url, notebook)
        page.evaluate(f"{_APP}.commands.execute('notebook:run-all-cells')")
        try:
            _wait_for_run(page)
        except Exception:
            page.screenshot(path=str(SCREENSHOTS_DIR / "jupyterlab-06-reading-timeout.png"), full_page=True)
            shown = page.locator(".jp-OutputArea-output").all_inner_texts()
            raise AssertionError("notebook 06 did not finish in JupyterLab; outputs:\n" + "\n".join(shown)[-3000:])
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
        assert errors.count() == 0, "a cell failed: " + "\n".join(errors.all_inner_texts())[:3000]
        article = page.locator(".jp-OutputArea-output .wb-article").first
        article.wait_for(timeout=60_000)
        article.scroll_into_view_if_needed()
        styles = page.evaluate("""() => {
            const q = document.querySelector('.jp-OutputArea-output .wb-article .wb-quote');
            const d = document.querySelector('.jp-OutputArea-output .wb-article .wb-descriptor');
            return [getComputedStyle(q).backgroundColor, getComputedStyle(d).textDecorationLine, q.title];
        }""")
        page.screenshot(path=str(SCREENSHOTS_DIR / "jupyterlab-06-reading-article.png"))
        articles_n = page.locator(".jp-OutputArea-output .wb-article").count()
        context.close()
    background, decoration, title = styles
    assert articles_n == 2, articles_n
    assert background not in ("rgba(0, 0, 0, 0)", "transparent") and "underline" in decoration, styles
    assert title.startswith("quote ("), title
    assert notebook.read_bytes() == committed, "running the notebook in JupyterLab wrote to the committed file"
