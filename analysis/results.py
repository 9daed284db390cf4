"""A run's folder of tables: the one atomic writer, the one reader, and the state a resumed run needs.

A *results folder* (``python -m analysis run ... --out DIR``, or a table-cache
entry under ``.cache/tables/``) holds::

    <table>/part-<batch>.parquet   one part per batch for each of analysis.tables.TABLES
    _batches/<batch>.json          the batch's manifest: the SHA-256 and size of each of its parts
    _rejected/part-*.parquet       rejected inputs (per input batch) and failed articles (per batch)
    rejected.parquet               corpus.REJECTED_SCHEMA: unreadable, empty, binary, oversized, failed, over time
    run.json                       versions, parameters (with data checksums), counts, timings, input checksum

Every file is written to a temporary name in its folder and renamed into place
(:func:`write_table`, :func:`write_json`), so a reader never sees half a file.
A batch's manifest is written last (:func:`write_batch`): it marks the batch
done. Parts of a batch without one are leftovers of a run that died, removed
by :func:`clean_partial` and ignored by :func:`read_results`.

A part whose bytes no longer match its manifest (a disk or copy error, a file
truncated or edited) is found by :func:`verify_batches` when a run resumes,
which removes its batch so that the run does those articles again, and by
:func:`read_results`, which refuses it. Every error names the file.

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
BATCHES = "_batches"
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
    """A folder that cannot be written or read (the message names the file), is not a run's results, or lacks a table."""


class ResultsWarning(UserWarning):
    """A part found corrupt when a run resumes (its batch is done again); the message names the file."""


