"""Score the quote extractor on PolNeAR, a corpus of news with every attribution hand-coded.

PolNeAR (Newell, Margolin and Ruths, LREC 2018) codes each attribution in
2016 US election coverage by seven outlets as a Source (who), a Cue (the
reporting words) and a Content (what was attributed), in brat standoff files
with character offsets. Its texts carry no licence to redistribute, so they
never enter this repository: :func:`read_polnear` reads a copy wherever the
user keeps it (``python -m analysis evaluate-quotes --polnear DIR``).

Scoring follows :mod:`analysis.evaluate` (token overlap, the Gender Gap
Tracker's rules), on two gold sets:

- **direct quotes**: recall over the Contents wholly inside quotation marks
  (split quotes included); a predicted direct quote is correct when half its
  words lie inside any coded Content, as in the seed gold, because PolNeAR
  often codes a quotation together with narration ("“It’s fine,” Trump says
  **of waterboarding**") and then the Content is not wholly quoted;
- **all attributions**: every Content span (PolNeAR also codes thoughts and
  intentions, "Trump believes ...", which a quote extractor is not built for).

Predictions are the extractor's rows; a quotation that continues the
previous one in the same paragraph with no cue of its own ("“A,” he said.
“B.”") is joined to it, because PolNeAR codes the two parts as one Content.
**Source accuracy**: over found gold records that have a Source, the share
whose best prediction's speaker mention overlaps the coded Source span (for a
prediction with no mention of its own, its speaker's words must share a word
with the Source).

>>> corpus = read_polnear("../shared/polnear-train", limit=2)   # doctest: +SKIP
>>> print(format_polnear(evaluate_polnear(corpus)))             # doctest: +SKIP

Limits: one annotator per article (the first ``.ann`` file in name order
where two coded it); offsets are mapped onto the repaired text the loader
produces (no-break spaces, trailing blanks), so a span that the repair
changes maps to the nearest surviving characters.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.actors import Codebook
from analysis.evaluate import THRESHOLD, Rates, best_prediction, overlap, tokenize
from analysis.text import normalize_text

OUTLET_NAMES = {
    "breitbart": "Breitbart",
    "huff-post": "HuffPost",
    "nyt": "The New York Times",
    "politico": "Politico",
    "usa-today": "USA Today",
    "wash-post": "The Washington Post",
    "west-journal": "Western Journal",
}
"""PolNeAR's publisher codes (file-name prefixes) and the outlets' names."""

_T_LINE = re.compile(r"^(T\d+)\t(\w+) ([\d ;]+)\t")
_E_LINE = re.compile(r"^(E\d+)\t(.+)$")


class PolnearError(FileNotFoundError):
    """The PolNeAR folder is missing or not shaped as its README says."""


@dataclass
class PolnearCorpus:
    """Articles (loader-shaped) and gold attributions, offsets into the repaired ``text``."""

    folder: str
    articles: pd.DataFrame  # article_id, outlet, title, published_date, text
    gold: pd.DataFrame  # article_id, attribution_id, direct, quote, spans, source, source_spans, cue


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise PolnearError(
            f"{folder}: no such folder. Pass the PolNeAR folder (with text/ and attributions/), "
            "e.g. --polnear ../shared/polnear-train; its texts are never copied into this repository."
        )
    missing = [name for name in ("text", "attributions") if not (folder / name).is_dir()]
    if missing:
        raise PolnearError(f"{folder}: not a PolNeAR folder, missing {', '.join(missing)}/ (see its README)")


def _read_ann(path: Path) -> tuple[dict[str, tuple[str, list[tuple[int, int]]]], list[dict[str, str]]]:
    """brat standoff: text-bound spans ``T`` and the events ``E`` that tie one attribution's roles."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _T_LINE.match(line):
            pieces = [tuple(map(int, part.split())) for part in m[3].split(";") if part.strip()]
            spans[m[1]] = (m[2], [(a, b) for a, b in pieces])
        elif m := _E_LINE.match(line):
            roles = {}
            for item in m[2].split():
                role, _, ref = item.partition(":")
                roles.setdefault(role.rstrip("0123456789"), ref)
            events.append(roles)
    return spans, events


