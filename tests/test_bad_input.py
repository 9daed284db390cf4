"""Nothing a user feeds in crashes a load, a run or a report (issue 15): each case reproduces a reported fault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import pipeline, results
from analysis.corpus import CorpusError, load_articles
from analysis.paths import PROJECT_ROOT
from conftest import ARTICLE_A, ARTICLE_B

ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# --- 1. an article with no word characters -------------------------------------------------

NO_WORDS = {"dash": "—", "emoji": "😀", "zero_width": "\u200b", "punctuation": "… !? —"}


@pytest.mark.parametrize("text", list(NO_WORDS.values()), ids=list(NO_WORDS))
def test_text_without_words_is_rejected_with_its_reason(tmp_path, text):
    path = _jsonl(tmp_path / "p.jsonl", [{"id": "a", "outlet": "X", "text": text}, {"id": "b", "outlet": "X", "text": ARTICLE_B}])
    articles, rejected = load_articles(path, errors="collect")
    assert articles["article_id"].tolist() == ["b"]
    assert rejected[["article_id", "row"]].values.tolist() == [["a", 1]]
    assert rejected.loc[0, "reason"].startswith("no words: the text") and "has no letters or digits" in rejected.loc[0, "reason"]
    with pytest.raises(CorpusError, match=r"p.jsonl, row 1: no words"):
        load_articles(path)


def test_a_run_over_a_text_without_words_completes_and_rejects_it(tmp_path):
    path = _jsonl(tmp_path / "p.jsonl", [{"id": "a", "text": "—"}, {"id": "b", "text": ARTICLE_A}])
    cmd = [sys.executable, "-m", "analysis", "run", str(path), "--out", str(tmp_path / "o"), "--quiet"]
    for attempt in range(2):  # the rerun must not die at the same row either
        done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    tables = results.read_results(tmp_path / "o")
    assert tables["articles"]["article_id"].tolist() == ["b"]
    assert tables["rejected"]["article_id"].tolist() == ["a"]
    assert tables["rejected"].loc[0, "reason"] == "no words: the text ('—') has no letters or digits"


# --- 2. one broken JSONL line ---------------------------------------------------------------


def test_a_broken_jsonl_line_is_rejected_with_its_line_number_and_the_rest_loads(tmp_path):
    path = tmp_path / "export.jsonl"
    lines = [json.dumps({"id": "a", "outlet": "X", "text": ARTICLE_A}), '{"id": "broken", "text": "cut off', "[1, 2]", "",
             json.dumps({"id": "b", "outlet": "X", "text": ARTICLE_B})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, rejected = load_articles(path, errors="collect")
    assert articles["article_id"].tolist() == ["a", "b"]
    assert articles["source_file"].tolist() == ["export.jsonl#1", "export.jsonl#5"]  # line numbers, blank lines counted
    assert rejected["row"].tolist() == [2, 3]
    assert rejected.loc[0, "reason"].startswith("not valid JSON: Unterminated string")
    assert rejected.loc[1, "reason"] == "a JSON object {...} is expected on each line, not a list"
    with pytest.raises(CorpusError) as caught:
        load_articles(path)
    assert "export.jsonl, row 2: not valid JSON" in str(caught.value) and "export.jsonl, row 3: a JSON object" in str(caught.value)


def test_a_run_over_a_jsonl_with_a_broken_line_processes_the_good_lines(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": "a", "text": ARTICLE_A}) + "\n{oops\n" + json.dumps({"id": "b", "text": ARTICLE_B}) + "\n")
    summary = pipeline.run(path, out=tmp_path / "out", quiet=True)
    assert summary.status == "complete" and summary.counts["articles_processed"] == 2
    rejected = results.read_results(tmp_path / "out")["rejected"]
    assert rejected[["source_file", "row"]].values.tolist() == [["export.jsonl", 2]]


# --- 8. ids are read as strings -----------------------------------------------------------

BIG_IDS = [1234567890123456789, 1234567890123456788]  # equal once read as float64


def _id_table(tmp_path: Path, suffix: str) -> Path:
    rows = [{"id": BIG_IDS[0], "outlet": "X", "text": ARTICLE_A}, {"outlet": "X", "text": ARTICLE_B},
            {"id": BIG_IDS[1], "outlet": "Y", "text": ARTICLE_B + "\nA third article."}]
    path = tmp_path / f"export{suffix}"
    if suffix == ".jsonl":
        _jsonl(path, rows)
    elif suffix == ".json":
        path.write_text(json.dumps(rows))
    else:
        table = pd.DataFrame({"id": pd.array([BIG_IDS[0], None, BIG_IDS[1]], dtype="Int64"),
                              **{key: [r[key] for r in rows] for key in ("outlet", "text")}})
        table.to_csv(path, index=False) if suffix == ".csv" else table.to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".parquet"])
def test_integer_ids_keep_every_digit_when_a_row_lacks_an_id(tmp_path, suffix):
    articles = load_articles(_id_table(tmp_path, suffix))
    assert articles.loc[[0, 2], "article_id"].tolist() == [str(i) for i in BIG_IDS]
    assert articles.loc[1, "article_id"] == articles.loc[1, "text_sha1"][:16]


# --- 10. no raw tracebacks on unreadable tables; encodings decoded -------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.tsv", "empty.jsonl", "empty.json", "empty.parquet"])
def test_an_empty_table_file_raises_like_any_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(CorpusError, match=rf"{name}: empty file"):
        load_articles(path)
    articles, rejected = load_articles(path, errors="collect")
    assert articles.empty and rejected["reason"].tolist() == ["empty file"]


@pytest.mark.parametrize("content", ["text,outlet\n", "\n\n", "[]"], ids=["csv-header-only", "jsonl-blank-lines", "json-empty-list"])
def test_a_table_without_rows_is_not_an_empty_corpus_in_silence(tmp_path, content):
    suffix = {"text,outlet\n": ".csv", "\n\n": ".jsonl", "[]": ".json"}[content]
    path = tmp_path / f"export{suffix}"
    path.write_text(content)
    with pytest.raises(CorpusError, match=rf"export{suffix}: no rows"):
        load_articles(path)


def test_the_command_line_names_an_empty_csv_without_a_traceback(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    cmd = [sys.executable, "-m", "analysis", "run", str(tmp_path / "e.csv"), "--out", str(tmp_path / "o"), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
    assert "Traceback" not in done.stderr and "EmptyDataError" not in done.stderr
    assert pd.read_parquet(tmp_path / "o" / "rejected.parquet")[["source_file", "reason"]].values.tolist() == [["e.csv", "empty file"]]


def test_json_that_is_not_a_list_of_articles_is_a_corpus_error(tmp_path):
    (tmp_path / "a.json").write_text('"just a string"')
    with pytest.raises(CorpusError, match=r"a.json: expected a JSON list of article objects, not a string"):
        load_articles(tmp_path / "a.json")
    (tmp_path / "b.json").write_text('[{"text": "one')
    with pytest.raises(CorpusError, match=r"b.json: not valid JSON: Unterminated string .*line 1"):
        load_articles(tmp_path / "b.json")


CSV_TEXT = "id,outlet,text\nc1,Le Devoir,“Le café est fermé”, a-t-il dit.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "utf-32"])
def test_a_unicode_csv_in_any_encoding_is_decoded(tmp_path, encoding):
    path = tmp_path / "export.csv"
    path.write_bytes(CSV_TEXT.replace("“Le café est fermé”, a-t-il dit.", '"“Le café est fermé”, a-t-il dit."').encode(encoding))
    articles = load_articles(path)
    assert articles[["article_id", "outlet", "text"]].values.tolist() == [["c1", "Le Devoir", "“Le café est fermé”, a-t-il dit."]]


def test_a_cp1252_csv_is_decoded_with_a_warning_naming_it(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes('id,text\nc1,"“Le café est fermé”, dit-il."\n'.encode("cp1252"))
    with pytest.warns(Warning, match=r"old.csv: not UTF-8; decoded as cp1252"):
        articles = load_articles(path)
    assert articles.loc[0, "text"] == "“Le café est fermé”, dit-il."


def test_a_cp1252_manifest_is_decoded_too(data_folder):
    manifest = data_folder / "articles.csv"
    manifest.write_bytes(manifest.read_text().replace("The Epoch Times", "Le Journal de Montréal").encode("cp1252"))
    with pytest.warns(Warning, match=r"articles.csv: not UTF-8; decoded as cp1252"):
        articles = load_articles(data_folder)
    assert articles["outlet"].tolist() == ["CBC News", "Le Journal de Montréal"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_txt_is_decoded_not_called_binary(write_files, encoding):
    folder = write_files({"u.txt": ("\ufeff" if encoding == "utf-16-be" else "") .join(["", ARTICLE_B]).encode(encoding)})
    articles = load_articles(folder)
    assert articles.loc[0, "text"] == ARTICLE_B.strip("\n")


# --- 9. a folder source does not follow links out of the folder ----------------------------


def test_a_folder_source_refuses_symlinks_that_leave_it(write_files, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash private words")
    folder = write_files({"a.txt": ARTICLE_A, "sub/b.txt": ARTICLE_B})
    (folder / "evil.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(folder / "sub" / "b.txt")  # a link to a file inside the folder is fine
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    articles, rejected = load_articles(folder, errors="collect")
    assert articles["article_id"].tolist() == ["a", "inside"]
    assert "private words" not in " ".join(articles["text"])
    reasons = dict(zip(rejected["source_file"], rejected["reason"]))
    assert reasons["evil.txt"] == f"symbolic link to {secret.resolve()}, outside the folder {folder.resolve()}; refused"
    assert reasons["dangling.txt"].endswith("which is not a file")
    with pytest.raises(CorpusError, match=r"evil.txt: symbolic link .* refused"):
        load_articles(folder)


def test_the_input_checksum_never_reads_through_a_link_out_of_the_folder(write_files, tmp_path):
    from analysis.datafiles import file_sha256

    secret = tmp_path / "secret.txt"
    secret.write_text("private words")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "deep" / "c.txt").write_text(ARTICLE_B)
    folder = write_files({"a.txt": ARTICLE_A, "sub/b.txt": ARTICLE_B})
    (folder / "evil.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(folder / "sub" / "b.txt")
    (folder / "linked-folder").symlink_to(elsewhere)
    before = results.input_checksum(folder)
    files = {f["path"]: f for f in before["files"]}
    assert sorted(files) == ["a.txt", "evil.txt", "inside.txt", "linked-folder", "sub/b.txt"]  # nothing under the linked folder
    assert files["evil.txt"] == {"path": "evil.txt", "bytes": None, "sha256": None, "link": str(secret)}
    assert files["linked-folder"]["sha256"] is None and files["linked-folder"]["link"] == str(elsewhere)
    assert files["inside.txt"]["sha256"] == file_sha256(folder / "sub" / "b.txt")  # a link inside the folder is read

    secret.write_text("other private words")  # the bytes out there are never read: the checksum does not move
    (elsewhere / "deep" / "c.txt").write_text("changed")
    assert results.input_checksum(folder)["sha256"] == before["sha256"]
    (folder / "evil.txt").unlink()
    (folder / "evil.txt").symlink_to(tmp_path / "another.txt")  # where a link points is part of the input
    assert results.input_checksum(folder)["sha256"] != before["sha256"]


def test_a_run_over_a_folder_with_a_link_out_of_it_rejects_the_link_and_reads_nothing_there(write_files, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Jane Roe said “private words” today in a long enough article.")
    folder = write_files({"a.txt": ARTICLE_A})
    (folder / "evil.txt").symlink_to(secret)
    summary = pipeline.run(folder, out=tmp_path / "out", quiet=True)
    assert summary.status == "complete"
    tables = results.read_results(tmp_path / "out")
    assert tables["articles"]["article_id"].tolist() == ["a"]
    assert tables["rejected"]["reason"].str.contains("outside the folder").tolist() == [True]
    assert not any("private words" in t for t in tables["quotes"]["quote"])
    assert [f["sha256"] for f in results.read_run_info(tmp_path / "out")["input"]["files"] if f["path"] == "evil.txt"] == [None]


# --- 10. a read-only or full output folder gives an error naming the path -------------------


def _can_write(folder: Path) -> bool:
    probe = folder / "probe"
    try:
        probe.write_text("x")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder this process cannot write to: chmod, plus ``chattr +i`` when running as root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = _can_write(folder) and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    if _can_write(folder):
        folder.chmod(0o755)
        pytest.skip("cannot make a read-only folder here (root, and chattr +i is not allowed)")
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def _limit_file_size(limit: int):
    """preexec_fn: files the child writes cannot grow past ``limit`` bytes (EFBIG, as a full disk gives ENOSPC)."""
    import resource
    import signal

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.fixture
def small_corpus(tmp_path):
    return _jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": ARTICLE_A}, {"id": "b", "text": ARTICLE_B * 400}])


@pytest.mark.parametrize("sub", ["", "new-folder"], ids=["out-is-read-only", "out-inside-read-only"])
def test_a_run_into_a_read_only_folder_names_it(read_only_folder, small_corpus, sub):
    out = read_only_folder / sub if sub else read_only_folder
    cmd = [sys.executable, "-m", "analysis", "run", str(small_corpus), "--out", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    named = out if sub else out / ".run.lock"  # the run's lock on the folder is the first file it writes
    assert f"error: cannot write {named}: " in done.stderr and "is the folder writable, with space left?" in done.stderr


def test_a_run_that_fills_the_disk_names_the_file_and_records_the_failure(small_corpus, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "analysis", "run", str(small_corpus), "--out", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300, preexec_fn=_limit_file_size(32_000))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"error: cannot write {out}/" in done.stderr and "File too large" in done.stderr
    assert json.loads((out / "run.json").read_text())["status"] == "failed"


def test_a_report_into_a_read_only_folder_names_it_before_running_anything(read_only_folder):
    cmd = [sys.executable, "-m", "analysis.report", "notebooks/01-corpus.ipynb", "--out", str(read_only_folder)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=PROJECT_ROOT, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"error: cannot write {read_only_folder}: " in done.stderr


def test_a_report_onto_a_full_disk_names_the_folder(tmp_path):
    cmd = [sys.executable, "-m", "analysis.report", "notebooks/01-corpus.ipynb", "--out", str(tmp_path / "r")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=PROJECT_ROOT, timeout=300, preexec_fn=_limit_file_size(1000))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"error: cannot write {tmp_path / 'r'}: File too large" in done.stderr


def test_saving_a_table_or_chart_into_a_read_only_folder_names_the_file(read_only_folder):
    from analysis import charts, report

    with pytest.raises(report.ReportError, match=rf"cannot write {read_only_folder}/tables/t.csv: "):
        report.save_table(pd.DataFrame({"a": [1]}), "t", read_only_folder)
    chart = charts.empty_chart("Nothing")
    with pytest.raises(report.ReportError, match=rf"cannot write {read_only_folder}/figures/x.svg: "):
        report.save_chart(chart, "x", read_only_folder)


# --- 11. article text cannot break the report's HTML or inject Markdown ---------------------

HOSTILE = {"title": "<!--<script>", "outlet": "</script><h1 id='pwned'>pwned</h1>", "link": "[x](javascript:alert(1))"}


def _parse_html(text: str):
    import html5lib  # parses as browsers do, script states included

    return html5lib.parse(text, namespaceHTMLElements=False)


def test_article_text_in_a_chart_cannot_close_or_hide_its_script(tmp_path):
    import nbformat

    from analysis import charts, report

    table = pd.DataFrame({"article_id": ["a", "b"], "outlet": [HOSTILE["outlet"], "X & Y"], "title": [HOSTILE["title"], "T"],
                          "word_count": [700, 300]})
    bundle = charts.corpus_overview(table)._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    nb = nbformat.v4.new_notebook()
    chart_cell = nbformat.v4.new_code_cell("overview")
    chart_cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Report"), chart_cell, nbformat.v4.new_markdown_cell("## After the chart")]
    page = report.export_html(nb, tmp_path / "out.html").read_text()
    tree = _parse_html(page)
    assert [h.text for h in tree.iter("h2")][-1].startswith("After the chart")  # the rest of the page is still there
    assert tree.find(".//h1[@id='pwned']") is None
    scripts = [s.text or "" for s in tree.iter("script") if "vegaEmbed(" in (s.text or "")]
    assert len(scripts) == 1
    spec = json.loads(scripts[0].split('vegaEmbed("#chart-0", ', 1)[1].rsplit(', {"renderer"', 1)[0])
    values = [row for rows in spec["datasets"].values() for row in rows]
    assert {v["title"] for v in values} == {HOSTILE["title"], "T"}  # the text reaches the chart unchanged
    assert {v["outlet"] for v in values} == {HOSTILE["outlet"], "X & Y"}


def test_computed_text_in_findings_is_escaped_for_markdown_and_html(tmp_path):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from analysis import findings, measures, views
    from analysis.tables import build_tables
    from analysis.corpus import describe_corpus
    from notebook_support import US_PARAMETERS, write_us_corpus

    params = write_us_corpus(tmp_path / "us")
    articles = load_articles(params["CORPUS"])
    articles["outlet"] = articles["outlet"].map({"Daily Ledger": HOSTILE["link"], "Evening Courier": "<script>alert(1)</script>"})
    articles["text"] = articles["text"].str.replace("dangerous and unfit", "dangerous <img src=x onerror=alert(1)> and *unfit*", regex=False)
    focus, counterpart = US_PARAMETERS["FOCUS"], US_PARAMETERS["COUNTERPART"]
    tables = build_tables(articles, params["CODEBOOK"], US_PARAMETERS["FRAME_SET"])
    long = measures.positioning_measures(tables, focus, counterpart)
    texts = [
        describe_corpus(articles),
        findings.describe_inputs(tables, focus, counterpart),
        findings.describe_voice(long),
        findings.describe_order(long),
        findings.describe_tone(long),
        findings.describe_treatment(long, views.speaker_target(tables)),
        findings.describe_frames(views.frame_profile(tables, focus, counterpart)),
        findings.describe_verbs(long),
        findings.describe_positioning(measures.positioning_map_table(tables, focus, counterpart)),
    ]
    for markdown in texts:
        rendered = markdown2html_mistune(markdown)
        tree = _parse_html(rendered)
        assert tree.find(".//a") is None and tree.find(".//script") is None and tree.find(".//img") is None, rendered
    shown = "".join(_parse_html(markdown2html_mistune("\n\n".join(texts))).itertext())
    assert HOSTILE["link"] in shown and "<script>alert(1)</script>" in shown  # named as written, as text


# --- 12. relative paths in `python -m analysis.report` are read from where it runs ----------


def test_report_reads_relative_out_and_parameters_from_the_working_directory(tmp_path):
    from analysis.paths import NOTEBOOKS_DIR

    pd.DataFrame({"id": ["m1", "m2"], "outlet": ["Daily Ledger", "Evening Courier"], "text": [ARTICLE_A, ARTICLE_B]}).to_csv(
        tmp_path / "mystory.csv", index=False)
    stray = NOTEBOOKS_DIR / "reports" / "x"
    assert not stray.exists()
    cmd = [sys.executable, "-m", "analysis.report", str(NOTEBOOKS_DIR / "01-corpus.ipynb"), "--out", "reports/x", "-p", "CORPUS", "mystory.csv"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "reports" / "x"
    assert f"wrote {out / '01-corpus.html'}" in done.stdout and f"tables in {out / 'tables'}" in done.stdout
    assert pd.read_csv(out / "tables" / "corpus-articles.csv")["article_id"].tolist() == ["m1", "m2"]
    assert (out / "figures" / "corpus-overview.svg").is_file()
    assert not stray.exists()  # nothing landed under notebooks/


def test_the_writable_check_holds_when_notebooks_run_in_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from analysis import report

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, as several notebook runs at once do
    try:
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda _: report.check_writable(tmp_path / "reports"), range(2000))) == {tmp_path / "reports"}
    finally:
        sys.setswitchinterval(interval)
    assert list((tmp_path / "reports").iterdir()) == []  # no probe left behind
