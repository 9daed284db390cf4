"""How outlets introduce actors: titles, appositions, relative clauses and descriptive aliases, with exact offsets."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.actors import parse_codebook
from analysis.descriptors import (DescriptorWordsError, describe_mentions, find_descriptors, load_descriptor_words,
                                  summarize_descriptors)
from analysis.tables import load_tables
from analysis.text import sentences as split_sentences

BOOK = parse_codebook({"actors": [
    {"name": "Ann Lee", "aliases": ["Lee", "the finance chair"], "camp": "council", "pronouns": "she"},
    {"name": "Bo Chan", "aliases": ["Chan", "Mayor Chan"], "camp": "opposition", "pronouns": "he"},
    {"name": "City Hall", "aliases": [], "camp": "council", "pronouns": "it"},
]})


def _describe(text: str, quotes: pd.DataFrame | None = None) -> pd.DataFrame:
    articles = pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "text": [text]})
    sents = split_sentences(articles)
    mentions = BOOK.find_mentions(text)
    mentions["article_id"] = "a"
    mentions["is_pronoun"] = False
    bounds = sents["end"].to_numpy()
    mentions["sentence_id"] = [int(sents["sentence_id"].iloc[(bounds > s).argmax()]) for s in mentions["start"]]
    found = describe_mentions(articles, sents, mentions, quotes)
    for start, end, descriptor in zip(found["start"], found["end"], found["descriptor"]):
        assert text[start:end] == descriptor
    return found


@pytest.mark.parametrize("text, expected", [
    ("Finance Minister Ann Lee spoke on Monday.", [("Ann Lee", "title", "Finance Minister")]),
    ("But Deputy Mayor Ann Lee left.", [("Ann Lee", "title", "Deputy Mayor")]),
    ("The budget was cut, former councillor Ann Lee said.", [("Ann Lee", "title", "councillor")]),
    ("Lee, a former banker who grew up in Leeds, said no.", []),  # a clause word inside: not an apposition
    ("Lee, a former banker, said no.", [("Ann Lee", "apposition", "a former banker")]),
    ("He met Ann Lee, the city’s longest-serving councillor.", [("Ann Lee", "apposition", "the city’s longest-serving councillor")]),
    ("Lee, who chaired the committee for a decade, said no.", [("Ann Lee", "relative clause", "who chaired the committee for a decade")]),
    ("He thanked Lee, whose plan passed, and left.", [("Ann Lee", "relative clause", "whose plan passed")]),
    ("The city’s budget chief, Ann Lee, said no.", [("Ann Lee", "apposition", "The city’s budget chief")]),
    ("The finance chair said no.", [("Ann Lee", "epithet", "The finance chair")]),
    ("Mayor Chan spoke.", [("Bo Chan", "title", "Mayor")]),
    ("Lee, Chan and City Hall agreed.", []),  # a list of names is not an apposition
    ("Lee, Chan, and others came.", []),
    ("City Hall, which runs the transit system, said no.", [("City Hall", "relative clause", "which runs the transit system")]),
    ("Lee, Canada’s envoy to Japan, spoke.", [("Ann Lee", "apposition", "Canada’s envoy to Japan")]),
])
def test_descriptors_of_a_sentence(text, expected):
    found = _describe(text)
    assert found[["actor", "kind", "descriptor"]].apply(tuple, axis=1).tolist() == expected


def test_a_descriptor_inside_a_direct_quote_is_the_speakers_and_reported_speech_the_outlets():
    text = "“Lee, who never reads a budget, is wrong,” Chan said. Chan said Finance Minister Ann Lee was wrong."
    quotes = pd.DataFrame({"article_id": ["a", "a"], "quote_id": [0, 1], "start": [1, 64], "end": [34, 100],
                           "kind": ["direct", "indirect"], "speaker": ["Bo Chan", "Bo Chan"]})
    found = _describe(text, quotes)
    assert found[["descriptor", "speaker"]].values.tolist() == [
        ["who never reads a budget", "Bo Chan"], ["Finance Minister", "narrator"]]
    assert found["quote_id"].tolist()[0] == 0 and pd.isna(found["quote_id"].tolist()[1])


WORDS = st.sampled_from(["Lee", "Ann Lee", "Chan", "Mayor Chan", "City Hall", "the finance chair", "Finance Minister",
                         "a", "the", "who", "which", "said", "former", "banker", "Canada’s", "envoy", "and", "of",
                         "U.S.", "Vice-President", "“", "”", "(", ")", "—", "met", "whose", "one", "MP", "Mr."])
PUNCT = st.sampled_from([" ", " ", " ", ", ", ". ", "; ", "\n", ": "])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, PUNCT), min_size=1, max_size=40))
def test_offsets_hold_for_any_text(parts):
    text = "".join(w + p for w, p in parts).strip() or "Lee."
    found = _describe(text)  # checks text[start:end] == descriptor for every row
    assert set(found["kind"]) <= {"title", "apposition", "relative clause", "epithet"}
    assert not found.duplicated(["article_id", "actor", "start", "end"]).any()
    assert (found["start"] < found["end"]).all()


def test_word_list_problems_are_listed_with_the_file(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("relative_pronouns: []\napposition_openers: [yes]\nmax_words: 0\nextra: 1\n", encoding="utf-8")
    with pytest.raises(DescriptorWordsError) as error:
        load_descriptor_words(path)
    message = str(error.value)
    assert str(path) in message and "relative_pronouns" in message and "max_words" in message and "extra" in message


@pytest.fixture(scope="module")
def seed():
    tables, rejected = load_tables(None)
    assert rejected.empty
    return tables, find_descriptors(tables)


def _of(descriptors, outlet, actor):
    rows = descriptors[(descriptors["outlet"] == outlet) & (descriptors["actor"] == actor)]
    return rows[["kind", "descriptor", "speaker"]].apply(tuple, axis=1).tolist()


def test_seed_outlets_introduce_jivani_through_vance_each_in_its_own_words(seed):
    tables, found = seed
    texts = dict(zip(tables.articles["article_id"], tables.articles["text"]))
    assert all(texts[a][s:e] == d for a, s, e, d in zip(found["article_id"], found["start"], found["end"], found["descriptor"]))
    cbc, epoch = _of(found, "CBC News", "Jamil Jivani"), _of(found, "The Epoch Times", "Jamil Jivani")
    assert ("apposition", "a university friend of U.S. Vice-President JD Vance", "narrator") in cbc
    assert ("relative clause", "who is a close friend and former university roommate of U.S. Vice-President JD Vance", "narrator") in epoch
    assert ("title", "Conservative MP", "narrator") in cbc and ("epithet", "the Ontario MP", "narrator") in cbc
    # Carney's put-down, in his own quoted words, in both outlets
    put_down = ("relative clause", "who I don’t believe is the trade critic for the Opposition", "Mark Carney")
    assert put_down in cbc and put_down in epoch


def test_seed_titles_of_the_government_side(seed):
    _, found = seed
    assert ("title", "Industry Minister", "narrator") in _of(found, "CBC News", "Mélanie Joly")
    assert ("title", "Prime Minister", "narrator") in _of(found, "CBC News", "Mark Carney")
    assert ("title", "Canada-U.S. Trade Minister", "narrator") in _of(found, "CBC News", "Dominic LeBlanc")
    assert ("apposition", "the minister responsible for Canada-U.S. trade", "narrator") in _of(found, "The Epoch Times", "Dominic LeBlanc")
    assert ("apposition", "Canada’s outgoing ambassador to the U.S.", "narrator") in _of(found, "CBC News", "Kirsten Hillman")


def test_summary_counts_each_descriptor_once_per_outlet(seed):
    _, found = seed
    summary = summarize_descriptors(found)
    row = summary[(summary["outlet"] == "CBC News") & (summary["descriptor"] == "Conservative MP") & (summary["actor"] == "Jamil Jivani")]
    assert row["descriptors_n"].tolist() == [2]
    assert summary["descriptors_n"].sum() == len(found)
