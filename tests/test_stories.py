"""A story of one's own: new-story, draft-codebook and the report runner's --story, in a temporary project root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from analysis.actors import load_codebook
from analysis.paths import DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT
from analysis.report import list_notebooks
from analysis.stories import StoryError, scaffold_story, story_parameters

ARTICLES = {
    "ledger-1.txt": ("Daily Ledger", "2026-03-02", """Mayor Ann Lee defended the city budget on Monday. “We kept every promise we made to this city,” Lee said.

Councillor Bo Chan, the opposition leader, called the plan reckless. “This budget mortgages our future,” Chan said.

Lee said she would not raise property taxes. Chan said he would vote against the budget on Thursday."""),
    "ledger-2.txt": ("Daily Ledger", "2026-03-05", """Council passed the budget 7-4 on Thursday after a long debate.

“Tonight the city chose stability,” Mayor Ann Lee said after the vote. She thanked the council staff.

Councillor Bo Chan said the vote was a mistake. “We will be paying for this for years,” he said."""),
    "courier-1.txt": ("Harbour Courier", "2026-03-03", """Councillor Bo Chan is leading the fight against the mayor’s budget.

“The mayor has ignored the harbour neighbourhoods,” Chan told the Courier. He said the transit cuts were unfair.

Mayor Ann Lee said the transit plan was fair to every ward. “Nobody is being left behind,” Lee said."""),
    "courier-2.txt": ("Harbour Courier", "2026-03-06", """The budget passed, but Councillor Bo Chan says the fight is not over.

“We will bring this back at the next meeting,” Chan said. He praised the residents who came to speak.

Mayor Ann Lee said she was proud of the council. “This is a good day for the city,” Lee said."""),
}


def test_scaffold_and_its_parameters(tmp_path):
    folder = scaffold_story("city-budget", tmp_path)
    assert (folder / "articles" / "README.md").is_file() and (folder / "README.md").is_file()
    with pytest.raises(StoryError, match="exists already"):
        scaffold_story("city-budget", tmp_path)
    with pytest.raises(StoryError, match="lower-case letters"):
        scaffold_story("../escape", tmp_path)
    with pytest.raises(StoryError) as err:
        story_parameters("city-budget", tmp_path)
    assert "no articles yet in" in str(err.value) and "draft-codebook" in str(err.value)
    raw = yaml.safe_load((folder / "story.yaml").read_text())
    assert raw == {"CORPUS": "articles", "CODEBOOK": "codebook.yaml", "FOCUS": None, "COUNTERPART": None,
                   "FRAME_SET": "generic_frames", "DUPLICATES": "once_per_outlet"}
    (folder / "story.yaml").write_text("CORPUS: articles\nFOKUS: x\n")
    with pytest.raises(StoryError, match="unknown parameter 'FOKUS'"):
        story_parameters("city-budget", tmp_path)
    with pytest.raises(StoryError, match="no story 'other'"):
        story_parameters("other", tmp_path)


def _project(tmp_path):
    """A project root of its own: the notebooks and data files, nothing else."""
    root = tmp_path / "project"
    shutil.copytree(NOTEBOOKS_DIR, root / "notebooks")
    shutil.copytree(DATA_DIR, root / "data")
    return root


def _run(root, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANALYSIS_PROJECT_ROOT=str(root))
    done = subprocess.run([sys.executable, "-m", *args], cwd=root, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def test_a_new_story_runs_the_five_notebooks_into_its_own_reports(tmp_path):
    root = _project(tmp_path)
    created = _run(root, "analysis", "new-story", "city-budget")
    assert "make report STORY=city-budget" in created.stdout
    folder = root / "stories" / "city-budget"
    for name, (outlet, date, text) in ARTICLES.items():
        (folder / "articles" / name).write_text(f"Outlet: {outlet}\nPublished_date: {date}\n\n{text}\n", encoding="utf-8")
    # the Ledger ran its first story again with an update line: a near copy, counted once for the Ledger
    outlet, date, text = ARTICLES["ledger-1.txt"]
    (folder / "articles" / "ledger-1-updated.txt").write_text(
        f"Outlet: {outlet}\nPublished_date: 2026-03-02 18:00\n\nUPDATED with the council's schedule.\n\n{text}\n", encoding="utf-8")
    _run(root, "analysis", "draft-codebook", "stories/city-budget/articles", "--out", "stories/city-budget/codebook.yaml")
    params, out = story_parameters("city-budget", root)
    drafted = [a.name for a in load_codebook(folder / "codebook.yaml").actors]
    assert {"Ann Lee", "Bo Chan"} == set(drafted[:2])
    assert [params["FOCUS"], params["COUNTERPART"]] == drafted[:2]  # the draft's two most-mentioned actors
    assert out == root / "reports" / "city-budget"
    _run(root, "analysis.report", "--story", "city-budget")
    pages = sorted(p.name for p in out.glob("*.html"))
    assert pages == sorted(f"{p.stem}.html" for p in list_notebooks())  # every numbered notebook, 01-corpus ... 06-reading
    assert not list((root / "reports").glob("*.html")), "the project's own reports/ was written"
    corpus = pd.read_csv(out / "tables" / "corpus-by-outlet.csv")
    assert dict(zip(corpus["outlet"], corpus["articles_n"])) == {"Daily Ledger": 2, "Harbour Courier": 2}
    clusters = pd.read_csv(out / "tables" / "corpus-duplicates.csv")
    assert sorted(clusters["article_id"]) == ["ledger-1", "ledger-1-updated"]
    rejected = pd.read_csv(out / "tables" / "corpus-rejected.csv")
    assert rejected["reason"].str.startswith("near-duplicate of ledger-1 ").tolist() == [True]
    voice = pd.read_csv(out / "tables" / "voice-by-outlet.csv")
    assert set(voice["outlet"]) == {"Daily Ledger", "Harbour Courier"}
    assert "Ann Lee" in (out / "05-positioning.html").read_text(encoding="utf-8")
    # the project's defaults were not touched
    assert (root / "data" / "actors.yaml").read_bytes() == (DATA_DIR / "actors.yaml").read_bytes()
    assert not (PROJECT_ROOT / "stories" / "city-budget").exists()
