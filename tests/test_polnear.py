"""PolNeAR scoring on a tiny corpus the tests write themselves in PolNeAR's layout (brat standoff).

The real corpus has no licence to redistribute: it never enters the repository,
so these tests build their own articles and annotations.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.polnear import PolnearError, evaluate_polnear, join_continuations, read_polnear

TEXT = (
    "“We will build the wall,” Smith said.\u00a0“And it will be big.”\n\n"
    "Jones said the plan was a disaster.\n\n"
    "Voters believe the economy matters most.\n"
)


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _ann(text: str) -> str:
    rows, events = [], []

    def t(kind: str, *parts: str) -> str:
        tid = f"T{len(rows) + 1}"
        spans = [_span(text, p) for p in parts]
        rows.append(f"{tid}\t{kind} {';'.join(f'{a} {b}' for a, b in spans)}\t{' '.join(parts)}")
        return tid

    for source, cue, content in (
        (["Smith"], ["said"], ["“We will build the wall,”", "“And it will be big.”"]),
        (["Jones"], ["said"], ["the plan was a disaster"]),
        (["Voters"], ["believe"], ["the economy matters most"]),
    ):
        s, c, q = t("Source", *source), t("Cue", *cue), t("Content", *content)
        events.append(f"E{len(events) + 1}\tAttribution:{c} Content:{q} Cue:{c} Source:{s}")
    return "\n".join(rows + events) + "\n"


@pytest.fixture
def polnear_folder(write_files):
    name = "usa-today_2016-01-01_test-article"
    meta = "compartment\tfilename\tpublisher\tpublication_date\ttitle\ntrain\t" + f"{name}\tusa-today\t2016-01-01\tA test\n"
    return write_files(
        {f"text/{name}.txt": TEXT, f"attributions/{name}_ab12.ann": _ann(TEXT), "metadata.tsv": meta}, "polnear"
    )


def test_read_polnear_maps_offsets_onto_the_repaired_text(polnear_folder):
    corpus = read_polnear(polnear_folder)
    assert corpus.articles["outlet"].tolist() == ["USA Today"]
    text = corpus.articles.at[0, "text"]
    assert "\u00a0" not in text
    gold = corpus.gold
    assert gold["direct"].tolist() == [True, False, False]
    for spans, quote in zip(gold["spans"], gold["quote"]):
        assert " ".join(text[a:b] for a, b in spans) == quote
    assert [text[a:b] for (a, b), in gold["source_spans"]] == ["Smith", "Jones", "Voters"]


def test_evaluate_polnear_scores_direct_and_all(polnear_folder):
    ev = evaluate_polnear(read_polnear(polnear_folder))
    # the split quote is one Content in PolNeAR: the continuation joins its first part
    assert (ev.direct.n_required, ev.direct.n_found, ev.direct.n_predicted, ev.direct.n_correct) == (1, 1, 1, 1)
    assert ev.direct.source_accuracy == 1.0
    # "Voters believe ..." is a thought, not speech: the extractor leaves it, recall shows it
    assert (ev.attributions.n_required, ev.attributions.n_found) == (3, 2)
    assert ev.attributions.precision == 1.0
    assert ev.by_outlet["outlet"].tolist() == ["USA Today"]


def test_join_continuations_keeps_cued_quotes_apart():
    quotes = pd.DataFrame(
        {
            "article_id": ["a"] * 3,
            "paragraph_id": [0, 0, 1],
            "start": [0, 30, 60],
            "end": [20, 50, 80],
            "quote": ["one two", "three four", "five six"],
            "kind": ["direct"] * 3,
            "cue": ["said", None, None],
            "speaker_mention": ["Smith", None, None],
        }
    )
    joined = join_continuations(quotes)
    assert joined["quote"].tolist() == ["one two three four", "five six"]
    assert joined["end"].tolist() == [50, 80]


def test_missing_folder_is_named(tmp_path, capsys):
    with pytest.raises(PolnearError, match="no such folder"):
        read_polnear(tmp_path / "nowhere")
    assert main(["evaluate-quotes", "--polnear", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_command_prints_the_figures(polnear_folder, capsys):
    assert main(["evaluate-quotes", "--polnear", str(polnear_folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "direct quotes:" in out and "F1 1.000" in out and "source accuracy 1.000" in out
