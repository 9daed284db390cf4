"""The actor codebook: the shipped file, validation errors, and mention finding."""

from __future__ import annotations

import json

import pytest

from analysis.actors import CodebookError, find_mentions, load_codebook
from analysis.paths import DATA_DIR

GOOD_ACTOR = "  - {name: Ann Lee, aliases: [Lee], party: null, camp: other, role: mayor, pronouns: she}\n"


@pytest.fixture(scope="module")
def book():
    return load_codebook()


def test_every_gold_speaker_is_a_canonical_name(book):
    speakers = {
        rec["speaker"]
        for rec in map(json.loads, (DATA_DIR / "gold" / "seed-quotes.jsonl").read_text(encoding="utf-8").splitlines())
        if rec["speaker"]
    }
    assert speakers - {a.name for a in book.actors} == set()


@pytest.mark.parametrize(
    "name, camp, pronouns",
    [
        ("Jamil Jivani", "conservative", "he"),
        ("Mark Carney", "liberal_government", "he"),
        ("Dominic LeBlanc", "liberal_government", "he"),
        ("Mélanie Joly", "liberal_government", "she"),
        ("Kirsten Hillman", "liberal_government", "she"),
        ("Pierre Poilievre", "conservative", "he"),
        ("Gérard Deltell", "conservative", "he"),
        ("Donald Trump", "us_administration", "he"),
        ("JD Vance", "us_administration", "he"),
        ("Marco Rubio", "us_administration", "he"),
        ("Scott Bessent", "us_administration", "he"),
        ("Liberal government", "liberal_government", "it"),
        ("U.S. officials", "us_administration", "they"),
        ("GM plant union", "other", "they"),
    ],
)
def test_codebook_covers_the_seed_actors(book, name, camp, pronouns):
    actor = book.actor(name)
    assert (actor.camp, actor.pronouns) == (camp, pronouns)


@pytest.mark.parametrize(
    "alias, name",
    [
        ("Jivani", "Jamil Jivani"),
        ("Mr. Jivani", "Jamil Jivani"),
        ("the Ontario MP", "Jamil Jivani"),
        ("The Conservative MP", "Jamil Jivani"),
        ("the prime minister", "Mark Carney"),
        ("PM", "Mark Carney"),
        ("the plant’s union", "GM plant union"),
        ("Gerard Deltell", "Gérard Deltell"),
        ("US officials", "U.S. officials"),
    ],
)
def test_resolve_alias(book, alias, name):
    assert book.resolve(alias).name == name


def test_resolve_unknown_alias_is_none(book):
    assert book.resolve("the mayor of Springfield") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jivani met Trump.", [("Jivani", "Jamil Jivani"), ("Trump", "Donald Trump")]),
        ("U.S. President Donald Trump spoke.", [("Donald Trump", "Donald Trump")]),
        ("He met Vance and his wife Usha Vance.", [("Vance", "JD Vance"), ("Usha Vance", "Usha Vance")]),
        ("Trump’s comment angered the Liberal government.", [("Trump", "Donald Trump"), ("the Liberal government", "Liberal government")]),
        ("The Ontario MP left at 5 pm.", [("The Ontario MP", "Jamil Jivani")]),  # "pm" is not the PM
        ("The PM said so.", [("PM", "Mark Carney")]),
        ("A trumpet and a carnival.", []),
        ("", []),
    ],
)
def test_find_mentions(book, text, expected):
    found = find_mentions(text, book)
    assert list(zip(found["mention"], found["actor"])) == expected
    assert all(text[s:e] == m for s, e, m in zip(found["start"], found["end"], found["mention"]))


def test_find_mentions_columns_and_camp(book):
    found = find_mentions("Jivani and the Liberal government", book)
    assert list(found.columns) == ["start", "end", "mention", "actor", "camp"]
    assert found["camp"].tolist() == ["conservative", "liberal_government"]


