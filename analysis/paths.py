"""Every path the workbench uses, derived from one project root.

The root is found from this package's location, never from the working
directory, so notebooks, tests and the command line agree wherever they run.
Set ``ANALYSIS_PROJECT_ROOT`` to point an installed copy at another checkout.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("ANALYSIS_PROJECT_ROOT", Path(__file__).resolve().parents[1]))
DATA_DIR = PROJECT_ROOT / "data"
ARTICLES_MANIFEST = DATA_DIR / "articles.csv"
REPORTS_DIR = PROJECT_ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"
TABLES_DIR = REPORTS_DIR / "tables"
RESULTS_DIR = PROJECT_ROOT / "results"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
"""Trained model files ship with the code: found beside this package even when ``ANALYSIS_PROJECT_ROOT`` points elsewhere."""
STORAGE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""OSError numbers that mean "cannot write here": permissions, read-only file system, no space, file too large."""


@contextlib.contextmanager
def writing_to(path: Path | str, error: type[Exception], *, only_storage: bool = False) -> Iterator[None]:
    """Raise ``error`` naming ``path`` for an OSError while writing it (read-only folder, full disk, a file in the way).

    ``only_storage``: convert only permission and space errors (for a block
    that does more than write, e.g. runs a notebook).

    >>> import tempfile
    >>> in_the_way = Path(tempfile.mkdtemp()) / "a-file"
    >>> _ = in_the_way.write_text("x")
    >>> with writing_to(in_the_way / "out", RuntimeError):   # doctest: +ELLIPSIS
    ...     (in_the_way / "out").mkdir()
    Traceback (most recent call last):
    RuntimeError: cannot write .../a-file/out: Not a directory; is the folder writable, with space left?
    """
    try:
        yield
    except OSError as exc:
        if only_storage and exc.errno not in STORAGE_ERRNOS:
            raise
        raise error(f"cannot write {path}: {exc.strerror or exc}; is the folder writable, with space left?") from exc