# --------------------------------------------------------------------------- writing


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def write_table(path: Path, frame: pd.DataFrame) -> dict:
    """Write ``frame`` as Parquet at ``path`` atomically (a temporary name in the same folder, then ``os.replace``).

    Returns the file's ``{"sha256": ..., "bytes": ...}``. A folder that cannot
    be written (read-only, full, a file in the way) raises
    :class:`ResultsError` naming ``path``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    data = sink.getvalue().to_pybytes()
    tmp = _tmp_name(path)
    try:
        with writing_to(path, ResultsError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON at ``path`` atomically."""
    tmp = _tmp_name(path)
    with writing_to(path, ResultsError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def part_path(out: Path, table: str, key: str) -> Path:
    return Path(out) / table / f"part-{key}.parquet"


def manifest_path(out: Path, key: str) -> Path:
    return Path(out) / BATCHES / f"{key}.json"


def write_batch(out: Path, key: str, tables: dict[str, pd.DataFrame], failed: pd.DataFrame | None = None) -> None:
    """Write one batch: its failed articles, every table, then its manifest (each part's checksum; the done marker)."""
    out = Path(out)
    files = {}
    if failed is not None and len(failed):
        path = part_path(out, REJECTED_PARTS, f"{key}-failed")
        files[f"{REJECTED_PARTS}/{path.name}"] = write_table(path, failed)
    for name in [*(n for n in TABLES if n != "articles"), "articles"]:  # articles last, as the batch's articles are its point
        files[f"{name}/part-{key}.parquet"] = write_table(part_path(out, name, key), tables[name])
    write_json(manifest_path(out, key), {"batch": key, "articles_n": len(tables["articles"]), "files": files})


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


def check_format(out: Path) -> None:
    """Refuse (:class:`ResultsError`) a folder written before batches had manifests: its parts cannot be checked."""
    out = Path(out)
    if not (out / BATCHES).is_dir() and any((out / "articles").glob("part-*.parquet")):
        raise ResultsError(f"{out} was written by an older version of the pipeline (no {BATCHES}/ checksums of its parts); "
                           "run it again into a fresh folder")


def read_manifests(out: Path) -> dict[str, dict | None]:
    """``{batch: manifest}`` of every batch marked done under ``out``, by name (None: a manifest that cannot be read)."""
    manifests: dict[str, dict | None] = {}
    for path in sorted((Path(out) / BATCHES).glob("*.json")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            manifests[path.stem] = manifest if isinstance(manifest.get("files"), dict) else None
        except (OSError, ValueError, AttributeError):
            manifests[path.stem] = None
    return manifests


def _batch_of(part: Path) -> str:
    """The batch a part belongs to (``part-<batch>.parquet``, ``part-<batch>-failed.parquet``)."""
    return part.stem.removeprefix("part-").removesuffix("-failed")


def _remove_batch(out: Path, key: str) -> None:
    for name in (*TABLES, REJECTED_PARTS):
        for part in (Path(out) / name).glob(f"part-{key}*.parquet"):
            if _batch_of(part) == key:
                part.unlink(missing_ok=True)
    manifest_path(out, key).unlink(missing_ok=True)


def _check_file(path: Path, recorded: dict, data: bytes | None = None) -> str | None:
    """What is wrong with ``path`` (or its bytes ``data``) given its manifest entry; None: nothing."""
    if data is None and not path.is_file():
        return f"{path}: missing"
    size = path.stat().st_size if data is None else len(data)
    if size != recorded.get("bytes"):
        return f"{path}: corrupt ({size} bytes, {recorded.get('bytes')} when written)"
    sha = file_sha256(path) if data is None else hashlib.sha256(data).hexdigest()
    if sha != recorded.get("sha256"):
        return f"{path}: corrupt (its SHA-256 is not the one recorded when it was written)"
    return None


def find_corrupt(out: Path) -> dict[str, list[str]]:
    """``{batch: [problem, ...]}`` for every done batch whose parts do not match its manifest; nothing is changed.

    A part missing, of another size or SHA-256, or a manifest that cannot be
    read; each problem names the file.

    >>> find_corrupt("results/")                              # doctest: +SKIP
    {'3f2a...': ['results/quotes/part-3f2a....parquet: corrupt (1800 bytes, 2114 when written)']}
    """
    out = Path(out)
    found = {}
    for key, manifest in read_manifests(out).items():
        if manifest is None:
            bad = [f"{manifest_path(out, key)}: unreadable batch manifest"]
        else:
            bad = [problem for name, recorded in manifest["files"].items() if (problem := _check_file(out / name, recorded))]
        if bad:
            found[key] = bad
    return found


def verify_batches(out: Path) -> list[str]:
    """Remove every done batch that :func:`find_corrupt` finds (parts and manifest); one message per bad file.

    A resumed run then does those batches' articles again.
    """
    problems, manifests = [], read_manifests(out)
    for key, found in find_corrupt(out).items():
        manifest = manifests.get(key)
        size = f"{manifest.get('articles_n', '?')} articles" if manifest else "its articles"
        _remove_batch(Path(out), key)
        problems += [f"{problem}: its batch ({size}) is done again" for problem in found]
    return problems


def clean_partial(out: Path) -> int:
    """Remove temporary files and parts of batches that have no manifest (a run died writing them); how many."""
    out = Path(out)
    removed = 0
    for tmp in [*out.glob(".*.tmp"), *out.glob("*/.*.tmp")]:
        tmp.unlink(missing_ok=True)
        removed += 1
    done = set(read_manifests(out))
    for name in (*TABLES, REJECTED_PARTS):
        for part in (out / name).glob("part-*.parquet"):
            if not part.name.startswith("part-read-") and _batch_of(part) not in done:
                part.unlink(missing_ok=True)
                removed += 1
    return removed


def done_articles(out: Path) -> dict[str, str]:
    """``article_id -> text_sha1`` of every article of a done batch under ``out``."""
    import pyarrow.parquet as pq

    done: dict[str, str] = {}
    for key in read_manifests(out):
        path = part_path(out, "articles", key)
        try:
            table = pq.read_table(path, columns=["article_id", "text_sha1"])
        except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError, ArrowIOError an OSError
            raise ResultsError(f"{path}: cannot read it: {exc}") from exc
        done.update(zip(table.column("article_id").to_pylist(), table.column("text_sha1").to_pylist()))
    return done


def consolidate_rejected(out: Path, done: dict[str, str] | None = None) -> int:
    """Merge the rejected parts into ``out/rejected.parquet`` (deduplicated, sorted); how many rows."""
    batches = set(read_manifests(out))
    parts = sorted(p for p in (Path(out) / REJECTED_PARTS).glob("part-*.parquet")
                   if p.name.startswith("part-read-") or _batch_of(p) in batches)
    frames = [_read_parquet(p) for p in parts]
    frame = pd.concat(frames, ignore_index=True) if frames else empty_table(REJECTED_SCHEMA)
    frame = REJECTED_SCHEMA.validate(frame[list(REJECTED_SCHEMA.columns)])
    if done:  # a processing failure fixed by a later run is no longer a rejection
        fixed = frame["reason"].str.startswith(FAILED_PREFIX) & frame["article_id"].isin(list(done))
        frame = frame.loc[~fixed]
    frame = frame.drop_duplicates().sort_values(REJECTED_KEY, kind="stable", na_position="first").reset_index(drop=True)
    write_table(Path(out) / REJECTED_FILE, frame)
    return len(frame)


def table_rows(out: Path) -> dict[str, int]:
    """Rows on disk per table in the done batches (from the Parquet footers, nothing read); -1 where a footer is unreadable."""
    import pyarrow.parquet as pq

    def rows(path: Path) -> int:
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, ValueError):
            return -1

    keys = list(read_manifests(out))
    return {name: sum(rows(part_path(out, name, key)) for key in keys) for name in TABLES}


def input_checksum(source: str | Path) -> dict:
    """SHA-256 of each input file (every file under a folder) and of them all together.

    A symbolic link under a folder is read only when it points to a file inside
    the folder, as the loader reads it; a link out of the folder (or dangling)
    counts by the path it names, never by the bytes there (``"sha256": null``,
    ``"link"``: the target), so that it is never read yet changing it changes
    the checksum. Directories reached through links are not walked.

    >>> input_checksum("data/")["files_n"]                    # doctest: +SKIP
    3
    """
    path = Path(source).expanduser()
    base = path.resolve()
    listed, overall = [], hashlib.sha256()
    for f in _input_files(path):
        rel = str(f.relative_to(path)) if path.is_dir() else f.name
        target = f.resolve()
        if path.is_dir() and f.is_symlink() and (not target.is_relative_to(base) or not target.is_file()):
            entry = {"path": rel, "bytes": None, "sha256": None, "link": os.readlink(f)}
            overall.update(f"{rel}\0link\0{entry['link']}\n".encode())
        else:
            entry = {"path": rel, "bytes": f.stat().st_size, "sha256": file_sha256(f)}
            overall.update(f"{rel}\0{entry['sha256']}\n".encode())
        listed.append(entry)
    return {"source": str(base), "sha256": overall.hexdigest(), "files_n": len(listed), "files": listed[:1000]}


def _input_files(path: Path) -> list[Path]:
    """The files under ``path`` (itself, if a file) and the links there (to files or folders); linked folders are not walked."""
    if not path.is_dir():
        return [path]
    files = []
    for root, dirs, names in os.walk(path):  # os.walk lists links to folders in dirs but does not walk them
        for name in names + [d for d in dirs if (Path(root) / d).is_symlink()]:
            f = Path(root) / name
            if f.is_symlink() or f.is_file():
                files.append(f)
    return sorted(files)


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


REDO = "run the same `analysis run` command again: it does that batch again (a table-cache entry: delete its folder)"


def _read_parquet(path: Path, recorded: dict | None = None) -> pd.DataFrame:
    """A Parquet file as a DataFrame, checked against its manifest entry ``recorded``; every error names the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read it: {exc.strerror or exc}; {REDO}") from exc
    problem = _check_file(path, recorded, data) if recorded is not None else None
    if problem:
        raise ResultsError(f"{problem}; {REDO}")
    try:
        return pq.read_table(pa.BufferReader(data)).to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:  # "Parquet magic bytes not found", "Corrupt snappy ..."
        raise ResultsError(f"{path}: not a readable Parquet file ({exc}); {REDO}") from exc


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

    Only batches marked done (a manifest in ``_batches/``) are read, each
    part checked against the SHA-256 its manifest records; rows that share
    their key (:data:`TABLE_KEYS`: an article in two parts) are refused with a
    :class:`ResultsError` naming the table, the keys and the files. Rows are in
    ``article_id`` order (each article's rows in the order the stages made
    them), so the tables equal :func:`analysis.stages.run_stages` of the same
    articles, whatever the engine or batch size.
    """
    out = Path(out).expanduser()
    if not (out / "articles").is_dir() and not (out / RUN_FILE).is_file():
        raise FileNotFoundError(f"{out}: not a results folder (no articles/ or {RUN_FILE})")
    names = [*TABLES, "rejected"] if tables is None else list(tables)
    unknown = [n for n in names if n not in (*TABLES, "rejected")]
    if unknown:
        raise KeyError(f"unknown table(s) {unknown}; a run has {[*TABLES, 'rejected']}")
    manifests = read_manifests(out)
    missing = [name for name in names if name in TABLES and manifests and not (out / name).is_dir()]
    if missing:
        raise ResultsError(f"{out} has articles but no {', '.join(missing)} tables: it was written by an older version "
                           "of the pipeline; run it again into a fresh folder")
    check_format(out)
    unreadable = [key for key, manifest in manifests.items() if manifest is None]
    if unreadable:
        raise ResultsError(f"{manifest_path(out, unreadable[0])}: unreadable batch manifest; {REDO}")
    result = {}
    for name in names:
        if name == "rejected":
            path = out / REJECTED_FILE
            frame = _read_parquet(path) if path.is_file() else _template(name).copy()
            result[name] = _conform(name, frame, out)
            continue
        parts = [part_path(out, name, key) for key in manifests]
        frames = [_read_parquet(path, manifests[key]["files"].get(f"{name}/{path.name}")) for key, path in zip(manifests, parts)]
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
