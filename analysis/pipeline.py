"""Batch pipeline: a corpus of any size in, Parquet tables out, on one core or a cluster.

The per-article work (segment, extract quotes, score sentiment and frames) is
independent per article, so the unit of work is a *batch* of articles (a few
hundred) turned into a dict of tables. Batches run on an existing engine:

``local``
    one process, no pool (debugging, small corpora);
``processes``
    a :class:`concurrent.futures.ProcessPoolExecutor` over all cores
    (``workers``), forkserver start so each worker imports the package once;
``dask``
    a :class:`dask.distributed.Client`: a loopback ``LocalCluster`` by default
    (its worker processes forked from the same warm forkserver), or an
    existing scheduler (``scheduler="tcp://host:port"``) whose workers have
    this package installed.

In a script, call :func:`run` with ``processes`` or ``dask`` under
``if __name__ == "__main__":`` (worker processes re-import the main module).

The driver streams the source with :func:`analysis.corpus.iter_articles` and
keeps at most ``max_in_flight`` batches (2 x workers) submitted, so its memory
does not grow with the corpus (only article ids and checksums are kept, to
reject duplicates and to skip articles already done).

Output, under ``out/``::

    articles/part-<batch>.parquet         one row per article (corpus.ARTICLES_SCHEMA)
    sentences/part-<batch>.parquet        text.SENTENCES_SCHEMA
    quotes/part-<batch>.parquet           quotes.CORPUS_QUOTES_SCHEMA
    sentence_scores/part-<batch>.parquet  article_id, sentence_id + sentiment columns
    quote_scores/part-<batch>.parquet     article_id, quote_id + sentiment columns
    frames/part-<batch>.parquet           article_id + frames.FRAME_SCORES_SCHEMA (one row per article x frame)
    rejected.parquet                      corpus.REJECTED_SCHEMA: unreadable, empty, binary, oversized, failed
    run.json                              versions, parameters, counts, timings, input checksum

``<batch>`` is a hash of the batch's article ids and text checksums. Each part
is written to a temporary name and renamed into place (``os.replace``), and a
batch's ``articles`` part is written last: it is the marker that the batch is
done. Re-running over the same ``out/`` skips articles already there (same id
and ``text_sha1``), removes parts of a batch that died before its marker, and
finishes the rest without duplicates.

Every table is sorted by its key (``article_id`` then the row id) and every id
is numbered within its article, so the output does not depend on the engine,
the number of workers or how articles fall into batches.

On an existing Dask cluster: start ``dask scheduler`` on one machine and
``dask worker tcp://SCHEDULER:8786 --nthreads 1`` on each of the others, all
with this project installed in the same environment (the scheduler unpickles
the tasks too), then ``python -m analysis.pipeline run SOURCE --out DIR
--engine dask --scheduler tcp://SCHEDULER:8786``. With ``--scheduler`` the
driver writes the parts (``--write-on driver``), so ``out`` need only be
visible to the driver; ``--write-on worker`` needs a folder all workers share.

>>> from analysis.pipeline import run, read_results
>>> summary = run("export.parquet", out="results/", engine="processes")   # doctest: +SKIP
>>> tables = read_results("results/")                                      # doctest: +SKIP
>>> tables["quotes"].groupby("speaker").size()                             # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import json
import os
import platform
import sys
import time
import traceback
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis.corpus import REJECTED_SCHEMA, _articles_frame, _rejected_frame, iter_articles
from analysis.paths import RESULTS_DIR, writing_to

ENGINES = ("local", "processes", "dask")
TABLES = ("articles", "sentences", "quotes", "sentence_scores", "quote_scores", "frames")
"""The tables a run writes, one folder of parts each."""

KEYS = {
    "articles": ["article_id"],
    "sentences": ["article_id", "sentence_id"],
    "quotes": ["article_id", "quote_id"],
    "sentence_scores": ["article_id", "sentence_id"],
    "quote_scores": ["article_id", "quote_id"],
    "frames": ["article_id", "frame_set", "frame"],
    "rejected": ["source_file", "row", "article_id", "reason"],
}
"""Sort key (and unique key) of each table."""

STAGES = ("segmentation", "quotes", "sentiment", "frames", "write")
DEFAULT_BATCH_SIZE = 250
REJECTED_PARTS = "_rejected"
RUN_FILE = "run.json"
VERSION_PACKAGES = (
    "analysis", "pandas", "numpy", "pyarrow", "pandera", "syntok", "ftfy",
    "textblob", "vaderSentiment", "pyyaml", "dask", "distributed",
)
FAILED_PREFIX = "processing failed"
WORKER_PRELOAD = (
    "analysis.pipeline", "analysis.text", "analysis.quotes", "analysis.frames", "analysis.sentiment",
    "textblob", "vaderSentiment.vaderSentiment", "pyarrow.parquet",
)
"""Modules the forkserver imports once, so that each worker process starts warm."""
DASK_PRELOAD = ("distributed",)
"""Imported too when the forkserver serves the workers of a LocalCluster."""
LOCAL_CLUSTER_CONFIG = {
    # Our own loopback cluster runs one batch task per worker at a time; these monitors serve dashboards
    # and clusters under memory pressure, and by default wake every 10-500 ms in every worker, nanny and
    # the scheduler. Together, on 4,000 articles, 3 interleaved A/B runs: CPU per article -2.5%
    # (7.11 -> 6.93 ms), articles/s +3% (the profiler alone, earlier: -3.5% CPU).
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "10s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}
"""Dask settings of the ``LocalCluster`` that :func:`run` starts (never applied to an existing scheduler)."""


# Worker processes of `python -m analysis.pipeline` re-run this module as their main module after the
# forkserver preloaded it; Python warns about that, harmlessly.
warnings.filterwarnings("ignore", message="'analysis.pipeline' found in sys.modules", category=RuntimeWarning)


class PipelineError(RuntimeError):
    """A run that cannot start or go on (bad engine, mismatched resume, a crashed batch, an unwritable out/)."""


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Params:
    """What a batch needs to be processed; picklable, sent with every batch."""

    codebook: object = None  # path (str) or analysis.actors.Codebook or None (default codebook)
    frame_sets: tuple[str, ...] | None = None  # None: score_frames' default set

    def describe(self) -> dict:
        book = _codebook(self.codebook)
        source = getattr(book, "source", None)
        return {
            "codebook": source,
            "codebook_sha256": _file_sha256(Path(source)) if source and Path(source).is_file() else None,
            "frame_sets": list(_frame_sets(self.frame_sets)),
            "sentiment": SENTIMENT_SCORER,
        }


@lru_cache(maxsize=4)
def _codebook_from_path(path: str | None):
    from analysis.actors import load_codebook

    return load_codebook(path)


def _codebook(codebook):
    if codebook is None or isinstance(codebook, (str, Path)):
        return _codebook_from_path(None if codebook is None else str(codebook))
    return codebook


def _frame_sets(frame_sets: tuple[str, ...] | None) -> tuple[str, ...]:
    from analysis.frames import load_frames

    if frame_sets is None:
        default = inspect.signature(_score_frames_fn()).parameters["frame_set"].default
        return (default,)
    if frame_sets == ("all",):
        return tuple(load_frames())
    known = load_frames()
    unknown = [s for s in frame_sets if s not in known]
    if unknown:
        raise PipelineError(f"unknown frame set(s) {unknown}; the lexicon has {', '.join(known)}")
    return tuple(frame_sets)


def _score_frames_fn():
    from analysis.frames import score_frames

    return score_frames


# --------------------------------------------------------------------------- sentiment adapter


_SENTIMENT_COLUMNS = ["polarity", "subjectivity", "compound"]
SENTIMENT_SCORER = "analysis.sentiment.score_texts"
"""The scorer every sentence and quote goes through, recorded in run.json; the driver never imports it."""


@lru_cache(maxsize=1)
def _sentiment_scorer():
    """Function texts -> DataFrame of ``polarity``, ``subjectivity``, ``compound``, one row per text."""
    from analysis.sentiment import score_texts

    def scores(texts: list[str]) -> pd.DataFrame:
        frame = score_texts(list(texts)).reset_index(drop=True)
        if len(frame) != len(texts):
            raise PipelineError(f"sentiment scorer returned {len(frame)} rows for {len(texts)} texts")
        return frame[_SENTIMENT_COLUMNS]

    return scores


# --------------------------------------------------------------------------- stages (one batch)


def _stage_segmentation(articles: pd.DataFrame, params: Params) -> pd.DataFrame:
    from analysis.text import sentences

    return sentences(articles[["article_id", "text"]])


def _stage_quotes(articles: pd.DataFrame, sents: pd.DataFrame, params: Params) -> pd.DataFrame:
    from analysis.quotes import extract_corpus_quotes

    kwargs = {"progress": False}
    accepted = inspect.signature(extract_corpus_quotes).parameters
    for name in ("sentences_df", "sentences"):  # reuse our segmentation when the quote finder accepts it
        if name in accepted:
            kwargs[name] = sents
            break
    return extract_corpus_quotes(articles[["article_id", "outlet", "text"]], _codebook(params.codebook), **kwargs)


def _stage_sentiment(sents: pd.DataFrame, quotes: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    score = _sentiment_scorer()
    out = []
    for table, id_col, text_col in ((sents, "sentence_id", "text"), (quotes, "quote_id", "quote")):
        ids = table[["article_id", id_col]].reset_index(drop=True)
        scores = score(table[text_col].tolist())
        out.append(pd.concat([ids, scores.reset_index(drop=True)], axis=1))
    return out[0], out[1]


def _stage_frames(articles: pd.DataFrame, params: Params) -> pd.DataFrame:
    score_frames = _score_frames_fn()
    texts = articles[["article_id", "text"]].reset_index(drop=True)
    parts = [score_frames(texts, frame_set=name, keep=["article_id"]) for name in _frame_sets(params.frame_sets)]
    frames = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frames.drop(columns=["text_id"])


def _process(articles: pd.DataFrame, params: Params, timings: dict[str, float]) -> dict[str, pd.DataFrame]:
    def timed(stage, fn, *args):
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start

    sents = timed("segmentation", _stage_segmentation, articles, params)
    quotes = timed("quotes", _stage_quotes, articles, sents, params)
    sentence_scores, quote_scores = timed("sentiment", _stage_sentiment, sents, quotes, params)
    frames = timed("frames", _stage_frames, articles, params)
    tables = {
        "articles": articles,
        "sentences": sents,
        "quotes": quotes,
        "sentence_scores": sentence_scores,
        "quote_scores": quote_scores,
        "frames": frames,
    }
    return {name: _sorted(name, table) for name, table in tables.items()}


def _sorted(name: str, table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(KEYS[name], kind="stable").reset_index(drop=True)


def _process_guarded(articles: pd.DataFrame, params: Params, timings: dict[str, float]) -> tuple[dict[str, pd.DataFrame], list[tuple]]:
    """Process a batch; if it raises, redo it article by article and reject the ones that fail."""
    try:
        return _process(articles, params, timings), []
    except Exception:
        pass
    good: list[dict[str, pd.DataFrame]] = []
    failed: list[tuple] = []
    for i in range(len(articles)):
        one = articles.iloc[i : i + 1]
        try:
            good.append(_process(one, params, timings))
        except Exception as exc:  # one bad article never stops the run
            reason = f"{FAILED_PREFIX}: {type(exc).__name__}: {exc}".strip()
            row = one["source_file"].iloc[0]
            _, _, number = str(row).partition("#")
            failed.append((str(row).split("#")[0], int(number) if number.isdigit() else None, one["article_id"].iloc[0], reason[:2000]))
    if good:
        tables = {name: _sorted(name, pd.concat([g[name] for g in good], ignore_index=True)) for name in TABLES}
    else:
        tables = _empty_tables(params)
    return tables, failed


def _empty_tables(params: Params) -> dict[str, pd.DataFrame]:
    return _process(_articles_frame([]), params, {})


def process_articles(
    articles: pd.DataFrame, *, codebook=None, frame_set: str | Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The pipeline's tables for an articles table, computed in memory (no files).

    Same tables, columns, dtypes and row order as :func:`read_results` gives
    for a finished run over the same articles. Raises on an article that
    cannot be processed (the batch run rejects it instead).

    >>> from analysis.corpus import load_articles
    >>> tables = process_articles(load_articles("export.csv"))   # doctest: +SKIP
    """
    params = Params(codebook=codebook, frame_sets=_normalize_frame_set(frame_set))
    return _process(articles.reset_index(drop=True), params, {})


