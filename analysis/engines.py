"""Engines that run batches: one process, a process pool, or Dask (a local cluster or an existing scheduler).

An engine has ``submit(fn, *args) -> future``, ``wait(futures) -> (done,
pending)``, ``close()`` and ``workers``; :func:`make_engine` picks one by name
(:data:`ENGINES`):

``local``
    one process, no pool (debugging, small corpora);
``processes``
    a :class:`concurrent.futures.ProcessPoolExecutor` over ``workers`` cores,
    forkserver start so each worker imports the package once (:data:`WORKER_PRELOAD`);
    each worker holds a *lifeline* to the driver (see below);
``dask``
    a :class:`dask.distributed.Client`: a loopback ``LocalCluster`` by default
    (its worker processes forked from the same warm forkserver, settings
    :data:`LOCAL_CLUSTER_CONFIG`), or an existing scheduler
    (``scheduler="tcp://host:port"``) whose workers have this package installed.

>>> engine = make_engine("local")
>>> engine.submit(sum, [1, 2]).result(), engine.workers
(3, 1)

When the driver dies (``kill -9``, the out-of-memory killer, a closed
terminal), its workers exit too, instead of working through the batches
already queued, writing them, and then waiting forever for more:

- ``processes``: the driver keeps the write end of a pipe whose read end every
  worker watches in a thread (:func:`watch_driver`); the operating system
  closes the driver's end when it dies, however it dies, and the worker then
  calls ``os._exit`` at once. A batch also checks the pipe before writing its
  parts (:func:`exit_if_orphaned`). Once the workers are gone, so are the
  forkserver and the resource tracker (they live while a worker holds their
  pipes). ``prctl(PR_SET_PDEATHSIG)`` would not do: the workers' parent is the
  forkserver, not the driver, and it is Linux-only; a pipe works on every system.
- ``dask`` with its own ``LocalCluster``: the scheduler and nannies live in the
  driver, and each worker process exits when its nanny's pipe closes
  (``distributed``'s own watch). A worker of an *existing* scheduler
  (``--scheduler``) finishes its current batch (and, with ``--write-on worker``,
  writes it) and stays up for the next client: that cluster is not the run's.

Limit: the watching thread needs the interpreter, so a worker inside one long
call into C (one regular-expression search over a huge text) exits when that
call returns; its batch's parts are then not written.
"""

from __future__ import annotations

import os
import threading
import uuid

ENGINES = ("local", "processes", "dask")
WORKER_PRELOAD = (
    "analysis.pipeline", "analysis.stages", "analysis.text", "analysis.quotes", "analysis.frames", "analysis.sentiment",
    "textblob", "vaderSentiment.vaderSentiment", "sklearn.feature_extraction.text", "sklearn.linear_model", "pyarrow.parquet",
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
"""Dask settings of the ``LocalCluster`` that :func:`make_engine` starts (never applied to an existing scheduler)."""


class EngineError(RuntimeError):
    """An engine that cannot start (unknown name, missing dask.distributed, --scheduler without dask)."""


class Engine:
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


class LocalEngine(Engine):
    def submit(self, fn, *args):
        return _Done(fn(*args))

    def wait(self, futures):
        return set(futures), set()


def start_forkserver(extra: tuple[str, ...] = ()):
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


ORPHANED_EXIT = 70
"""Exit status of a worker whose driver died."""
_lifeline = None


def watch_driver(lifeline) -> None:
    """In a worker (the pool's initializer): exit at once when the driver's end of ``lifeline`` closes.

    ``lifeline`` is the read end of a one-way pipe whose write end only the
    driver holds and never writes to; reading it returns only at end of file,
    when the driver has closed it or died.
    """
    global _lifeline
    _lifeline = lifeline
    threading.Thread(target=_exit_when_closed, args=(lifeline,), name="driver-lifeline", daemon=True).start()


def _exit_when_closed(lifeline) -> None:
    try:
        while True:
            lifeline.recv_bytes()
    except (EOFError, OSError):
        os._exit(ORPHANED_EXIT)  # no cleanup: nothing of a dead driver's run is to be written any more


def exit_if_orphaned() -> None:
    """End this worker now (``os._exit``) if its driver has died; nothing outside a ``processes`` worker."""
    if _lifeline is None:
        return
    try:
        gone = _lifeline.poll(0)  # readable only at end of file: the driver never writes
    except (EOFError, OSError):
        gone = True
    if gone:
        os._exit(ORPHANED_EXIT)


class ProcessEngine(Engine):
    name = "processes"

    def __init__(self, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        ctx = start_forkserver() or multiprocessing.get_context("spawn")
        watched, self._lifeline = ctx.Pipe(duplex=False)  # the driver keeps the write end; workers get the read end
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=watch_driver, initargs=(watched,))

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def wait(self, futures):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, pending = wait(futures, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._lifeline.close()


class DaskEngine(Engine):
    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None, processes: bool = True):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover
            raise EngineError("engine 'dask' needs dask.distributed: pip install 'dask[distributed]'") from exc
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            import logging

            import dask

            # workers forked from our warm forkserver instead of spawned fresh: seconds less per worker
            method = "forkserver" if processes and start_forkserver(DASK_PRELOAD) else dask.config.get("distributed.worker.multiprocessing-method")
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
        return self.client.submit(fn, *args, key=f"pipeline-batch-{uuid.uuid4().hex[:12]}-{self.token}", pure=False)

    def wait(self, futures):
        from distributed import wait

        result = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(result.done), set(result.not_done)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(engine: str, workers: int | None = None, scheduler: str | None = None, dask_processes: bool = True) -> Engine:
    """The engine called ``engine`` with ``workers`` (default: all cores); ``scheduler`` only for ``dask``."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise EngineError("--scheduler is for --engine dask")
    if engine == "local":
        return LocalEngine()
    if engine == "processes":
        return ProcessEngine(workers or os.cpu_count() or 1)
    return DaskEngine(workers, scheduler, dask_processes)
