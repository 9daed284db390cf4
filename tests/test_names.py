"""Names found from capitalisation and the word lists of data/name_words.yaml."""

from __future__ import annotations

import pytest

from analysis.names import count_case, find_names


def _read(sentence: str, **kw) -> list[tuple]:
    names = find_names(sentence, **kw)
    for n in names:
        assert sentence[n.start : n.end] == n.text
    return [(n.text, n.kind, n.role) for n in names]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("U.S. Secretary of State Marco Rubio met Poilievre’s staff.",
         [("Marco Rubio", "person", "U.S. Secretary of State"), ("Poilievre", "name", None)]),
        ("General Motors cut 1,200 jobs, House Speaker Paul Ryan said.",
         [("General Motors", "organisation", None), ("Paul Ryan", "person", "House Speaker")]),
        ("Sen. Chuck Schumer of New York spoke.", [("Chuck Schumer", "person", "Sen."), ("New York", "name", None)]),
        ("But the Ontario MP and Liberal MPs met former president Barack Obama.", [("Barack Obama", "person", "president")]),
        ("The Conservatives and the Bank of Canada disagreed.", [("Conservatives", "group", None), ("Bank of Canada", "organisation", None)]),
        ("On Feb. 4, I’ll meet Ursula von der Leyen.", [("Ursula von der Leyen", "name", None)]),
    ],
)
def test_names_titles_and_kinds(sentence, expected):
    assert _read(sentence) == expected


def test_appositions_give_a_description_only_when_a_role_noun_heads_them():
    [jivani, vance] = find_names("Jivani, a university friend of Vice-President JD Vance, spoke.")
    assert jivani.description is None and vance.role == "Vice-President"
    [leblanc] = find_names("He was briefed by the minister responsible for trade, Dominic LeBlanc.")
    assert leblanc.description == "the minister responsible for trade" and leblanc.kind == "person"
    [ohio] = [n for n in find_names("He won Ohio, the candidate will be attending events in Kansas.") if n.text == "Ohio"]
    assert ohio.description is None  # a clause, not an apposition


def test_an_ordinary_word_opening_a_sentence_is_not_a_name():
    sentences = ["Presumptive nominee Hillary Clinton won.", "The presumptive nominee spoke.", "A presumptive winner."]
    common = count_case(sentences)
    assert "presumptive" in common
    assert _read(sentences[0], common=common) == [("Hillary Clinton", "person", "nominee")]
    assert _read("Minister LeBlanc spoke.", common=frozenset({"minister"})) == [("LeBlanc", "person", "Minister")]
