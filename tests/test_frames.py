"""Tests for analysis.frame_lexicon and analysis.frames: the shipped lexicons, scoring and aggregation."""

from __future__ import annotations

import doctest
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import frame_lexicon as lex
from analysis import frames as fr
from analysis.frame_lexicon import FrameLexiconError, list_frames, load_frames
from analysis.frames import aggregate_frames, pivot_frames, score_frames

CARNEY = (
    "Minister LeBlanc gave a briefing to Mr. Jivani, who I don\u2019t believe is the trade critic for the "
    "Opposition, certainly not the minister of international trade or the prime minister of Canada"
)


def _fired(text: str, frame_set: str) -> dict[str, str]:
    scored = score_frames([text], frame_set)
    hit = scored[scored["hits_n"] > 0]
    return dict(zip(hit["frame"], hit["matched_terms"]))


def _write(tmp_path: Path, text: str, name: str = "frames.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- shipped lexicons


def test_shipped_sets_have_the_specified_frames():
    lexicon = load_frames()
    assert list(lexicon["policy_frames"].frames) == [
        "economic", "capacity_and_resources", "morality", "fairness_and_equality",
        "legality_constitutionality_jurisprudence", "policy_prescription_and_evaluation",
        "crime_and_punishment", "security_and_defense", "health_and_safety", "quality_of_life",
        "cultural_identity", "public_opinion", "political", "external_regulation_and_reputation", "other",
    ]
    assert list(lexicon["generic_frames"].frames) == [
        "conflict", "human_interest", "economic_consequences", "morality", "responsibility",
    ]
    assert list(lexicon["story_frames"].frames) == [
        "bipartisan_cooperation", "partisan_conflict", "trade_and_tariffs", "jobs_and_autoworkers",
        "china", "credentials_and_legitimacy", "personal_ties",
    ]
    table = list_frames()
    assert (table["definition"].str.len() > 20).all()
    assert (table["source"].str.len() > 20).all()


def test_python_module_names_no_story_actor():
    source = (Path(fr.__file__).read_text(encoding="utf-8") + Path(lex.__file__).read_text(encoding="utf-8")).lower()
    for word in ("jivani", "carney", "trade", "tariff", "vance", "trump", "washington"):
        assert word not in source, word


@pytest.mark.parametrize(
    "text, frame",
    [
        ("The plan will cost taxpayers billions of dollars.", "economic"),
        ("Hospitals face a shortage of nurses and a growing backlog.", "capacity_and_resources"),
        ("It is a moral duty to help.", "morality"),
        ("Workers deserve a level playing field and fair treatment.", "fairness_and_equality"),
        ("The Supreme Court ruled the law unconstitutional.", "legality_constitutionality_jurisprudence"),
        ("The proposal would reform the program.", "policy_prescription_and_evaluation"),
        ("Police arrested three smugglers at the port.", "crime_and_punishment"),
        ("NORAD protects the continent from threats.", "security_and_defense"),
        ("The pandemic strained every hospital.", "health_and_safety"),
        ("Families worry about the cost of living.", "quality_of_life"),
        ("Buy Canadian is now part of our national identity.", "cultural_identity"),
        ("A new poll found 62 per cent of voters agree.", "public_opinion"),
        ("The opposition caucus voted against the government.", "political"),
        ("The ambassador met allies at the G7 summit.", "external_regulation_and_reputation"),
    ],
)
def test_policy_frames_fire(text, frame):
    assert frame in _fired(text, "policy_frames")


def test_policy_other_is_residual():
    fired = _fired("Blue skies over the quiet lake.", "policy_frames")
    assert fired == {"other": ""}
    assert "other" not in _fired("The court ruled.", "policy_frames")
    # residual is relative to the whole set even when only "other" is asked for
    scored = score_frames(["The court ruled.", "Blue skies.", ""], "policy_frames", frames=["other"])
    assert scored["hits_n"].tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    "text, frame",
    [
        ("The two parties clashed over the bill and traded accusations.", "conflict"),
        ("Critics slammed the decision.", "conflict"),
        ("The mother of two said she cried when the plant closed.", "human_interest"),
        ("The tariffs will cost the economy billions and thousands of jobs.", "economic_consequences"),
        ("It is simply the right thing to do, a matter of decency.", "morality"),
        ("The government must take action; it is responsible for the delay.", "responsibility"),
    ],
)
def test_generic_frames_fire(text, frame):
    assert frame in _fired(text, "generic_frames")


