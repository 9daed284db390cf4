"""Batch pipeline: a corpus of any size in, the row-level tables out as Parquet, on one core or a cluster.

The per-article work is the stage graph (:func:`analysis.stages.run_stages`);
this module only streams the corpus in batches, runs them on an engine
(:mod:`analysis.engines`: ``local``, ``processes`` or ``dask``), keeps each
article within its time budget, writes the parts (:mod:`analysis.results`)
and resumes an interrupted run.

The driver streams the source with :func:`analysis.corpus.iter_articles` and
keeps at most ``max_in_flight`` batches (2 x workers) submitted, so its memory
does not grow with the corpus (only article ids and checksums are kept, to
reject duplicates and to skip articles already done). Output: a results
folder (:mod:`analysis.results`) with one part per batch of every table of
:data:`analysis.tables.TABLES`, ``rejected.parquet`` and ``run.json``.
``<batch>`` in a part's name is a hash of the batch's article ids and text
checksums. Re-running over the same ``out/`` skips articles already there
(same id and ``text_sha1``), removes parts of a batch that died before its
manifest (``_batches/<batch>.json``, written last), does again a batch whose
parts no longer match the checksums there, and finishes the rest without
duplicates. One run at a
time writes a folder (:mod:`analysis.run_lock`): a second run into it fails at
once, naming the first.

Time budget: a batch is worked in chunks of :data:`CHUNK_SIZE` articles, each
chunk within the sum of its articles' budgets (:func:`analysis.budget.article_budget`:
``time_budget`` seconds per 1,000 words, at least ``time_budget``; default
5 s). A chunk that runs over (or raises) is redone article by article, each
within its own budget; an article still over it, or still raising, goes to
``rejected.parquet`` with the reason, and the run goes on. So an article is
only rejected for time when it alone exceeds its budget; a slow article among
fast ones passes while its chunk stays within the chunk's total. The first
chunk of each worker starts after a warm-up (models and lexicons loaded), so
loading is not charged to an article. Limits: see :mod:`analysis.budget` (a
single long call into C, e.g. one regular-expression search, is not interrupted).

The command line (``python -m analysis run``) is :mod:`analysis.run_command`.
In a script, call :func:`run` with ``processes`` or ``dask`` under
``if __name__ == "__main__":`` (worker processes re-import the main module).
On an existing Dask cluster: start ``dask scheduler`` on one machine and
``dask worker tcp://SCHEDULER:8786 --nthreads 1`` on each of the others, all
with this project installed in the same environment (the scheduler unpickles
the tasks too), then ``python -m analysis run SOURCE --out DIR --engine dask
--scheduler tcp://SCHEDULER:8786``. With ``--scheduler`` the driver writes the
parts (``--write-on driver``), so ``out`` need only be visible to the driver;
``--write-on worker`` needs a folder all workers share.

>>> from analysis.pipeline import run
>>> from analysis.results import read_results
>>> summary = run("export.parquet", out="results/", engine="processes")   # doctest: +SKIP
>>> tables = read_results("results/")                                      # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis import results as res
from analysis.budget import SECONDS_PER_1000_WORDS, TimeBudgetExceeded, article_budget, time_limit
from analysis.corpus import iter_articles
from analysis.engines import DASK_PRELOAD, ENGINES, EngineError, exit_if_orphaned, make_engine, start_forkserver
from analysis.paths import RESULTS_DIR, writing_to
from analysis.run_lock import hold_folder
from analysis.stages import STAGES, StageError, StageParams, describe, run_stages, sort_table, validate_tables
from analysis.tables import TABLES

DEFAULT_BATCH_SIZE = 250
CHUNK_SIZE = 50
"""Articles processed together under one time budget (see the module's notes on the time budget).

Smaller chunks find a slow article sooner but cost more per article (fixed
costs per call of each stage): 36 CPU-ms per seed-shaped article at 20, 31 at 50, 30 at 250."""
TIMED = (*(name for name, _ in STAGES), "write", "read")
"""Timings recorded in ``run.json``: each stage, writing parts and reading the source."""
VERSION_PACKAGES = (
    "analysis", "pandas", "numpy", "pyarrow", "pandera", "syntok", "ftfy",
    "textblob", "vaderSentiment", "scikit-learn", "pyyaml", "dask", "distributed",
)
COMPARED_PARAMETERS = ("codebook_sha256", "frame_sets", "stance", "data_sha256")
"""What must match for a run to resume into an ``out/`` that holds another run's tables."""


class PipelineError(RuntimeError):
    """A run that cannot start or go on (bad engine, mismatched resume, a crashed batch, an unwritable out/)."""


@dataclass(frozen=True)
class RunParams:
    """What a batch needs besides its articles; picklable, sent with every batch."""

    stages: StageParams = field(default_factory=StageParams)
    time_budget: float | None = SECONDS_PER_1000_WORDS
    """Seconds per 1,000 words an article may take (:func:`analysis.budget.article_budget`); None or 0: no budget."""

    def budget(self, articles: pd.DataFrame) -> float | None:
        """Seconds allowed for these articles together: the sum of their budgets."""
        if not self.time_budget:
            return None
        return float(sum(article_budget(int(n), self.time_budget) for n in articles["word_count"]))


# --------------------------------------------------------------------------- one batch


def batch_key(articles: pd.DataFrame) -> str:
    """Name of a batch's parts: a hash of its article ids and text checksums."""
    digest = hashlib.sha1()
    for article_id, checksum in zip(articles["article_id"], articles["text_sha1"]):
        digest.update(f"{article_id}\0{checksum}\n".encode())
    return digest.hexdigest()[:20]


@dataclass
class BatchResult:
    """What a batch sends back to the driver (tables only when the driver writes)."""

    key: str
    counts: dict[str, int]
    timings: dict[str, float]
    failed: pd.DataFrame
    tables: dict[str, pd.DataFrame] | None = None


def warm_up(params: StageParams) -> None:
    """Load what the stages need (codebook, lexicons, rules, models) once per process, outside any time budget."""
    book = params.codebook
    book_key = book if book is None or isinstance(book, (str, Path)) else (getattr(book, "source", None) or id(book))
    key = (str(book_key), params.frames_path, params.stance_name)
    if key in _WARMED:
        return
    sample = pd.DataFrame({"article_id": ["warm-up"], "outlet": [None], "text": ["“We are ready,” the minister said."]})
    run_stages(sample, params, validate=False)
    from analysis.stages import stance_scorer

    stance_scorer(params.stance_name)(pd.DataFrame({"sentence": ["A good plan."], "start": [2], "end": [6]}))
    _WARMED.add(key)


_WARMED: set = set()


def _failure(article: pd.DataFrame, reason: str) -> tuple:
    source_file = str(article["source_file"].iloc[0])
    path, _, number = source_file.partition("#")
    return (path, int(number) if number.isdigit() else None, article["article_id"].iloc[0], reason[:2000])


def _process_chunks(articles: pd.DataFrame, params: RunParams, timings: dict[str, float]) -> tuple[dict[str, pd.DataFrame], list[tuple]]:
    """The batch's tables, chunk by chunk within the time budget, and the articles rejected on the way."""
    parts: list[dict[str, pd.DataFrame]] = []
    failed: list[tuple] = []
    for first in range(0, len(articles), CHUNK_SIZE):
        chunk = articles.iloc[first : first + CHUNK_SIZE]
        try:
            with time_limit(params.budget(chunk)):
                parts.append(run_stages(chunk, params.stages, timings=timings, validate=False))
            continue
        except (Exception, TimeBudgetExceeded):
            pass
        for i in range(len(chunk)):  # redo the chunk article by article; reject the ones that still fail
            one = chunk.iloc[i : i + 1]
            try:
                with time_limit(params.budget(one)):
                    parts.append(run_stages(one, params.stages, timings=timings, validate=False))
            except TimeBudgetExceeded as exc:
                failed.append(_failure(one, f"{res.FAILED_PREFIX}: {exc} ({int(one['word_count'].iloc[0])} words; "
                                            f"the budget is {params.time_budget:g} s per 1,000 words, --time-budget)"))
            except Exception as exc:  # one bad article never stops the run
                failed.append(_failure(one, f"{res.FAILED_PREFIX}: {type(exc).__name__}: {exc}".strip()))
    if not parts:
        parts.append(run_stages(articles.iloc[0:0], params.stages, validate=False))
    tables = {}
    for name in TABLES:
        frames = [p[name] for p in parts if len(p[name])] or [parts[0][name]]
        tables[name] = sort_table(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
    return validate_tables(tables), failed


def process_batch(articles: pd.DataFrame, params: RunParams, out: str | None) -> BatchResult:
    """Run one batch; write its parts under ``out`` (or return the tables when ``out`` is None).

    This is the function the engines run on their workers.
    """
    warm_up(params.stages)
    timings: dict[str, float] = {}
    articles = articles.reset_index(drop=True)
    key = batch_key(articles)
    tables, failed_rows = _process_chunks(articles, params, timings)
    failed = res.rejected_table(failed_rows)
    counts = {name: len(frame) for name, frame in tables.items()}
    counts["failed"] = len(failed)
    if out is None:
        return BatchResult(key, counts, timings, failed, tables)
    exit_if_orphaned()  # a worker of a dead driver writes nothing
    start = time.perf_counter()
    res.write_batch(Path(out), key, tables, failed)
    timings["write"] = time.perf_counter() - start
    return BatchResult(key, counts, timings, failed.iloc[0:0])


# --------------------------------------------------------------------------- the driver


def _pending_batches(source, batch_size: int, done: dict[str, str], stats: dict) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(articles still to do, rejected) per input batch; articles already done are skipped."""
    for articles, rejected in iter_articles(source, batch_size=batch_size):
        stats["read"] += len(articles) + len(rejected)
        if done and len(articles):
            previous = articles["article_id"].map(done)
            same = previous.eq(articles["text_sha1"]).fillna(False).astype(bool)
            changed = previous.notna() & ~same
            if changed.any():
                extra = res.rejected_table(
                    _failure(articles.loc[[i]], f"article_id {aid!r} is already in the output with another text "
                                                f"(sha1 {old[:12]}...); write to a fresh out/ folder to reprocess it")
                    for i, aid, old in zip(articles.index[changed], articles.loc[changed, "article_id"], previous[changed])
                )
                rejected = pd.concat([rejected, extra], ignore_index=True) if len(rejected) else extra
            stats["skipped"] += int(same.sum())
            articles = articles.loc[~same & ~changed].reset_index(drop=True)
        yield articles, rejected


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


def _same_parameters(old: dict, new: dict) -> bool:
    def comparable(p: dict) -> dict:
        picked = {k: p.get(k) for k in COMPARED_PARAMETERS}
        picked["data_sha256"] = sorted((picked["data_sha256"] or {}).values())
        return picked

    return comparable(old) == comparable(new)


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


def _check_stop(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt("stop requested")


def run(
    source: str | Path | None,
    out: str | Path = RESULTS_DIR,
    engine: str = "local",
    workers: int | None = None,
    codebook=None,
    frame_set: str | Sequence[str] | None = None,
    *,
    stance: str | None = None,
    time_budget: float | None = SECONDS_PER_1000_WORDS,
    scheduler: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_in_flight: int | None = None,
    write_on: str | None = None,
    quiet: bool = False,
    dask_processes: bool = True,
    stop: threading.Event | None = None,
) -> RunSummary:
    """Process a corpus in batches on an engine and write its tables under ``out``.

    ``source``: anything :func:`analysis.corpus.load_articles` reads (None: the
    project's data folder). ``engine``: ``local`` | ``processes`` | ``dask``;
    ``workers``: processes or Dask workers (default: all cores; ``local``
    ignores it); ``scheduler``: address of an existing Dask scheduler
    (``tcp://host:port``), else a loopback ``LocalCluster`` is started.
    ``codebook``: actor codebook path or object (default ``data/actors.yaml``);
    ``frame_set``: a frame set name, a list of names, or ``"all"`` (default:
    every set of the lexicon, so a notebook can read any of them);
    ``stance``: the stance scorer (:data:`analysis.stages.STANCE_SCORERS`);
    ``time_budget``: seconds per 1,000 words an article may take (None: no budget).

    ``write_on``: ``"worker"`` (workers write their parts; ``out`` must be a
    folder every worker sees) or ``"driver"`` (tables travel back to the driver,
    which writes them; the default with ``scheduler``). ``max_in_flight``
    batches are submitted at once (default 2 x workers). ``stop``: once set
    (a signal handler does, see :mod:`analysis.run_command`), the run ends as
    interrupted at the next batch, even if the handler's own exception was
    swallowed where it landed (a finalizer, a weakref callback).

    Re-running over the same ``out`` skips the articles already there and
    completes an interrupted run. Returns a :class:`RunSummary`.
    """
    t0 = time.perf_counter()
    out = Path(out).expanduser()
    sets = None if frame_set is None else ((frame_set,) if isinstance(frame_set, str) else tuple(frame_set))
    params = RunParams(StageParams(codebook=codebook, frame_sets=sets, stance=stance), time_budget=time_budget)
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
        start_forkserver(DASK_PRELOAD if engine == "dask" else ())  # its imports run while this process does its own
    try:
        described = describe(params.stages)  # checks codebook, frame sets and stance scorer before any work
    except StageError as exc:
        raise PipelineError(str(exc)) from exc

    with writing_to(out, PipelineError):
        out.mkdir(parents=True, exist_ok=True)
    with hold_folder(out, PipelineError) as holder:  # one run per folder: a second one fails here, naming this one
        run_file = out / res.RUN_FILE
        previous = res.read_run_info(out) or None
        parameters = {**described, "batch_size": batch_size, "time_budget_s_per_1000_words": time_budget}
        try:
            res.check_format(out)
        except res.ResultsError as exc:
            raise PipelineError(str(exc)) from None
        if previous and res.read_manifests(out) and not _same_parameters(previous.get("parameters") or {}, parameters):
            old = {k: (previous.get("parameters") or {}).get(k) for k in COMPARED_PARAMETERS if k != "data_sha256"}
            raise PipelineError(
                f"{out} holds a run with other parameters or data files ({old} vs now "
                f"{ {k: parameters[k] for k in old} }); write to a fresh out/ folder, or delete it to start over"
            )
        corrupt = res.verify_batches(out)  # a part changed since it was written: its batch is done again
        for problem in corrupt:
            warnings.warn(problem, res.ResultsWarning, stacklevel=2)
        removed = res.clean_partial(out)
        done = res.done_articles(out)
        checksum = res.input_checksum(source_path)

        stats = {"read": 0, "skipped": 0}
        counts = {name: 0 for name in TABLES}
        counts.update(failed=0, read_rejected=0, batches=0, partial_files_removed=removed, corrupt_files=len(corrupt))
        stage_s = {stage: 0.0 for stage in TIMED}
        record = {
            "status": "running",
            "started": _now(),
            "pid": holder["pid"],
            "host": holder["host"],
            "engine": engine,
            "workers": None,
            "scheduler": scheduler,
            "write_on": write_on,
            "parameters": parameters,
            "versions": _versions(),
            "input": checksum,
            "resumed": bool(done),
            "corrupt_files": corrupt,
            "history": (previous or {}).get("history", []) + ([_history_entry(previous)] if previous else []),
        }
        res.write_json(run_file, record)

        progress = _progress(quiet)
        eng = None
        status = "failed"
        error = None
        try:
            try:
                eng = make_engine(engine, workers, scheduler, dask_processes)
            except EngineError as exc:
                raise PipelineError(str(exc)) from exc
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
                        res.write_batch(out, result.key, result.tables, result.failed)
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
                _check_stop(stop)
                start = time.perf_counter()
                item = next(batches, None)
                read_s += time.perf_counter() - start
                if item is None:
                    break
                articles, rejected = item
                if len(rejected):
                    counts["read_rejected"] += len(rejected)
                    res.write_table(res.part_path(out, res.REJECTED_PARTS, f"read-{res.frame_key(rejected)}"), rejected)
                    progress.update(len(rejected))
                progress.set_postfix(skipped=stats["skipped"], refresh=False)
                if not len(articles):
                    continue
                while len(pending) >= in_flight:
                    finished, pending = eng.wait(pending)
                    collect(finished)
                pending.add(eng.submit(process_batch, articles, params, target))
            while pending:
                _check_stop(stop)
                finished, pending = eng.wait(pending)
                collect(finished)
            _check_stop(stop)
            stage_s["read"] = read_s
            status = "complete"
        except BaseException as exc:
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            error = f"{type(exc).__name__}: {exc}"
            record["traceback"] = traceback.format_exc(limit=20)
            raise
        finally:
            progress.close()
            if eng is not None:
                with contextlib.suppress(Exception):
                    eng.close()
            closing_error = None
            try:
                rejected_n = res.consolidate_rejected(out, res.done_articles(out))
                on_disk = res.table_rows(out)
            except Exception as exc:  # run.json records how the run ended whatever happens here
                closing_error, rejected_n, on_disk = exc, None, None
                status, error = ("failed", error or f"{type(exc).__name__}: {exc}")
            wall = time.perf_counter() - t0
            counts.update(
                articles_read=stats["read"],
                articles_skipped=stats["skipped"],
                articles_processed=counts["articles"],
                rejected_total=rejected_n,
            )
            record.update(
                status=status,
                error=error,
                finished=_now(),
                counts=counts,
                totals_on_disk=on_disk,
                timings={"wall_s": round(wall, 3), **{f"{k}_s": round(v, 3) for k, v in stage_s.items()}},
            )
            res.write_json(run_file, record)
        if closing_error is not None:
            raise PipelineError(f"{out}: the run could not finish its folder: {closing_error}") from closing_error
        return RunSummary(out=out, status=status, counts=counts, timings=record["timings"])


def _history_entry(previous: dict) -> dict:
    """A past run as ``run.json``'s history records it; one left "running" was killed (its lock is free now)."""
    entry = {k: previous.get(k) for k in ("status", "started", "finished", "engine", "workers", "counts", "timings", "error")}
    if entry["status"] == "running":
        entry.update(status="interrupted", error=entry["error"] or "ended without recording its end (killed, or the machine stopped)")
    return entry
