from __future__ import annotations

import ftfy
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.paths import DATA_DIR
from analysis.text import _FTFY_CONFIG, _fix_text, _syntok_spans, count_segments, normalize_text, paragraphs, sentences, split_sentences


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the MP\u00c2\u00a0said", "the MP said"),  # UTF-8 NBSP read as cp1252
        ("the MP\u00c2 said", "the MP said"),  # the same after NBSP became a space
        ("a\u00a0b\u202fc", "a b c"),
        ("line one\r\nline two\r\n\r\n\r\n", "line one\nline two"),
        ("“curly” ‘quotes’ don’t change", "“curly” ‘quotes’ don’t change"),
        ("trailing   \nspaces\t\n", "trailing\nspaces"),
        ("Ã©tÃ© broken UTF-8", "été broken UTF-8"),
        ("Âge d'or", "Âge d'or"),  # a real capital A circumflex stays
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


ARTICLE = (
    "Conservative MP Jamil Jivani says he met officials on Wednesday.\n"
    "\n"
    "Washington Trip\n"
    "“Productive meetings today,” the Ontario MP said. Mr. Jivani left at 5 p.m. on Feb. 4. U.S. officials agreed.\n"
    "“I hope so,” he wrote.\n"
)


@pytest.fixture
def articles():
    return pd.DataFrame({"article_id": ["a", "b"], "text": [normalize_text(ARTICLE), "One line only."]})


def test_paragraph_offsets_and_headings(articles):
    paras = paragraphs(articles)
    assert paras.groupby("article_id").size().to_dict() == {"a": 4, "b": 1}
    text = articles.loc[0, "text"]
    for row in paras[paras.article_id == "a"].itertuples():
        assert text[row.start : row.end] == row.text
    assert paras.loc[paras.is_heading, "text"].tolist() == ["Washington Trip"]


@pytest.mark.parametrize(
    ("paragraph", "is_heading"),
    [
        ("Washington Trip", True),
        ("China Deal Seen As A Red Flag", True),
        ("He left.", False),
        ("“Tell the Canadians I love them", False),
        ("Jivani said he would go, and that he had offered to help the Liberals in the talks", False),
        ("lowercase start", False),
    ],
)
def test_heading_rule(paragraph, is_heading):
    paras = paragraphs(pd.DataFrame({"article_id": ["x"], "text": [paragraph]}))
    assert bool(paras.loc[0, "is_heading"]) is is_heading


def test_sentences_have_exact_offsets_and_keep_abbreviations(articles):
    sents = sentences(articles)
    a = sents[sents.article_id == "a"]
    assert a["text"].tolist() == [
        "Conservative MP Jamil Jivani says he met officials on Wednesday.",
        "Washington Trip",
        "“Productive meetings today,” the Ontario MP said.",
        "Mr. Jivani left at 5 p.m. on Feb. 4.",
        "U.S. officials agreed.",
        "“I hope so,” he wrote.",
    ]
    assert a["sentence_id"].tolist() == list(range(6))
    assert a["paragraph_id"].tolist() == [0, 1, 2, 2, 2, 3]
    text = articles.loc[0, "text"]
    assert all(text[s:e] == t for s, e, t in zip(a.start, a.end, a.text))
    assert sents[sents.article_id == "b"]["sentence_id"].tolist() == [0]


def test_sentences_reuse_given_paragraphs(articles):
    assert sentences(articles, paragraphs(articles)).equals(sentences(articles))


def test_empty_corpus_gives_empty_tables():
    empty = pd.DataFrame({"article_id": pd.Series([], dtype=str), "text": pd.Series([], dtype=str)})
    assert paragraphs(empty).empty and sentences(empty).empty


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match=r"missing \['article_id'\]"):
        sentences(pd.DataFrame({"text": ["x"]}))


