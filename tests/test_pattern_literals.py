"""Tests for analysis.pattern_literals and the patterns' prefilter in analysis.frame_matching."""

from __future__ import annotations

import dataclasses
import random
import re

import numpy as np
import pandas as pd
import pytest

from analysis import frame_matching as fm
from analysis import pattern_literals as pl
from analysis.frame_lexicon import _lower_pattern, fold_text, load_frames
from analysis.pattern_literals import LiteralIndex, required_literals
from analysis.text import sentences
from tests.conftest import SEED_FILES


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"\bsino-\w+", ((("sino-",),),)),
        # a class of one character and an optional suffix join the literal run; "percent" holds "cent"
        (r"\b\d{1,3}(?:\.\d)?\s?(?:%|per\s?cent|percent)\b", ((("%", "cent"),),)),
        # an alternation gives the union; strings holding a shorter one of the set are dropped
        (r"\b(?:not|isn't|never)\s+(?:the|a)\s+critic\b", ((("critic",), ("isn't", "never", "not"), ("a", "the")),)),
        (r"\bno\s+(?:official\s+)?(?:role|status)\s+in\b", ((("role", "status"), ("in",), ("no",)),)),
        # top-level alternatives (no common prefix) are kept apart
        (r"help\s+the|coach\s+team", ((("help",), ("the",)), (("coach",), ("team",)))),
        # re factors a common \b out of the alternatives: one alternative, the union of both
        (r"\bhelp\s+the|\bteam", ((("help", "team"),),)),
        (r"(?:ab){1,3}c", ((("abc",),),)),
        (r"x{2,}", ((("x",),),)),
        (r"[^a]bc(?<=b\w)d", ((("bcd",),),)),  # a lookbehind consumes nothing; its body is not read
        (r"\w+ing\s+out", ((("ing",), ("out",)),)),
        (r"(?:ed|s)?\s+(?:a|the)", ((("a", "the"),),)),
        # no literal every match must hold: no prefilter
        (r"\b\d+\b", None),
        (r"\w+|foo", None),
        (r"(?:foo)?\s+", None),
        # constructs after which a text scanned alone may match differently: no prefilter
        (r"foo(?=\s)", None),
        (r"foo(?!bar)", None),
        (r"(?>foo\s*)$", None),
        (r"foo\s*+$", None),
        (r"(foo)\1", None),
        (r"(?i)foo", None),
        (r"(?i:foo)bar", None),
        (r"(?s)foo.", None),
        (r"foo[", None),  # does not compile
    ],
)
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == expected


def test_every_match_holds_a_required_literal_of_each_set():
    rng = random.Random(5)
    words = "not the a critic official minister no role status in at 12 % per cent percent sino-us help team".split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(300)]
    patterns = [_lower_pattern(p) for s in load_frames().values() for f in s.frames.values() for p in f.patterns]
    checked = 0
    for pattern in patterns:
        requirement = required_literals(pattern)
        assert requirement is not None, pattern
        for text in texts:
            for m in re.finditer(pattern, text, re.MULTILINE):
                assert any(all(any(s in m.group() for s in strings) for strings in sets) for sets in requirement)
                checked += 1
    assert checked > 50


def _seed_sentences() -> list[str]:
    articles = pd.DataFrame({"article_id": [p.stem for p in SEED_FILES], "text": [p.read_text(encoding="utf-8") for p in SEED_FILES]})
    return sentences(articles)["text"].tolist()


def test_literal_index_finds_exactly_the_texts_holding_a_string():
    texts = [fold_text(t) for t in _seed_sentences()] + ["no\n", "\x00no", "n", ""]
    joined = fm.join_texts(texts)
    for literal in ["no", "trade", "minister", "jivani", "'s", "\n", "zzz", "o\n", " "]:
        expected = {i for i, t in enumerate(texts) if literal in t}
        assert joined.literals.texts_with(literal) == expected, literal
    assert len(joined.literals.texts_with("trade")) > 5


EXTRA_PATTERNS = [r"^the\b", r"said$", r"\bnot\b.*\bminister\b", r"aside\s+", r"the\s+\S+$", r"(?<=\s)trade\b", r"\w+ing\s+the\b"]


@pytest.mark.parametrize("forced", [True, False])
def test_prefiltered_scan_equals_full_scan_on_seed_articles(monkeypatch, forced):
    if forced:  # take every prefilter, whatever it is estimated to cost
        monkeypatch.setattr(pl, "_REGEX_PER_CHAR", 10**12)
        monkeypatch.setattr(fm, "_PREFILTER_MAX_SHARE", 1.0)
    texts = _seed_sentences()
    texts += [t.upper() for t in texts[:20]] + ["the end\nsaid", "said\n\x00\nthe", "not a minister\nnot"]
    joined = fm.join_texts([fold_text(t) for t in texts])
    frames = [f for s in load_frames().values() for f in s.frames.values() if f.pattern_regex is not None]
    extra = [
        dataclasses.replace(f, pattern_regex=re.compile(p, re.MULTILINE), pattern_literals=required_literals(p))
        for f, p in zip(frames * 2, EXTRA_PATTERNS)
    ]
    skipped = 0
    for frame in frames + extra:
        full = fm._scan(frame.pattern_regex, joined.big, joined.starts, joined.lengths)[1]
        np.testing.assert_array_equal(fm._scan_patterns(frame, joined), full, err_msg=frame.pattern_regex.pattern)
        chosen = joined.literals.candidates(frame.pattern_literals)
        skipped += 0 if chosen is None else len(texts) - len(chosen)
    if forced:
        assert skipped > len(frames + extra) * len(texts) / 2  # most texts were never scanned
