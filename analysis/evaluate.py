"""Score the quote extractor against hand-coded gold quotes.

A gold file is JSON Lines, one attributed statement a line (format:
``data/gold/README.md``): ``article`` (the article_id, i.e. the file stem),
``kind``, ``quote``, ``speaker``, ``speaker_mention``, ``cue``, ``optional``.
Other fields are ignored, so coders may keep notes in their own.

Scoring follows the Gender Gap Tracker's evaluation (token overlap, not exact
spans); word tokens are ``\\w+`` runs, lower-cased, compared as multisets:

- a required gold record is *found* when one predicted quote of the same
  article contains at least half its tokens;
- a predicted quote is *correct* when at least half its tokens lie inside one
  gold record of its article (optional records included);
- precision = correct / predicted, recall = found / required, F1 their
  harmonic mean;
- speaker accuracy, over found records: the prediction that covers the record
  best (highest overlap / longer length, then the shorter one) must name the
  gold ``speaker`` (case and accents ignored); where the gold speaker is null
  its mention must hold half the tokens of the gold ``speaker_mention``.

>>> import pandas as pd
>>> gold = pd.DataFrame({"article": ["a"], "kind": ["direct"], "quote": ["We will win"], "speaker": ["Ann Lee"],
...                      "speaker_mention": ["Lee"], "cue": ["said"], "optional": [False]})
>>> pred = pd.DataFrame({"article_id": ["a"], "quote": ["We will win,"], "speaker": ["Ann Lee"], "speaker_mention": ["he"]})
>>> s = score_quotes(gold, pred)
>>> (s.precision, s.recall, s.f1, s.speaker_accuracy)
(1.0, 1.0, 1.0, 1.0)

Limits: token overlap ignores position, so a prediction elsewhere in the same
article with the same words would also match; with short quotes ("he was
snubbed") that can flatter the figures a little.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.actors import Codebook
from analysis.corpus import CorpusError, load_articles
from analysis.paths import DATA_DIR, PROJECT_ROOT
from analysis.quotes import KINDS, extract_corpus_quotes

THRESHOLD = 0.5
_TOKEN = re.compile(r"\w+")
_REQUIRED_FIELDS = ("article", "kind", "quote", "speaker", "speaker_mention", "cue")

GOLD_SCHEMA = pa.DataFrameSchema(
    {
        "gold_id": pa.Column(int, pa.Check.ge(0)),
        "article": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(KINDS)),
        "quote": pa.Column(str, pa.Check.str_length(min_value=1)),
        "speaker": pa.Column(str, nullable=True),
        "speaker_mention": pa.Column(str, nullable=True),
        "cue": pa.Column(str, nullable=True),
        "optional": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="gold_quotes",
)
"""One row per gold record, ``gold_id`` = its line order (0-based) in the file."""


class GoldError(ValueError):
    """A gold file that cannot be read; the message names each line and problem."""


class Rates:
    """Precision, recall and F1 from ``n_correct / n_predicted`` and ``n_found / n_required``."""

    n_predicted: int
    n_correct: int
    n_required: int
    n_found: int

    @property
    def precision(self) -> float:
        return self.n_correct / self.n_predicted if self.n_predicted else 0.0

    @property
    def recall(self) -> float:
        return self.n_found / self.n_required if self.n_required else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0



@dataclass
class QuoteScore(Rates):
    """Counts, rates and the itemised errors of one scoring run."""

    n_predicted: int
    n_correct: int
    n_required: int
    n_found: int
    n_speaker_checked: int
    n_speaker_correct: int
    misses: pd.DataFrame
    extras: pd.DataFrame
    wrong_speakers: pd.DataFrame

    @property
    def speaker_accuracy(self) -> float:
        return self.n_speaker_correct / self.n_speaker_checked if self.n_speaker_checked else 0.0


@dataclass
class QuoteEvaluation:
    """A full run: the score plus what could not be scored and why."""

    gold_path: str
    articles_source: str
    score: QuoteScore
    articles_wanted: list[str]
    missing_articles: list[str]
    unlocated: pd.DataFrame  # gold rows whose quote is not a substring of the loaded text
    load_problems: list[str] = field(default_factory=list)


def tokenize(text: str | None) -> Counter:
    """Lower-cased ``\\w+`` tokens as a multiset.

    >>> sorted(tokenize("He’s “not a partisan” issue").items())
    [('a', 1), ('he', 1), ('issue', 1), ('not', 1), ('partisan', 1), ('s', 1)]
    """
    return Counter(t.lower() for t in _TOKEN.findall(text or ""))


def overlap(a: Counter, b: Counter) -> int:
    """Tokens two multisets share.

    >>> overlap(tokenize("we will win, we will"), tokenize("we win"))
    2
    """
    return sum((a & b).values())


def _fold(name) -> str:
    if name is None or (isinstance(name, float) and pd.isna(name)) or name is pd.NA:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def _none(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value


def load_gold(path: str | Path) -> pd.DataFrame:
    """Read a gold JSONL file into :data:`GOLD_SCHEMA`; every bad line is listed in one :class:`GoldError`.

    >>> load_gold(DATA_DIR / "gold" / "seed-quotes.jsonl")["article"].nunique()
    2
    """
    path = Path(path)
    if not path.is_file():
        raise GoldError(f"{path}: no such gold file")
    rows, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not JSON ({exc.msg})")
            continue
        if not isinstance(rec, dict):
            problems.append(f"line {n}: expected a JSON object")
            continue
        missing = [k for k in _REQUIRED_FIELDS if k not in rec]
        if missing:
            problems.append(f"line {n}: missing field(s) {missing}")
            continue
        if rec["kind"] not in KINDS:
            problems.append(f"line {n}: kind {rec['kind']!r} is not one of {list(KINDS)}")
            continue
        if not isinstance(rec["quote"], str) or not _TOKEN.search(rec["quote"]):
            problems.append(f"line {n}: quote must be text with at least one word")
            continue
        rows.append(
            {
                "gold_id": len(rows),
                "article": str(rec["article"]),
                "kind": rec["kind"],
                "quote": rec["quote"],
                **{k: _none(rec.get(k)) for k in ("speaker", "speaker_mention", "cue")},
                "optional": bool(rec.get("optional", False)),
            }
        )
    if problems:
        raise GoldError(f"{len(problems)} problem(s) in gold file {path}:\n  " + "\n  ".join(problems))
    frame = pd.DataFrame(rows, columns=list(GOLD_SCHEMA.columns))
    for col in ("speaker", "speaker_mention", "cue"):
        frame[col] = frame[col].astype(object)
    return GOLD_SCHEMA.validate(frame)


def best_prediction(g: Counter, preds: list[tuple[int, Counter]]) -> int | None:
    """Index of the prediction that covers gold tokens ``g`` best (None if none holds half of them).

    >>> best_prediction(tokenize("we will win"), [(0, tokenize("we")), (1, tokenize("we will win today"))])
    1
    """
    best, key = None, None
    for i, p in preds:
        ov = overlap(p, g)
        if ov < THRESHOLD * sum(g.values()) or ov == 0:
            continue
        k = (ov / max(sum(p.values()), sum(g.values())), -sum(p.values()))
        if key is None or k > key:
            best, key = i, k
    return best


def _speaker_ok(gold_row, pred_row) -> bool:
    gold_speaker = _none(gold_row["speaker"])
    if gold_speaker is not None:
        return _fold(gold_speaker) == _fold(pred_row.get("speaker"))
    gold_mention = tokenize(_none(gold_row["speaker_mention"]))
    if not gold_mention:
        return _none(pred_row.get("speaker")) is None
    return overlap(tokenize(_none(pred_row.get("speaker_mention"))), gold_mention) >= THRESHOLD * sum(gold_mention.values())


def score_quotes(gold: pd.DataFrame, predicted: pd.DataFrame) -> QuoteScore:
    """Score predictions (``article_id, quote, speaker, speaker_mention``) against gold rows.

    Gold needs ``article, quote, speaker, speaker_mention, optional``. Both are
    compared article by article; see the module docstring for the rules.
    """
    gold = gold.reset_index(drop=True)
    predicted = predicted.reset_index(drop=True)
    g_tok = [tokenize(q) for q in gold["quote"]]
    p_tok = [tokenize(q) for q in predicted["quote"]]
    p_by_article: dict[str, list[int]] = {}
    for i, a in enumerate(predicted["article_id"].astype(str)):
        p_by_article.setdefault(a, []).append(i)
    g_by_article: dict[str, list[int]] = {}
    for i, a in enumerate(gold["article"].astype(str)):
        g_by_article.setdefault(a, []).append(i)

    correct = [False] * len(predicted)
    for a, p_ids in p_by_article.items():
        for i in p_ids:
            n = sum(p_tok[i].values())
            correct[i] = n > 0 and any(overlap(p_tok[i], g_tok[j]) >= THRESHOLD * n for j in g_by_article.get(a, []))

    required = [j for j in range(len(gold)) if not bool(gold.at[j, "optional"])]
    found, misses, wrong = 0, [], []
    checked = speaker_right = 0
    for j in required:
        a = str(gold.at[j, "article"])
        best = best_prediction(g_tok[j], [(i, p_tok[i]) for i in p_by_article.get(a, [])])
        if best is None:
            misses.append(j)
            continue
        found += 1
        checked += 1
        pred_row = predicted.iloc[best]
        if _speaker_ok(gold.iloc[j], pred_row):
            speaker_right += 1
        else:
            wrong.append(
                {
                    "article": a,
                    "quote": gold.at[j, "quote"],
                    "gold_speaker": _none(gold.at[j, "speaker"]),
                    "gold_mention": _none(gold.at[j, "speaker_mention"]),
                    "predicted_speaker": _none(pred_row.get("speaker")),
                    "predicted_mention": _none(pred_row.get("speaker_mention")),
                }
            )
    extras = predicted.loc[[not c for c in correct]] if len(predicted) else predicted
    wrong_cols = ["article", "quote", "gold_speaker", "gold_mention", "predicted_speaker", "predicted_mention"]
    return QuoteScore(
        n_predicted=len(predicted),
        n_correct=sum(correct),
        n_required=len(required),
        n_found=found,
        n_speaker_checked=checked,
        n_speaker_correct=speaker_right,
        misses=gold.loc[misses].reset_index(drop=True),
        extras=extras.reset_index(drop=True),
        wrong_speakers=pd.DataFrame(wrong, columns=wrong_cols),
    )


def _resolve_path(path: str | Path) -> Path:
    """A relative path is read from the working directory, else from the project root."""
    path = Path(path).expanduser()
    if path.exists() or path.is_absolute():
        return path
    return PROJECT_ROOT / path if (PROJECT_ROOT / path).exists() else path


def _load_corpus(source: str | Path | None) -> tuple[pd.DataFrame, list[str], str]:
    """Articles from ``source``; a data folder without manifest falls back to its ``articles/`` folder."""
    candidates = [DATA_DIR if source is None else _resolve_path(source)]
    if candidates[0].is_dir() and (candidates[0] / "articles").is_dir():
        candidates.append(candidates[0] / "articles")
    problems = []
    for candidate in candidates:
        try:
            articles, rejected = load_articles(candidate, errors="collect")
        except CorpusError as exc:
            problems.append(str(exc))
            continue
        problems += [f"{r.source_file}: {r.reason}" for r in rejected.itertuples(index=False)]
        return articles, problems, str(candidate)
    return pd.DataFrame(columns=["article_id", "outlet", "text"]), problems, str(candidates[-1])


def evaluate_quotes(
    gold_path: str | Path, articles: str | Path | None = None, codebook: Codebook | None = None
) -> QuoteEvaluation:
    """Extract quotes from the gold's articles and score them.

    Articles whose id is not found in ``articles`` (default ``data/``, then
    ``data/articles/``) are listed in ``missing_articles`` and their gold
    records left out; the rest are scored.
    """
    gold_file = _resolve_path(gold_path)
    gold = load_gold(gold_file)
    corpus, problems, used = _load_corpus(articles)
    wanted = list(dict.fromkeys(gold["article"]))
    available = set(corpus["article_id"].astype(str)) if len(corpus) else set()
    missing = [a for a in wanted if a not in available]
    gold_here = gold[gold["article"].isin(available)].reset_index(drop=True)
    subset = corpus[corpus["article_id"].astype(str).isin(wanted)] if len(corpus) else corpus
    if len(subset):
        predicted = extract_corpus_quotes(subset, codebook, progress=False)
        texts = dict(zip(subset["article_id"].astype(str), subset["text"]))
        unlocated = gold_here[[q not in texts.get(a, "") for a, q in zip(gold_here["article"], gold_here["quote"])]]
    else:
        predicted = pd.DataFrame(columns=["article_id", "quote", "speaker", "speaker_mention"])
        unlocated = gold_here.iloc[0:0]
    return QuoteEvaluation(
        gold_path=str(gold_file),
        articles_source=used,
        score=score_quotes(gold_here, predicted),
        articles_wanted=wanted,
        missing_articles=missing,
        unlocated=unlocated.reset_index(drop=True),
        load_problems=problems,
    )


def _short(text, width: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_report(ev: QuoteEvaluation) -> str:
    """The evaluation as text: every miss, extra and wrong speaker, then a 6-line summary."""
    s = ev.score
    lines = [f"Quote extraction vs {ev.gold_path}", f"articles from {ev.articles_source}", ""]
    if ev.missing_articles:
        lines.append(f"MISSING ARTICLES ({len(ev.missing_articles)}), their gold records are not scored:")
        lines += [f"  {a}" for a in ev.missing_articles]
        lines += [f"  (load problem) {_short(p, 200)}" for p in ev.load_problems[:10]]
        lines.append("")
    if len(ev.unlocated):
        lines.append(f"GOLD QUOTES NOT FOUND VERBATIM IN THE LOADED TEXT ({len(ev.unlocated)}); check the gold or the text repair:")
        lines += [f"  [{r.article}] {_short(r.quote)}" for r in ev.unlocated.itertuples()]
        lines.append("")
    lines.append(f"MISSES ({len(s.misses)}): required gold quotes no prediction covers")
    lines += [f"  [{r.article}] ({r.kind}, {r.speaker or r.speaker_mention}) {_short(r.quote)}" for r in s.misses.itertuples()]
    lines.append(f"EXTRAS ({len(s.extras)}): predictions that match no gold quote")
    lines += [f"  [{r.article_id}] ({r.kind}, {r.speaker}) {_short(r.quote)}" for r in s.extras.itertuples()]
    lines.append(f"WRONG SPEAKERS ({len(s.wrong_speakers)})")
    lines += [
        f"  [{r.article}] gold {r.gold_speaker or r.gold_mention!r}, predicted {r.predicted_speaker!r} ({r.predicted_mention!r}): {_short(r.quote, 80)}"
        for r in s.wrong_speakers.itertuples()
    ]
    scored = len(ev.articles_wanted) - len(ev.missing_articles)
    missing = ", ".join(ev.missing_articles) if ev.missing_articles else "none"
    lines += [
        "== Summary ==",
        f"articles scored: {scored} of {len(ev.articles_wanted)}; missing: {missing}",
        f"precision:        {s.precision:.3f} ({s.n_correct}/{s.n_predicted} predicted quotes match gold)",
        f"recall:           {s.recall:.3f} ({s.n_found}/{s.n_required} required gold quotes found)",
        f"F1:               {s.f1:.3f}",
        f"speaker accuracy: {s.speaker_accuracy:.3f} ({s.n_speaker_correct}/{s.n_speaker_checked} found quotes)",
    ]
    return "\n".join(lines)