def _normalize_frame_set(frame_set) -> tuple[str, ...] | None:
    if frame_set is None:
        return None
    if isinstance(frame_set, str):
        return (frame_set,)
    return tuple(frame_set)


# --------------------------------------------------------------------------- writing parts


def batch_key(articles: pd.DataFrame) -> str:
    """Name of a batch's parts: a hash of its article ids and text checksums."""
    digest = hashlib.sha1()
    for article_id, checksum in zip(articles["article_id"], articles["text_sha1"]):
        digest.update(f"{article_id}\0{checksum}\n".encode())
    return digest.hexdigest()[:20]


def _write_part(out: Path, table: str, key: str, frame: pd.DataFrame) -> Path:
    """Write one part atomically: a temporary name in the same folder, then os.replace."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = out / table
    final = folder / f"part-{key}.parquet"
    tmp = folder / f".part-{key}.parquet.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with writing_to(final, PipelineError):
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
            os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return final


def _write_batch(out: Path, key: str, tables: dict[str, pd.DataFrame], failed: pd.DataFrame) -> None:
    if len(failed):
        _write_part(out, REJECTED_PARTS, f"{key}-failed", failed)
    for name in TABLES:
        if name != "articles":
            _write_part(out, name, key, tables[name])
    _write_part(out, "articles", key, tables["articles"])  # last: marks the batch done


@dataclass
class BatchResult:
    """What a batch sends back to the driver (tables only when the driver writes)."""

    key: str
    counts: dict[str, int]
    timings: dict[str, float]
    failed: pd.DataFrame
    tables: dict[str, pd.DataFrame] | None = None


def process_batch(articles: pd.DataFrame, params: Params, out: str | None) -> BatchResult:
    """Run one batch; write its parts under ``out`` (or return the tables when ``out`` is None).

    This is the function the engines run on their workers.
    """
    timings: dict[str, float] = {}
    articles = articles.reset_index(drop=True)
    key = batch_key(articles)
    tables, failed_rows = _process_guarded(articles, params, timings)
    failed = _rejected_rows(failed_rows)
    counts = {name: len(frame) for name, frame in tables.items()}
    counts["failed"] = len(failed)
    if out is None:
        return BatchResult(key, counts, timings, failed, tables)
    start = time.perf_counter()
    _write_batch(Path(out), key, tables, failed)
    timings["write"] = time.perf_counter() - start
    return BatchResult(key, counts, timings, failed.iloc[0:0])


def _rejected_rows(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(REJECTED_SCHEMA.columns))
    frame["row"] = frame["row"].astype("Int64")
    frame["article_id"] = frame["article_id"].astype(object)
    return REJECTED_SCHEMA.validate(frame)


# --------------------------------------------------------------------------- engines


class _Engine:
    """submit(batch) -> future; wait(futures) -> (done, pending); close()."""

    name = "local"
    workers = 1

    def submit(self, fn, *args):
        raise NotImplementedError

    def wait(self, futures):
        raise NotImplementedError

    def close(self) -> None:
        pass


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _LocalEngine(_Engine):
    def submit(self, fn, *args):
        return _Done(fn(*args))

    def wait(self, futures):
        return set(futures), set()


def _start_forkserver(extra: tuple[str, ...] = ()):
    """The forkserver context with :data:`WORKER_PRELOAD` (plus ``extra``), its server started; None where there is none.

    The server imports in the background, and every worker forked from it
    starts warm. Its preload list is fixed by the first call in a process.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return None
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([*WORKER_PRELOAD, *extra])
    forkserver.ensure_running()
    return ctx


