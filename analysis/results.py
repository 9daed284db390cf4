"""A run's folder of tables: the one atomic writer, the one reader, and the state a resumed run needs.

A *results folder* (``python -m analysis run ... --out DIR``, or a table-cache
entry under ``.cache/tables/``) holds::

    <table>/part-<batch>.parquet   one part per batch for each of analysis.tables.TABLES
    rejected.parquet               corpus.REJECTED_SCHEMA: unreadable, empty, binary, oversized, failed, over time
    run.json                       versions, parameters (with data checksums), counts, timings, input checksum

Every file is written to a temporary name in its folder and renamed into place
(:func:`write_table`, :func:`write_json`), so a reader never sees half a file.
A batch's ``articles`` part is written last: it marks the batch done
(:func:`write_batch`); parts of a batch without it are leftovers of a run that
died, removed by :func:`clean_partial` and ignored by :func:`read_results`.

>>> tables = read_results("results/")                    # doctest: +SKIP
>>> tables["quotes"].groupby("speaker").size()            # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.corpus import ARTICLES_SCHEMA, REJECTED_SCHEMA
from analysis.datafiles import file_sha256
from analysis.paths import writing_to
from analysis.schemas import empty_table
from analysis.tables import SCHEMAS, TABLES

RUN_FILE = "run.json"
REJECTED_FILE = "rejected.parquet"
REJECTED_PARTS = "_rejected"
REJECTED_KEY = ["source_file", "row", "article_id", "reason"]
FAILED_PREFIX = "processing failed"
"""Reasons starting so are processing failures, dropped from ``rejected`` once a later run processes the article."""
TABLE_KEYS = {
    "articles": ("article_id",),
    "paragraphs": ("article_id", "paragraph_id"),
    "sentences": ("article_id", "sentence_id"),
    "quotes": ("article_id", "quote_id"),
    "mentions": ("article_id", "start"),
    "treatment": ("article_id", "start"),
    "frames": ("article_id", "sentence_id", "frame_set", "frame"),
}
"""Columns that identify a row of each table: :func:`read_results` refuses a folder where two rows share them."""


class ResultsError(RuntimeError):
    """A folder that cannot be written (the message names the file), is not a run's results, or lacks a table."""


# --------------------------------------------------------------------------- writing