@pytest.mark.parametrize(
    "text, frame, evidence",
    [
        (CARNEY, "credentials_and_legitimacy", "don\u2019t believe is the trade critic"),
        (CARNEY, "credentials_and_legitimacy", "not the minister"),
        ("he\u2019s not a trade official", "credentials_and_legitimacy", "not a trade official"),
        ("He is not the trade critic.", "credentials_and_legitimacy", "not the trade critic"),
        ("It was a freelance mission.", "credentials_and_legitimacy", "freelance"),
        ("The trip was unofficial.", "credentials_and_legitimacy", "unofficial"),
        ("He is not speaking on behalf of the government.", "credentials_and_legitimacy", "not speaking on behalf of"),
        ("He does not speak for Canada.", "credentials_and_legitimacy", "not speak for Canada"),
        ("We need to work together", "bipartisan_cooperation", "work together"),
        ("He offered to help the government.", "bipartisan_cooperation", "help the government"),
        ("He offered to help.", "bipartisan_cooperation", "offered to help"),
        ("It is time for Team Canada to speak with one voice.", "bipartisan_cooperation", "Team Canada"),
        ("Let's put partisanship aside.", "bipartisan_cooperation", "put partisanship aside"),
        ("He said the Liberals snubbed his offers to help.", "partisan_conflict", "snubbed"),
        ("This is a partisan stunt.", "partisan_conflict", "partisan; stunt"),
        ("Steel and aluminum tariffs hit exports.", "trade_and_tariffs", "Steel; aluminum; tariffs; exports"),
        ("The CUSMA review starts in July.", "trade_and_tariffs", "CUSMA review"),
        ("Autoworkers in Oshawa fear layoffs.", "jobs_and_autoworkers", "Autoworkers; Oshawa; layoffs"),
        ("Beijing lowered its duties on canola.", "china", "Beijing"),
        ("Sino-Canadian relations are strained.", "china", "Sino-Canadian"),
        ("He is a friend of the vice-president; they were classmates at Yale.", "personal_ties", "friend; classmates; Yale"),
        ("His former roommate is now in Trump's inner circle.", "personal_ties", "roommate; Trump's inner circle"),
        ("He has close ties to Donald Trump.", "personal_ties", "ties to Donald Trump"),
    ],
)
def test_story_frames_fire_with_evidence(text, frame, evidence):
    fired = _fired(text, "story_frames")
    assert frame in fired, fired
    assert evidence in fired[frame]


@pytest.mark.parametrize(
    "frame_set, text, frame",
    [
        # bare "critic" names a role, it does not question one
        ("story_frames", "A film critic said the movie was fine.", "credentials_and_legitimacy"),
        ("story_frames", "Conservative trade critic Michael Chong said the talks matter.", "credentials_and_legitimacy"),
        ("story_frames", "He is not the only one worried.", "credentials_and_legitimacy"),
        # exclusions
        ("story_frames", "It is a non-partisan issue.", "partisan_conflict"),
        ("story_frames", "They work with the United States.", "trade_and_tariffs"),
        ("story_frames", "The trade critic spoke.", "trade_and_tariffs"),
        ("story_frames", "She served tea in fine china.", "china"),
        ("story_frames", "The European Union agreed.", "jobs_and_autoworkers"),
        ("story_frames", "Premier Doug Ford said so.", "jobs_and_autoworkers"),
        ("story_frames", "Friendly fire killed two.", "personal_ties"),
        # "Trump" alone is not a personal tie
        ("story_frames", "Trump announced new tariffs.", "personal_ties"),
        ("story_frames", "The United States announced it.", "bipartisan_cooperation"),
        # word boundaries
        ("story_frames", "The trademark dispute went on.", "trade_and_tariffs"),
        ("story_frames", "Exit through the gift shop.", "china"),
        ("generic_frames", "They will fight for their families.", "conflict"),
    ],
)
def test_negative_cases_do_not_fire(frame_set, text, frame):
    assert frame not in _fired(text, frame_set)


# --------------------------------------------------------------------------- scoring mechanics