def _offset_map(raw: str, text: str) -> np.ndarray:
    """``out[i]`` = position in ``text`` of raw character ``i`` (or of the nearest surviving one).

    The loader's repair drops or replaces blanks and fixes mojibake (``Ã¡`` ->
    ``á``), so a linear walk aligns the two: blanks may differ, and at any
    other difference it skips ahead to where six characters agree again.

    >>> _offset_map("a\u00a0 b", "a b").tolist()
    [0, 1, 1, 2, 3]
    >>> _offset_map("GuantÃ¡namo Bay", "Guantánamo Bay")[7:9].tolist()
    [6, 7]
    """
    out = np.empty(len(raw) + 1, dtype=np.int64)
    i = j = 0
    while i < len(raw):
        if j < len(text) and raw[i] == text[j]:
            out[i] = j
            i, j = i + 1, j + 1
        elif raw[i].isspace() or raw[i] == "\ufeff":
            out[i] = min(j, len(text))
            i += 1
            if j < len(text) and text[j].isspace() and not raw[i : i + 1].isspace():
                j += 1  # a blank replaced by another blank
        elif j < len(text) and text[j].isspace():
            j += 1
        else:
            di, dj = _resync(raw, text, i, j)
            out[i : i + di] = np.minimum(j + np.arange(di), max(j + dj - 1, j))
            i, j = i + di, j + dj
    out[len(raw)] = len(text)
    return np.minimum(out, len(text))


def _resync(raw: str, text: str, i: int, j: int, window: int = 12, agree: int = 6) -> tuple[int, int]:
    """The smallest skip ``(di, dj)`` after which ``agree`` characters of both texts match again."""
    for total in range(1, 2 * window + 1):
        for di in range(max(1, total - window), min(total, window) + 1):
            dj = total - di
            if raw[i + di : i + di + agree] == text[j + dj : j + dj + agree]:
                return di, dj
    return 1, min(1, len(text) - j)


def _is_direct(text: str, spans: list[tuple[int, int]]) -> bool:
    """Every word of the Content lies inside double quotation marks (split quotes included; ``''`` is one mark).

    >>> _is_direct("“A, B,” he said, “C.”", [(0, 7), (17, 21)]), _is_direct("He said “A” again", [(3, 17)])
    (True, False)
    """
    inside, words = False, 0
    for a, b in spans:
        fragment = text[a:b].replace("''", '"')  # archive exports write a quotation mark as two apostrophes
        for ch in fragment:
            if ch == "“":
                inside = True
            elif ch == "”":
                inside = False
            elif ch == '"':
                inside = not inside
            elif ch.isalnum():
                if not inside:
                    return False
                words += 1
    return words > 0


