"""The ``python -m analysis run`` command: its options, SIGTERM handling and the summary line.

The work is :func:`analysis.pipeline.run`; this module turns parsed options
into that call, an exit status (0 done, 2 an error naming its cause, 130
interrupted) and one summary line. SIGTERM (``kill``, a scheduler's time
limit) ends a run as Ctrl-C does: ``run.json`` records it ``interrupted``
and the same command resumes it. Should the interrupt land where Python
cannot raise it (a finalizer), the stop flag it also sets ends the run at its
next batch, with no traceback.

>>> import argparse
>>> args = add_run_arguments(argparse.ArgumentParser()).parse_args(["export.jsonl", "--engine", "processes"])
>>> (args.engine, args.batch_size)
('processes', 250)
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from analysis import results as res
from analysis.budget import SECONDS_PER_1000_WORDS
from analysis.engines import ENGINES
from analysis.paths import RESULTS_DIR
from analysis.pipeline import DEFAULT_BATCH_SIZE, PipelineError, run
from analysis.run_lock import FolderBusy
from analysis.stages import STANCE_SCORERS

RUN_HELP = "process a corpus in batches into Parquet tables under --out (resumable; local, processes or dask)"


def add_run_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``run`` options to a (sub)parser; :func:`run_from_args` runs the parsed result."""
    p.add_argument("source", help="data folder, .txt or .html file or folder, .warc(.gz) archive, or a CSV/TSV/JSONL/JSON/Parquet table")
    p.add_argument("--out", default=str(RESULTS_DIR), help="output folder (default: %(default)s)")
    p.add_argument("--engine", choices=ENGINES, default="local")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="articles per batch (default: %(default)s)")
    p.add_argument("--codebook", default=None, help="actor codebook YAML (default: data/actors.yaml)")
    p.add_argument("--frame-set", action="append", default=None, help="frame set to score (repeatable; default: every set)")
    p.add_argument("--stance", choices=sorted(STANCE_SCORERS), default=None, help="stance scorer for treatment (default: accurate, the fine-tuned transformer; "
                   "fast, the linear model, is ~10x quicker per mention for very large corpora)")
    p.add_argument("--time-budget", type=float, default=SECONDS_PER_1000_WORDS,
                   help="seconds an article may take per 1,000 words, at least this (default: %(default)s; 0: no budget)")
    p.add_argument("--write-on", choices=("worker", "driver"), default=None,
                   help="who writes the parts (default: worker; driver with --scheduler)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, one summary line")
    return p


def _interrupter(stop: threading.Event):
    """A SIGTERM handler: flag the run to stop (checked between batches) and interrupt what runs now."""
    def interrupt(signum, frame):
        stop.set()
        raise KeyboardInterrupt(f"signal {signum}")
    return interrupt


def _unraisable_hook(previous):
    """Let a KeyboardInterrupt that lands in a finalizer pass silently: the stop flag ends the run at the next batch."""
    def hook(unraisable):
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous(unraisable)
    return hook


def run_from_args(args: argparse.Namespace) -> int:
    """Run the pipeline from parsed :func:`add_run_arguments` options; print a summary; exit status.

    SIGTERM ends the run as Ctrl-C does (see the module's docstring).
    """
    previous_handler = None
    stop = threading.Event()
    with contextlib.suppress(ValueError):  # only the main thread can set a handler
        previous_handler = signal.signal(signal.SIGTERM, _interrupter(stop))
    previous_unraisable, sys.unraisablehook = sys.unraisablehook, _unraisable_hook(sys.unraisablehook)
    try:
        summary = run(
            args.source,
            out=args.out,
            engine=args.engine,
            workers=args.workers,
            codebook=args.codebook,
            frame_set=args.frame_set,
            stance=args.stance,
            time_budget=args.time_budget or None,
            scheduler=args.scheduler,
            batch_size=args.batch_size,
            write_on=args.write_on,
            quiet=args.quiet,
            stop=stop,
        )
    except (PipelineError, FolderBusy, res.ResultsError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: {args.out} keeps the batches finished; run the same command again to resume", file=sys.stderr)
        return 130
    finally:
        sys.unraisablehook = previous_unraisable
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    c = summary.counts
    print(
        f"{summary.status}: {c['articles_processed']} articles processed, {c['articles_skipped']} skipped (already done), "
        f"{c['rejected_total']} rejected; {c['sentences']} sentences, {c['quotes']} quotes "
        f"in {summary.timings['wall_s']:.1f} s ({summary.articles_per_second:.0f} articles/s) -> {summary.out}"
    )
    return 0
