"""Store (or compare) the reference tables: every table the notebooks read, for three corpora.

    make reference                                   # rewrite tests/reference/<case>/*.csv
    .venv/bin/python tests/reference/make_reference.py --check   # compare only, print the differences

``tests/test_reference.py`` asserts that the tables computed now equal the
stored ones field by field, so a refactor that changes no behaviour keeps them
identical. After a *deliberate* change of behaviour (new quote rules, a new
stance model, a fixed bug), run ``make reference``, read the CSV diff in
``git diff tests/reference`` and commit it with the change.

Cases (corpus, codebook, frame set, focus and counterpart):

- ``seed``: the project's own ``data/`` (the two seed articles), the notebooks' defaults;
- ``us2016``: the invented 2016 US election corpus and codebook of ``tests/notebook_support.py``;
- ``synthetic``: the 24 invented articles of ``tests/synthetic_corpus.py`` (the pipeline tests' corpus).

Tables: the row-level tables (articles, paragraphs, sentences, quotes,
mentions, treatment, frame scores) and every chart and measure table of the
notebooks for the case's focus and counterpart, less the columns in
:data:`LEFT_OUT` (text stored elsewhere).
Floats are written with their shortest exact repr; the comparison allows
1e-9 relative difference (BLAS and CPU differences), everything else must match exactly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path[:0] = [str(TESTS), str(TESTS.parent)]

REGENERATE = "make reference"
"""The one command that rewrites the stored tables."""

CASES = ("seed", "us2016", "synthetic")
LEFT_OUT = {"articles": ["text"], "frame_scores": ["sentence"], "voice_quotes": ["quote"],
            "sentence_alignment": ["sentence", "match_sentence"]}
"""Columns not stored, to keep the files small: each repeats text stored elsewhere (data/, sentences, quotes)."""
FLOAT_RTOL = 1e-9
FLOAT_ATOL = 1e-12


def case_inputs(case: str, workdir: Path) -> dict:
    """Corpus path, codebook, frame set, focus and counterpart of a case (its files written under ``workdir``)."""
    if case == "seed":
        from analysis.paths import DATA_DIR

        return {"corpus": DATA_DIR, "codebook": None, "frame_set": "story_frames",
                "focus": "Jamil Jivani", "counterpart": "liberal_government"}
    if case == "us2016":
        from notebook_support import write_us_corpus

        params = write_us_corpus(workdir / "us2016")
        return {"corpus": Path(params["CORPUS"]), "codebook": params["CODEBOOK"], "frame_set": params["FRAME_SET"],
                "focus": params["FOCUS"], "counterpart": params["COUNTERPART"]}
    if case == "synthetic":
        from synthetic_corpus import make_records, write_jsonl

        return {"corpus": write_jsonl(workdir / "export.jsonl", make_records(22)), "codebook": None,
                "frame_set": "story_frames", "focus": "Jamil Jivani", "counterpart": "liberal_government"}
    raise ValueError(f"unknown case {case!r}; cases: {CASES}")


def compute(case: str) -> dict[str, pd.DataFrame]:
    """Every table of a case, computed now with the package's public API."""
    from analysis import measures as ms
    from analysis import views
    from analysis.alignment import align_sentences
    from analysis.descriptors import find_descriptors
    from analysis.corpus import load_articles
    from analysis.tables import build_tables

    with tempfile.TemporaryDirectory() as tmp:
        inputs = case_inputs(case, Path(tmp))
        articles = load_articles(inputs["corpus"])
        tables = build_tables(articles, inputs["codebook"], inputs["frame_set"])
    f, c = inputs["focus"], inputs["counterpart"]
    measures = ms.positioning_measures(tables, f, c)
    computed = {
        "articles": tables.articles,
        "paragraphs": tables.paragraphs,
        "sentences": tables.sentences,
        "quotes": tables.quotes,
        "mentions": tables.mentions,
        "treatment": tables.treatment,
        "frame_scores": tables.frame_scores,
        "voice_quotes": views.voice_quotes(tables, f, c),
        "article_order": views.article_order(tables, f, c),
        "speaker_tone": views.speaker_tone(tables),
        "speaker_target": views.speaker_target(tables),
        "speaker_target_by_camp": views.speaker_target(tables, by_camp=True),
        "frame_profile": views.frame_profile(tables, f, c),
        "attribution_verbs": views.attribution_verbs(tables, f, c),
        "positioning_measures": measures,
        "outlet_positioning": ms.outlet_positioning(tables, focus=f, counterpart=c, measures=measures),
        "positioning_map": ms.positioning_map_table(tables, f, c, measures=measures),
        "descriptors": find_descriptors(tables),
        "sentence_alignment": align_sentences(tables.sentences, tables.quotes),
    }
    return {name: frame.drop(columns=LEFT_OUT.get(name, [])) for name, frame in computed.items()}


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as the CSV writer prints them ("" for missing), floats by their shortest exact repr."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in frame.columns:
        values = frame[column].reset_index(drop=True)
        out[column] = [_cell(v) for v in values.astype(object)]
    return out


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def write(case: str, tables: dict[str, pd.DataFrame], root: Path = HERE) -> list[Path]:
    folder = root / case
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.csv"):
        if stale.stem not in tables:
            stale.unlink()
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        _as_text(frame).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def _same(stored: str, now: str) -> bool:
    if stored == now:
        return True
    try:
        a, b = float(stored), float(now)
    except ValueError:
        return False
    return bool(np.isclose(a, b, rtol=FLOAT_RTOL, atol=FLOAT_ATOL, equal_nan=True))


def differences(case: str, tables: dict[str, pd.DataFrame], root: Path = HERE, limit: int = 12) -> list[str]:
    """Every way the tables differ from the stored reference, in words (empty when equal)."""
    folder = root / case
    problems: list[str] = []
    stored_names = {p.stem for p in folder.glob("*.csv")}
    for name in sorted(stored_names - set(tables)):
        problems.append(f"{case}/{name}: stored but no longer computed")
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        if not path.is_file():
            problems.append(f"{case}/{name}: computed but not stored ({path} missing)")
            continue
        stored, now = _read(path), _as_text(frame)
        if list(stored.columns) != list(now.columns):
            problems.append(f"{case}/{name}: columns {list(now.columns)} != stored {list(stored.columns)}")
            continue
        if len(stored) != len(now):
            problems.append(f"{case}/{name}: {len(now)} rows != stored {len(stored)}")
        found = 0
        for i in range(min(len(stored), len(now))):
            for column in stored.columns:
                a, b = stored.at[i, column], now.at[i, column]
                if not _same(a, b):
                    found += 1
                    if found <= limit:
                        problems.append(f"{case}/{name} row {i} column {column!r}: stored {a[:120]!r}, now {b[:120]!r}")
        if found > limit:
            problems.append(f"{case}/{name}: ... {found - limit} more differing fields")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", default=list(CASES), help=f"cases to make (default: all of {', '.join(CASES)})")
    parser.add_argument("--check", action="store_true", help="compare with the stored tables instead of writing them")
    args = parser.parse_args(argv)
    status = 0
    for case in args.cases:
        tables = compute(case)
        if args.check:
            problems = differences(case, tables)
            print(f"{case}: " + ("equal to the stored reference" if not problems else f"{len(problems)} difference(s)"))
            for line in problems:
                print(f"  {line}")
            status = status or bool(problems)
        else:
            paths = write(case, tables)
            print(f"{case}: wrote {len(paths)} tables to {paths[0].parent}")
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