def test_user_codebook_for_another_story(tmp_path):
    path = tmp_path / "story.yaml"
    path.write_text("camps: [council, other]\nactors:\n" + GOOD_ACTOR.replace("camp: other", "camp: council"), encoding="utf-8")
    book = load_codebook(path)
    assert book.actor("Ann Lee").camp == "council"
    assert find_mentions("Mayor Lee spoke.", book)["actor"].tolist() == ["Ann Lee"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("actors:\n  - {aliases: [X], camp: other, pronouns: he}\n", "missing 'name'"),
        ("actors:\n  - {name: A, camp: other, pronouns: he, colour: red}\n", "unknown key 'colour'"),
        ("actors:\n" + GOOD_ACTOR + "  - {name: Bo Lee, aliases: [Lee], camp: other, pronouns: he}\n", "alias 'Lee' is already claimed by 'Ann Lee'"),
        ("actors:\n" + GOOD_ACTOR + GOOD_ACTOR, "duplicate actor name 'Ann Lee'"),
        ("camps: [earthlings]\nactors:\n  - {name: A, camp: martians, pronouns: he}\n", "camp 'martians' is not one of"),
        ("camps: [{name: a, color: red}]\nactors:\n  - {name: A, camp: a, pronouns: he}\n", "color 'red' must be '#rrggbb'"),
        ("camps: [{name: a, colour: '#123456'}]\nactors:\n  - {name: A, camp: a, pronouns: he}\n", "unknown key(s) ['colour']"),
        ("camps: [a, a]\nactors:\n  - {name: A, camp: a, pronouns: he}\n", "camp 'a' is listed twice"),
        ("actors:\n  - {name: A, camp: a, pronouns: he}\n  - {name: A, camp: a, pronouns: he}\n", "duplicate actor name"),
        ("actors:\n  - {name: A, camp: a, pronouns: he, pronouns: she}\n", "duplicate key 'pronouns'"),
        ("actors:\n  - {name: A, camp: other, pronouns: him}\n", "pronouns 'him' must be one of"),
        ("actors:\n  - {name: A, aliases: Lee, camp: other, pronouns: he}\n", "'aliases' must be a list"),
        ("people:\n" + GOOD_ACTOR, "unknown top-level key 'people'"),
        ("actors: []\n", "'actors' must be a non-empty list"),
        ("actors: [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_codebook_is_rejected_with_a_clear_message(tmp_path, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("camps: [other]\nactors:\n  - {camp: other, pronouns: he}\n  - {name: B, camp: nowhere, pronouns: he, x: 1}\n", encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    text = str(err.value)
    assert text.startswith("3 problem(s)")
    assert "missing 'name'" in text and "camp 'nowhere'" in text and "unknown key 'x'" in text


def test_problems_point_at_their_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "camps: [left, right]\n"                      # 1
        "actors:\n"                                   # 2
        "  - name: Ann Lee\n"                         # 3
        "    aliases: [Lee, Ms. Lee]\n"               # 4
        "    camp: left\n"                            # 5
        "    pronouns: she\n"                         # 6
        "  - name: Bo Lee\n"                          # 7
        "    aliases:\n"                              # 8
        "      - Bo\n"                                # 9
        "      - Lee\n"                               # 10
        "    camp: centre\n"                          # 11
        "    pronouns: he\n"                          # 12
        "    alias: [B.]\n"                           # 13
        "  - {camp: left, pronouns: it}\n",           # 14
        encoding="utf-8",
    )
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    lines = str(err.value).splitlines()[1:]
    assert [line.strip() for line in lines] == [
        f"{path}:13: actor #2 (Bo Lee): unknown key 'alias' (allowed: ['aliases', 'camp', 'name', 'party', 'pronouns', 'role'])",
        f"{path}:11: actor #2 (Bo Lee): camp 'centre' is not one of ['left', 'right']",
        f"{path}:10: actor #2 (Bo Lee): alias 'Lee' is already claimed by 'Ann Lee'",
        f"{path}:14: actor #3: missing 'name'",
    ]


def test_missing_codebook_file(tmp_path):
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(tmp_path / "nope.yaml")


def test_camps_default_to_those_the_actors_name_and_colours_are_optional(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("actors:\n  - {name: A, camp: b_team, pronouns: he}\n  - {name: B, camp: a_team, pronouns: she}\n", encoding="utf-8")
    book = load_codebook(path)
    assert book.camps == ("b_team", "a_team") and book.camp_colors == {}
    shipped = load_codebook()
    assert set(shipped.camp_colors) == set(shipped.camps)  # the seed story colours every camp


def test_codebook_is_parsed_once_per_file_version(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("actors:\n  - {name: A, camp: x, pronouns: he}\n", encoding="utf-8")
    first = load_codebook(path)
    assert load_codebook(path) is first
    path.write_text("actors:\n  - {name: Abc, camp: x, pronouns: he}\n", encoding="utf-8")  # another size: reread
    assert load_codebook(path).actors[0].name == "Abc"


def test_mentions_in_is_iter_mentions_remembered_and_not_pickled():
    import pickle

    from analysis import actors
    from analysis.corpus import load_articles

    book = actors.load_codebook()
    texts = load_articles()["text"].tolist()
    for text in texts + texts:  # the second pass reads the memo
        assert book.mentions_in(text) == tuple(book.iter_mentions(text))
    assert len(book.mentions_in(texts[0])) > 10
    assert set(texts) <= set(book._mention_memo)
    copy = pickle.loads(pickle.dumps(book))
    assert "_mention_memo" not in copy.__dict__ and copy.mentions_in(texts[1]) == book.mentions_in(texts[1])
    for i in range(actors.MENTION_MEMO_SIZE + 5):  # bounded
        book.mentions_in(f"Text {i}")
    assert len(book._mention_memo) <= actors.MENTION_MEMO_SIZE
