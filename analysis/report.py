"""Run the numbered notebooks headless and write what a reader opens.

``python -m analysis.report`` (what ``make report`` calls) executes every
``notebooks/NN-*.ipynb`` in order with papermill (so a ``parameters`` cell can
be overridden) and writes, under ``reports/``:

- ``NN-name.ipynb``: the executed notebook;
- ``NN-name.html``: the same as HTML whose charts draw with no internet access
  (Vega, Vega-Lite and vega-embed are inlined once per page);
- ``figures/*.png|svg`` and ``tables/*.csv``: what the notebooks saved with
  :func:`save_chart` and :func:`save_table`.

>>> from analysis.report import run_notebooks
>>> run_notebooks()                          # doctest: +SKIP
[PosixPath('.../reports/01-corpus.html'), ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import nbformat
import pandas as pd

from analysis.markup import escape_script_json
from analysis.notebook_format import strip_notebook
from analysis.paths import FIGURES_DIR, NOTEBOOKS_DIR, REPORTS_DIR, TABLES_DIR, writing_to

NOTEBOOK_PATTERN = re.compile(r"^\d{2}-[\w-]+\.ipynb$")
EMBED_OPTIONS = {"renderer": "svg", "actions": False}
_SLUG = re.compile(r"[^\w-]+")


PATH_PARAMETERS = frozenset({"CORPUS", "RESULTS", "CODEBOOK", "OUTPUT_DIR"})
"""Notebook parameters that name files or folders (so do names ending ``_DIR``, ``_PATH``, ``_FILE``)."""


class ReportError(RuntimeError):
    """A report that cannot be written (read-only or full output folder); the message names the path."""


def list_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks (``NN-name.ipynb``) in run order."""
    return sorted(p for p in Path(folder).iterdir() if NOTEBOOK_PATTERN.match(p.name))


def _slug(name: str) -> str:
    slug = _SLUG.sub("-", name.strip().lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a file name from {name!r}")
    return slug


def save_chart(chart, name: str, output_dir: Path | str | None = None) -> list[Path]:
    """Save an Altair chart as ``figures/name.png`` and ``figures/name.svg``; return the paths.

    ``output_dir`` is the report folder (default ``reports/``).

    Rendering uses vl-convert (bundled in its wheel), so it works offline. The
    PNG is rasterised from the SVG (the same bytes as rendering the chart again,
    in a third of the time).
    """
    import vl_convert

    folder = Path(output_dir or REPORTS_DIR) / FIGURES_DIR.name
    svg, png = folder / f"{_slug(name)}.svg", folder / f"{_slug(name)}.png"
    with writing_to(svg, ReportError):
        folder.mkdir(parents=True, exist_ok=True)
        chart.save(str(svg), format="svg")
    with writing_to(png, ReportError):
        png.write_bytes(vl_convert.svg_to_png(svg.read_text(encoding="utf-8"), scale=2))
    return [svg, png]


def save_table(table: pd.DataFrame, name: str, output_dir: Path | str | None = None) -> Path:
    """Save a table as ``tables/name.csv`` (UTF-8, no index) under ``output_dir`` (default ``reports/``)."""
    folder = Path(output_dir or REPORTS_DIR) / TABLES_DIR.name
    path = folder / f"{_slug(name)}.csv"
    with writing_to(path, ReportError):
        folder.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False)
    return path


@lru_cache(maxsize=1)
def _vega_bundle() -> str:
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def _embed_html(spec: dict, div_id: str) -> str:
    payload = escape_script_json(spec)  # no "</script>" or "<!--" from article text can break the page
    options = json.dumps(EMBED_OPTIONS)
    return (
        f'<div id="{div_id}" class="workbench-chart"></div>\n'
        f'<script type="text/javascript">vegaEmbed("#{div_id}", {payload}, {options}).catch(console.error);</script>'
    )


def _add_chart_html(nb: nbformat.NotebookNode) -> int:
    """Give every Vega-Lite output an HTML twin that calls vegaEmbed; return how many."""
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            mime = next((m for m in data if m.startswith("application/vnd.vegalite.")), None)
            if mime:
                spec = data[mime]
                spec = json.loads(spec) if isinstance(spec, str) else spec
                data["text/html"] = _embed_html(spec, f"chart-{count}")
                count += 1
    return count


OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
"""nbconvert's lab template without the scripts it fetches from a CDN: require.js (for widgets the reports do
not use), MathJax (the reports hold no math; findings escape ``$``) and Mermaid (no diagrams). Nothing is fetched."""

TABLE_CSS = (".workbench-table{max-height:36em;max-width:100%;overflow:auto;border:1px solid #e0e0e0}"
             ".workbench-table thead th{position:sticky;top:0;background:#fff;z-index:1}")
"""Every table of a report sits in a box that scrolls both ways; its header row stays in view."""


def _scroll_tables(nb: nbformat.NotebookNode) -> int:
    """Put every HTML table output in a scrolling box (:data:`TABLE_CSS`); return how many."""
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is not None and "<table" in "".join(html) and "workbench-table" not in "".join(html):
                output["data"]["text/html"] = f'<div class="workbench-table">{"".join(html)}</div>'
                count += 1
    return count


def export_html(notebook: Path | nbformat.NotebookNode, html_path: Path) -> Path:
    """Write an executed notebook as self-contained HTML (charts draw offline, tables scroll in a box)."""
    from nbconvert import HTMLExporter

    from jinja2 import DictLoader

    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else notebook
    charts_n = _add_chart_html(nb)
    tables_n = _scroll_tables(nb)
    exporter = HTMLExporter(template_name="lab", template_file="workbench-offline.html.j2",
                            extra_loaders=[DictLoader({"workbench-offline.html.j2": OFFLINE_TEMPLATE})])
    body, _ = exporter.from_notebook_node(nb)
    if tables_n:
        body = body.replace("</head>", f"<style>{TABLE_CSS}</style>\n</head>", 1)
    if charts_n:
        body = body.replace("</head>", f'<script type="text/javascript">{_vega_bundle()}</script>\n</head>', 1)
    html_path = Path(html_path)
    with writing_to(html_path, ReportError):
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(body, encoding="utf-8")
    return html_path


def check_writable(folder: Path) -> Path:
    """Create ``folder`` and write a probe file in it, or raise :class:`ReportError` naming it (before any notebook runs)."""
    folder = Path(folder)
    with writing_to(folder, ReportError):
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-") as probe:  # a unique name: notebooks may run in threads
            probe.write(b"\0" * 4096)
            probe.flush()
    return folder


def absolute_parameters(parameters: dict | None, base: Path | None = None) -> dict:
    """``parameters`` with every relative path parameter made absolute from ``base`` (default: the working directory).

    Papermill runs a notebook in ``notebooks/``, so a relative path would
    otherwise be read from there, not from where the command was typed. Path
    parameters: :data:`PATH_PARAMETERS` and names ending ``_DIR``, ``_PATH`` or
    ``_FILE``; other values pass unchanged.

    >>> absolute_parameters({"CORPUS": "my.csv", "FOCUS": "Ann Lee", "RESULTS": None}, Path("/work"))
    {'CORPUS': '/work/my.csv', 'FOCUS': 'Ann Lee', 'RESULTS': None}
    """
    base = Path.cwd() if base is None else Path(base)
    out = {}
    for name, value in (parameters or {}).items():
        is_path = name in PATH_PARAMETERS or name.endswith(("_DIR", "_PATH", "_FILE"))
        if is_path and isinstance(value, (str, Path)) and str(value) and not Path(value).expanduser().is_absolute():
            value = str(base / value)
        out[name] = value
    return out


def run_notebook(
    path: Path, out_dir: Path = REPORTS_DIR, parameters: dict | None = None, timeout: int = 1800
) -> Path:
    """Execute one notebook with papermill, save it and its HTML in ``out_dir``; return the HTML path.

    ``parameters`` override the values in the notebook's ``parameters`` cell;
    ``OUTPUT_DIR`` is always set to ``out_dir`` so figures and tables land
    beside the HTML. Relative paths (``out_dir``, path parameters: see
    :func:`absolute_parameters`) are read from the working directory, not from
    ``notebooks/`` where the notebook runs.
    A failing cell raises ``papermill.PapermillExecutionError`` naming the cell,
    and the partly executed notebook is still written for inspection.
    """
    import papermill

    path, out_dir = Path(path).absolute(), check_writable(Path(out_dir).expanduser().absolute())
    parameters = absolute_parameters(parameters)
    executed = out_dir / path.name
    with writing_to(executed, ReportError, only_storage=True), _kernel_config() as config:
        papermill.execute_notebook(
            str(path),
            str(executed),
            parameters={**(parameters or {}), "OUTPUT_DIR": str(out_dir)},
            kernel_name="python3",
            cwd=str(path.parent),
            progress_bar=False,
            execution_timeout=timeout,
            config=config,
        )
    return export_html(executed, executed.with_suffix(".html"))


