"""Every numbered notebook runs headless, on the project's data (even with no articles) and on another story.

The other story is an invented 2016 US election corpus with its own codebook
(tests/notebook_support.py): only the parameters change, proving nothing is
tied to the first story. Runs are shared with test_browser.py and run a few
at once, so the whole file costs about two notebook rounds.
"""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from analysis import report
from notebook_support import EXPECTED_OUTPUTS, US_PARAMETERS, default_reports, us_reports

NOTEBOOKS = [p.stem for p in report.list_notebooks()]


def _executed(out, name) -> nbformat.NotebookNode:
    return nbformat.read(out / f"{name}.ipynb", as_version=4)


def _outputs_text(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])


def _findings(nb) -> str:
    """The Markdown shown after the '## Findings' heading."""
    sources = [c.source for c in nb.cells]
    start = next(i for i, s in enumerate(sources) if s.strip().startswith("## Findings"))
    texts = []
    for cell in nb.cells[start + 1 :]:
        for output in cell.get("outputs", []):
            texts.append(output.get("data", {}).get("text/markdown", ""))
    return "\n".join(texts)


def _check_run(out, results, name):
    result = results[name]
    if isinstance(result, BaseException):
        raise result
    assert result == out / f"{name}.html" and result.is_file()
    nb = _executed(out, name)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    tables, figures = EXPECTED_OUTPUTS[name]
    for table in tables:
        assert (out / "tables" / f"{table}.csv").is_file(), f"{name} did not write tables/{table}.csv"
    for figure in figures:
        for suffix in ("png", "svg"):
            assert (out / "figures" / f"{figure}.{suffix}").stat().st_size > 1000, f"{name} did not write figures/{figure}.{suffix}"
    return nb


def test_every_notebook_has_expected_outputs_listed():
    assert set(NOTEBOOKS) == set(EXPECTED_OUTPUTS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_project_data(name):
    out, results = default_reports()
    nb = _check_run(out, results, name)
    if name != "01-corpus":
        findings = _findings(nb)
        assert findings.strip(), f"{name}: no findings shown"
        articles = pd.read_csv(out / "tables" / "corpus-articles.csv") if (out / "tables" / "corpus-articles.csv").is_file() else None
        if articles is not None and articles.empty:
            # the empty state is said in words
            assert "**No" in findings and "notebook 01" in findings


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_another_story_by_changing_only_parameters(name):
    out, results = us_reports()
    nb = _check_run(out, results, name)
    outputs = _outputs_text(nb)
    assert "Jivani" not in outputs and "liberal_government" not in outputs
    if name == "01-corpus":
        assert "The corpus holds **4 articles**" in outputs
        return
    findings = _findings(nb)
    assert "Daily Ledger" in findings and "Evening Courier" in findings
    assert "**No" not in findings  # every measure has data in this corpus
    assert US_PARAMETERS["FOCUS"] in findings or "Donald Trump" in outputs


def test_positioning_tables_from_the_other_story():
    out, results = us_reports()
    if isinstance(results["05-positioning"], BaseException):
        pytest.skip("05-positioning failed; see its own test")
    wide = pd.read_csv(out / "tables" / "outlet-positioning.csv")
    assert wide["outlet"].tolist() == ["Daily Ledger", "Evening Courier"]
    assert {"quote_share_focus", "quote_share_focus_ci_low", "treatment_counterpart_n", "speaks_first_focus_low_n"} <= set(wide.columns)
    long = pd.read_csv(out / "tables" / "positioning-measures.csv")
    assert long.loc[long["measure"] == "quote_share", "evidence"].str.contains(r"ledger-\d:\d+-\d+").any()
    pairs = pd.read_csv(out / "tables" / "speaker-target.csv")
    assert ((pairs["speaker"] == "Donald Trump") & (pairs["target"] == "Hillary Clinton")).any()
    frames = pd.read_csv(out / "tables" / "frame-profile.csv")
    assert set(frames["frame_set"]) == {"generic_frames"}



def test_notebooks_read_a_finished_pipeline_run_instead_of_recomputing(tmp_path):
    from analysis import pipeline
    from notebook_support import write_us_corpus

    out, results = us_reports()
    if isinstance(results["05-positioning"], BaseException):
        pytest.skip("05-positioning failed; see its own test")
    parameters = write_us_corpus(tmp_path / "data")
    run_dir = tmp_path / "run"
    pipeline.run(parameters["CORPUS"], out=run_dir, codebook=parameters["CODEBOOK"], frame_set="generic_frames", quiet=True)
    from_run = {**parameters, "CORPUS": str(tmp_path / "not-there"), "RESULTS": str(run_dir)}
    reports = tmp_path / "reports"
    for name in ("01-corpus", "05-positioning"):
        report.run_notebook(report.NOTEBOOKS_DIR / f"{name}.ipynb", reports, from_run)
    assert "The corpus holds **4 articles**" in _outputs_text(_executed(reports, "01-corpus"))
    for table in ("outlet-positioning", "positioning-map"):
        pd.testing.assert_frame_equal(pd.read_csv(reports / "tables" / f"{table}.csv"), pd.read_csv(out / "tables" / f"{table}.csv"))