class _ProcessEngine(_Engine):
    name = "processes"

    def __init__(self, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        ctx = _start_forkserver() or multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def wait(self, futures):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, pending = wait(futures, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _DaskEngine(_Engine):
    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None, processes: bool = True):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover
            raise PipelineError("engine 'dask' needs dask.distributed: pip install 'dask[distributed]'") from exc
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            import logging

            import dask

            # workers forked from our warm forkserver instead of spawned fresh: seconds less per worker
            method = "forkserver" if processes and _start_forkserver(DASK_PRELOAD) else dask.config.get("distributed.worker.multiprocessing-method")
            settings = {
                "distributed.worker.multiprocessing-method": method,
                **LOCAL_CLUSTER_CONFIG,
            }
            with dask.config.set(settings):
                self.cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=processes,
                    host="127.0.0.1",
                    protocol="tcp",
                    dashboard_address=":0",  # a free port: never clashes with another cluster
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self.cluster)
        if scheduler:
            try:
                info = self.client.scheduler_info(n_workers=-1)
            except TypeError:  # distributed < 2025: every worker is listed
                info = self.client.scheduler_info()
            self.workers = max(1, len(info.get("workers", {})))
        else:
            self.workers = workers or os.cpu_count() or 1
        self.token = uuid.uuid4().hex[:8]

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, key=f"pipeline-batch-{batch_key(args[0])}-{self.token}", pure=False)

    def wait(self, futures):
        from distributed import wait

        result = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(result.done), set(result.not_done)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _make_engine(engine: str, workers: int | None, scheduler: str | None, dask_processes: bool) -> _Engine:
    if engine not in ENGINES:
        raise PipelineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise PipelineError("--scheduler is for --engine dask")
    if engine == "local":
        return _LocalEngine()
    if engine == "processes":
        return _ProcessEngine(workers or os.cpu_count() or 1)
    return _DaskEngine(workers, scheduler, dask_processes)