def test_score_table_shape_and_evidence_offsets():
    texts = ["Critics slammed the plan.", "Nothing here.", None, "Attacks, attacks, ATTACKS!"]
    scored = score_frames(texts, frames=["conflict", "morality"])
    assert list(scored.columns) == list(fr.FRAME_SCORES_SCHEMA.columns)
    assert len(scored) == 8
    assert scored["text_id"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    row = scored.iloc[6]
    assert (row["frame"], row["hits_n"], row["matched_terms"]) == ("conflict", 3, "Attacks; attacks; ATTACKS")
    assert row["score"] == pytest.approx(100.0)  # 3 hits in 3 words
    for text_id, terms, offsets in scored[["text_id", "matched_terms", "match_offsets"]].itertuples(index=False):
        if not terms:
            assert offsets == ""
            continue
        spans = [tuple(map(int, o.split(":"))) for o in offsets.split("; ")]
        assert [texts[text_id][s:e] for s, e in spans] == terms.split("; ")
    assert scored.loc[scored["text_id"] == 2, "hits_n"].tolist() == [0, 0]  # missing text scores empty


def test_series_index_and_dataframe_id_columns_are_carried():
    series = pd.Series(["They clashed."], index=["s-7"])
    assert score_frames(series)["text_id"].unique().tolist() == ["s-7"]
    df = pd.DataFrame(
        {"article_id": ["a", "a", "b"], "sentence_id": [0, 1, 0], "speaker": ["X", None, "Y"],
         "text": ["They clashed.", "Fine.", "Moral duty."]},
        index=[10, 11, 12],
    )
    scored = score_frames(df, "generic_frames")
    assert list(scored.columns[:4]) == ["article_id", "sentence_id", "speaker", "text_id"]
    assert scored["text_id"].unique().tolist() == [10, 11, 12]
    conflict = scored[scored["frame"] == "conflict"]
    assert conflict[["article_id", "sentence_id", "hits_n"]].values.tolist() == [["a", 0, 1], ["a", 1, 0], ["b", 0, 0]]
    only = score_frames(df, keep=["article_id"], frames=["morality"])
    assert list(only.columns[:2]) == ["article_id", "text_id"]
    with pytest.raises(KeyError, match="quote"):
        score_frames(df, text_column="quote")


def test_unknown_set_and_frame_are_named():
    with pytest.raises(KeyError, match="unknown frame set 'nope'.*generic_frames"):
        score_frames(["x"], "nope")
    with pytest.raises(KeyError, match=r"unknown frame\(s\) \['nope'\] in set 'generic_frames'"):
        score_frames(["x"], frames=["conflict", "nope"])
    with pytest.raises(TypeError):
        score_frames("a single string")


def test_term_syntax_wildcard_hyphen_apostrophe_case(tmp_path):
    path = _write(
        tmp_path,
        """
mine:
  frames:
    f:
      definition: test
      terms: [co-operat*, work* together, don't, U.S., war]
""",
    )
    texts = [
        "Cooperation and co-operating and CO OPERATE.",
        "They worked   together; working-together.",
        "I don\u2019t know; I don't.",
        "The U.S. said.",
        "Warm words, wars, war.",
    ]
    scored = score_frames(texts, "mine", lexicon=path)
    assert scored["matched_terms"].tolist() == [
        "Cooperation; co-operating; CO OPERATE",
        "worked   together; working-together",
        "don\u2019t; don't",
        "U.S.",
        "war",
    ]


def test_longest_term_wins_and_patterns_beat_overlapping_terms(tmp_path):
    path = _write(
        tmp_path,
        r"""
mine:
  frames:
    f:
      definition: test
      terms: [price, price war, not]
      patterns: ['\bnot\s+the\s+\w+']
""",
    )
    scored = score_frames(["A price war, not the end, not"], "mine", lexicon=path)
    assert scored["matched_terms"].tolist() == ["price war; not the end; not"]


def test_patterns_never_span_two_texts(tmp_path):
    path = _write(
        tmp_path,
        r"""
mine:
  frames:
    f:
      definition: test
      patterns: ['foo[^!]*bar', '^start', 'end$']
""",
    )
    scored = score_frames(["foo", "bar", "foo and bar", "start end", "a start", "end b"], "mine", lexicon=path)
    assert scored["hits_n"].tolist() == [0, 0, 1, 2, 0, 0]


def _reference_hits(text: str, frame: lex.Frame) -> list[tuple[int, int]]:
    """Slow, obvious implementation: each regex alone over one text."""
    low = lex.fold_text(text)
    terms = [m.span() for m in frame.term_regex.finditer(low)] if frame.term_regex else []
    patterns = [m.span() for m in frame.pattern_regex.finditer(low)] if frame.pattern_regex else []
    excluded = [m.span() for m in frame.exclude_regex.finditer(low)] if frame.exclude_regex else []

    def overlaps(span, others):
        return any(s < span[1] and span[0] < e for s, e in others)

    kept = sorted([t for t in terms if not overlaps(t, patterns)] + patterns)
    return [k for k in kept if not overlaps(k, excluded)]


@pytest.mark.parametrize("frame_set", ["story_frames", "generic_frames", "policy_frames"])
def test_one_pass_scan_equals_scanning_each_text_alone(frame_set):
    lexicon = load_frames()
    rng = random.Random(1)
    vocab = (
        "the not a trade critic official non-partisan partisan United States work together worked "
        "tariffs Trump's inner circle friend don\u2019t believe is Élan café naïve — “quoted” fine china "
        "co-operation Sino-US 25 per cent court courting fight for fighting war warm families, . ! ?"
    ).split() + ["\u2014trade", "\u00abchina\u00bb", "work\u00a0together", "co\u2011operate", "\u0130stanbul", "TRADE", "Don\u2019t"]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 30))) for _ in range(400)]
    scored = score_frames(texts, frame_set)
    for frame in lexicon[frame_set].frames.values():
        if frame.residual:
            continue
        got = scored[scored["frame"] == frame.name]
        for text, offsets in zip(texts, got["match_offsets"]):
            spans = [tuple(map(int, o.split(":"))) for o in offsets.split("; ")] if offsets else []
            assert spans == _reference_hits(text, frame), (frame.name, text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([chr(k) for k in lex.MATCH_CHARS] + list("aZ \u03a3\u00e9\u00c9-'")) | st.characters(), max_size=30))
