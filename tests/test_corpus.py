from __future__ import annotations

import hashlib
import json
import warnings

import pandas as pd
import pytest

from analysis.corpus import (
    ARTICLES_SCHEMA,
    CorpusError,
    CorpusWarning,
    describe_corpus,
    iter_articles,
    load_articles,
    summarize_corpus,
)
from conftest import ARTICLE_A, ARTICLE_B, SEED_FILES


def _fingerprint(folder):
    return {p: (hashlib.sha1(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_data_folder_loads_with_manifest_metadata(data_folder):
    articles = load_articles(data_folder)
    assert list(articles.columns) == list(ARTICLES_SCHEMA.columns)
    assert articles["article_id"].tolist() == ["a1", "b2"]
    assert articles["outlet"].tolist() == ["CBC News", "The Epoch Times"]
    assert str(articles["published_date"].dtype) == "datetime64[ns]"
    assert articles.loc[0, "published_date"] == pd.Timestamp("2026-02-04")
    assert articles.loc[0, "url"] == "https://example.org/a1"
    assert pd.isna(articles.loc[1, "title"])
    assert articles["source_file"].tolist() == ["articles/a1.txt", "articles/b2.txt"]
    assert articles.loc[1, "word_count"] == 23


def test_text_is_repaired_but_curly_quotes_are_kept(data_folder):
    text = load_articles(data_folder).loc[0, "text"]
    assert "Â" not in text and "\u00a0" not in text
    assert "the Ontario MP said." in text
    assert "“Productive meetings today,”" in text
    assert not text.endswith("\n")


def test_single_txt_with_header_block(write_files):
    folder = write_files({"x.txt": "Outlet: CBC News\nTitle: A trip\nDate: 2026-02-04\n\n" + ARTICLE_B})
    articles = load_articles(folder / "x.txt")
    assert articles.loc[0, ["article_id", "outlet", "title"]].tolist() == ["x", "CBC News", "A trip"]
    assert articles.loc[0, "text"].startswith("Prime Minister Mark Carney")


def test_folder_of_txt_without_header_leaves_outlet_empty(write_files):
    folder = write_files({"b.txt": ARTICLE_B, "a.txt": ARTICLE_A, "notes.md": "ignored"})
    articles = load_articles(folder)
    assert articles["article_id"].tolist() == ["a", "b"]
    assert articles["outlet"].isna().all()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".tsv"])
def test_archive_tables_with_export_column_names(tmp_path, suffix):
    table = pd.DataFrame(
        {"id": ["n1", "n2"], "source": ["CBC News", "Globe"], "headline": ["H1", "H2"], "date": ["2026-02-04T10:00:00Z", "2026-02-05"], "body": [ARTICLE_A, ARTICLE_B]}
    )
    path = tmp_path / f"export{suffix}"
    if suffix == ".csv":
        table.to_csv(path, index=False)
    elif suffix == ".tsv":
        table.to_csv(path, index=False, sep="\t")
    elif suffix == ".jsonl":
        table.to_json(path, orient="records", lines=True)
    else:
        table.to_parquet(path)
    articles = load_articles(path)
    assert articles["article_id"].tolist() == ["n1", "n2"]
    assert articles["outlet"].tolist() == ["CBC News", "Globe"]
    assert articles["title"].tolist() == ["H1", "H2"]
    assert articles["published_date"].tolist() == [pd.Timestamp("2026-02-04 10:00"), pd.Timestamp("2026-02-05")]
    assert articles.loc[0, "source_file"] == f"export{suffix}#1"


def test_table_without_ids_gets_checksum_ids(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame({"text": [ARTICLE_A], "outlet": ["X"]}).to_csv(path, index=False)
    articles = load_articles(path)
    assert articles.loc[0, "article_id"] == articles.loc[0, "text_sha1"][:16]


# --- bad input: a clear error naming the file/row and the problem -----------------


def test_missing_path():
    with pytest.raises(CorpusError, match=r"/no/such/corpus: no such file or folder"):
        load_articles("/no/such/corpus")


def test_manifest_row_naming_missing_file(data_folder):
    (data_folder / "articles" / "b2.txt").unlink()
    with pytest.raises(CorpusError, match=r"articles.csv, row 2: file 'articles/b2.txt' does not exist"):
        load_articles(data_folder)
    articles, rejected = load_articles(data_folder, errors="collect")
    assert articles["article_id"].tolist() == ["a1"]
    assert rejected[["source_file", "row", "article_id"]].values.tolist() == [["articles.csv", 2, "b2"]]


def test_manifest_path_outside_data_folder_is_refused(data_folder):
    manifest = data_folder / "articles.csv"
    manifest.write_text(manifest.read_text() + "evil,../../etc/passwd,X,,,,,\n")
    with pytest.raises(CorpusError, match=r"row 3: file '../../etc/passwd' points outside the data folder .*refused"):
        load_articles(data_folder)
    articles, rejected = load_articles(data_folder, errors="collect")
    assert "root:" not in " ".join(articles["text"])
    assert rejected["article_id"].tolist() == ["evil"]


def test_empty_file(write_files):
    folder = write_files({"a.txt": ARTICLE_A, "empty.txt": ""})
    with pytest.raises(CorpusError, match=r"empty.txt: empty file"):
        load_articles(folder)


def test_whitespace_only_file(write_files):
    folder = write_files({"blank.txt": "  \n\n\t\n"})
    with pytest.raises(CorpusError, match=r"blank.txt: empty text"):
        load_articles(folder)


def test_non_utf8_file_is_decoded_with_a_warning(write_files):
    folder = write_files({"old.txt": "Le café “fermé”, dit-il.".encode("cp1252")})
    with pytest.warns(CorpusWarning, match=r"old.txt: not UTF-8; decoded as cp1252"):
        articles = load_articles(folder)
    assert articles.loc[0, "text"] == "Le café “fermé”, dit-il."


def test_binary_file(write_files):
    folder = write_files({"image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20})
    with pytest.raises(CorpusError, match=r"image.txt: binary file, not text"):
        load_articles(folder)


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame({"headline": ["H"], "outlet": ["X"]}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"export.csv: no 'text' column \(found \['headline', 'outlet'\]\)"):
        load_articles(path)


def test_duplicate_article_ids(tmp_path):
    path = tmp_path / "export.jsonl"
    rows = [{"article_id": "x", "outlet": "A", "text": ARTICLE_A}, {"article_id": "x", "outlet": "B", "text": ARTICLE_B}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    with pytest.raises(CorpusError, match=r"export.jsonl, row 2: duplicate article_id 'x' \(first seen in export.jsonl#1\)"):
        load_articles(path)


def test_duplicate_texts(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame({"article_id": ["x", "y"], "outlet": ["A", "B"], "text": [ARTICLE_A, ARTICLE_A + "\n\n"]}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"export.csv, row 2: duplicate text: same text as article 'x'"):
        load_articles(path)
    articles, rejected = load_articles(path, errors="collect")
    assert articles["article_id"].tolist() == ["x"] and rejected["article_id"].tolist() == ["y"]


def test_file_over_size_limit(write_files):
    folder = write_files({"huge.txt": "word " * 1_100_000})
    with pytest.raises(CorpusError, match=r"huge.txt: file is 5.5 MB, over the 5 MB limit"):
        load_articles(folder)


def test_table_row_over_size_limit(tmp_path):
    path = tmp_path / "export.parquet"
    pd.DataFrame({"outlet": ["A", "B"], "text": [ARTICLE_A, "word " * 1_100_000]}).to_parquet(path)
    articles, rejected = load_articles(path, errors="collect")
    assert len(articles) == 1
    assert rejected.loc[0, "reason"] == "text is 5.5 MB, over the 5 MB limit" and rejected.loc[0, "row"] == 2


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "corpus.docx"
    path.write_bytes(b"PK")
    with pytest.raises(CorpusError, match=r"unsupported file type '.docx'"):
        load_articles(path)


def test_all_problems_are_listed_in_one_error_and_inputs_untouched(data_folder):
    (data_folder / "articles" / "empty.txt").write_text("")
    manifest = data_folder / "articles.csv"
    manifest.write_text(manifest.read_text() + "c3,articles/empty.txt,X,,,,,\nd4,articles/gone.txt,X,,,,,\n")
    before = _fingerprint(data_folder)
    with pytest.raises(CorpusError) as caught:
        load_articles(data_folder)
    message = str(caught.value)
    assert message.count("\n  ") == 2
    assert "articles/empty.txt, row 3: empty file" in message
    assert "articles.csv, row 4: file 'articles/gone.txt' does not exist" in message
    assert "errors='collect'" in message
    assert _fingerprint(data_folder) == before


def test_bad_errors_argument(data_folder):
    with pytest.raises(ValueError, match="errors must be 'raise' or 'collect'"):
        load_articles(data_folder, errors="ignore")


def test_unreadable_date_warns_and_is_left_empty(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame({"article_id": ["x"], "outlet": ["A"], "date": ["someday"], "text": [ARTICLE_A]}).to_csv(path, index=False)
    with pytest.warns(CorpusWarning, match=r"article x: unreadable published_date 'someday'"):
        articles = load_articles(path)
    assert pd.isna(articles.loc[0, "published_date"])


def test_iter_articles_streams_in_batches(tmp_path):
    path = tmp_path / "export.csv"
    texts = [f"Article number {i} says something new." for i in range(25)]
    pd.DataFrame({"outlet": ["A"] * 25, "text": texts}).to_csv(path, index=False)
    sizes = [len(a) for a, _ in iter_articles(path, batch_size=10)]
    assert sizes == [10, 10, 5]


def test_summaries_are_computed_from_the_table(data_folder):
    articles = load_articles(data_folder)
    summary = summarize_corpus(articles)
    assert summary[["outlet", "articles_n"]].values.tolist() == [["CBC News", 1], ["The Epoch Times", 1]]
    words = describe_corpus(articles)
    assert words.startswith("The corpus holds **2 articles**")
    assert "CBC News (1 article" in words and "2026-02-04 to 2026-02-05" in words


def test_describe_corpus_reports_rejections(data_folder):
    (data_folder / "articles" / "b2.txt").unlink()
    articles, rejected = load_articles(data_folder, errors="collect")
    assert "**1 input was rejected** (1 × file … does not exist)" in describe_corpus(articles, rejected)


@pytest.mark.parametrize(
    "path, sha256_prefix", [(SEED_FILES[0], "ba70a18ac2a4"), (SEED_FILES[1], "980d3999d56f")], ids=["cbc", "epoch"]
)
def test_seed_files_are_committed_byte_for_byte(path, sha256_prefix):
    """The raw seeds as received (hashes from the seeds' own README); repairs happen at load time only."""
    raw = path.read_bytes()
    assert hashlib.sha256(raw).hexdigest().startswith(sha256_prefix)
    assert ("MP\u00c2 said".encode() in raw) == (path == SEED_FILES[0])  # the CBC file's mojibake stays in the file


def test_seed_corpus_loads_clean():
    articles = load_articles()
    assert articles["article_id"].tolist() == ["000_bccff4381b3e394f", "001_20abc0e3856520c8"]
    assert articles["outlet"].tolist() == ["CBC News", "The Epoch Times"]
    for text in articles["text"]:
        assert "Â" not in text and "\u00a0" not in text


def test_default_source_is_the_project_data_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the working directory must not matter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        articles, rejected = load_articles(errors="collect")
    named = set(articles["article_id"]) | set(rejected["article_id"].dropna())
    assert named == {"000_bccff4381b3e394f", "001_20abc0e3856520c8"}
