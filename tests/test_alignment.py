"""What each outlet carries that the others leave out: sentence alignment over the real seed articles and any text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.alignment import ALIGNMENT_SCHEMA, FALLBACK_THRESHOLD, align_sentences, count_unique, unique_content
from analysis.tables import load_tables
from analysis.text import sentences as split_sentences


def _sentences(texts: dict[str, tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles = pd.DataFrame([{"article_id": k, "outlet": o, "text": t} for k, (o, t) in texts.items()])
    sents = split_sentences(articles).merge(articles[["article_id", "outlet"]], on="article_id")
    return articles, sents


@pytest.mark.parametrize("other, unique", [
    ("The council passed the budget on Monday.", False),           # the same sentence
    ("On Monday the council passed the budget.", False),           # the same words in another order
    ("Critics said the new stadium will cost too much.", True),    # a different statement
])
def test_a_sentence_is_unique_only_when_no_other_outlet_carries_it(other, unique):
    _, sents = _sentences({"a": ("X", "The council passed the budget on Monday. The mayor thanked the staff."),
                           "b": ("Y", other + " Taxes will rise by two percent next year.")})
    aligned = align_sentences(sents, threshold=0.5)
    first = aligned[(aligned["outlet"] == "X")].iloc[0]
    assert bool(first["is_unique"]) is unique
    assert first["match_outlet"] == "Y" and 0 <= first["similarity_score"] <= 1


def test_the_threshold_comes_from_within_article_siblings_unless_given():
    _, sents = _sentences({"a": ("X", "Alpha beta gamma. Alpha beta delta. Zeta eta theta."),
                           "b": ("Y", "Iota kappa lambda. Mu nu xi.")})
    aligned = align_sentences(sents)
    assert aligned["threshold_score"].nunique() == 1 and 0 < aligned["threshold_score"].iloc[0] < 1
    assert (align_sentences(sents, threshold=0.2)["threshold_score"] == 0.2).all()
    single = _sentences({"a": ("X", "One sentence here."), "b": ("Y", "Another one there.")})[1]
    assert (align_sentences(single)["threshold_score"] == FALLBACK_THRESHOLD).all()


def test_quotes_give_the_speaker_and_kind():
    _, sents = _sentences({"a": ("X", "“We will win,” Lee said. Lee said taxes will rise. The hall was full."),
                           "b": ("Y", "Nothing else happened.")})
    quotes = pd.DataFrame({"article_id": ["a", "a"], "start": [1, 31], "end": [13, 50], "kind": ["direct", "indirect"],
                           "speaker": ["Ann Lee", "Ann Lee"]})
    aligned = align_sentences(sents, quotes)
    assert aligned[aligned["outlet"] == "X"][["content_kind", "speaker"]].fillna("").values.tolist() == [
        ["quote", "Ann Lee"], ["statement", "Ann Lee"], ["narration", ""]]


def test_bad_input_is_refused_with_the_missing_columns():
    with pytest.raises(ValueError, match="outlet"):
        align_sentences(pd.DataFrame({"article_id": ["a"], "sentence_id": [0], "start": [0], "end": [1], "text": ["x"]}))


SENTENCE = st.lists(st.sampled_from(["budget", "council", "Lee", "tax", "vote", "—", "“no”", "42", "the", "é", "!!"]),
                    min_size=1, max_size=8).map(lambda w: " ".join(w) + ".")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["X", "Y", "Z"]), st.lists(SENTENCE, min_size=1, max_size=5)), min_size=1, max_size=4))
def test_offsets_and_verdicts_hold_for_any_corpus(docs):
    articles, sents = _sentences({f"d{i}": (outlet, " ".join(body)) for i, (outlet, body) in enumerate(docs)})
    aligned = ALIGNMENT_SCHEMA.validate(align_sentences(sents))
    texts = dict(zip(articles["article_id"], articles["text"]))
    for row in aligned.itertuples():
        assert texts[row.article_id][row.start:row.end] == row.sentence
        if pd.notna(row.match_article_id):
            assert row.match_outlet != row.outlet
            assert texts[row.match_article_id][row.match_start:row.match_end] == row.match_sentence
            assert row.is_unique == (row.similarity_score < row.threshold_score)
        else:
            assert not row.is_unique and len(set(articles["outlet"])) == 1
    assert len(unique_content(aligned)) == int(aligned["is_unique"].sum())
    assert count_unique(aligned)["unique_n"].sum() == int(aligned["is_unique"].sum())


@pytest.fixture(scope="module")
def seed_unique():
    tables, _ = load_tables(None)
    aligned = align_sentences(tables.sentences, tables.quotes)
    return aligned, unique_content(aligned)


def _unique_of(unique, outlet, words):
    rows = unique[(unique["outlet"] == outlet) & unique["sentence"].str.contains(words, regex=False)]
    return rows


def test_cbc_alone_carries_the_joly_and_deltell_quotes(seed_unique):
    _, unique = seed_unique
    joly = _unique_of(unique, "CBC News", "I haven’t heard him once")
    deltell = _unique_of(unique, "CBC News", "We have offered our help")
    assert joly[["content_kind", "speaker"]].values.tolist() == [["quote", "Mélanie Joly"]]
    assert deltell[["content_kind", "speaker"]].values.tolist() == [["quote", "Gérard Deltell"]]


def test_the_epoch_times_alone_carries_the_china_and_davos_passages(seed_unique):
    _, unique = seed_unique
    china = _unique_of(unique, "The Epoch Times", "genocidal state")
    davos = _unique_of(unique, "The Epoch Times", "Davos")
    assert china[["content_kind", "speaker"]].values.tolist() == [["quote", "Jamil Jivani"]]
    assert len(davos) == 1 and davos["match_outlet"].tolist() == ["CBC News"]


def test_what_both_outlets_carry_is_matched_across_them(seed_unique):
    aligned, _ = seed_unique
    carney = aligned[aligned["sentence"].str.contains("gave a briefing to Mr. Jivani", regex=False)]
    assert len(carney) == 2 and not carney["is_unique"].any()
    assert set(carney["match_sentence_id"]) == set(carney["sentence_id"].iloc[::-1]) or carney["similarity_score"].min() > 0.7
    threshold = aligned["threshold_score"].iloc[0]
    assert 0.15 < threshold < 0.4  # the 95th percentile of within-article nearest-sibling scores (0.263 on the seeds)
    assert np.isclose(aligned["threshold_score"], threshold).all()


def test_sentences_an_article_repeats_do_not_raise_the_threshold():
    """A line an article repeats word for word (leftover markup, a pull quote) is not 'a different statement' of it."""
    repeat = "\nRead more at our site.\nRead more at our site.\nRead more at our site."
    noisy = _sentences({"a": ("X", "The council passed the budget. Critics said taxes will rise. The mayor thanked the staff." + repeat),
                        "b": ("Y", "Parks get more money. Libraries open later. The festival starts Friday." + repeat)})[1]
    aligned = align_sentences(noisy)
    assert (aligned["threshold_score"] < 0.9).all()  # with the repeats counted it would be 1.0: nothing could match
    shared = aligned[aligned["sentence"] == "Read more at our site."]
    assert len(shared) == 6 and not shared["is_unique"].any()
