"""Runs survive their faults (issue 15, items 5-7): concurrent runs, a killed driver, corrupt parts."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis import pipeline, results, stages
from analysis.paths import PROJECT_ROOT
from analysis.run_lock import FolderBusy
from analysis.tables import TABLES
from synthetic_corpus import make_records, write_jsonl

ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _clean_tables(source: Path, out: Path) -> dict[str, pd.DataFrame]:
    """The tables of one undisturbed run."""
    pipeline.run(source, out=out, batch_size=10, quiet=True)
    return results.read_results(out)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "export.jsonl", make_records(22))


@pytest.fixture(scope="module")
def clean_run(corpus, tmp_path_factory) -> dict[str, pd.DataFrame]:
    return _clean_tables(corpus, tmp_path_factory.mktemp("clean"))


def assert_same_tables(left: dict, right: dict) -> None:
    """Same rows and values in every table, whatever the row order (sorted by each table's key)."""
    for name in TABLES:
        keys = list(results.TABLE_KEYS[name])
        a = left[name].sort_values(keys).reset_index(drop=True)
        b = right[name].sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)


def _with_stage(name, wrap):
    return tuple((n, wrap(fn) if n == name else fn) for n, fn in stages.STAGES)


# --- 5. two runs into one --out -------------------------------------------------------------


def test_a_second_run_into_a_busy_folder_fails_at_once_naming_the_first(corpus, clean_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    working, release = threading.Event(), threading.Event()

    def held(real):  # the first run stops inside its first batch until the test lets it go
        def stage(tables, ctx):
            if "warm-up" not in set(tables["articles"]["article_id"]):
                working.set()
                release.wait(300)
            return real(tables, ctx)
        return stage

    monkeypatch.setattr(stages, "STAGES", _with_stage("tone", held))
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(summary=pipeline.run(corpus, out=out, batch_size=5, quiet=True,
                                                                                time_budget=None)))
    thread.start()
    try:
        assert working.wait(300), "the first run never started its first batch"
        with pytest.raises(FolderBusy) as busy:
            pipeline.run(corpus, out=out, batch_size=7, quiet=True)
        assert str(out) in str(busy.value) and f"pid {os.getpid()} on " in str(busy.value)
        cmd = [sys.executable, "-m", "analysis", "run", str(corpus), "--out", str(out), "--batch-size", "7", "--quiet"]
        done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"error: {out} is in use by another run (pid {os.getpid()} on " in done.stderr
    finally:
        release.set()
        thread.join(300)
    assert first["summary"].status == "complete" and first["summary"].counts["articles_processed"] == 24
    assert_same_tables(results.read_results(out), clean_run)
    # the lock went with the run: the next run resumes (nothing left to do)
    monkeypatch.undo()
    assert pipeline.run(corpus, out=out, batch_size=7, quiet=True).counts["articles_skipped"] == 24


