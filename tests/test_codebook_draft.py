"""draft-codebook: a draft actor codebook from a corpus, checked on the seed articles and on texts written here."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from analysis.actors import load_codebook
from analysis.codebook_draft import PLACEHOLDER_CAMP, draft_codebook, format_draft
from analysis.corpus import load_articles
from analysis.names import NAME_WORDS, NameWordsError, find_names, load_name_words
from analysis.paths import DATA_DIR, PROJECT_ROOT


def _found(proposals, book) -> set[str]:
    """Codebook actors that some proposal names (by its name or one of its aliases)."""
    hits = set()
    for p in proposals:
        for alias in (p.name, *p.aliases):
            actor = book.resolve(alias)
            if actor is not None:
                hits.add(actor.name)
    return hits


@pytest.fixture(scope="module")
def seed_draft():
    return draft_codebook(load_articles())


def test_seed_speakers_are_among_the_top_entries(seed_draft):
    """Recall of the codebook's speakers (every actor the seed gold codes as a speaker) in the draft's top 20."""
    book = load_codebook()
    speakers = {json.loads(line)["speaker"] for line in (DATA_DIR / "gold" / "seed-quotes.jsonl").read_text().splitlines() if line.strip()}
    speakers.discard(None)
    assert len(speakers) >= 8
    recall = len(_found(seed_draft[:20], book) & speakers) / len(speakers)
    assert recall >= 0.9, f"speaker recall {recall:.2f}; missed {sorted(speakers - _found(seed_draft[:20], book))}"
    # and most of the codebook's actors at all (the union and Usha Vance, named once without a title, are not)
    assert len(_found(seed_draft, book)) / len(book.actors) >= 0.85


def test_seed_entries_carry_aliases_roles_and_pronouns(seed_draft):
    by_name = {p.name: p for p in seed_draft}
    assert seed_draft[0].name == "Jamil Jivani" and seed_draft[0].speaker_n >= 15
    assert {"Jivani", "Mr. Jivani"} <= set(by_name["Jamil Jivani"].aliases)
    assert by_name["Jamil Jivani"].pronouns == "he" and by_name["Jamil Jivani"].role == "Conservative MP"
    assert by_name["Mélanie Joly"].pronouns == "she" and "Ms. Joly" in by_name["Mélanie Joly"].aliases
    assert by_name["Mark Carney"].role == "Prime Minister"
    leblanc = by_name["Dominic LeBlanc"]
    assert {"LeBlanc", "Minister LeBlanc", "Mr. LeBlanc", "the minister responsible for Canada-U.S. trade"} <= set(leblanc.aliases)
    assert by_name["Kirsten Hillman"].role == "Canada’s outgoing ambassador to the U.S."
    assert by_name["U.S. officials"].kind == "collective" and by_name["U.S. officials"].pronouns == "they"
    assert by_name["Liberal government"].aliases == ["the Liberal government"]
    assert by_name["White House"].kind == "organisation" and by_name["White House"].pronouns == "it"
    # the outlets reporting are not actors; places are not proposed
    assert not {"CBC News", "Epoch Times", "Washington", "Ottawa", "Canada", "United States"} & set(by_name)


def test_the_draft_file_loads_and_shows_its_evidence(seed_draft, tmp_path):
    text = format_draft(seed_draft, source="data/", articles_n=2)
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    book = load_codebook(path)
    assert book.camps == (PLACEHOLDER_CAMP,) and {a.camp for a in book.actors} == {PLACEHOLDER_CAMP}
    assert [a.name for a in book.actors] == [p.name for p in seed_draft]
    block = text[text.index("# 1. Jamil Jivani") : text.index("  - name: \"Jamil Jivani\"")]
    assert re.search(r"\d+ mentions in 2 articles; speaks in \d+ statements", block)
    assert block.count("#    e.g. [") == 2 and "[000_bccff4381b3e394f]" in block and "[001_20abc0e3856520c8]" in block
    assert re.search(r"pronouns he: \d+ × he", block)


STORY = """Mayor Ann Lee said the council would vote on Tuesday. “We kept every promise,” she said.

Councillor Bo Chan, the opposition leader, said Lee was wrong. Mr. Chan said he would vote against the budget.

Mei Chan, a bakery owner on King Street, said the budget ignored small shops. Ms. Chan said she would attend the vote.

City Hall officials said the vote would go ahead. The Harbour Workers Union said it backed the budget.

Lee later told the Daily Ledger she was confident. Chan said he was not. The Daily Ledger asked Ottawa for comment.
"""


def test_people_organisations_and_collectives_from_a_story_written_here():
    articles = pd.DataFrame({"article_id": ["s1", "s2"], "outlet": ["Daily Ledger", "Daily Ledger"],
                             "text": [STORY, STORY.replace("Tuesday", "Wednesday") + "\nLee said she would wait."]})
    proposals = {p.name: p for p in draft_codebook(articles)}
    assert proposals["Ann Lee"].pronouns == "she" and proposals["Ann Lee"].role == "Mayor"
    assert {"Lee", "Ms. Lee"} <= set(proposals["Ann Lee"].aliases)
    # two people named Chan: the surname goes to the one named more often, and the other's entry says so
    assert "Chan" in proposals["Bo Chan"].aliases and "Chan" not in proposals["Mei Chan"].aliases
    assert any("shares the surname 'Chan' with Bo Chan" in note for note in proposals["Mei Chan"].notes)
    # "Ms. Chan said she ..." is read as the surname's owner: his draft leaves that alias out and says why
    assert proposals["Bo Chan"].pronouns == "he" and "Ms. Chan" not in proposals["Bo Chan"].aliases
    assert any("'Ms. Chan' left out" in note for note in proposals["Bo Chan"].notes)
    assert "the opposition leader" in proposals["Bo Chan"].aliases
    assert proposals["Harbour Workers Union"].kind == "organisation"
    assert proposals["City Hall officials"].kind == "collective" and proposals["City Hall officials"].pronouns == "they"
    assert not {"Daily Ledger", "Ottawa", "King Street", "Tuesday"} & set(proposals)


def test_word_lists_come_from_the_data_file(tmp_path):
    text = NAME_WORDS.read_text(encoding="utf-8")
    sentence = "Reeve Jo Bloggs opened the fair."
    assert find_names(sentence)[0].role is None
    custom = tmp_path / "words.yaml"
    custom.write_text(text.replace("titles: [President,", "titles: [Reeve, President,"), encoding="utf-8")
    assert find_names(sentence, load_name_words(custom))[0].role == "Reeve"
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace('"On"', "On"), encoding="utf-8")
    with pytest.raises(NameWordsError, match=r"broken\.yaml.*\n.*'stopwords': True is not text"):
        load_name_words(broken)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "draft-codebook", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)


def test_command_line(tmp_path):
    assert "placeholder camp" in _cli("--help").stdout
    out = tmp_path / "codebook.yaml"
    done = _cli(str(DATA_DIR), "--out", str(out), "--top", "5")
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}: 5 actors" in done.stdout
    assert len(load_codebook(out).actors) == 5
    again = _cli(str(DATA_DIR), "--out", str(out))
    assert again.returncode == 2 and "exists; pass --force" in again.stderr
    missing = _cli(str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.yaml"))
    assert missing.returncode == 2 and "error:" in missing.stderr and "nowhere" in missing.stderr
