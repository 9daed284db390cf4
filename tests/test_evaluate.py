"""The scorer (analysis.evaluate) on hand-made gold, and the evaluate-quotes command end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.paths import DATA_DIR
from analysis.evaluate import GoldError, evaluate_quotes, format_report, load_gold, score_quotes, tokenize


def _gold(*rows):
    cols = ["article", "kind", "quote", "speaker", "speaker_mention", "cue", "optional"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def _pred(*rows):
    return pd.DataFrame(rows, columns=["article_id", "quote", "speaker", "speaker_mention"])


GOLD = _gold(
    ("a", "direct", "We will fight for every job in this country", "Mélanie Joly", "Joly", "said", False),  # G1
    ("a", "indirect", "he met officials on Wednesday", "Jamil Jivani", "Jivani", "says", False),  # G2
    ("a", "direct", "Tell the Canadians I love them.", "Donald Trump", "The President", "asked", False),  # G3
    ("a", "indirect", "to work with the Liberals", "Jamil Jivani", "Jivani", "offered", True),  # G4, optional
    ("a", "mixed", "the Liberal government is in “constant contact”", "Mark Carney", "Carney", "said", False),  # G6, missed
    ("b", "direct", "the union called it a betrayal", None, "the plant's union", "describes", False),  # G5
)
PRED = _pred(
    ("a", "We will fight for every job,", "melanie joly", "Joly"),  # P1: correct, finds G1, speaker ok (case/accents)
    ("a", "he met officials on Wednesday as he visits the capital on a long trip", "Gérard Deltell", "he"),  # P2: finds G2 (5/5) but 5/14 in gold: extra; wrong speaker
    ("a", "Tell the Canadians I love them.", "Donald Trump", "The President"),  # P3: correct, best cover of G3
    ("a", "to work with the Liberals", "Jamil Jivani", "Jivani"),  # P4: matches the optional record: correct
    ("b", "called it a betrayal", None, "the plant’s union"),  # P5: correct, finds G5 (4/6), null speaker -> mention overlap
    ("b", "completely unrelated words here", "X", "X"),  # P6: extra
    ("c", "We will fight for every job,", "Mélanie Joly", "Joly"),  # P7: article c has no gold: extra
    ("a", "The President asked me to pass along a message: Tell the Canadians I love them", "Jamil Jivani", "the Ontario MP"),  # P8: covers G3 too, less tightly; extra
)


def test_score_quotes_exact_figures():
    s = score_quotes(GOLD, PRED)
    assert (s.n_predicted, s.n_correct, s.n_required, s.n_found) == (8, 4, 5, 4)
    assert s.precision == 0.5
    assert s.recall == 0.8
    assert s.f1 == pytest.approx(8 / 13)
    assert (s.n_speaker_checked, s.n_speaker_correct, s.speaker_accuracy) == (4, 3, 0.75)
    assert s.misses["quote"].tolist() == ["the Liberal government is in “constant contact”"]
    assert s.extras["quote"].tolist() == [PRED.quote[1], PRED.quote[5], PRED.quote[6], PRED.quote[7]]
    assert s.wrong_speakers[["quote", "gold_speaker", "predicted_speaker"]].values.tolist() == [
        ["he met officials on Wednesday", "Jamil Jivani", "Gérard Deltell"]
    ]


@pytest.mark.parametrize(
    "pred_quote, found, correct",
    [
        ("alpha beta", True, True),  # 2 of 4 gold tokens (exactly half) found; all its tokens in gold
        ("alpha", False, True),  # 1 of 4: not found, but correct
        ("alpha beta x y z", True, False),  # finds the gold, yet only 2 of 5 of its tokens are gold's
        ("Alpha, BETA! gamma", True, True),  # punctuation and case do not matter
    ],
)
def test_half_threshold_both_ways(pred_quote, found, correct):
    s = score_quotes(_gold(("a", "direct", "alpha beta gamma delta", "S", None, None, False)), _pred(("a", pred_quote, "S", None)))
    assert (s.n_found, s.n_correct) == (int(found), int(correct))


def test_tokens_are_multisets():
    s = score_quotes(_gold(("a", "direct", "no no no yes", "S", None, None, False)), _pred(("a", "no no no no no no no", "S", None)))
    assert (s.n_found, s.n_correct) == (1, 0)  # 3 of 4 gold tokens found; only 3 of its 7 "no"s are gold's
    assert tokenize("No, no!") == {"no": 2}


def test_empty_inputs_give_zero_not_an_error():
    s = score_quotes(_gold(), _pred())
    assert (s.precision, s.recall, s.f1, s.speaker_accuracy) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"article": "a", "kind": "direct"'], "line 1: not JSON"),
        (['{"article": "a", "kind": "direct", "quote": "x"}'], "line 1: missing field(s) ['speaker', 'speaker_mention', 'cue']"),
        (["", '{"article": "a", "kind": "quoted", "quote": "x", "speaker": null, "speaker_mention": null, "cue": null}'], "line 2: kind 'quoted'"),
        (['{"article": "a", "kind": "direct", "quote": "…", "speaker": null, "speaker_mention": null, "cue": null}'], "line 1: quote must be text"),
        (["[1, 2]"], "line 1: expected a JSON object"),
    ],
)
def test_load_gold_errors(tmp_path, lines, message):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(GoldError) as err:
        load_gold(path)
    assert message in str(err.value)


def test_seed_gold_loads():
    gold = load_gold(DATA_DIR / "gold" / "seed-quotes.jsonl")
    assert len(gold) == 63 and gold["gold_id"].tolist() == list(range(63))
    assert int((~gold["optional"]).sum()) == 56


ARTICLE = (
    "Jivani Goes to Washington\n"
    "Conservative MP Jamil Jivani says he met with officials on Wednesday.\n"
    "“Productive meetings today,” the Ontario MP said in a post.\n"
    "Prime Minister Mark Carney said Jivani is not the trade critic.\n"
)


@pytest.fixture
def corpus(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "here.txt").write_text(ARTICLE, encoding="utf-8")
    records = [
        {"article": "here", "kind": "indirect", "quote": "he met with officials on Wednesday", "speaker": "Jamil Jivani", "speaker_mention": "Conservative MP Jamil Jivani", "cue": "says"},
        {"article": "here", "kind": "direct", "quote": "Productive meetings today,", "speaker": "Jamil Jivani", "speaker_mention": "the Ontario MP", "cue": "said"},
        {"article": "here", "kind": "indirect", "quote": "Jivani is not the trade critic", "speaker": "Mark Carney", "speaker_mention": "Prime Minister Mark Carney", "cue": "said", "optional": False},
        {"article": "gone_1", "kind": "direct", "quote": "anything", "speaker": None, "speaker_mention": None, "cue": None},
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return gold, articles


def test_evaluate_quotes_scores_present_articles_and_names_missing_ones(corpus):
    gold, articles = corpus
    ev = evaluate_quotes(gold, articles)
    assert ev.missing_articles == ["gone_1"]
    s = ev.score
    assert (s.n_predicted, s.n_correct, s.n_required, s.n_found, s.n_speaker_correct) == (3, 3, 3, 3, 3)
    assert len(ev.unlocated) == 0


def test_evaluate_quotes_cli_prints_summary_last(corpus, capsys):
    gold, articles = corpus
    assert main(["evaluate-quotes", str(gold), "--articles", str(articles)]) == 0
    tail = capsys.readouterr().out.strip().splitlines()[-6:]
    assert tail == [
        "== Summary ==",
        "articles scored: 1 of 2; missing: gone_1",
        "precision:        1.000 (3/3 predicted quotes match gold)",
        "recall:           1.000 (3/3 required gold quotes found)",
        "F1:               1.000",
        "speaker accuracy: 1.000 (3/3 found quotes)",
    ]


def test_all_articles_missing_does_not_crash(tmp_path, corpus, capsys):
    gold, _ = corpus
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["evaluate-quotes", str(gold), "--articles", str(empty)]) == 0
    out = capsys.readouterr().out
    assert "MISSING ARTICLES (2)" in out and "missing: here, gone_1" in out


def test_gold_quote_not_in_text_is_reported(tmp_path, corpus):
    gold, articles = corpus
    lines = gold.read_text(encoding="utf-8").splitlines()
    lines.append(json.dumps({"article": "here", "kind": "direct", "quote": "words never written", "speaker": "X", "speaker_mention": None, "cue": None}))
    gold.write_text("\n".join(lines), encoding="utf-8")
    ev = evaluate_quotes(gold, articles)
    assert ev.unlocated["quote"].tolist() == ["words never written"]
    assert "NOT FOUND VERBATIM" in format_report(ev)


def test_bad_gold_file_exits_2_with_message(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    assert main(["evaluate-quotes", str(bad)]) == 2
    assert "line 1: not JSON" in capsys.readouterr().err