def test_reading_a_folder_two_runs_wrote_refuses_the_duplicates_naming_them(corpus, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    pipeline.run(corpus, out=a, batch_size=5, quiet=True)
    pipeline.run(corpus, out=b, batch_size=7, quiet=True)

    def part_holding(folder: Path, article_id: str) -> str:
        for part in sorted((folder / "articles").glob("part-*.parquet")):
            if article_id in set(pd.read_parquet(part)["article_id"]):
                return f"articles/{part.name}"
        raise AssertionError(article_id)

    first, second = sorted([part_holding(a, "art-000"), part_holding(b, "art-000")])
    for folder in (p for p in b.iterdir() if p.is_dir()):  # what two unlocked runs left in one folder
        for part in folder.iterdir():
            shutil.copy(part, a / folder.name / part.name)

    with pytest.raises(results.ResultsError) as refused:
        results.read_results(a)
    message = str(refused.value)
    assert message.startswith(f"{a}: table 'articles' has 24 duplicated keys ['article_id']: ")
    assert f"{{'article_id': 'art-000'}} in {first}, {second};" in message and "(and 19 more)" in message
    with pytest.raises(results.ResultsError, match=r"table 'quotes' has \d+ duplicated keys \['article_id', 'quote_id'\]"):
        results.read_results(a, tables=["quotes"])


# --- 6. a killed driver leaves no worker behind; the resumed run equals a clean one ---------


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    """Enough articles (50) that a run killed after three batches of five has most of its work left."""
    return write_jsonl(tmp_path_factory.mktemp("big") / "export.jsonl", make_records(48))


@pytest.fixture(scope="module")
def big_clean_run(big_corpus, tmp_path_factory) -> dict[str, pd.DataFrame]:
    return _clean_tables(big_corpus, tmp_path_factory.mktemp("big-clean"))


def _kill_driver_mid_run(source: Path, out: Path, engine: str) -> list:
    """Start ``analysis run`` with ``engine``, SIGKILL it once it has finished three batches; its processes then."""
    import signal
    import time

    import psutil

    cmd = [sys.executable, "-m", "analysis", "run", str(source), "--out", str(out), "--engine", engine, "--workers", "2",
           "--batch-size", "5", "--quiet"]
    driver = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300  # worker start-up on a busy machine
        while len(list((out / results.BATCHES).glob("*.json"))) < 3:  # a batch's manifest is written last
            assert driver.poll() is None, f"the run ended before it was killed: {driver.stderr.read().decode()}"
            assert time.monotonic() < deadline, "the run wrote no batch in 300 s"
            time.sleep(0.05)
        descendants = psutil.Process(driver.pid).children(recursive=True)
        os.kill(driver.pid, signal.SIGKILL)
    finally:
        if driver.poll() is None:
            driver.kill()
        driver.wait(60)
        driver.stderr.close()
    return descendants


def _survivors(processes: list, wait_s: float = 60.0) -> list:
    """The processes still running (zombies count as ended) after up to ``wait_s`` seconds."""
    import time

    import psutil

    def running(p) -> bool:
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.monotonic() + wait_s
    alive = [p for p in processes if running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if running(p)]
    return alive


@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_killing_the_driver_leaves_no_worker_and_the_resumed_run_equals_a_clean_one(big_corpus, big_clean_run, tmp_path, engine):
    out = tmp_path / "out"
    descendants = _kill_driver_mid_run(big_corpus, out, engine)
    assert len(descendants) >= 3, descendants  # the workers (and the forkserver they are forked from) were running
    survivors = [(p.pid, " ".join(p.cmdline())[:100]) for p in _survivors(descendants)]
    for p in _survivors(descendants, 0):  # do not leave them to the next test
        p.kill()
    assert not survivors, f"outlived the driver: {survivors}"

    # the same command again finishes the run; its tables equal a clean run's
    cmd = [sys.executable, "-m", "analysis", "run", str(big_corpus), "--out", str(out), "--engine", "processes",
           "--workers", "2", "--batch-size", "5", "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "complete: " in done.stdout and " 0 articles processed" not in done.stdout  # it was killed mid-run
    assert_same_tables(results.read_results(out), big_clean_run)
    history = results.read_run_info(out)["history"]  # the killed run could not record its end: the next one does
    assert [h["status"] for h in history] == ["interrupted"] and "killed" in history[0]["error"]


# --- 7. a damaged part is named, and redone when the run resumes ----------------------------


@pytest.fixture(scope="module")
def finished_run(corpus, tmp_path_factory) -> Path:
    """A complete run in batches of five, copied by each test that damages it."""
    out = tmp_path_factory.mktemp("finished") / "out"
    pipeline.run(corpus, out=out, batch_size=5, quiet=True)
    return out


def _quotes_part(out: Path) -> Path:
    """The last quotes part (by name) that holds rows."""
    return [p for p in sorted((out / "quotes").glob("part-*.parquet")) if len(pd.read_parquet(p))][-1]


def _flip_bytes(out: Path) -> Path:
    part = _quotes_part(out)
    data = bytearray(part.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 16] = bytes(b ^ 0xFF for b in data[middle:middle + 16])
    part.write_bytes(bytes(data))
    return part


def _truncate(out: Path) -> Path:
    part = _quotes_part(out)
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    return part


def _delete(out: Path) -> Path:
    part = _quotes_part(out)
    part.unlink()
    return part


def _garble_manifest(out: Path) -> Path:
    manifest = sorted((out / results.BATCHES).glob("*.json"))[1]
    manifest.write_text(manifest.read_text()[:40])
    return manifest


@pytest.mark.parametrize("damage", [_flip_bytes, _truncate, _delete, _garble_manifest],
                         ids=["flipped-bytes", "truncated", "deleted", "garbled-manifest"])
def test_a_damaged_part_is_named_by_read_results_and_its_batch_redone_on_resume(corpus, finished_run, clean_run, tmp_path, damage):
    out = tmp_path / "out"
    shutil.copytree(finished_run, out)
    damaged = damage(out)
    with pytest.raises(results.ResultsError, match=re.escape(str(damaged))) as refused:
        results.read_results(out)
    assert "run the same `analysis run` command again" in str(refused.value)

    key = damaged.stem.removeprefix("part-")
    batch_n = json.loads(results.manifest_path(finished_run, key).read_text())["articles_n"]
    with pytest.warns(results.ResultsWarning, match=re.escape(str(damaged)) + r".*: its batch \(.*\) is done again"):
        summary = pipeline.run(corpus, out=out, batch_size=5, quiet=True)
    assert summary.status == "complete"
    assert (summary.counts["articles_processed"], summary.counts["articles_skipped"]) == (batch_n, 24 - batch_n)  # that batch only
    info = results.read_run_info(out)
    assert info["status"] == "complete" and info["counts"]["corrupt_files"] == 1
    assert [p.split(": ")[0] for p in info["corrupt_files"]] == [str(damaged)]
    assert_same_tables(results.read_results(out), clean_run)
    assert results.find_corrupt(out) == {}


def test_a_damaged_table_cache_entry_is_built_again_naming_the_file(corpus, clean_run, tmp_path):
    from analysis.table_cache import cached_run

    entry = cached_run(corpus, stages.StageParams(), cache_dir=tmp_path)
    assert_same_tables(results.read_results(entry), clean_run)
    damaged = _truncate(entry)
    with pytest.warns(results.ResultsWarning, match=re.escape(str(damaged)) + ".*the table cache builds this entry anew"):
        again = cached_run(corpus, stages.StageParams(), cache_dir=tmp_path)
    assert again == entry and results.find_corrupt(entry) == {}
    assert_same_tables(results.read_results(entry), clean_run)


def test_sigterm_ends_a_run_as_interrupted_and_the_same_command_resumes_it(big_corpus, big_clean_run, tmp_path):
    import time

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "analysis", "run", str(big_corpus), "--out", str(out), "--batch-size", "5", "--quiet"]
    driver = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while len(list((out / results.BATCHES).glob("*.json"))) < 2:
            assert driver.poll() is None, f"the run ended before it was stopped: {driver.stderr.read()}"
            assert time.monotonic() < deadline, "the run wrote no batch in 300 s"
            time.sleep(0.05)
        driver.send_signal(signal.SIGTERM)
        _, stderr = driver.communicate(timeout=120)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait(60)
    assert driver.returncode == 130 and "Traceback" not in stderr, stderr
    assert f"interrupted: {out} keeps the batches finished; run the same command again to resume" in stderr
    info = results.read_run_info(out)
    assert info["status"] == "interrupted" and info["error"].startswith("KeyboardInterrupt: signal 15"), info["error"]

    summary = pipeline.run(big_corpus, out=out, batch_size=5, quiet=True)
    assert summary.status == "complete" and summary.counts["articles_skipped"] >= 10
    assert results.read_run_info(out)["history"][-1]["status"] == "interrupted"
    assert_same_tables(results.read_results(out), big_clean_run)


def test_a_set_stop_flag_ends_the_run_as_interrupted_before_its_next_batch(big_corpus, tmp_path):
    """What SIGTERM's handler leaves behind when its KeyboardInterrupt is swallowed in a finalizer: the flag alone stops the run."""
    out = tmp_path / "out"
    stop = threading.Event()
    stop.set()
    with pytest.raises(KeyboardInterrupt, match="stop requested"):
        pipeline.run(big_corpus, out=out, batch_size=5, quiet=True, stop=stop)
    assert results.read_run_info(out)["status"] == "interrupted"
    assert not list((out / results.BATCHES).glob("*.json"))


def test_a_keyboard_interrupt_swallowed_by_a_finalizer_prints_nothing():
    from analysis.run_command import _unraisable_hook

    seen = []
    hook = _unraisable_hook(seen.append)
    hook(type("Unraisable", (), {"exc_value": KeyboardInterrupt("signal 15")})())
    hook(type("Unraisable", (), {"exc_value": ValueError("other")})())
    assert [type(u.exc_value) for u in seen] == [ValueError]