def test_count_segments(articles):
    articles = articles.assign(outlet="X", word_count=[10, 3])
    counts = count_segments(articles, paragraphs(articles), sentences(articles))
    assert counts[["article_id", "paragraphs_n", "headings_n", "sentences_n"]].values.tolist() == [["a", 4, 1, 6], ["b", 1, 0, 1]]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Carney dismissed him as not the trade critic",
        "“Tell the Canadians I love them,” he said.",
        "He said no. Mr. Smith left.",
        "He left (for good) on Friday.",
        "Is it over?” she asked.’",
        "Wait; there is more",
        "aMr. Mr left.",  # syntok's tokenizer splits "aMr" at the case turn and reads "Mr." as an abbreviation
        "He left\u3002 She stayed.",  # an ideographic full stop is a terminal too
        "He said ? : then left.",
        "U.S:Phone! Z left.",  # a word glued to the one before is judged as part of it
        "Senator Tim Kaine (D-Va.) has had a mixed record.",  # an aside syntok skips whole
        "Phone (x)  ab (D-Va.)\t'Zu",  # ... but not after an aside it did not skip
        "said  cd (Mr Sen. Kaine )\u3002 He",  # nor when its ")" is glued to the punctuation after it
        "Vance (see \u3002)",  # an aside holding any of syntok's terminals is no plain aside
        "He met Rubio on Feb. 4. Carney left.",  # a number ends the sentence ...
        "He met Rubio in 2016. Carney left.",
        "4. Carney left.",  # ... but not the number that opens it
        "Feb. 3.  Carney  1.X",  # nor one after "Feb." at a sentence start (still syntok's first token)
        "He left. 4. Carney left.",
        "He said no. 4. Carney left.",
        "He got 4. Mar-a-Lago is big.",  # nor before a month ("Mar")
        "He got 4. JanSept came.",  # ... which syntok's tokenizer cuts out of "JanSept"
        "He got 4. March came.",
        "It was 4. \u201cCarney left.",
        "He paid $4. Carney left.",
        "X said no! IV2016Z Carney",  # "no" before a word with a digit ("No. 4") is kept
    ],
)
def test_single_sentence_shortcut_agrees_with_syntok(paragraph):
    assert split_sentences(paragraph) == _syntok_spans(paragraph)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab Z.!?;:,()[]\"'“”‘’…-\t\u3002") + ["Mr", "U.S", " said ", "Jan", "X", "eB", "Phone",
                                                                            " 4", "2016", "Mar", "Sept", "No", "no", " I "]), max_size=30))
def test_single_sentence_shortcut_never_changes_a_split(pieces):
    paragraph = "".join(pieces).strip()
    assert split_sentences(paragraph) == _syntok_spans(paragraph)


# Words news text puts next to a full stop: plain words, syntok's abbreviations, initials, numbers, brackets, quotes.
_NEWS_WORDS = ["He", "said", "Mr.", "Smith", "U.S.", "officials", "left.", "Gov.", "Jeb", "(AP)", "—", "“Go.”", "‘Why?’",
               "he", "asked.", "No.", "5", "Dec.", "6", "The", "J.", "D.", "Vance", "St.", "etc.", "...", "…", "!", "?", ";",
               "Sen.", "Cruz.", "(see", "above.)", "It", "3.5", "percent.", "''fine.''", "Trump.", "81-year-old", "[New",
               "York]", "Inc.", "However,", "II.", "Ariz.)", "a.m.", "Tuesday.", "i.e.", "Washington.The", "”", "“", "'", ")",
               "Feb.", "4,", "4.", "14", "2017.", "1.", "6-9", "Canada-U.S.", "President", "D.C.", "In",
               "(WEF)", "in", "(R-SC),", "(see", "it)", "U.S.-led", "-Mexico", "(USMCA/CUSMA).", "(R-TX).", "(AP).",
               "DALLAS", "4.”", "good).", "aMr.", "eBay.", "iPhoneX.", "McDonald.", "(D-Va.)", "(I-Vt.).",
               "(h/t", "Mediaite.)", "(then", "(2015).", "Kaine", "(“Little", "Marco”)", "(A.", "B.)", "。)"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NEWS_WORDS), min_size=1, max_size=30))
def test_plain_boundary_cuts_agree_with_syntok_on_news_words(words):
    paragraph = " ".join(words)
    assert split_sentences(paragraph) == _syntok_spans(paragraph)


def test_plain_boundary_cuts_agree_with_syntok_on_the_seed_articles():
    seeds = sorted((DATA_DIR / "articles").glob("*.txt"))
    assert len(seeds) == 2
    lines = [line for path in seeds for line in normalize_text(path.read_text(encoding="utf-8")).split("\n") if line.strip()]
    assert len(lines) > 40
    assert [split_sentences(line) for line in lines] == [_syntok_spans(line) for line in lines]


_MOJIBAKE_PIECES = list("ab Z.&;<>\n\r\t“”‘’–—…éÃâ€™Â\u00a0\x85\u2028\ufffd") + ["&amp;", "â€œ", "Ã©", "MPÂ said", "\r\n", "&#x2019;"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_MOJIBAKE_PIECES), max_size=30))
def test_line_shortcut_repairs_exactly_as_ftfy(pieces):
    raw = "".join(pieces)
    assert _fix_text(raw) == ftfy.fix_text(raw, config=_FTFY_CONFIG)


@pytest.mark.parametrize("paragraph", ["He met Rubio on Feb. 4. Carney left.", "He met Rubio in 2016. Carney last travelled in December."])
def test_a_number_ending_a_sentence_is_cut_without_syntok(monkeypatch, paragraph):
    import analysis.text as text_module

    expected = _syntok_spans(paragraph)
    monkeypatch.setattr(text_module, "_syntok_spans", lambda p: pytest.fail(f"sent to syntok: {p!r}"))
    assert split_sentences(paragraph) == expected and len(expected) == 2
