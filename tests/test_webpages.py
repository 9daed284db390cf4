"""Saved news pages (.html) and web archives (.warc, .warc.gz) load through load_articles and a pipeline run (issue 16)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from analysis import pipeline, results as run_results
from analysis.corpus import CorpusError, CorpusWarning, load_articles
from analysis.paths import PROJECT_ROOT
from web_support import COMMENTS, COOKIES, FOOTER, NAV, Page, front_page, make_article, make_pages, paywall_page, write_warc

BOILERPLATE = ["cookies", "Accept all", "Related stories", "Share on", "Email this story", "Comments", "reader42", "Advertisement",
               "Sign up", "newsletter", "READ MORE", "WATCH", "Photo:", "Tags:", "covers federal politics", "Most read",
               "Print this story", "Privacy policy", "All rights reserved", "Search", "4 min read", "real issue"]
METADATA = ["title", "author", "url", "outlet", "language"]


def _check_page(row, expected: dict) -> None:
    assert row["text"] == expected["text"]  # the body exactly: no boilerplate line, no headline repeated
    assert {k: row[k] for k in METADATA} == {k: expected[k] for k in METADATA}
    assert row["published_date"] == pd.Timestamp(expected["published_date"])
    assert not [b for b in BOILERPLATE if b in row["text"]]


@pytest.fixture(scope="module")
def pages():
    return make_pages(9)  # three of each template


def test_a_folder_of_saved_pages_gives_each_body_and_its_metadata(tmp_path, pages):
    for page in pages:
        (tmp_path / f"{page.name}.html").write_text(page.html, encoding="utf-8")
    (tmp_path / "politics-front.html").write_text(front_page(0), encoding="utf-8")
    (tmp_path / "paywalled.htm").write_text(paywall_page(make_article(99)), encoding="utf-8")
    articles, rejected = load_articles(tmp_path, errors="collect")
    assert articles["article_id"].tolist() == sorted(p.name for p in pages)
    by_id = articles.set_index("article_id")
    for page in pages:
        _check_page(by_id.loc[page.name], page.expected)
    reasons = dict(zip(rejected["source_file"], rejected["reason"]))
    assert set(reasons) == {"politics-front.html", "paywalled.htm"}
    assert reasons["politics-front.html"].startswith("no article body: 0 words besides the headline")
    assert reasons["paywalled.htm"].startswith("no article body: 14 words besides the headline, fewer than 20")


def test_one_html_file_is_one_article_named_by_its_file(tmp_path, pages):
    path = tmp_path / "story.html"
    path.write_bytes(pages[1].html.encode("utf-8"))
    articles = load_articles(path)
    assert articles.loc[0, "article_id"] == "story" and articles.loc[0, "source_file"] == "story.html"
    _check_page(articles.loc[0], pages[1].expected)


def test_outlet_falls_back_to_the_domain_and_a_legacy_encoding_is_read(tmp_path):
    article = make_article(3)
    body = "".join(f"<p>{p}</p>" for p in article["paragraphs"])
    page = (f'<html lang="fr"><head><meta charset="windows-1252"><title>{article["title"]}</title>'
            f'<link rel="canonical" href="https://www.lavoix.example/politique/1"></head><body>{COOKIES}{NAV}'
            f'<article><h1>{article["title"]}</h1><p>Le café était fermé, a-t-il dit, et le débat continue.</p>{body}</article>{COMMENTS}{FOOTER}</body></html>')
    (tmp_path / "p.html").write_bytes(page.encode("cp1252"))
    articles = load_articles(tmp_path / "p.html")
    assert articles.loc[0, ["outlet", "url", "language"]].tolist() == ["lavoix.example", "https://www.lavoix.example/politique/1", "fr"]
    assert articles.loc[0, "text"].startswith("Le café était fermé, a-t-il dit")


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_a_web_archive_gives_one_article_per_html_response(tmp_path, pages, name):
    archive = write_warc(tmp_path / name, pages[:4] + [Page("front", front_page(1), None)])
    with pytest.warns(CorpusWarning, match=rf"{name}: skipped 1 non-HTML record, 1 redirect \(not articles\)"):
        articles, rejected = load_articles(archive, errors="collect")
    assert len(articles) == 4
    by_url = articles.set_index("url")
    for page in pages[:4]:
        _check_page(by_url.loc[page.expected["url"]].to_dict() | {"url": page.expected["url"]}, page.expected)  # url is the index
    assert articles["source_file"].tolist() == [f"{name}#{n}" for n in (2, 4, 6, 8)]  # request, response, ... record numbers
    assert (articles["article_id"] == articles["text_sha1"].str[:16]).all()
    reasons = rejected.set_index("row")["reason"].to_dict()
    assert reasons[10].startswith("no article body")
    assert reasons[13] == "HTTP 404 for https://www.dailyledger.example/gone"


def test_a_truncated_archive_keeps_the_pages_before_the_damage(tmp_path, pages):
    archive = write_warc(tmp_path / "cut.warc.gz", pages[:3], extra=())
    data = archive.read_bytes()
    archive.write_bytes(data[: int(len(data) * 0.8)])
    articles, rejected = load_articles(archive, errors="collect")
    assert articles["url"].tolist() == [p.expected["url"] for p in pages[:2]]
    assert rejected.loc[0, "reason"] == f"archive truncated: record 3 ({pages[2].expected['url']}) ends early"
    with pytest.raises(CorpusError, match=r"cut.warc.gz, row 3: archive truncated"):
        load_articles(archive)


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.html", b"", "empty file"),
    ("blank.html", b"  \n ", "empty file"),
    ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary file, not HTML"),
    ("empty.warc.gz", b"", "empty file"),
    ("notgzip.warc.gz", b"this is not an archive at all", "not a gzip-compressed WARC archive"),
    ("notwarc.warc", b"this is not an archive at all", "not a WARC archive: starts with b'this '"),
    ("images-only.warc.gz", None, "no HTML pages in the archive"),
])
def test_unreadable_pages_are_rejected_with_a_reason(tmp_path, name, content, reason):
    if content is None:  # an archive holding only a logo
        write_warc(tmp_path / name, [], extra=("image",))
    else:
        (tmp_path / name).write_bytes(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        articles, rejected = load_articles(tmp_path / name, errors="collect")
    assert articles.empty and rejected.loc[0, "reason"].startswith(reason)


def test_a_manifest_may_name_html_files_and_its_metadata_wins(tmp_path, pages):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "one.html").write_text(pages[0].html, encoding="utf-8")
    (tmp_path / "articles.csv").write_text("article_id,file,outlet\nx1,pages/one.html,Renamed Outlet\n", encoding="utf-8")
    articles = load_articles(tmp_path)
    assert articles.loc[0, ["article_id", "outlet", "url"]].tolist() == ["x1", "Renamed Outlet", pages[0].expected["url"]]
    assert articles.loc[0, "text"] == pages[0].expected["text"]


def test_a_run_over_an_archive_processes_its_pages(tmp_path, pages):
    archive = write_warc(tmp_path / "crawl.warc.gz", pages[:3])
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    cmd = [sys.executable, "-m", "analysis", "run", str(archive), "--out", str(tmp_path / "out"), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    results = run_results.read_results(tmp_path / "out")
    assert sorted(results["articles"]["url"]) == sorted(p.expected["url"] for p in pages[:3])
    assert set(results["articles"]["outlet"]) == {p.expected["outlet"] for p in pages[:3]}
    assert len(results["quotes"]) > 0
    assert results["rejected"]["reason"].tolist() == ["HTTP 404 for https://www.dailyledger.example/gone"]


def test_web_formats_need_no_network(tmp_path, pages, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    archive = write_warc(tmp_path / "crawl.warc.gz", pages[:2], extra=())
    assert len(load_articles(archive)) == 2
    assert gzip.open(archive).read(4) == b"WARC"
