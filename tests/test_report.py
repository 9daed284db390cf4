from __future__ import annotations

import copy
import json

import nbformat
import pandas as pd
import pytest

from analysis import charts, report
from analysis.paths import NOTEBOOKS_DIR


@pytest.fixture
def chart():
    table = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["CBC News", "X"], "title": ["T", None], "word_count": [700, 300]})
    return charts.corpus_overview(table)


def _notebook_with(chart) -> nbformat.NotebookNode:
    bundle = chart._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("overview")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    return nb


def test_renderer_emits_a_mime_type_jupyterlab_draws(chart):
    nb = _notebook_with(chart)
    nbformat.validate(nb)
    assert charts.JUPYTERLAB_VEGALITE_MIME in nb.cells[1].outputs[0]["data"]


def test_export_html_inlines_vega_once_and_loads_nothing_from_a_cdn(chart, tmp_path):
    nb = _notebook_with(chart)
    second = copy.deepcopy(nb.cells[1])
    second["id"] = "second-chart"
    nb.cells.append(second)
    html = report.export_html(nb, tmp_path / "out.html").read_text()
    assert html.count('vegaEmbed("#chart-') == 2
    assert len(html) > 800_000  # the Vega/Vega-Lite/vega-embed bundle is inside the page
    assert "cdn.jsdelivr.net/npm/vega" not in html
    assert "cdnjs" not in html and "<script src=" not in html  # no require.js, MathJax or Mermaid fetched either
    spec_json = html.split('vegaEmbed("#chart-0", ', 1)[1].split(', {"renderer"', 1)[0]
    assert json.loads(spec_json.replace("<\\/", "</"))["mark"]["type"] == "bar"


def test_save_chart_and_table(chart, tmp_path):
    png, svg = sorted(report.save_chart(chart, "Corpus overview", tmp_path), key=lambda p: p.suffix)
    assert png.name == "corpus-overview.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.parent == tmp_path / "figures" and "<svg" in svg.read_text()
    path = report.save_table(pd.DataFrame({"a": [1]}), "t", tmp_path)
    assert path == tmp_path / "tables" / "t.csv" and path.read_text() == "a\n1\n"


def test_notebooks_are_numbered_and_committed_without_outputs():
    notebooks = report.list_notebooks()
    assert notebooks and notebooks[0].name == "01-corpus.ipynb"
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].cell_type == "markdown", path
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name} has outputs: run make strip-notebooks"
        assert not any("def " in c.source or "class " in c.source for c in nb.cells if c.cell_type == "code"), f"{path.name} defines logic; move it to analysis/"


def test_strip_outputs(tmp_path, chart):
    path = tmp_path / "01-x.ipynb"
    nbformat.write(_notebook_with(chart), path)
    assert report.strip_outputs([path]) == [path]
    assert report.strip_outputs([path]) == []
    assert nbformat.read(path, as_version=4).cells[1].outputs == []


def test_corpus_notebook_runs_headless_on_a_test_corpus(data_folder, tmp_path):
    html = report.run_notebook(NOTEBOOKS_DIR / "01-corpus.ipynb", tmp_path / "reports", {"CORPUS": str(data_folder)})
    assert html == tmp_path / "reports" / "01-corpus.html"
    executed = nbformat.read(tmp_path / "reports" / "01-corpus.ipynb", as_version=4)
    outputs = json.dumps([c.get("outputs", []) for c in executed.cells])
    assert "The corpus holds **2 articles**" in outputs
    assert "vegaEmbed(" in html.read_text()
    assert (tmp_path / "reports" / "figures" / "corpus-overview.svg").is_file()
    by_outlet = pd.read_csv(tmp_path / "reports" / "tables" / "corpus-by-outlet.csv")
    assert by_outlet["outlet"].tolist() == ["CBC News", "The Epoch Times"]


