"""Nothing a user feeds in crashes a load, a run or a report (issue 15): each case reproduces a reported fault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import pipeline
from analysis.corpus import CorpusError, load_articles
from analysis.paths import PROJECT_ROOT
from conftest import ARTICLE_A, ARTICLE_B

ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# --- 1. an article with no word characters -------------------------------------------------

NO_WORDS = {"dash": "—", "emoji": "😀", "zero_width": "\u200b", "punctuation": "… !? —"}


@pytest.mark.parametrize("text", list(NO_WORDS.values()), ids=list(NO_WORDS))
def test_text_without_words_is_rejected_with_its_reason(tmp_path, text):
    path = _jsonl(tmp_path / "p.jsonl", [{"id": "a", "outlet": "X", "text": text}, {"id": "b", "outlet": "X", "text": ARTICLE_B}])
    articles, rejected = load_articles(path, errors="collect")
    assert articles["article_id"].tolist() == ["b"]
    assert rejected[["article_id", "row"]].values.tolist() == [["a", 1]]
    assert rejected.loc[0, "reason"].startswith("no words: the text") and "has no letters or digits" in rejected.loc[0, "reason"]
    with pytest.raises(CorpusError, match=r"p.jsonl, row 1: no words"):
        load_articles(path)


def test_a_run_over_a_text_without_words_completes_and_rejects_it(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [{"id": "a", "text": "—"}, {"id": "b", "text": ARTICLE_A}])
    cmd = [sys.executable, "-m", "analysis", "run", str(path), "--out", str(tmp_path / "o"), "--quiet"]
    for attempt in range(2):  # the rerun must not die at the same row either
        done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    results = pipeline.read_results(tmp_path / "o")
    assert results["articles"]["article_id"].tolist() == ["b"]
    assert results["rejected"]["article_id"].tolist() == ["a"]
    assert results["rejected"].loc[0, "reason"] == "no words: the text ('—') has no letters or digits"