def test_fold_text_is_translate_then_lower(text):
    assert lex.fold_text(text) == text.translate(lex.MATCH_CHARS).lower()


def test_frame_sets_scored_together_equal_each_set_scored_alone():
    from tests.conftest import SEED_FILES

    rng = random.Random(2)
    seed_lines = [line for path in SEED_FILES for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    vocab = "not the trade critic Trump's inner circle İstanbul “war” families 25 per cent co‑operate".split()
    texts = seed_lines + [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12))) for _ in range(200)] + ["", None]
    df = pd.DataFrame({"article_id": "a", "sentence_id": range(len(texts)), "text": texts})
    names = list(load_frames())
    together = fr.score_frame_sets(df, names, keep=["article_id", "sentence_id"])
    alone = pd.concat([score_frames(df, name, keep=["article_id", "sentence_id"]) for name in names], ignore_index=True)
    pd.testing.assert_frame_equal(together, alone)
    assert (together["hits_n"] > 0).sum() > 100
    with pytest.raises(TypeError):
        fr.score_frame_sets(df, "generic_frames")


def test_word_count_matches_corpus_definition():
    corpus = pytest.importorskip("analysis.corpus")
    texts = ["Critics: trade isn\u2019t partisan, he said.", "Critics co-operate \u2014 now", "Critics"]
    scored = score_frames(texts, frames=["conflict"])  # one hit each, so score = 100 / words
    assert scored["hits_n"].tolist() == [1, 1, 1]
    assert (100 / scored["score"]).round().astype(int).tolist() == [corpus.count_words(t) for t in texts]


# --------------------------------------------------------------------------- wide and aggregate


def test_pivot_frames_wide_in_input_order():
    df = pd.DataFrame({"article_id": ["b", "a"], "text": ["They clashed.", "Moral duty and a fight."]})
    scored = score_frames(df, frames=["conflict", "morality"])
    wide = pivot_frames(scored, value="hits_n")
    assert wide.columns.tolist() == ["article_id", "text_id", "conflict", "morality"]
    assert wide.values.tolist() == [["b", 0, 1, 0], ["a", 1, 1, 2]]
    both = pd.concat([scored, score_frames(df, "story_frames", frames=["china"])])
    assert "story_frames.china" in pivot_frames(both).columns


