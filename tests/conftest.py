"""Shared fixtures: small corpora built by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.paths import DATA_DIR

SEED_FILES = [DATA_DIR / "articles" / "000_bccff4381b3e394f.txt", DATA_DIR / "articles" / "001_20abc0e3856520c8.txt"]
"""The two seed articles, committed byte for byte; tests that read them never skip."""

ARTICLE_A = (
    "Conservative MP Jamil Jivani says he met with officials on Wednesday.\n\n"
    "Washington Trip\n\n"
    "“Productive meetings today,” the Ontario MP\u00c2\u00a0said. Mr. Jivani left at 5 p.m. on Feb. 4.\n"
)
ARTICLE_B = (
    "Prime Minister Mark Carney said Jivani is not the trade critic.\n"
    "“We have extensive contacts with the U.S. administration,” Carney told reporters.\n"
)


@pytest.fixture
def write_files(tmp_path):
    """Write ``{relative name: str | bytes}`` under a fresh folder and return the folder."""

    def _write(files: dict[str, str | bytes], folder: str = "corpus") -> Path:
        root = tmp_path / folder
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return _write


@pytest.fixture
def data_folder(write_files):
    """A data folder shaped like the project's: a manifest plus two articles."""
    manifest = (
        "article_id,file,outlet,title,published_date,url,author,language\n"
        "a1,articles/a1.txt,CBC News,Trip,2026-02-04,https://example.org/a1,,en\n"
        "b2,articles/b2.txt,The Epoch Times,,2026-02-05,,,en\n"
    )
    return write_files({"articles.csv": manifest, "articles/a1.txt": ARTICLE_A, "articles/b2.txt": ARTICLE_B}, "data")
