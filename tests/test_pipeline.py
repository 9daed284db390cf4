"""Batch pipeline: engines agree, runs resume after a crash, bad input is logged, the CLI works."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import engines, pipeline, results, stages
from analysis.corpus import load_articles
from analysis.paths import PROJECT_ROOT
from analysis.tables import TABLES
from conftest import ARTICLE_B
from synthetic_corpus import make_records, write_jsonl


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "export.jsonl", make_records(22))


KEYS = {
    "articles": ["article_id"],
    "paragraphs": ["article_id", "paragraph_id"],
    "sentences": ["article_id", "sentence_id"],
    "quotes": ["article_id", "quote_id"],
    "mentions": ["article_id", "start"],
    "treatment": ["article_id", "start"],
    "frames": ["article_id", "sentence_id", "frame_set", "frame"],
}


@pytest.fixture(scope="module")
def reference(corpus) -> dict[str, pd.DataFrame]:
    """The tables computed in memory by the stage graph, without the pipeline."""
    return stages.run_stages(load_articles(corpus))


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    pipeline.run(corpus, out=out, engine="local", batch_size=5, quiet=True)
    return out


def assert_tables_equal(left: dict, right: dict, names=TABLES) -> None:
    for name in names:
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True, obj=name)


def parts(out: Path, table: str) -> set[str]:
    return {p.name for p in (out / table).glob("part-*.parquet")}


def test_read_results_round_trip_matches_in_memory(local_run, reference):
    tables = results.read_results(local_run)
    assert set(tables) == set(TABLES) | {"rejected"}
    assert_tables_equal(tables, reference)
    assert len(tables["articles"]) == 24 and len(tables["quotes"]) > 20 and len(tables["treatment"]) > 10
    # every sentence is scored for every frame of every set (the run's default: all sets)
    per_sentence = tables["frames"].groupby(["article_id", "sentence_id"]).size()
    assert len(per_sentence) == len(tables["sentences"]) and per_sentence.nunique() == 1
    assert tables["frames"]["frame_set"].nunique() >= 3
    for name in TABLES:  # no duplicate keys
        assert not tables[name].duplicated(KEYS[name]).any(), name
    # several batches were written as separate parts, each marked done by its articles part
    assert len(parts(local_run, "articles")) == 5
    for name in TABLES:
        assert parts(local_run, name) == parts(local_run, "articles")


def test_ids_do_not_depend_on_batching(corpus, local_run, tmp_path):
    pipeline.run(corpus, out=tmp_path, engine="local", batch_size=7, quiet=True)
    assert_tables_equal(results.read_results(tmp_path), results.read_results(local_run))


def test_engines_produce_identical_tables(corpus, local_run, tmp_path):
    expected = results.read_results(local_run)
    summary = pipeline.run(corpus, out=tmp_path / "proc", engine="processes", workers=2, batch_size=5, quiet=True)
    assert summary.status == "complete" and summary.counts["articles_processed"] == 24
    assert_tables_equal(results.read_results(tmp_path / "proc"), expected)
    # dask: a real LocalCluster talking TCP on loopback, two workers (threads here, to keep the test quick;
    # the benchmark runs it with worker processes)
    summary = pipeline.run(corpus, out=tmp_path / "dask", engine="dask", workers=2, batch_size=5, quiet=True, dask_processes=False)
    assert summary.status == "complete"
    assert_tables_equal(results.read_results(tmp_path / "dask"), expected)
    run_info = json.loads((tmp_path / "dask" / "run.json").read_text())
    assert run_info["engine"] == "dask" and run_info["workers"] == 2
    # the driver can also do the writing (the default with an external scheduler)
    pipeline.run(corpus, out=tmp_path / "drv", engine="local", batch_size=5, write_on="driver", quiet=True)
    assert_tables_equal(results.read_results(tmp_path / "drv"), expected)



def test_an_existing_dask_scheduler_gets_the_batches_and_the_driver_writes(corpus, local_run, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        summary = pipeline.run(corpus, out=tmp_path, engine="dask", scheduler=cluster.scheduler_address, batch_size=5, quiet=True)
        assert len(cluster.scheduler.workers) == 2  # the run left the user's cluster up
    assert summary.status == "complete"
    assert_tables_equal(results.read_results(tmp_path), results.read_results(local_run))
    run_info = json.loads((tmp_path / "run.json").read_text())
    assert (run_info["scheduler"], run_info["workers"], run_info["write_on"]) == (cluster.scheduler_address, 2, "driver")


def test_dask_worker_processes_run_quiet_and_give_the_same_tables(corpus, reference):
    import dask
    import distributed  # noqa: F401  (loads its settings' defaults)

    for key in engines.LOCAL_CLUSTER_CONFIG:
        dask.config.get(key)  # raises KeyError if this distributed version renamed the setting
    engine = engines.DaskEngine(workers=1, scheduler=None)
    try:
        seen = engine.client.run(lambda: {key: dask.config.get(key) for key in engines.LOCAL_CLUSTER_CONFIG})
        assert list(seen.values()) == [engines.LOCAL_CLUSTER_CONFIG]
        pids = engine.client.run(os.getpid)
        assert os.getpid() not in pids.values()  # a worker process, not a thread of this one
        articles = load_articles(corpus)
        result = engine.client.submit(pipeline.process_batch, articles, pipeline.RunParams(), None).result()
    finally:
        engine.close()
    assert_tables_equal(result.tables, reference)

def test_run_json_records_versions_parameters_counts_and_checksum(corpus, local_run):
    info = json.loads((local_run / "run.json").read_text())
    assert info["status"] == "complete"
    assert info["input"]["files"][0]["sha256"] == hashlib.sha256(corpus.read_bytes()).hexdigest()
    assert info["versions"]["pandas"] == pd.__version__ and "pyarrow" in info["versions"]
    assert info["parameters"]["batch_size"] == 5 and info["parameters"]["frame_sets"]
    assert info["counts"]["articles_processed"] == 24 and info["counts"]["batches"] == 5
    assert info["totals_on_disk"]["quotes"] == info["counts"]["quotes"] > 0
    assert {"segmentation_s", "quotes_s", "tone_s", "mentions_s", "treatment_s", "frames_s", "write_s", "read_s", "wall_s"} <= set(info["timings"])
    assert info["parameters"]["stance"] == stages.DEFAULT_STANCE and info["parameters"]["codebook_sha256"]
    assert any(path.endswith("frames.yaml") for path in info["parameters"]["data_sha256"])


class SimulatedCrash(BaseException):
    """Stands for a killed process: not an Exception, so no per-article guard catches it."""


def test_resume_after_crash_mid_batch(corpus, local_run, tmp_path, monkeypatch):
    real_write = results.write_table
    written = []

    def crashing_write(path, frame):
        table = Path(path).parent.name
        written.append(table)
        if written.count("articles") == 1 and table == "quotes":  # second batch: after its sentences, before its marker
            raise SimulatedCrash("power cut")
        return real_write(path, frame)

    monkeypatch.setattr(results, "write_table", crashing_write)
    with pytest.raises(SimulatedCrash):
        pipeline.run(corpus, out=tmp_path, engine="local", batch_size=5, quiet=True)
    assert len(parts(tmp_path, "articles")) == 1
    assert len(parts(tmp_path, "sentences")) == 2  # the dead batch's paragraphs and sentences parts are orphans
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "failed"

    monkeypatch.setattr(results, "write_table", real_write)
    summary = pipeline.run(corpus, out=tmp_path, engine="local", batch_size=5, quiet=True)
    assert summary.counts["articles_skipped"] == 5
    assert summary.counts["articles_processed"] == 19
    assert summary.counts["partial_files_removed"] == 2
    tables = results.read_results(tmp_path)
    assert_tables_equal(tables, results.read_results(local_run))
    for name in TABLES:
        assert parts(tmp_path, name) == parts(tmp_path, "articles"), name
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["resumed"] and info["history"][0]["status"] == "failed"

    # a third run has nothing left to do
    again = pipeline.run(corpus, out=tmp_path, engine="local", batch_size=5, quiet=True)
    assert again.counts["articles_processed"] == 0 and again.counts["articles_skipped"] == 24


def _with_stage(name, wrap):
    """stages.STAGES with the stage called ``name`` replaced by ``wrap(real_stage)``."""
    return tuple((n, wrap(fn) if n == name else fn) for n, fn in stages.STAGES)


def test_resume_after_a_stage_is_interrupted(corpus, local_run, tmp_path, monkeypatch):
    calls = []

    def interrupted(real):
        def stage(tables, ctx):
            if "warm-up" not in set(tables["articles"]["article_id"]):
                calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(tables, ctx)
        return stage

    real_stages = stages.STAGES
    monkeypatch.setattr(stages, "STAGES", _with_stage("tone", interrupted))
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(corpus, out=tmp_path, engine="local", batch_size=5, quiet=True)
    monkeypatch.setattr(stages, "STAGES", real_stages)
    summary = pipeline.run(corpus, out=tmp_path, engine="local", batch_size=5, quiet=True)
    assert summary.counts["articles_skipped"] == 5
    assert_tables_equal(results.read_results(tmp_path), results.read_results(local_run))


def test_bad_inputs_are_rejected_with_reasons(tmp_path):
    records = make_records(4)
    records += [
        {"id": "empty", "source": "X", "body": "   "},
        {"id": "binary", "source": "X", "body": "PK\x03\x04\x00\x00\x14\x00" * 50},
        {"id": "huge", "source": "X", "body": "word " * 1_100_000},
        {"id": "dup", "source": "X", "body": records[0]["body"]},
    ]
    source = write_jsonl(tmp_path / "bad.jsonl", records)
    summary = pipeline.run(source, out=tmp_path / "out", quiet=True)
    assert summary.status == "complete" and summary.counts["articles_processed"] == 6
    rejected = pd.read_parquet(tmp_path / "out" / "rejected.parquet")
    reasons = dict(zip(rejected["article_id"], rejected["reason"]))
    assert set(reasons) == {"empty", "binary", "huge", "dup"}
    assert reasons["empty"] == "empty text"
    assert "binary" in reasons["binary"]
    assert "over the 5 MB limit" in reasons["huge"]
    assert "duplicate text" in reasons["dup"]
    assert results.read_results(tmp_path / "out")["rejected"]["article_id"].tolist() == ["empty", "binary", "huge", "dup"]  # input order


def test_undecodable_and_empty_files_in_a_folder(write_files, tmp_path):
    folder = write_files({"good.txt": ARTICLE_B, "empty.txt": "", "blob.txt": b"\x00\x01\x02binary\x00" * 100})
    pipeline.run(folder, out=tmp_path / "out", quiet=True)
    rejected = pd.read_parquet(tmp_path / "out" / "rejected.parquet")
    assert dict(zip(rejected["source_file"], rejected["reason"])) == {"blob.txt": "binary file, not text", "empty.txt": "empty file"}
    assert results.read_results(tmp_path / "out")["articles"]["article_id"].tolist() == ["good"]


def test_an_article_whose_processing_raises_is_rejected_not_fatal(corpus, tmp_path, monkeypatch):
    def flaky(real):
        def stage(tables, ctx):
            if "art-007" in set(tables["articles"]["article_id"]):
                raise ValueError("quote finder choked on art-007")
            return real(tables, ctx)
        return stage

    real_stages = stages.STAGES
    monkeypatch.setattr(stages, "STAGES", _with_stage("quotes", flaky))
    summary = pipeline.run(corpus, out=tmp_path, batch_size=5, quiet=True)
    assert summary.status == "complete" and summary.counts["failed"] == 1
    rejected = pd.read_parquet(tmp_path / "rejected.parquet")
    assert rejected["article_id"].tolist() == ["art-007"]
    assert rejected["reason"].iloc[0] == "processing failed: ValueError: quote finder choked on art-007"
    assert rejected["source_file"].iloc[0] == "export.jsonl" and rejected["row"].iloc[0] == 8
    assert "art-007" not in set(results.read_results(tmp_path)["articles"]["article_id"])

    # once fixed, a re-run processes it and drops the stale rejection
    monkeypatch.setattr(stages, "STAGES", real_stages)
    again = pipeline.run(corpus, out=tmp_path, batch_size=5, quiet=True)
    assert again.counts["articles_processed"] == 1
    assert len(pd.read_parquet(tmp_path / "rejected.parquet")) == 0


def test_an_article_over_its_time_budget_is_rejected_and_the_run_goes_on(corpus, local_run, tmp_path, monkeypatch):
    import time

    def hangs(real):
        def stage(tables, ctx):
            if "art-003" in set(tables["articles"]["article_id"]):
                while True:  # a rule gone quadratic, in pure Python
                    time.sleep(0.001)
            return real(tables, ctx)
        return stage

    monkeypatch.setattr(stages, "STAGES", _with_stage("quotes", hangs))
    began = time.perf_counter()
    summary = pipeline.run(corpus, out=tmp_path, batch_size=5, time_budget=1.0, quiet=True)
    assert time.perf_counter() - began < 60
    assert summary.status == "complete" and summary.counts["failed"] == 1 and summary.counts["articles_processed"] == 23
    rejected = pd.read_parquet(tmp_path / "rejected.parquet")
    assert rejected["article_id"].tolist() == ["art-003"]
    assert rejected["reason"].iloc[0].startswith("processing failed: over the time budget of 1 s (")
    assert "--time-budget" in rejected["reason"].iloc[0]
    done = results.read_results(tmp_path)
    expected = results.read_results(local_run)
    for name in TABLES:  # every other article's rows are there, unchanged
        keep = expected[name][expected[name]["article_id"] != "art-003"].reset_index(drop=True)
        pd.testing.assert_frame_equal(done[name], keep, obj=name)


def test_resume_refuses_other_parameters(corpus, local_run):
    with pytest.raises(pipeline.PipelineError, match="other parameters"):
        pipeline.run(corpus, out=local_run, frame_set="story_frames", batch_size=5, quiet=True)


def test_command_line(corpus, local_run, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    cmd = [sys.executable, "-m", "analysis", "run", str(corpus), "--out", str(tmp_path / "cli"), "--batch-size", "5", "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "complete: 24 articles processed, 0 skipped" in done.stdout
    assert "articles" not in done.stderr  # --quiet: no progress bar
    assert json.loads((tmp_path / "cli" / "run.json").read_text())["status"] == "complete"
    assert_tables_equal(results.read_results(tmp_path / "cli"), results.read_results(local_run))
    bad = subprocess.run([*cmd[:4], str(tmp_path / "missing.csv"), "--quiet"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "no such file" in bad.stderr


def test_notebook_tables_from_a_run_equal_those_from_the_corpus(corpus, local_run, tmp_path):
    from analysis import measures, tables as tb

    fresh, fresh_rejected = tb.load_tables(corpus=corpus, frame_set="story_frames", cache=False)
    from_run, run_rejected = tb.load_tables(corpus="ignored/when/results/given", results=local_run, frame_set="story_frames")
    for name in ("articles", "paragraphs", "sentences", "quotes", "mentions", "treatment", "frame_scores"):
        left, right = getattr(fresh, name), getattr(from_run, name)
        assert len(left) > 0, name
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=name)
    assert fresh_rejected.empty and run_rejected.empty
    f, c = "Jamil Jivani", "liberal_government"
    pd.testing.assert_frame_equal(measures.positioning_measures(fresh, f, c), measures.positioning_measures(from_run, f, c))

    other = tmp_path / "other.yaml"
    other.write_text((PROJECT_ROOT / "data" / "actors.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(ValueError, match="was run with the codebook"):
        tb.load_tables(results=local_run, codebook=other)
    with pytest.raises(ValueError, match="was not scored"):
        tb.load_tables(results=local_run, frame_set="no_such_set")


def test_a_run_folder_missing_a_table_is_refused_not_read_as_empty(local_run, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(local_run, old)
    shutil.rmtree(old / "treatment")
    with pytest.raises(results.ResultsError, match="no treatment tables: it was written by an older version"):
        results.read_results(old)


def test_notebook_tables_refuse_a_run_made_with_another_stance_scorer(local_run):
    from analysis import tables as tb

    made_with = stages.DEFAULT_STANCE  # the fixture's run uses the default scorer
    other = next(name for name in stages.STANCE_SCORERS if name != made_with)
    tables, _ = tb.load_tables(results=local_run, frame_set="story_frames", stance=made_with)
    assert len(tables.treatment) > 0
    with pytest.raises(ValueError, match=f"was run with the stance scorer '{made_with}', not '{other}'"):
        tb.load_tables(results=local_run, frame_set="story_frames", stance=other)
