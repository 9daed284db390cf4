"""One run at a time per results folder: an exclusive lock on ``out/``, and who holds it.

Two runs writing into one ``--out`` would each process the articles the other
has not finished yet, and both would report "complete" with those articles
twice in every table. :func:`hold_folder` takes an exclusive lock on
``out/.run.lock`` (filelock: ``flock`` on POSIX, ``LockFileEx`` on Windows)
for the whole run and records the holder (pid, host, start time, command) in
``out/.run.lock.json``; a second run fails at once with :class:`FolderBusy`
naming the folder and that holder.

The operating system drops the lock when the holding process ends, however it
ends (``kill -9`` included), so a crashed run never leaves a stale lock; the
holder file it leaves behind is only read to describe a live holder.

Limits: the lock is advisory (only runs of this package take it) and works
between processes on one machine, or on a network filesystem whose locks
reach every client (NFSv4 does; some older NFS and SMB setups do not, and
there two machines can write one folder at the same time).

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> with hold_folder(folder):
...     try:
...         with hold_folder(folder):
...             pass
...     except FolderBusy as exc:
...         print("refused:", "in use by another run" in str(exc))
refused: True
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path

LOCK_FILE = ".run.lock"
HOLDER_FILE = ".run.lock.json"


class FolderBusy(RuntimeError):
    """Another run holds the results folder's lock (the message names the folder and that run)."""


def describe_holder(folder: str | Path) -> str:
    """Who holds (or last held) ``folder``'s lock, in words: pid, host, start time and command."""
    try:
        holder = json.loads((Path(folder) / HOLDER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "a run whose pid is not recorded"
    return (f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}: "
            f"{holder.get('command') or '?'}")


@contextmanager
def hold_folder(folder: str | Path, error: type[Exception] = RuntimeError) -> Iterator[dict]:
    """Hold ``folder``'s run lock for the block (the folder must exist); :class:`FolderBusy` at once if taken.

    A lock file that cannot be created (a read-only folder) raises ``error``
    naming it. Yields the holder record written to ``.run.lock.json`` (pid,
    host, started, command).
    """
    from filelock import FileLock, Timeout

    from analysis.paths import writing_to

    folder = Path(folder)
    lock = FileLock(str(folder / LOCK_FILE), timeout=0)
    busy = False
    with writing_to(folder / LOCK_FILE, error):
        try:
            lock.acquire()
        except Timeout:  # an OSError (TimeoutError): caught before writing_to takes it for an unwritable folder
            busy = True
    if busy:
        raise FolderBusy(
            f"{folder} is in use by another run ({describe_holder(folder)}); wait for it to finish or stop it, "
            "or write to another --out folder: two runs into one folder would process the same articles twice"
        ) from None
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else None,
    }
    try:
        tmp = folder / f".{HOLDER_FILE}.{os.getpid()}.tmp"
        with suppress(OSError):  # a description only: a run that cannot write it still holds the lock
            tmp.write_text(json.dumps(holder) + "\n", encoding="utf-8")
            os.replace(tmp, folder / HOLDER_FILE)
        yield holder
    finally:
        lock.release()
