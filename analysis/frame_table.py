"""The rows of :func:`analysis.frames.score_frames`: one per (text, frame), built once for all frame sets.

Each frame set scored gives a :class:`SetScores` (hits and scores per text and
frame, the evidence of the texts with matches); :func:`build_table` stacks the
sets into one table, set after set, each set text by text and each text frame
by frame, with the caller's id columns in front. It builds every column once,
for all sets: strings as a small list of distinct values and one integer code
per row (one ``take`` into pandas' Arrow-backed ``str`` arrays), so the table
equals ``pd.concat`` of one ``DataFrame`` per set of Python objects, dtypes
included, without converting hundreds of thousands of Python strings.

>>> import numpy as np, pandas as pd
>>> scores = SetScores("s", ["a", "b"], np.array([[1, 0]]), np.array([[50.0, 0.0]]), [([0], ["x"], ["0:1"]), ([], [], [])])
>>> schema = __import__("analysis.frames", fromlist=["FRAME_SCORES_SCHEMA"]).FRAME_SCORES_SCHEMA
>>> build_table([scores], pd.RangeIndex(1), None, schema).values.tolist()
[[0, 's', 'a', 1, 50.0, 'x', '0:1'], [0, 's', 'b', 0, 0.0, '', '']]

Limits: ``order_by`` sorts in place of ``sort_values`` only for a ``str`` or
integer key without missing values; any other key is sorted by pandas after
the table is built (same rows, slower).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.schemas import with_leading_columns

# The dtype pandas gives a column of Python strings: Arrow-backed "str" (pandas >= 3 with pyarrow), else object.
_STR = pd.Series(["a"]).dtype
_ARROW = isinstance(_STR, pd.StringDtype) and _STR.storage == "pyarrow"


@dataclass(frozen=True)
class SetScores:
    """One frame set's scores for n texts and k frames.

    ``hits`` and ``score`` are n x k; ``evidence`` per frame ``(texts,
    matched, offsets)``: the positions of the texts with matches, in order,
    and for each its ``"; "``-joined matched strings and ``start:end`` offsets.
    """

    frame_set: str
    names: list[str]
    hits: np.ndarray
    score: np.ndarray
    evidence: list[tuple[list[int], list[str], list[str]]]


def _strings(values: list[str], codes: np.ndarray):
    """``values[codes]`` as the column pandas would make of those Python strings."""
    if _ARROW:
        import pyarrow

        return pd.array(pyarrow.array(values, type=pyarrow.large_string()).take(pyarrow.array(codes)), dtype=_STR)
    return np.array(values, dtype=object)[codes]


def _legacy_part(part: SetScores, index: pd.Index, ids_frame: pd.DataFrame | None) -> pd.DataFrame:
    """A set's table with no rows, built as one DataFrame of Python objects (the dtypes of empty columns follow that)."""
    n, k = part.hits.shape
    rep = np.repeat(np.arange(n), k)
    out = pd.DataFrame(
        {
            "text_id": index.take(rep),
            "frame_set": part.frame_set,
            "frame": np.tile(np.array(part.names, dtype=object), n),
            "hits_n": part.hits.ravel(),
            "score": part.score.ravel(),
            "matched_terms": np.zeros(0, dtype=object) if k else [],
            "match_offsets": np.zeros(0, dtype=object) if k else [],
        }
    )
    if ids_frame is not None and len(ids_frame.columns):
        out = pd.concat([ids_frame.take(rep).reset_index(drop=True), out], axis=1)
    return out


def _row_order(key: pd.Series, text_of_row: np.ndarray) -> np.ndarray | None:
    """Positions putting the rows in stable order of ``key`` (per text); None when pandas must sort."""
    dtype = key.dtype
    if key.hasnans or not (dtype == _STR or (isinstance(dtype, np.dtype) and dtype.kind in "iu")):
        return None
    codes, _ = pd.factorize(key, sort=True)
    row_codes = codes[text_of_row]
    return np.argsort(row_codes, kind="stable")


def build_table(
    parts: list[SetScores],
    index: pd.Index,
    ids_frame: pd.DataFrame | None,
    schema: pa.DataFrameSchema,
    validate: bool = True,
    order_by: str | None = None,
) -> pd.DataFrame:
    """The scores of ``parts`` as one table: ``ids_frame``'s columns, then ``schema``'s (see the module docstring).

    ``index`` gives ``text_id``; ``validate=False`` skips the schema check;
    ``order_by`` names an id column to sort the rows by, stably.
    """
    n = len(index)
    sizes = [n * len(p.names) for p in parts]
    carry = ids_frame is not None and len(ids_frame.columns) > 0
    if sum(sizes) == 0:
        tables = [_legacy_part(p, index, ids_frame) for p in parts]
        out = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
        if order_by is not None:
            out = out.sort_values(order_by, kind="stable").reset_index(drop=True)
    else:
        out = _build_rows(parts, sizes, index, ids_frame if carry else None, order_by)
    if carry:
        schema = with_leading_columns(schema, list(ids_frame.columns))
    return schema.validate(out) if validate else out


def _build_rows(
    parts: list[SetScores], sizes: list[int], index: pd.Index, ids_frame: pd.DataFrame | None, order_by: str | None
) -> pd.DataFrame:
    n, total = len(index), sum(sizes)
    names = [name for p in parts for name in p.names]
    text_of_row = np.concatenate([np.repeat(np.arange(n), len(p.names)) for p in parts])
    set_code = np.concatenate([np.full(size, i, dtype=np.int64) for i, size in enumerate(sizes)])
    offsets = np.cumsum([0] + [len(p.names) for p in parts])
    name_code = np.concatenate([np.tile(np.arange(len(p.names)) + offsets[i], n) for i, p in enumerate(parts)])
    hits = np.concatenate([p.hits.ravel() for p in parts])
    score = np.concatenate([p.score.ravel() for p in parts])
    # Evidence: row -> position in the lists of distinct strings ("" first, at 0).
    evidence_code = np.zeros(total, dtype=np.int64)
    matched, where = [""], [""]
    base = 0
    for part, size in zip(parts, sizes):
        k = len(part.names)
        for j, (texts, terms, spans) in enumerate(part.evidence):
            if texts:
                rows = base + np.asarray(texts, dtype=np.int64) * k + j
                evidence_code[rows] = np.arange(len(matched), len(matched) + len(texts))
                matched.extend(terms)
                where.extend(spans)
        base += size

    later_sort = False
    if order_by is not None:
        order = _row_order(ids_frame[order_by], text_of_row)
        if order is None:
            later_sort = True
        elif np.any(order[1:] < order[:-1]):
            text_of_row, set_code, name_code = text_of_row[order], set_code[order], name_code[order]
            hits, score, evidence_code = hits[order], score[order], evidence_code[order]

    columns: dict = {}
    duplicated = ids_frame is not None and ids_frame.columns.has_duplicates
    if ids_frame is not None and not duplicated:
        for name in ids_frame.columns:
            columns[name] = ids_frame[name].array.take(text_of_row)
    columns.update(
        text_id=index.take(text_of_row),
        frame_set=_strings([p.frame_set for p in parts], set_code),
        frame=_strings(names, name_code),
        hits_n=hits,
        score=score,
        matched_terms=_strings(matched, evidence_code),
        match_offsets=_strings(where, evidence_code),
    )
    out = pd.DataFrame(columns)
    if duplicated:
        out = pd.concat([ids_frame.take(text_of_row).reset_index(drop=True), out], axis=1)
    if later_sort:
        out = out.sort_values(order_by, kind="stable").reset_index(drop=True)
    return out
