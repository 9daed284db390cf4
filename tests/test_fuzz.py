"""Fuzz (issue 15): the loader and the whole per-article path never raise on arbitrary text and keep every offset valid.

The path is the pipeline's, one article at a time: load (JSONL, .txt, CSV) ->
segment (:mod:`analysis.text`) -> quotes (:func:`analysis.quotes.extract_corpus_quotes`)
-> sentence and quote sentiment (:func:`analysis.sentiment.score_texts`) ->
frames (:func:`analysis.frames.score_frames`). Texts mix quotation marks of
every kind, attribution verbs, codebook names, control characters, zero-width
and byte-order marks, lone surrogates, emoji, any Unicode, and long repeats.

Nothing is excluded. The one input on which the quote finder still raises,
a lone surrogate inside quotation marks, cannot reach it through the loader
(which repairs surrogates); called directly it is pinned by
``test_known_quotes_crashes`` (strict xfail), which fails the moment the
crash is fixed, so the mark can go.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.actors import load_codebook
from analysis.corpus import CorpusWarning, load_articles
from analysis.frames import score_frames
from analysis.quotes import extract_corpus_quotes, extract_quotes
from analysis.sentiment import score_texts
from analysis.text import normalize_text, sentences

BOOK = load_codebook()
PIECES = [
    "“", "”", "‘", "’", '"', "'", "«", "»", "„", "‹", "›", "「", "」", "''", "``",
    " said", " says", " told reporters", ", he said.", ", she added.", " according to ", " noted", " saying ",
    "Jamil Jivani", "Jivani", "Mark Carney", "Carney", "Mr.", "the MP", "he", "she", "Smith",
    "\n", "\n\n", "\r\n", "\r", " ", "\t", ".", ",", ":", ";", "?", "!", "…", "—", "-", "(", ")", "[", "]",
    "\u200b", "\u200d", "\ufeff", "\u00a0", "\u2028", "\x00", "\x07", "\x1b", "\x85", "\ud800", "\udfff", "\ud83d",
    "😀", "👍🏽", "é", "Ã©", "MPÂ said", "&amp;", "<script>", "U.S.", "5 p.m.", "Washington Trip",
]
FIXED_QUOTES_CRASHES = ["Smith noted he “left, saying ”", "\ud800", "Carney said “\ud800”"]
"""Inputs that crashed the quote finder (the third: pyarrow strings cannot hold a lone surrogate, so the
quotes table is built with object columns); kept as examples so they stay fixed."""

_any_text = st.text(st.characters(blacklist_categories=()), max_size=12)  # every code point, surrogates included
_repeat = st.tuples(st.sampled_from(PIECES + ["“Yes,” he said. ", "Carney said “no” "]), st.integers(20, 600)).map(lambda t: t[0] * t[1])
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), _any_text, _repeat), max_size=30).map("".join)


def _write_source(folder: Path, text: str, suffix: str) -> Path:
    """The text as a JSONL row, a .txt file or a CSV row (raw bytes where UTF-8 cannot hold it, e.g. a lone surrogate)."""
    path = folder / f"one{suffix}"
    if suffix == ".jsonl":
        path.write_text(json.dumps({"id": "a", "outlet": "X", "text": text}) + "\n", encoding="utf-8")
    elif suffix == ".txt":
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    else:
        table = io.StringIO(newline="")
        csv.writer(table).writerows([["id", "outlet", "text"], ["a", "X", text]])
        path.write_bytes(table.getvalue().encode("utf-8", "surrogatepass"))
    return path


def _check_spans(text: str, rows, fields: tuple[str, str, str]) -> None:
    value, start, end = fields
    for row in rows.itertuples(index=False):
        s, e = getattr(row, start), getattr(row, end)
        if pd.isna(s):
            assert pd.isna(e) and pd.isna(getattr(row, value)) if value != "cue" else pd.isna(e)
            continue
        assert 0 <= s <= e <= len(text) and text[s:e] == getattr(row, value), (value, s, e)


def _run_article_path(articles: pd.DataFrame) -> None:
    """Segment, quote, score and frame one loaded article, checking every offset against its text."""
    text = articles.loc[0, "text"]
    sents = sentences(articles)
    assert all(text[s:e] == t for s, e, t in zip(sents["start"], sents["end"], sents["text"]))
    assert sents["sentence_id"].tolist() == list(range(len(sents)))
    quotes = extract_corpus_quotes(articles, BOOK, sentences_df=sents, progress=False)
    _check_spans(text, quotes, ("quote", "start", "end"))
    _check_spans(text, quotes, ("speaker_mention", "speaker_start", "speaker_end"))
    _check_spans(text, quotes, ("cue", "cue_start", "cue_end"))
    assert set(zip(quotes["article_id"], quotes["sentence_id"])) <= set(zip(sents["article_id"], sents["sentence_id"]))
    scores = score_texts(sents["text"].tolist() + quotes["quote"].tolist())
    assert len(scores) == len(sents) + len(quotes)
    assert all(-1 <= v <= 1 and math.isfinite(v) for v in scores[["polarity", "compound"]].to_numpy().ravel())
    frames = score_frames(sents[["article_id", "sentence_id", "text"]], frame_set="generic_frames", keep=["article_id", "sentence_id"])
    by_sentence = dict(zip(sents["sentence_id"], sents["text"]))
    for sentence_id, terms, offsets in zip(frames["sentence_id"], frames["matched_terms"], frames["match_offsets"]):
        if offsets:
            spans = [tuple(map(int, o.split(":"))) for o in offsets.split("; ")]
            assert [by_sentence[sentence_id][s:e] for s, e in spans] == terms.split("; ")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(TEXTS, st.sampled_from([".jsonl", ".txt", ".csv"]))
@example(FIXED_QUOTES_CRASHES[0], ".jsonl")
@example(FIXED_QUOTES_CRASHES[1], ".jsonl")
@example(FIXED_QUOTES_CRASHES[2], ".jsonl")  # loading repairs the surrogate first
def test_loader_and_per_article_path_never_raise_and_keep_offsets(text, suffix):
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # non-UTF-8 bytes are decoded with a warning: expected here
        articles, rejected = load_articles(_write_source(Path(folder), text, suffix), errors="collect")
    assert len(articles) + len(rejected) == 1  # loaded or rejected, never dropped
    if not rejected.empty:
        assert rejected.loc[0, "reason"]
        return
    loaded = articles.loc[0, "text"]
    loaded.encode("utf-8")  # no lone surrogate survives loading
    if suffix == ".jsonl":
        assert loaded == normalize_text(text)
    _run_article_path(articles)


def test_a_lone_surrogate_loads_as_a_replacement_character(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s", "text": "Carney said \\"\\ud800\\" today."}\n')
    articles = load_articles(path)
    assert articles.loc[0, "text"] == 'Carney said "\ufffd" today.'
    assert extract_quotes("\ud800").empty  # a surrogate on its own is no quote and no crash


def test_inputs_that_crashed_the_quote_finder_no_longer_do():
    for text in FIXED_QUOTES_CRASHES:
        quotes = extract_quotes(text, BOOK)  # raised AttributeError / UnicodeEncodeError before the rewrite
        assert all(text[s:e] == q for s, e, q in zip(quotes["start"], quotes["end"], quotes["quote"]))
    assert len(extract_quotes(FIXED_QUOTES_CRASHES[0], BOOK)) == 1  # the unclosed quote still gives one statement