# --------------------------------------------------------------------------- resume state


def _clean_partial(out: Path) -> int:
    """Remove temporary files and parts of batches that never wrote their ``articles`` marker."""
    removed = 0
    for tmp in out.glob("*/.part-*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    done = {p.name for p in (out / "articles").glob("part-*.parquet")}
    for name in TABLES:
        if name == "articles":
            continue
        for part in (out / name).glob("part-*.parquet"):
            if part.name not in done:
                part.unlink(missing_ok=True)
                removed += 1
    return removed


def _done_articles(out: Path) -> dict[str, str]:
    """article_id -> text_sha1 of every article already written under ``out``."""
    import pyarrow.parquet as pq

    done: dict[str, str] = {}
    for part in sorted((out / "articles").glob("part-*.parquet")):
        table = pq.read_table(part, columns=["article_id", "text_sha1"])
        done.update(zip(table.column("article_id").to_pylist(), table.column("text_sha1").to_pylist()))
    return done


def _pending_batches(source, batch_size: int, done: dict[str, str], stats: dict) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(articles still to do, rejected) per input batch; articles already done are skipped."""
    for articles, rejected in iter_articles(source, batch_size=batch_size):
        stats["read"] += len(articles) + len(rejected)
        if done and len(articles):
            previous = articles["article_id"].map(done)
            same = previous.eq(articles["text_sha1"]).fillna(False).astype(bool)
            changed = previous.notna() & ~same
            if changed.any():
                extra = [
                    (str(sf).split("#")[0], _row_number(sf), aid,
                     f"article_id {aid!r} is already in the output with another text (sha1 {old[:12]}...); "
                     "write to a fresh out/ folder to reprocess it")
                    for sf, aid, old in zip(articles.loc[changed, "source_file"], articles.loc[changed, "article_id"], previous[changed])
                ]
                rejected = pd.concat([rejected, _rejected_rows(extra)], ignore_index=True) if len(rejected) else _rejected_rows(extra)
            stats["skipped"] += int(same.sum())
            articles = articles.loc[~same & ~changed].reset_index(drop=True)
        yield articles, rejected


def _row_number(source_file: str) -> int | None:
    _, _, number = str(source_file).partition("#")
    return int(number) if number.isdigit() else None


def _consolidate_rejected(out: Path, done: dict[str, str] | None = None) -> int:
    """Merge the rejected parts into ``out/rejected.parquet`` (deduplicated, sorted)."""
    import pyarrow.parquet as pq

    parts = sorted((out / REJECTED_PARTS).glob("part-*.parquet"))
    frames = [pq.read_table(p).to_pandas() for p in parts]
    frame = pd.concat(frames, ignore_index=True) if frames else _rejected_frame([])
    frame = _cast_like(frame, _rejected_frame([]))
    if done:  # a processing failure fixed by a later run is no longer a rejection
        fixed = frame["reason"].str.startswith(FAILED_PREFIX) & frame["article_id"].isin(list(done))
        frame = frame.loc[~fixed]
    frame = frame.drop_duplicates().sort_values(KEYS["rejected"], kind="stable", na_position="first").reset_index(drop=True)
    _write_part_file(out / "rejected.parquet", frame)
    return len(frame)


def _write_part_file(path: Path, frame: pd.DataFrame) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with writing_to(path, PipelineError):
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        os.replace(tmp, path)


# --------------------------------------------------------------------------- run.json


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_checksum(source: str | Path) -> dict:
    """sha256 of each input file (every file under a folder) and of them all together."""
    path = Path(source).expanduser()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    listed, overall = [], hashlib.sha256()
    for f in files:
        sha = _file_sha256(f)
        rel = str(f.relative_to(path)) if path.is_dir() else f.name
        listed.append({"path": rel, "bytes": f.stat().st_size, "sha256": sha})
        overall.update(f"{rel}\0{sha}\n".encode())
    return {"source": str(path.resolve()), "sha256": overall.hexdigest(), "files_n": len(listed), "files": listed[:1000]}


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _table_rows(out: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {
        name: sum(pq.ParquetFile(p).metadata.num_rows for p in (out / name).glob("part-*.parquet"))
        for name in TABLES
    }


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with writing_to(path, PipelineError):
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)


# --------------------------------------------------------------------------- run


@dataclass
class RunSummary:
    """What :func:`run` did; the same figures are in ``out/run.json``."""

    out: Path
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def articles_per_second(self) -> float:
        wall = self.timings.get("wall_s") or 0.0
        return self.counts.get("articles_processed", 0) / wall if wall else 0.0


def run(
    source: str | Path | None,
    out: str | Path = RESULTS_DIR,
    engine: str = "local",
    workers: int | None = None,
    codebook=None,
    frame_set: str | Sequence[str] | None = None,
    *,
    scheduler: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_in_flight: int | None = None,
    write_on: str | None = None,
    quiet: bool = False,
    dask_processes: bool = True,
) -> RunSummary:
    """Process a corpus in batches on an engine and write its tables under ``out``.

    ``source``: anything :func:`analysis.corpus.load_articles` reads (None: the
    project's data folder). ``engine``: ``local`` | ``processes`` | ``dask``;
    ``workers``: processes or Dask workers (default: all cores; ``local``
    ignores it); ``scheduler``: address of an existing Dask scheduler
    (``tcp://host:port``), else a loopback ``LocalCluster`` is started.
    ``codebook``: actor codebook path or object (default ``data/actors.yaml``);
    ``frame_set``: a frame set name, a list of names, or ``"all"`` (default:
    :func:`analysis.frames.score_frames`' default set).

    ``write_on``: ``"worker"`` (workers write their parts; ``out`` must be a
    folder every worker sees) or ``"driver"`` (tables travel back to the driver,
    which writes them; the default with ``scheduler``). ``max_in_flight``
    batches are submitted at once (default 2 x workers).

    Re-running over the same ``out`` skips the articles already there and
    completes an interrupted run. Returns a :class:`RunSummary`.
    """
    t0 = time.perf_counter()
    out = Path(out).expanduser()
    params = Params(codebook=codebook, frame_sets=_normalize_frame_set(frame_set))
    if write_on is None:
        write_on = "driver" if scheduler else "worker"
    if write_on not in ("worker", "driver"):
        raise PipelineError(f"write_on must be 'worker' or 'driver', not {write_on!r}")
    if engine not in ENGINES:
        raise PipelineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if batch_size < 1:
        raise PipelineError("batch_size must be at least 1")
    source_path = Path(source) if source is not None else None
    if source_path is None:
        from analysis.paths import DATA_DIR

        source_path = DATA_DIR
    if not source_path.exists():
        raise PipelineError(f"{source_path}: no such file or folder")
    if engine == "processes" or (engine == "dask" and not scheduler and dask_processes):
        _start_forkserver(DASK_PRELOAD if engine == "dask" else ())  # its imports run while this process does its own
    described = params.describe()  # validates codebook and frame sets before any work

    with writing_to(out, PipelineError):
        out.mkdir(parents=True, exist_ok=True)
    run_file = out / RUN_FILE
    previous = json.loads(run_file.read_text(encoding="utf-8")) if run_file.is_file() else None
    parameters = {**described, "batch_size": batch_size}
    if previous and (previous.get("parameters") or {}).get("frame_sets") is not None:
        old = {k: previous["parameters"].get(k) for k in ("codebook_sha256", "frame_sets", "sentiment")}
        new = {k: parameters.get(k) for k in old}
        if old != new and _done_articles(out):
            raise PipelineError(
                f"{out} holds a run with other parameters ({old} vs now {new}); "
                "write to a fresh out/ folder, or delete it to start over"
            )
    removed = _clean_partial(out)
    done = _done_articles(out)
    checksum = input_checksum(source_path)

    stats = {"read": 0, "skipped": 0}
    counts = {name: 0 for name in TABLES}
    counts.update(failed=0, read_rejected=0, batches=0, partial_files_removed=removed)
    stage_s = {stage: 0.0 for stage in STAGES}
    record = {
        "status": "running",
        "started": _now(),
        "engine": engine,
        "workers": None,
        "scheduler": scheduler,
        "write_on": write_on,
        "parameters": parameters,
        "versions": _versions(),
        "input": checksum,
        "resumed": bool(done),
        "history": (previous or {}).get("history", []) + ([_history_entry(previous)] if previous else []),
    }
    _write_json(run_file, record)

    progress = _progress(quiet)
    eng = None
    status = "failed"
    error = None
    try:
        eng = _make_engine(engine, workers, scheduler, dask_processes)
        record["workers"] = eng.workers
        in_flight = max_in_flight or 2 * eng.workers
        target = None if write_on == "driver" else str(out)
        pending: set = set()
        read_s = 0.0

        def collect(futures) -> None:
            for fut in futures:
                result: BatchResult = fut.result()
                if result.tables is not None:
                    start = time.perf_counter()
                    _write_batch(out, result.key, result.tables, result.failed)
                    result.timings["write"] = result.timings.get("write", 0.0) + time.perf_counter() - start
                for stage, seconds in result.timings.items():
                    stage_s[stage] = stage_s.get(stage, 0.0) + seconds
                for name in TABLES:
                    counts[name] += result.counts.get(name, 0)
                counts["failed"] += result.counts.get("failed", 0)
                counts["batches"] += 1
                progress.update(result.counts.get("articles", 0) + result.counts.get("failed", 0))

        batches = _pending_batches(source_path if source is not None else None, batch_size, done, stats)
        while True:
            start = time.perf_counter()
            item = next(batches, None)
            read_s += time.perf_counter() - start
            if item is None:
                break
            articles, rejected = item
            if len(rejected):
                counts["read_rejected"] += len(rejected)
                _write_part(out, REJECTED_PARTS, f"read-{_frame_hash(rejected)}", rejected)
                progress.update(len(rejected))
            progress.set_postfix(skipped=stats["skipped"], refresh=False)
            if not len(articles):
                continue
            while len(pending) >= in_flight:
                finished, pending = eng.wait(pending)
                collect(finished)
            pending.add(eng.submit(process_batch, articles, params, target))
        while pending:
            finished, pending = eng.wait(pending)
            collect(finished)
        stage_s["read"] = read_s
        status = "complete"
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        record["traceback"] = traceback.format_exc(limit=20)
        raise
    finally:
        progress.close()
        if eng is not None:
            with contextlib.suppress(Exception):
                eng.close()
        final_done = _done_articles(out)
        rejected_n = _consolidate_rejected(out, final_done)
        wall = time.perf_counter() - t0
        counts.update(
            articles_read=stats["read"],
            articles_skipped=stats["skipped"],
            articles_processed=counts["articles"],
            rejected_total=rejected_n,
        )
        totals = _table_rows(out)
        record.update(
            status=status,
            error=error,
            finished=_now(),
            counts=counts,
            totals_on_disk=totals,
            timings={"wall_s": round(wall, 3), **{f"{k}_s": round(v, 3) for k, v in stage_s.items()}},
        )
        _write_json(run_file, record)
    return RunSummary(out=out, status=status, counts=counts, timings=record["timings"])


def _history_entry(previous: dict) -> dict:
    return {k: previous.get(k) for k in ("status", "started", "finished", "engine", "workers", "counts", "timings", "error")}


def _frame_hash(frame: pd.DataFrame) -> str:
    return hashlib.sha1(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes()).hexdigest()[:20]


class _NoProgress:
    def update(self, n=1):
        pass

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


def _progress(quiet: bool):
    if quiet:
        return _NoProgress()
    from tqdm.auto import tqdm

    # delay: short runs finish before a bar appears; long runs get one
    return tqdm(desc="processed", unit=" articles", delay=2.0, mininterval=0.5, file=sys.stderr)


# --------------------------------------------------------------------------- reading results


def _cast_like(frame: pd.DataFrame, template: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in template.columns if c not in frame.columns]
    if missing:
        raise PipelineError(f"results table lacks columns {missing}")
    frame = frame[list(template.columns)]
    return frame.astype(template.dtypes.to_dict())


@lru_cache(maxsize=8)
def _templates(params: Params) -> dict[str, pd.DataFrame]:
    templates = _empty_tables(params)
    templates["rejected"] = _rejected_frame([])
    return templates


def read_results(out: str | Path = RESULTS_DIR, tables: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Load a finished run's tables: ``{name: DataFrame}`` for :data:`TABLES` plus ``rejected``.

    Columns, dtypes and row order are those :func:`process_articles` gives in
    memory for the same articles, so notebooks can take a ``results`` folder
    instead of recomputing.

    >>> tables = read_results("results/")            # doctest: +SKIP
    >>> tables["sentence_scores"].merge(tables["sentences"], on=["article_id", "sentence_id"])  # doctest: +SKIP
    """
    import pyarrow.parquet as pq

    out = Path(out).expanduser()
    if not (out / "articles").is_dir() and not (out / RUN_FILE).is_file():
        raise FileNotFoundError(f"{out}: not a pipeline output folder (no articles/ or {RUN_FILE})")
    names = list(TABLES) + ["rejected"] if tables is None else list(tables)
    unknown = [n for n in names if n not in KEYS]
    if unknown:
        raise KeyError(f"unknown table(s) {unknown}; a run has {list(KEYS)}")
    params = _params_of(out)
    templates = _templates(params)
    result = {}
    for name in names:
        if name == "rejected":
            path = out / "rejected.parquet"
            frame = pq.read_table(path).to_pandas() if path.is_file() else templates["rejected"]
        else:
            done = {p.name for p in (out / "articles").glob("part-*.parquet")}
            parts = sorted(p for p in (out / name).glob("part-*.parquet") if p.name in done)
            frames = [pq.read_table(p).to_pandas() for p in parts]
            frames = [f for f in frames if len(f)]
            frame = pd.concat(frames, ignore_index=True) if frames else templates[name]
        frame = _cast_like(frame, templates[name])
        result[name] = frame.sort_values(KEYS[name], kind="stable", na_position="first").reset_index(drop=True)
    return result


def _params_of(out: Path) -> Params:
    """The frame sets of the run in ``out`` (for empty-table templates)."""
    path = out / RUN_FILE
    if path.is_file():
        sets = (json.loads(path.read_text(encoding="utf-8")).get("parameters") or {}).get("frame_sets")
        if sets:
            return Params(frame_sets=tuple(sets))
    return Params()


# --------------------------------------------------------------------------- command line


RUN_HELP = "process a corpus in batches into Parquet tables under --out (resumable; local, processes or dask)"


def add_run_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``run`` options to a (sub)parser; :func:`run_from_args` runs the parsed result.

    ``python -m analysis run`` registers it as::

        parser = subparsers.add_parser("run", help=pipeline.RUN_HELP)
        pipeline.add_run_arguments(parser).set_defaults(handler=pipeline.run_from_args)
    """
    p.add_argument("source", help="data folder, .txt or .html file or folder, .warc(.gz) archive, or a CSV/TSV/JSONL/JSON/Parquet table")
    p.add_argument("--out", default=str(RESULTS_DIR), help="output folder (default: %(default)s)")
    p.add_argument("--engine", choices=ENGINES, default="local")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="articles per batch (default: %(default)s)")
    p.add_argument("--codebook", default=None, help="actor codebook YAML (default: data/actors.yaml)")
    p.add_argument("--frame-set", action="append", default=None, help="frame set to score (repeatable, or 'all')")
    p.add_argument("--write-on", choices=("worker", "driver"), default=None,
                   help="who writes the parts (default: worker; driver with --scheduler)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, one summary line")
    return p


def run_from_args(args: argparse.Namespace) -> int:
    """Run the pipeline from parsed :func:`add_run_arguments` options; print a summary; exit status."""
    try:
        summary = run(
            args.source,
            out=args.out,
            engine=args.engine,
            workers=args.workers,
            codebook=args.codebook,
            frame_set=args.frame_set,
            scheduler=args.scheduler,
            batch_size=args.batch_size,
            write_on=args.write_on,
            quiet=args.quiet,
        )
    except (PipelineError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    c = summary.counts
    print(
        f"{summary.status}: {c['articles_processed']} articles processed, {c['articles_skipped']} skipped (already done), "
        f"{c['rejected_total']} rejected; {c['sentences']} sentences, {c['quotes']} quotes "
        f"in {summary.timings['wall_s']:.1f} s ({summary.articles_per_second:.0f} articles/s) -> {summary.out}"
    )
    return 0


def build_parser(prog: str = "python -m analysis.pipeline") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Process a corpus in batches into Parquet tables.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_run_arguments(sub.add_parser("run", help=RUN_HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``run SOURCE --out DIR [--engine ...] [--workers N] [--scheduler ADDR] [--quiet]``.

    ``argv`` may start with ``run`` or go straight to ``SOURCE``.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] not in ("run", "-h", "--help"):
        args_list = ["run", *args_list]
    return run_from_args(build_parser().parse_args(args_list))


if __name__ == "__main__":
    # Run through the imported module, not __main__, so that functions sent to
    # worker processes pickle as analysis.pipeline.* (importable on every worker).
    from analysis import pipeline as _pipeline

    sys.exit(_pipeline.main())