@contextmanager
def _kernel_config():
    """Kernel-manager settings for one notebook run: its own IPC sockets where the OS has them.

    Over TCP, jupyter_client picks free ports and the kernel binds them a
    moment later; kernels started side by side (``run_notebooks``, the test
    suite) can take each other's ports, and a kernel then dies before replying
    ("Address already in use"). Unix sockets in a private folder cannot clash.
    Windows has no IPC transport and keeps TCP.
    """
    from traitlets.config import Config

    if os.name == "nt":
        yield Config()
        return
    with tempfile.TemporaryDirectory(prefix="wb-kernel-") as folder:
        yield Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "k")}})


def run_notebooks(
    notebooks: Iterable[Path] | None = None, out_dir: Path = REPORTS_DIR, parameters: dict | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Execute the numbered notebooks, ``workers`` at a time (default: one per core); return the HTML reports in order.

    Each notebook runs in its own kernel; they share one build of the tables
    (:mod:`analysis.table_cache`: the first to need them builds them, the others
    wait for it and read). A failing notebook raises once the others are done.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    paths = list(notebooks) if notebooks is not None else list_notebooks()
    if not paths:
        raise FileNotFoundError(f"no NN-name.ipynb notebooks in {NOTEBOOKS_DIR}")
    check_writable(Path(out_dir))
    workers = max(1, min(len(paths), workers or os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers + 1) as pool, tqdm(total=len(paths), desc="notebooks", unit="nb", disable=None) as bar:
        pool.submit(_vega_bundle)  # built once, while the first kernels start
        futures = [pool.submit(run_notebook, path, out_dir, parameters) for path in paths]
        for future in futures:
            future.add_done_callback(lambda _: bar.update())
        return [future.result() for future in futures]


def strip_outputs(paths: Iterable[Path]) -> list[Path]:
    """Remove outputs, execution counts and run metadata so notebook diffs stay readable (:mod:`analysis.notebook_format`)."""
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        strip_notebook(nb)
        if nbformat.writes(nb) != before:
            nbformat.write(nb, path)
            changed.append(Path(path))
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all notebooks/NN-*.ipynb)")
    parser.add_argument("--out", type=Path, default=None, help="output folder, relative to where you run this (default: reports/, or reports/NAME/ with --story)")
    parser.add_argument("--story", metavar="NAME", default=None,
                        help="run on the story in stories/NAME/: its story.yaml gives the parameters (-p still overrides them)")
    parser.add_argument("--strip", action="store_true", help="strip outputs from the notebooks instead of running them")
    parser.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="override a parameters-cell value, e.g. -p RESULTS results/ -p FOCUS 'Ann Lee' (repeatable; 'None' means None; "
        "relative CORPUS, RESULTS, CODEBOOK and *_DIR/_PATH/_FILE values are read from where you run this)",
    )
    args = parser.parse_args(argv)
    parameters = {name: None if value == "None" else value for name, value in args.parameter}
    paths = args.notebooks or list_notebooks()
    if args.strip:
        for path in strip_outputs(paths):
            print(f"stripped {path}")
        return 0
    if args.story:
        from analysis.stories import StoryError, story_parameters

        try:
            story, story_out = story_parameters(args.story)
        except StoryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        parameters, args.out = {**story, **parameters}, args.out or story_out
    args.out = args.out or REPORTS_DIR
    try:
        written = run_notebooks(paths, args.out, parameters or None)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for html in written:
        print(f"wrote {html}")
    out = args.out.expanduser().absolute()
    print(f"figures in {out / 'figures'}, tables in {out / 'tables'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
