"""The notebooks' table cache: a corpus's tables built once, kept as a results folder under ``.cache/tables/``.

:func:`analysis.tables.load_tables` on a corpus calls :func:`cached_run`: the
first notebook of a report runs the pipeline (engine ``local``) into
``.cache/tables/<key>/`` and every later notebook reads that folder. The key
is a SHA-256 of everything the tables depend on:

- the corpus: every file under its folder (or the one file), by content;
- the stage parameters and the SHA-256 of every data file the stages read
  (codebook, frame lexicon, attribution verbs, quote rules, stance training
  data: :func:`analysis.stages.describe`);
- the package: its version and the bytes of every ``analysis/*.py``.

Change any of them and the next call builds anew. An entry whose parts no
longer match their checksums (a disk or copy error, a file edited or
truncated) is built anew too, with a :class:`~analysis.results.ResultsWarning`
naming each bad file. Entries are written to a
temporary folder and renamed into place, so a reader never sees half an
entry; notebooks started together build an entry once (the others wait on a
lock file, then read); the :data:`KEEP` most recently used entries are kept.

>>> folder = cached_run(None, StageParams())     # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import analysis
from analysis.paths import DATA_DIR, PROJECT_ROOT
from analysis.results import RUN_FILE, ResultsError, ResultsWarning, check_format, find_corrupt, input_checksum, read_run_info
from analysis.stages import StageParams, describe

CACHE_DIR = Path(os.environ.get("ANALYSIS_TABLE_CACHE", PROJECT_ROOT / ".cache" / "tables"))
"""Where entries live (``ANALYSIS_TABLE_CACHE`` overrides it)."""
KEEP = 8
"""Entries kept; older ones (by last use) are removed when a new one is written."""


def package_fingerprint() -> str:
    """SHA-256 of the package version and every module's source: any code change makes new tables."""
    digest = hashlib.sha256(analysis.__version__.encode())
    for path in sorted(Path(analysis.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(corpus: str | Path | None, params: StageParams) -> str:
    """The entry name for a corpus and parameters (see the module docstring for what it covers)."""
    source = Path(corpus).expanduser() if corpus is not None else DATA_DIR
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such file or folder")
    parts = {"corpus": input_checksum(source)["sha256"], "parameters": describe(params), "package": package_fingerprint()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def cached_run(corpus: str | Path | None, params: StageParams, *, cache_dir: Path | None = None) -> Path:
    """The results folder holding ``corpus``'s tables for ``params``, built now if no entry matches."""
    root = Path(cache_dir or CACHE_DIR)
    entry = root / cache_key(corpus, params)
    if _is_sound(entry):
        os.utime(entry)  # last use, for eviction
        return entry
    root.mkdir(parents=True, exist_ok=True)
    with _building(root / f".{entry.name}.lock"):  # notebooks started together build once: the others wait here
        if _is_sound(entry, warn=True):
            return entry
        shutil.rmtree(entry, ignore_errors=True)
        _build(corpus, params, root, entry)
    _evict(root)
    return entry


def _is_sound(entry: Path, warn: bool = False) -> bool:
    """Whether ``entry`` is a complete build whose parts match their checksums (``warn``: name each bad file)."""
    try:
        if read_run_info(entry).get("status") != "complete":
            return False
        check_format(entry)
    except (OSError, ValueError, ResultsError):  # an unreadable run.json, parts without checksums: build anew
        return False
    corrupt = find_corrupt(entry)
    if warn:
        for problem in (p for problems in corrupt.values() for p in problems):
            warnings.warn(f"{problem}: the table cache builds this entry anew", ResultsWarning, stacklevel=3)
    return not corrupt


@contextmanager
def _building(lock: Path):
    """An exclusive lock on ``lock`` across processes (POSIX ``flock``; no lock where there is none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(corpus: str | Path | None, params: StageParams, root: Path, entry: Path) -> None:
    from analysis.pipeline import run

    tmp = root / f".building-{entry.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        summary = run(corpus, out=tmp, engine="local", codebook=params.codebook, frame_set=params.frame_sets,
                      stance=params.stance, quiet=True)
        if summary.status != "complete":
            raise RuntimeError(f"building the tables of {corpus} failed; see {tmp / RUN_FILE}")
        try:
            os.rename(tmp, entry)
        except OSError:  # another process finished the same entry first (no lock here): use theirs
            if read_run_info(entry).get("status") != "complete":
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _evict(root: Path) -> None:
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
        (root / f".{old.name}.lock").unlink(missing_ok=True)