def read_polnear(folder: str | Path, *, limit: int | None = None, outlets: list[str] | None = None) -> PolnearCorpus:
    """Read PolNeAR's ``text/``, ``attributions/`` and ``metadata.tsv`` from ``folder``.

    ``limit`` keeps the first n articles of each outlet (name order);
    ``outlets`` keeps only these publisher codes. Raises :class:`PolnearError`
    naming the folder when it is missing or misshapen.
    """
    folder = Path(folder).expanduser()
    _check_folder(folder)
    meta: dict[str, dict] = {}
    if (folder / "metadata.tsv").is_file():
        with (folder / "metadata.tsv").open(encoding="utf-8", newline="") as handle:
            meta = {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t")}
    anns: dict[str, Path] = {}
    for ann in sorted((folder / "attributions").glob("*.ann")):
        anns.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    taken: Counter = Counter()
    articles, gold = [], []
    for path in sorted((folder / "text").glob("*.txt")):
        stem = path.stem
        code = meta.get(stem, {}).get("publisher") or stem.split("_", 1)[0]
        if (outlets and code not in outlets) or stem not in anns:
            continue
        taken[code] += 1
        if limit is not None and taken[code] > limit:
            continue
        raw = path.read_text(encoding="utf-8")
        text = normalize_text(raw)
        where = _offset_map(raw, text)
        row = meta.get(stem, {})
        articles.append(
            {
                "article_id": stem,
                "outlet": OUTLET_NAMES.get(code, code),
                "title": row.get("title") or None,
                "published_date": row.get("publication_date") or None,
                "text": text,
            }
        )
        spans, events = _read_ann(anns[stem])
        for k, event in enumerate(events):
            if "Content" not in event or event["Content"] not in spans:
                continue
            content = [(int(where[a]), int(where[b])) for a, b in spans[event["Content"]][1]]
            source = [(int(where[a]), int(where[b])) for a, b in spans[event["Source"]][1]] if event.get("Source") in spans else []
            cue = [(int(where[a]), int(where[b])) for a, b in spans[event["Cue"]][1]] if event.get("Cue") in spans else []
            gold.append(
                {
                    "article_id": stem,
                    "attribution_id": k,
                    "direct": _is_direct(text, content),
                    "quote": " ".join(text[a:b] for a, b in content),
                    "spans": content,
                    "source": " ".join(text[a:b] for a, b in source) or None,
                    "source_spans": source,
                    "cue": " ".join(text[a:b] for a, b in cue) or None,
                }
            )
    return PolnearCorpus(str(folder), pd.DataFrame(articles), pd.DataFrame(gold))


def join_continuations(quotes: pd.DataFrame) -> pd.DataFrame:
    """One row per statement: a cue-less continuation joins the row before it in the same paragraph.

    Needs :data:`analysis.quotes.CORPUS_QUOTES_SCHEMA` columns. The joined row
    keeps the first part's speaker, mention and kind; ``quote`` holds the parts
    separated by a space, ``end`` the last part's end.
    """
    rows: list[dict] = []
    for row in quotes.sort_values(["article_id", "start"], kind="stable").to_dict("records"):
        prev = rows[-1] if rows else None
        continues = (
            prev is not None
            and prev["article_id"] == row["article_id"]
            and prev["paragraph_id"] == row["paragraph_id"]
            and pd.isna(row["cue"])
            and pd.isna(row["speaker_mention"])
            and row["kind"] == "direct"
            and prev["end"] <= row["start"]
        )
        if continues:
            prev["quote"] += " " + row["quote"]
            prev["end"] = row["end"]
        else:
            rows.append(dict(row))
    return pd.DataFrame(rows, columns=quotes.columns)


@dataclass
class AttributionScore(Rates):
    """Precision, recall, F1 and source accuracy of one gold set (direct, or all attributions)."""

    n_predicted: int
    n_correct: int
    n_required: int
    n_found: int
    n_source_checked: int
    n_source_correct: int
    misses: pd.DataFrame
    extras: pd.DataFrame
    wrong_sources: pd.DataFrame

    @property
    def source_accuracy(self) -> float:
        return self.n_source_correct / self.n_source_checked if self.n_source_checked else 0.0


def _source_ok(gold_row, pred_row) -> bool:
    spans = gold_row["source_spans"]
    if pd.notna(pred_row["speaker_start"]):
        a, b = int(pred_row["speaker_start"]), int(pred_row["speaker_end"])
        return any(a < e and s < b for s, e in spans)
    names = tokenize(pred_row["speaker"] if isinstance(pred_row["speaker"], str) else "")
    return overlap(names, tokenize(gold_row["source"])) > 0


def score_attributions(gold: pd.DataFrame, predicted: pd.DataFrame, coded: pd.DataFrame | None = None) -> AttributionScore:
    """Score ``predicted`` (joined rows) against ``gold`` (rows of :attr:`PolnearCorpus.gold`), article by article.

    Recall is over ``gold``; a prediction is correct when half its tokens lie
    inside one Content of ``coded`` (default ``gold``), as the seed gold's
    precision counts any coded record.
    """
    gold = gold.reset_index(drop=True)
    coded = gold if coded is None else coded.reset_index(drop=True)
    predicted = predicted.reset_index(drop=True)
    g_tok = [tokenize(q) for q in gold["quote"]]
    c_tok = [tokenize(q) for q in coded["quote"]]
    p_tok = [tokenize(q) for q in predicted["quote"]]
    g_by = gold.groupby("article_id").indices if len(gold) else {}
    c_by = coded.groupby("article_id").indices if len(coded) else {}
    p_by = predicted.groupby("article_id").indices if len(predicted) else {}
    correct = np.zeros(len(predicted), dtype=bool)
    for article, p_ids in p_by.items():
        c_ids = c_by.get(article, [])
        for i in p_ids:
            n = sum(p_tok[i].values())
            correct[i] = n > 0 and any(overlap(p_tok[i], c_tok[j]) >= THRESHOLD * n for j in c_ids)
    found, misses, wrong = 0, [], []
    checked = right = 0
    for j in range(len(gold)):
        ids = p_by.get(gold.at[j, "article_id"], [])
        best = best_prediction(g_tok[j], [(i, p_tok[i]) for i in ids])
        if best is None:
            misses.append(j)
            continue
        found += 1
        if gold.at[j, "source_spans"]:
            checked += 1
            if _source_ok(gold.iloc[j], predicted.iloc[best]):
                right += 1
            else:
                wrong.append((gold.at[j, "article_id"], gold.at[j, "quote"], gold.at[j, "source"],
                              predicted.at[best, "speaker_mention"], predicted.at[best, "speaker"]))
    return AttributionScore(
        n_predicted=len(predicted),
        n_correct=int(correct.sum()),
        n_required=len(gold),
        n_found=found,
        n_source_checked=checked,
        n_source_correct=right,
        misses=gold.loc[misses].reset_index(drop=True),
        extras=predicted.loc[~correct].reset_index(drop=True),
        wrong_sources=pd.DataFrame(wrong, columns=["article_id", "quote", "gold_source", "predicted_mention", "predicted_speaker"]),
    )


@dataclass
class PolnearEvaluation:
    """Scores of one run: direct quotes and all attributions, overall and per outlet."""

    folder: str
    n_articles: int
    direct: AttributionScore
    attributions: AttributionScore
    by_outlet: pd.DataFrame
    direct_strict_precision: float = float("nan")  # correct only inside a wholly quoted Content


def evaluate_polnear(corpus: PolnearCorpus | str | Path, codebook: Codebook | None = None, *,
                     progress: bool = False) -> PolnearEvaluation:
    """Extract quotes from every PolNeAR article and score them (see the module docstring).

    ``codebook`` defaults to an empty one: PolNeAR's speakers are scored by
    the mention span, which needs no codebook.
    """
    from analysis.quotes import extract_corpus_quotes

    if not isinstance(corpus, PolnearCorpus):
        corpus = read_polnear(corpus)
    book = codebook if codebook is not None else Codebook(actors=())
    predicted = extract_corpus_quotes(corpus.articles, book, progress=progress)
    joined = join_continuations(predicted)
    gold = corpus.gold
    direct_gold, direct_pred = gold[gold["direct"]], joined[joined["kind"] == "direct"]
    direct = score_attributions(direct_gold, direct_pred, gold)
    strict = score_attributions(direct_gold, direct_pred).precision
    everything = score_attributions(gold, joined)
    outlet_of = dict(zip(corpus.articles["article_id"], corpus.articles["outlet"]))
    rows = []
    for outlet in sorted(set(outlet_of.values())):
        ids = {a for a, o in outlet_of.items() if o == outlet}
        g, p = gold[gold["article_id"].isin(ids)], joined[joined["article_id"].isin(ids)]
        d = score_attributions(g[g["direct"]], p[p["kind"] == "direct"], g)
        a = score_attributions(g, p)
        rows.append((outlet, len(ids), d.precision, d.recall, d.f1, d.source_accuracy, a.precision, a.recall, a.f1, a.source_accuracy))
    columns = ["outlet", "articles_n", "direct_precision", "direct_recall", "direct_f1", "direct_source_accuracy",
               "all_precision", "all_recall", "all_f1", "all_source_accuracy"]
    return PolnearEvaluation(corpus.folder, len(corpus.articles), direct, everything, pd.DataFrame(rows, columns=columns), strict)


def _line(name: str, s: AttributionScore) -> str:
    return (f"{name:<17} precision {s.precision:.3f} ({s.n_correct}/{s.n_predicted})  recall {s.recall:.3f} "
            f"({s.n_found}/{s.n_required})  F1 {s.f1:.3f}  source accuracy {s.source_accuracy:.3f} "
            f"({s.n_source_correct}/{s.n_source_checked})")


def format_polnear(ev: PolnearEvaluation, *, examples: int = 0) -> str:
    """The figures as text (per outlet, then overall); ``examples`` > 0 lists that many errors of each kind.

    Listed errors quote the corpus's text: print them for your own error
    analysis, never paste them into the repository.
    """
    lines = [f"Quote extraction vs PolNeAR ({ev.n_articles} articles from {ev.folder})", ""]
    table = ev.by_outlet.copy()
    lines.append(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if examples:
        for title, frame, cols in (
            ("DIRECT MISSES", ev.direct.misses, ["article_id", "quote"]),
            ("DIRECT EXTRAS", ev.direct.extras, ["article_id", "quote", "speaker"]),
            ("DIRECT WRONG SOURCES", ev.direct.wrong_sources, ["article_id", "gold_source", "predicted_mention", "quote"]),
            ("ATTRIBUTION MISSES", ev.attributions.misses, ["article_id", "quote", "cue"]),
            ("ATTRIBUTION EXTRAS", ev.attributions.extras, ["article_id", "kind", "quote", "cue"]),
        ):
            lines += ["", f"{title} ({len(frame)}), first {examples}:"]
            for row in frame.head(examples)[cols].itertuples(index=False):
                lines.append("  " + " | ".join(" ".join(str(v).split())[:140] for v in row))
    lines += [
        "",
        "== Summary ==",
        _line("direct quotes:", ev.direct),
        _line("all attributions:", ev.attributions),
        f"(direct-quote precision counting only wholly quoted Contents as correct: {ev.direct_strict_precision:.3f})",
    ]
    return "\n".join(lines)
