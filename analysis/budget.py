"""A time budget for a block of Python code: past it, :class:`TimeBudgetExceeded` is raised inside the block.

A batch run gives each article a budget (:func:`article_budget`), so that one
pathological article (a quadratic case in a rule, a runaway regular
expression) is rejected with a reason instead of hanging its worker.

>>> import time
>>> try:
...     with time_limit(0.05):
...         while True:
...             time.sleep(0.001)
... except TimeBudgetExceeded as exc:
...     print("stopped:", exc)
stopped: over the time budget of 0.05 s

How: a watchdog timer thread raises the exception in the thread running the
block (``PyThreadState_SetAsyncExc``), so it works in any thread (Dask runs
tasks in worker threads, where ``signal.alarm`` cannot) and costs one timer
thread per block. Limits, plainly:

- The exception is raised between Python bytecodes: a single long call into C
  (one regular-expression search over a huge text, one NumPy operation) runs
  to its end first, so the budget can be overrun by that call's length.
- It is a ``BaseException``, so ``except Exception`` in library code does not
  swallow it; a bare ``except:`` that ignores errors would.
- CPython only (it uses ``ctypes.pythonapi``); elsewhere the budget is not
  enforced and a warning says so once.
"""

from __future__ import annotations

import ctypes
import threading
import warnings
from contextlib import contextmanager

SECONDS_PER_1000_WORDS = 5.0
"""Default budget: seconds an article may take per 1,000 words (at least this much), about 100x the usual cost."""


class TimeBudgetExceeded(BaseException):
    """Raised inside a :func:`time_limit` block that ran past its budget."""


def article_budget(word_count: int, seconds_per_1000_words: float = SECONDS_PER_1000_WORDS) -> float:
    """Seconds allowed for an article: ``seconds_per_1000_words`` per 1,000 words, at least ``seconds_per_1000_words``.

    >>> article_budget(600), article_budget(170_000)
    (5.0, 850.0)
    """
    return seconds_per_1000_words * max(1.0, word_count / 1000)


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


_WARNED: list[bool] = []


@contextmanager
def time_limit(seconds: float | None):
    """Run the block with a budget of ``seconds`` (None or 0: no budget); :class:`TimeBudgetExceeded` past it."""
    if not seconds or seconds <= 0:
        yield
        return
    if not hasattr(ctypes, "pythonapi"):  # pragma: no cover - not CPython
        if not _WARNED:
            warnings.warn("time budgets need CPython; running without them", RuntimeWarning, stacklevel=3)
            _WARNED.append(True)
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _raise_in(target, TimeBudgetExceeded)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except TimeBudgetExceeded:
        raise TimeBudgetExceeded(f"over the time budget of {seconds:g} s") from None
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            if state["fired"]:
                _raise_in(target, None)  # the block ended as the timer fired: drop the exception if still pending