def write_table(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet at ``path`` atomically (a temporary name in the same folder, then ``os.replace``).

    A folder that cannot be written (read-only, full, a file in the way) raises
    :class:`ResultsError` naming ``path``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with writing_to(path, ResultsError):
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON at ``path`` atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with writing_to(path, ResultsError):
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def part_path(out: Path, table: str, key: str) -> Path:
    return Path(out) / table / f"part-{key}.parquet"


def write_batch(out: Path, key: str, tables: dict[str, pd.DataFrame], failed: pd.DataFrame | None = None) -> None:
    """Write one batch: its rejected articles, every table but ``articles``, then ``articles`` (the done marker)."""
    if failed is not None and len(failed):
        write_table(part_path(out, REJECTED_PARTS, f"{key}-failed"), failed)
    for name in TABLES:
        if name != "articles":
            write_table(part_path(out, name, key), tables[name])
    write_table(part_path(out, "articles", key), tables["articles"])


def frame_key(frame: pd.DataFrame) -> str:
    """A short hash of a table's contents (names the parts of rejected inputs)."""
    return hashlib.sha1(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes()).hexdigest()[:20]


def rejected_table(rows: Iterable[tuple]) -> pd.DataFrame:
    """:data:`analysis.corpus.REJECTED_SCHEMA` rows from ``(source_file, row, article_id, reason)`` tuples."""
    frame = pd.DataFrame(list(rows), columns=list(REJECTED_SCHEMA.columns))
    frame["row"] = frame["row"].astype("Int64")
    frame["article_id"] = frame["article_id"].astype(object)
    return REJECTED_SCHEMA.validate(frame)


# --------------------------------------------------------------------------- resume state


def clean_partial(out: Path) -> int:
    """Remove temporary files and parts of batches that never wrote their ``articles`` marker; how many."""
    removed = 0
    for tmp in Path(out).glob("*/.part-*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    done = {p.name for p in (Path(out) / "articles").glob("part-*.parquet")}
    for name in TABLES:
        if name == "articles":
            continue
        for part in (Path(out) / name).glob("part-*.parquet"):
            if part.name not in done:
                part.unlink(missing_ok=True)
                removed += 1
    return removed


def done_articles(out: Path) -> dict[str, str]:
    """``article_id -> text_sha1`` of every article already written under ``out``."""
    import pyarrow.parquet as pq

    done: dict[str, str] = {}
    for part in sorted((Path(out) / "articles").glob("part-*.parquet")):
        table = pq.read_table(part, columns=["article_id", "text_sha1"])
        done.update(zip(table.column("article_id").to_pylist(), table.column("text_sha1").to_pylist()))
    return done


def consolidate_rejected(out: Path, done: dict[str, str] | None = None) -> int:
    """Merge the rejected parts into ``out/rejected.parquet`` (deduplicated, sorted); how many rows."""
    import pyarrow.parquet as pq

    parts = sorted((Path(out) / REJECTED_PARTS).glob("part-*.parquet"))
    frames = [pq.read_table(p).to_pandas() for p in parts]
    frame = pd.concat(frames, ignore_index=True) if frames else empty_table(REJECTED_SCHEMA)
    frame = REJECTED_SCHEMA.validate(frame[list(REJECTED_SCHEMA.columns)])
    if done:  # a processing failure fixed by a later run is no longer a rejection
        fixed = frame["reason"].str.startswith(FAILED_PREFIX) & frame["article_id"].isin(list(done))
        frame = frame.loc[~fixed]
    frame = frame.drop_duplicates().sort_values(REJECTED_KEY, kind="stable", na_position="first").reset_index(drop=True)
    write_table(Path(out) / REJECTED_FILE, frame)
    return len(frame)


def table_rows(out: Path) -> dict[str, int]:
    """Rows on disk per table (from the Parquet footers, nothing read)."""
    import pyarrow.parquet as pq

    return {name: sum(pq.ParquetFile(p).metadata.num_rows for p in (Path(out) / name).glob("part-*.parquet")) for name in TABLES}


def input_checksum(source: str | Path) -> dict:
    """SHA-256 of each input file (every file under a folder) and of them all together."""
    path = Path(source).expanduser()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    listed, overall = [], hashlib.sha256()
    for f in files:
        sha = file_sha256(f)
        rel = str(f.relative_to(path)) if path.is_dir() else f.name
        listed.append({"path": rel, "bytes": f.stat().st_size, "sha256": sha})
        overall.update(f"{rel}\0{sha}\n".encode())
    return {"source": str(path.resolve()), "sha256": overall.hexdigest(), "files_n": len(listed), "files": listed[:1000]}


def read_run_info(out: Path) -> dict:
    """``run.json`` of a results folder (``{}`` when there is none)."""
    path = Path(out) / RUN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


# --------------------------------------------------------------------------- reading


def _schema(name: str):
    return {"articles": ARTICLES_SCHEMA, "rejected": REJECTED_SCHEMA}.get(name) or SCHEMAS[name]


@lru_cache(maxsize=16)
def _template(name: str) -> pd.DataFrame:
    return empty_table(_schema(name))


def _conform(name: str, frame: pd.DataFrame, out: Path) -> pd.DataFrame:
    """Columns in schema order, cast to the schema's dtypes.

    Not validated again: every part was validated by the stage graph before
    :func:`write_batch` wrote it (a check costs more than the read).
    """
    template = _template(name)
    missing = [c for c in template.columns if c not in frame.columns]
    if missing:
        raise ResultsError(f"{out}: table {name!r} lacks columns {missing}")
    return frame[list(template.columns)].astype(template.dtypes.to_dict())


def _refuse_duplicates(name: str, frame: pd.DataFrame, parts: list[Path], lengths: list[int], shown: int = 5) -> None:
    """Raise :class:`ResultsError` when rows of table ``name`` share their :data:`TABLE_KEYS`, naming keys and files.

    Two runs into one folder (before it was locked), or parts copied in by
    hand, give every article of theirs twice; reading such a folder would
    count those articles twice in every measure.
    """
    import numpy as np

    keys = [k for k in TABLE_KEYS.get(name, ()) if k in frame.columns]
    if not keys or not len(frame):
        return
    repeated = frame.duplicated(keys, keep=False).to_numpy()
    if not repeated.any():
        return
    part_of_row = np.repeat(np.arange(len(parts)), lengths)
    rows = frame.loc[repeated, keys].assign(_part=part_of_row[repeated])
    groups = list(rows.groupby(keys, sort=True)["_part"])
    folder = parts[0].parent.parent
    listed = "; ".join(
        f"{dict(zip(keys, key if isinstance(key, tuple) else (key,)))} in "
        + ", ".join(str(parts[i].relative_to(folder)) for i in sorted(set(part_ids)))
        for key, part_ids in groups[:shown]
    )
    more = f" (and {len(groups) - shown} more)" if len(groups) > shown else ""
    raise ResultsError(
        f"{folder}: table {name!r} has {len(groups)} duplicated keys {keys}: {listed}{more}. Two runs wrote into this "
        "folder at once, or parts were copied in: run again into a fresh --out folder"
    )


def read_results(out: str | Path, tables: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """A results folder's tables: ``{name: DataFrame}`` for :data:`analysis.tables.TABLES` plus ``rejected``.

    Only batches marked done (an ``articles`` part) are read; rows that share
    their key (:data:`TABLE_KEYS`: an article in two parts) are refused with a
    :class:`ResultsError` naming the table, the keys and the files. Rows are in
    ``article_id`` order (each article's rows in the order the stages made
    them), so the tables equal :func:`analysis.stages.run_stages` of the same
    articles, whatever the engine or batch size.
    """
    import pyarrow.parquet as pq

    out = Path(out).expanduser()
    if not (out / "articles").is_dir() and not (out / RUN_FILE).is_file():
        raise FileNotFoundError(f"{out}: not a results folder (no articles/ or {RUN_FILE})")
    names = [*TABLES, "rejected"] if tables is None else list(tables)
    unknown = [n for n in names if n not in (*TABLES, "rejected")]
    if unknown:
        raise KeyError(f"unknown table(s) {unknown}; a run has {[*TABLES, 'rejected']}")
    done = {p.name for p in (out / "articles").glob("part-*.parquet")}
    missing = [name for name in names if name in TABLES and done and not (out / name).is_dir()]
    if missing:
        raise ResultsError(f"{out} has articles but no {', '.join(missing)} tables: it was written by an older version "
                           "of the pipeline; run it again into a fresh folder")
    result = {}
    for name in names:
        if name == "rejected":
            path = out / REJECTED_FILE
            frame = pq.read_table(path).to_pandas() if path.is_file() else _template(name).copy()
            result[name] = _conform(name, frame, out)
            continue
        parts = sorted(p for p in (out / name).glob("part-*.parquet") if p.name in done)
        frames = [pq.read_table(p).to_pandas() for p in parts]
        frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else _template(name).copy()
        _refuse_duplicates(name, frame, [p for p, f in zip(parts, frames) if len(f)], [len(f) for f in frames if len(f)])
        frame = frame.sort_values("article_id", kind="stable").reset_index(drop=True)
        result[name] = _conform(name, frame, out)
    return result


def check_run_codebook(out: Path, codebook) -> None:
    """Refuse (ValueError) a results folder whose ``run.json`` records another codebook file than ``codebook``'s (by SHA-256)."""
    recorded = read_run_info(out).get("parameters") or {}
    recorded_sha = recorded.get("codebook_sha256")
    source = getattr(codebook, "source", None)
    if not recorded_sha or not source or not Path(source).is_file():
        return
    if file_sha256(source) != recorded_sha:
        raise ValueError(
            f"{out} was run with the codebook {recorded.get('codebook')} (sha256 {recorded_sha[:12]}...), "
            f"not {source}: its quotes are attributed with the other codebook. Pass that codebook, "
            f"or re-run the pipeline with --codebook {source} into a fresh folder."
        )
