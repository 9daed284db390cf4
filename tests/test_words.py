"""Tests for analysis.words: the language's word lists come from data/words.yaml, validated."""

from __future__ import annotations

import pytest

from analysis.words import WordListError, load_words


def test_shipped_lists_load():
    words = load_words()
    assert {"not", "no", "never", "n't"} & words.negations == {"not", "no", "never"}  # "no" stays a word, not YAML false
    assert words.reporting_verbs[0] == "said" and "has" in words.cue_fillers and "n't" in words.cue_negations


def test_bad_file_lists_every_problem(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("negations: [no]\nreporting_verbs: []\ncolour: red\n", encoding="utf-8")
    with pytest.raises(WordListError) as info:
        load_words(path)
    text = str(info.value)
    assert str(path) in text and "unknown key 'colour'" in text and "'reporting_verbs' must be a non-empty list" in text
    assert "'negations' must be a non-empty list" in text  # YAML reads a bare no as false