def test_command_line_passes_parameters_to_every_notebook(monkeypatch, tmp_path):
    seen = {}

    def fake_run(paths, out_dir, parameters=None):
        seen.update(paths=list(paths), out=out_dir, parameters=parameters)
        return []

    monkeypatch.setattr(report, "run_notebooks", fake_run)
    assert report.main(["--out", str(tmp_path), "-p", "RESULTS", "results/", "-p", "CODEBOOK", "None"]) == 0
    assert seen["parameters"] == {"RESULTS": "results/", "CODEBOOK": None}
    assert seen["out"] == tmp_path and seen["paths"] == report.list_notebooks()


def test_the_one_command_line_runs_report_with_its_own_options(tmp_path):
    import shutil

    from analysis.__main__ import main

    copy = tmp_path / "01-corpus.ipynb"
    shutil.copy(NOTEBOOKS_DIR / "01-corpus.ipynb", copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="left over")] if nb.cells[1].cell_type == "code" else []
    nbformat.write(nb, copy)
    assert main(["report", "--strip", str(copy)]) == 0
    assert all(not c.get("outputs") for c in nbformat.read(copy, as_version=4).cells if c.cell_type == "code")


def test_report_tables_are_whole_and_scroll(tmp_path):
    """A 273-row table is shown whole (no "..." row), in a box that scrolls."""
    import html5lib

    table = pd.DataFrame({"sentence": [f"sentence number {i} " + "word " * 30 for i in range(273)], "score": range(273)})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("table")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": table._repr_html_(), "text/plain": "table"},
                                           execution_count=1)]
    nb.cells = [cell]
    page = report.export_html(nb, tmp_path / "t.html").read_text(encoding="utf-8")
    doc = html5lib.parse(page, namespaceHTMLElements=False)
    [box] = [d for d in doc.iter("div") if "workbench-table" in (d.get("class") or "")]
    rows = box.findall(".//tbody/tr")
    assert len(rows) == 273 and "…" not in "".join(box.itertext()) and "..." not in "".join(box.itertext())
    assert rows[-1].find("td").text.startswith("sentence number 272 word word")
    assert ".workbench-table{max-height:36em" in page and "overflow:auto" in page


@pytest.mark.skipif(__import__("os").name == "nt", reason="Windows has no IPC transport; kernels keep TCP there")
def test_notebooks_run_side_by_side_on_kernels_of_their_own_ipc_sockets(tmp_path):
    """Kernels talk over Unix sockets in a private folder, so kernels started together cannot take each other's TCP ports.

    (CI once lost a notebook to "Kernel died before replying to kernel_info":
    ZMQError "Address already in use" on a port another kernel had taken.)
    """
    from concurrent.futures import ThreadPoolExecutor

    paths = []
    for i in range(4):
        nb = nbformat.v4.new_notebook()
        nb.metadata.update(kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"},
                           language_info={"name": "python"})
        nb.cells = [
            nbformat.v4.new_code_cell("OUTPUT_DIR = None", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "import json, ipykernel.connect\n"
                "info = json.loads(ipykernel.connect.get_connection_info())\n"
                "print(info['transport'], info['ip'])"
            ),
        ]
        paths.append(tmp_path / f"0{i}-probe.ipynb")
        nbformat.write(nb, paths[-1])
    with ThreadPoolExecutor(max_workers=4) as pool:
        htmls = list(pool.map(lambda p: report.run_notebook(p, tmp_path / "out"), paths))
    assert [h.name for h in htmls] == [f"0{i}-probe.html" for i in range(4)]
    seen = [nbformat.read(tmp_path / "out" / p.name, as_version=4).cells[-1].outputs[0]["text"].split() for p in paths]
    assert {transport for transport, _ in seen} == {"ipc"}
    folders = {str(__import__("pathlib").Path(ip).parent) for _, ip in seen}
    assert len(folders) == 4  # one private socket folder per kernel
    assert not any(__import__("pathlib").Path(f).exists() for f in folders)  # removed after the run