def test_aggregate_frames_shares_and_low_n():
    df = pd.DataFrame(
        {
            "outlet": ["A"] * 6 + ["B"] * 2 + [None],
            "text": ["They clashed."] * 3 + ["Calm."] * 3 + ["Fight!", "Calm."] + ["Clash."],
        }
    )
    scored = score_frames(df, frames=["conflict", "morality"])
    agg = aggregate_frames(scored, by=["outlet"])
    assert list(agg.columns) == ["outlet"] + list(fr.FRAME_SHARES_SCHEMA.columns)
    conflict = agg[agg["frame"] == "conflict"]
    assert conflict["outlet"].tolist()[:2] == ["A", "B"] and pd.isna(conflict["outlet"].tolist()[2])
    assert conflict[["n", "texts_with_frame_n", "share", "low_n"]].values.tolist() == [
        [6, 3, 0.5, False], [2, 1, 0.5, True], [1, 1, 1.0, True]
    ]
    overall = aggregate_frames(scored)
    assert overall[["frame", "n", "texts_with_frame_n"]].values.tolist() == [["conflict", 9, 5], ["morality", 9, 0]]
    with pytest.raises(KeyError, match="speaker"):
        aggregate_frames(scored, by=["speaker"])


# --------------------------------------------------------------------------- validation


VALID_FRAME = "      definition: ok\n      terms: [x]\n"


@pytest.mark.parametrize(
    "body, message",
    [
        ("s:\n  frames:\n    f:\n      definition: ok\n      terms: [x]\n      termz: [y]\n",
         "set 's', frame 'f': unknown key 'termz'"),
        ("s:\n  frames:\n    f:\n      terms: [x]\n", "set 's', frame 'f': missing definition"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      terms: []\n", "set 's', frame 'f': empty indicators"),
        ("s:\n  frames:\n    f:\n      definition: ok\n", "set 's', frame 'f': empty indicators"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      patterns: ['not(']\n",
         "set 's', frame 'f', 'patterns': pattern 'not(' does not compile"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      terms: ['*x']\n",
         "set 's', frame 'f': term '*x': '*' is allowed only at the end of a word"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      terms: ['', x]\n",
         "set 's', frame 'f': 'terms' item 0 must be a non-empty string"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      patterns: ['(?P<a>x)']\n", "named groups or backreferences"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      patterns: ['x*']\n", "matches the empty string"),
        ("s:\n  frames:\n    f:\n      definition: ok\n      residual: true\n      terms: [x]\n",
         "set 's', frame 'f': a residual frame"),
        ("s:\n  framez:\n    f:\n" + VALID_FRAME, "set 's': unknown key 'framez'"),
        ("s:\n  description: d\n", "set 's': missing 'frames'"),
        ("s: [1, 2]\n", "set 's': expected a mapping"),
        ("- a\n- b\n", "expected a mapping of frame-set names"),
        ("s:\n  frames:\n    f:\n" + VALID_FRAME + "    f:\n" + VALID_FRAME, "duplicate key 'f'"),
    ],
)
def test_validation_errors_name_the_fault(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(FrameLexiconError) as info:
        load_frames(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_validation_lists_every_problem(tmp_path):
    path = _write(
        tmp_path,
        "a:\n  frames:\n    f:\n      terms: [x]\nb:\n  frames:\n    g:\n      definition: ok\n      patterns: ['[']\n",
    )
    with pytest.raises(FrameLexiconError) as info:
        load_frames(path)
    assert len(info.value.problems) == 2
    assert "set 'a', frame 'f': missing definition" in str(info.value)
    assert "set 'b', frame 'g', 'patterns': pattern '[' does not compile" in str(info.value)


def test_user_file_with_any_set_name(tmp_path):
    path = _write(
        tmp_path,
        """
housing_story:
  description: my own set
  source: me
  frames:
    affordability:
      definition: Homes cost too much.
      terms: [afford*, rent]
""",
    )
    lexicon = load_frames(path)
    assert list(lexicon) == ["housing_story"]
    assert lexicon["housing_story"].frames["affordability"].source == "me"
    scored = score_frames(["Rent is unaffordable; nobody can afford it."], "housing_story", lexicon=lexicon)
    assert scored["matched_terms"].tolist() == ["Rent; afford"]
    with pytest.raises(FileNotFoundError):
        load_frames(tmp_path / "missing.yaml")


@pytest.mark.parametrize("module", [fr, lex])
def test_module_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
