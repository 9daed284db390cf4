"""Load news articles into one tidy table, one row per article.

A *source* is any of:

- a data folder holding ``articles.csv`` (the manifest: ``article_id, file,
  outlet, title, published_date, url, author, language``; ``file`` relative to
  the folder) and the article files it names;
- a single ``.txt`` file, or a folder of ``.txt`` files; each may start with an
  optional header block (``Outlet: CBC News`` lines, then a blank line);
- saved web pages (``.html``, ``.htm``) and web archives (``.warc``,
  ``.warc.gz``), alone or in a folder (with ``.txt`` files too): the main text,
  title, author, date, URL and outlet come from :mod:`analysis.webpages`;
- a table with a ``text`` column, as news-archive exports ship it: ``.csv``,
  ``.tsv``, ``.jsonl`` / ``.ndjson``, ``.json`` (records) or ``.parquet``.
  Common export names are accepted (``body``/``content`` for ``text``,
  ``source``/``publication`` for ``outlet``, ``headline`` for ``title``,
  ``date`` for ``published_date``, ``link`` for ``url``, ``id`` for
  ``article_id``).

Input files are only ever read. Text is repaired at load time
(:func:`analysis.text.normalize_text`) and kept in ``text``; ``text_sha1`` is
the checksum of that repaired text.

Bad input never passes silently: with ``errors="raise"`` (default) every
problem found is listed in one :class:`CorpusError`; with
``errors="collect"`` the good articles load and the bad inputs come back in a
second table (:data:`REJECTED_SCHEMA`).

>>> from analysis.corpus import load_articles
>>> articles = load_articles()                                # doctest: +SKIP
>>> articles, rejected = load_articles("export.csv", errors="collect")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from analysis.markup import escape_markdown
from analysis.paths import DATA_DIR
from analysis.readers import MAX_TEXT_BYTES, CorpusError, CorpusWarning, detect_encoding, is_missing, iter_table, read_csv_header, read_text_file
from analysis.readers import Reject as _Reject
from analysis.text import normalize_text
from analysis.webpages import is_web_file

__all__ = ["ARTICLES_SCHEMA", "REJECTED_SCHEMA", "MAX_TEXT_BYTES", "CorpusError", "CorpusWarning", "count_words", "text_checksum",
           "iter_records", "iter_articles", "load_articles", "summarize_corpus", "describe_corpus"]

MANIFEST_NAME = "articles.csv"
TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"}
METADATA_COLUMNS = ["outlet", "title", "published_date", "url", "author", "language"]

ARTICLES_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str, unique=True),
        "outlet": pa.Column(str, nullable=True),
        "title": pa.Column(str, nullable=True),
        "published_date": pa.Column("datetime64[ns]", nullable=True),
        "url": pa.Column(str, nullable=True),
        "author": pa.Column(str, nullable=True),
        "language": pa.Column(str, nullable=True),
        "text": pa.Column(str, pa.Check.str_length(min_value=1)),
        "word_count": pa.Column(int, pa.Check.ge(1)),
        "source_file": pa.Column(str),
        "text_sha1": pa.Column(str, unique=True),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="articles",
)
"""One row per article. ``source_file`` names the file (and row, for tables) it came from."""

REJECTED_SCHEMA = pa.DataFrameSchema(
    {
        "source_file": pa.Column(str),
        "row": pa.Column("Int64", nullable=True),
        "article_id": pa.Column(str, nullable=True),
        "reason": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="rejected",
)
"""One row per input that was not loaded, with the reason in words."""

_COLUMN_ALIASES = {
    "text": ("text", "body", "content", "article_text", "full_text"),
    "outlet": ("outlet", "source", "publication", "publisher", "media", "source_name"),
    "title": ("title", "headline"),
    "published_date": ("published_date", "date", "published", "publish_date", "pub_date", "published_at"),
    "url": ("url", "link"),
    "author": ("author", "authors", "byline"),
    "language": ("language", "lang"),
    "article_id": ("article_id", "id", "doc_id"),
}
_HEADER_LINE = re.compile(r"^(outlet|title|published_date|date|url|author|language)\s*:\s*(.*)$", re.IGNORECASE)
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def count_words(text: str) -> int:
    """Number of word tokens (``\\w+`` runs joined by apostrophes or hyphens).

    >>> count_words("Trade isn’t partisan, he said.")
    5
    """
    return len(_WORD.findall(text))


def text_checksum(text: str) -> str:
    """SHA-1 of the repaired text, the key for duplicates and resumable runs."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _check_text(text: str, label: str, row: int | None = None, article_id: str | None = None) -> _Reject | None:
    if not isinstance(text, str) or not text.strip():
        return _Reject(label, "empty text", row, article_id)
    size = len(text.encode("utf-8", "surrogatepass"))  # a lone surrogate (JSON's "\ud800") is repaired by normalize_text
    if size > MAX_TEXT_BYTES:
        return _Reject(label, f"text is {size / 1e6:.1f} MB, over the {MAX_TEXT_BYTES / 1e6:.0f} MB limit", row, article_id)
    if "\x00" in text or len(_CONTROL.findall(text[:10_000])) > 10:
        return _Reject(label, "binary content, not text", row, article_id)
    return None


def _split_header(raw: str) -> tuple[dict[str, str], str]:
    """Read an optional ``Key: value`` block that ends at the first blank line."""
    lines = raw.lstrip("\ufeff").splitlines()
    meta: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            if meta:
                return meta, "\n".join(lines[i + 1 :])
            break
        match = _HEADER_LINE.match(line.strip())
        if not match:
            break
        key = match.group(1).lower()
        meta["published_date" if key == "date" else key] = match.group(2).strip()
    return {}, raw


def _preview(text: str, limit: int = 20) -> str:
    """A short printable rendering of ``text`` for a message, e.g. ``'—'`` or ``'\\u200b'``."""
    shown = ascii(text[:limit]) if not text[:limit].isprintable() else repr(text[:limit])
    return shown + ("…" if len(text) > limit else "")


def _blank_to_none(value) -> str | None:
    if is_missing(value):
        return None
    value = str(value).strip()
    return value or None


def _record(text: str, source_file: str, article_id: str | None, meta: dict, label: str, row: int | None) -> dict | _Reject:
    problem = _check_text(text, label, row, article_id)
    if problem:
        return problem
    text = normalize_text(text)
    if not text:
        return _Reject(label, "empty text", row, article_id)
    words_n = count_words(text)
    if not words_n:
        return _Reject(label, f"no words: the text ({_preview(text)}) has no letters or digits", row, article_id)
    checksum = text_checksum(text)
    record = {key: _blank_to_none(meta.get(key)) for key in METADATA_COLUMNS}
    record.update(
        article_id=article_id or checksum[:16],
        text=text,
        word_count=words_n,
        source_file=source_file,
        text_sha1=checksum,
    )
    return record


def _iter_file(path: Path, base: Path, article_id: str | None = None, meta: dict | None = None) -> Iterator[dict | _Reject]:
    """Articles in one file: a ``.txt`` (id: the file's stem), a saved web page or a web archive (:mod:`analysis.webpages`)."""
    label = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
    if is_web_file(path):
        yield from _iter_web_file(path, label, article_id, meta)
        return
    raw = read_text_file(path, label)
    if isinstance(raw, _Reject):
        yield _Reject(raw.source_file, raw.reason, None, article_id)
        return
    header, body = _split_header(raw)
    merged = {**header, **{k: v for k, v in (meta or {}).items() if _blank_to_none(v)}}
    yield _record(body, label, article_id or path.stem, merged, label, None)


def _iter_web_file(path: Path, label: str, article_id: str | None, meta: dict | None) -> Iterator[dict | _Reject]:
    from analysis.webpages import iter_pages  # trafilatura and warcio load only for web files

    given = {k: v for k, v in (meta or {}).items() if _blank_to_none(v)}
    for item in iter_pages(path, label):
        if isinstance(item, _Reject):
            yield _Reject(item.source_file, item.reason, item.row, article_id if item.row is None else None)
            continue
        page, row = item
        page_id = article_id or path.stem if row is None else None  # pages of an archive get checksum ids
        yield _record(page["text"], label if row is None else f"{label}#{row}", page_id, {**page, **given}, label, row)


def _iter_manifest(manifest: Path) -> Iterator[dict | _Reject]:
    base = manifest.parent.resolve()
    try:
        table = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding=detect_encoding(manifest, manifest.name))
    except (ValueError, UnicodeDecodeError) as exc:  # EmptyDataError and ParserError are ValueErrors
        raise CorpusError(f"{manifest}: cannot read the manifest: {exc}") from exc
    if "file" not in table.columns:
        raise CorpusError(f"{manifest}: a manifest needs a 'file' column (found {list(table.columns)})")
    for i, row in enumerate(table.to_dict("records"), start=1):
        name = (row.get("file") or "").strip()
        article_id = _blank_to_none(row.get("article_id")) or (Path(name).stem if name else None)
        if not name:
            yield _Reject(manifest.name, "no file named", i, article_id)
            continue
        path = (base / name).resolve()
        if not path.is_relative_to(base):
            yield _Reject(manifest.name, f"file {name!r} points outside the data folder {base}; refused", i, article_id)
            continue
        if not path.is_file():
            yield _Reject(manifest.name, f"file {name!r} does not exist", i, article_id)
            continue
        for record in _iter_file(path, base, article_id, row):
            if isinstance(record, _Reject):
                where = f"record {record.row}: " if record.row is not None else ""
                yield _Reject(name, where + record.reason, i, article_id)
            else:
                yield record


def _alias_renames(columns: list[str], label: str) -> dict[str, str]:
    """``{column in the file: canonical name}`` for export names such as ``body`` or ``headline``."""
    lower = {str(c).strip().lower(): c for c in columns}
    renames: dict[str, str] = {}
    for canonical, aliases in _COLUMN_ALIASES.items():
        if canonical in columns:
            continue
        for alias in aliases:
            if alias in lower and lower[alias] not in renames:
                renames[lower[alias]] = canonical
                break
    if "text" not in columns and "text" not in renames.values():
        raise CorpusError(f"{label}: no 'text' column (found {list(columns)}); the article body must be in 'text'")
    return renames


def _iter_table(path: Path, chunk_rows: int = 10_000) -> Iterator[dict | _Reject]:
    label = path.name
    warned = False
    for item in iter_table(path, chunk_rows):
        if isinstance(item, _Reject):
            yield item
            continue
        rows, numbers = item
        columns = list(dict.fromkeys(key for row in rows for key in row))
        renames = _alias_renames(columns, str(path))
        if not warned and "outlet" not in columns and "outlet" not in renames.values():
            warnings.warn(f"{path}: no 'outlet' column; outlet left empty", CorpusWarning, stacklevel=3)
        warned = True
        for row, number in zip(rows, numbers):
            row = {renames.get(key, key): value for key, value in row.items()}
            article_id = _blank_to_none(row.get("article_id"))
            text = row.get("text")
            if not isinstance(text, str):
                yield _Reject(label, "empty text" if is_missing(text) else "text is not a string", number, article_id)
                continue
            yield _record(text, f"{label}#{number}", article_id, row, label, number)


def _iter_folder(folder: Path) -> Iterator[dict | _Reject]:
    """The folder's ``.txt``, ``.html`` and ``.warc(.gz)`` files; a symbolic link is followed only to a file inside the folder."""
    files = sorted(p for p in folder.iterdir() if (p.suffix.lower() == ".txt" or is_web_file(p)) and (p.is_file() or p.is_symlink()))
    if not files:
        raise CorpusError(f"{folder}: no {MANIFEST_NAME} manifest and no .txt, .html or .warc files")
    base = folder.resolve()
    for path in files:
        target = path.resolve()
        if not target.is_relative_to(base):
            yield _Reject(path.name, f"symbolic link to {target}, outside the folder {base}; refused", None, path.stem)
        elif not target.is_file():
            yield _Reject(path.name, f"symbolic link to {target}, which is not a file", None, path.stem)
        else:
            yield from _iter_file(path, folder)


def iter_records(source: str | Path | None = None, *, chunk_rows: int = 10_000) -> Iterator[dict | _Reject]:
    """Yield one raw record (a dict) or rejection per input, streaming tables ``chunk_rows`` rows at a time.

    The building block of :func:`load_articles` and of the batch pipeline;
    duplicates are not checked here.
    """
    path = Path(DATA_DIR if source is None else source).expanduser()
    if not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    if path.is_dir():
        manifest = path / MANIFEST_NAME
        yield from _iter_manifest(manifest) if manifest.is_file() else _iter_folder(path)
        return
    suffix = path.suffix.lower()
    if suffix == ".txt" or is_web_file(path):
        yield from _iter_file(path, path.parent)
    elif suffix in {".csv", ".tsv"} and _is_manifest(path):
        yield from _iter_manifest(path)
    elif suffix in TABLE_SUFFIXES:
        yield from _iter_table(path, chunk_rows)
    else:
        raise CorpusError(f"{path}: unsupported file type {suffix!r}; expected .txt, .html, .warc(.gz), a data folder, or one of {sorted(TABLE_SUFFIXES)}")


def _is_manifest(path: Path) -> bool:
    header = read_csv_header(path)
    return "file" in header and "text" not in header


class _Deduplicator:
    """Reject a second article with an id or a text already seen."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def check(self, record: dict) -> _Reject | None:
        article_id, checksum, where = record["article_id"], record["text_sha1"], record["source_file"]
        row = _row_of(where)
        if article_id in self.ids:
            return _Reject(where.split("#")[0], f"duplicate article_id {article_id!r} (first seen in {self.ids[article_id]})", row, article_id)
        if checksum in self.texts:
            return _Reject(where.split("#")[0], f"duplicate text: same text as article {self.texts[checksum]!r}", row, article_id)
        self.ids[article_id] = where
        self.texts[checksum] = article_id
        return None


def _row_of(source_file: str) -> int | None:
    _, _, row = source_file.partition("#")
    return int(row) if row.isdigit() else None


def iter_articles(
    source: str | Path | None = None, *, batch_size: int = 1000
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield ``(articles, rejected)`` batches of at most ``batch_size`` inputs.

    Memory stays flat however large the source (only ids and checksums of
    articles seen so far are kept, to reject duplicates).
    """
    dedup = _Deduplicator()
    records: list[dict] = []
    rejects: list[_Reject] = []
    for item in iter_records(source, chunk_rows=max(1, min(batch_size, 10_000))):
        if isinstance(item, dict):
            problem = dedup.check(item)
            if problem:
                rejects.append(problem)
            else:
                records.append(item)
        else:
            rejects.append(item)
        if len(records) + len(rejects) >= batch_size:
            yield _articles_frame(records), _rejected_frame(rejects)
            records, rejects = [], []
    if records or rejects:
        yield _articles_frame(records), _rejected_frame(rejects)


def _articles_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(ARTICLES_SCHEMA.columns))
    dates = frame["published_date"]
    parsed = pd.to_datetime(dates, errors="coerce", utc=True, format="mixed")
    for article_id, raw in zip(frame.loc[parsed.isna() & dates.notna(), "article_id"], dates[parsed.isna() & dates.notna()]):
        warnings.warn(f"article {article_id}: unreadable published_date {raw!r}; left empty", CorpusWarning, stacklevel=3)
    frame["published_date"] = parsed.dt.tz_localize(None).astype("datetime64[ns]")
    frame["word_count"] = frame["word_count"].astype(int)
    for column in ("article_id", "text", "source_file", "text_sha1"):
        frame[column] = frame[column].astype(str)
    return ARTICLES_SCHEMA.validate(frame)


def _rejected_frame(rejects: Iterable[_Reject]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(r.source_file, r.row, r.article_id, r.reason) for r in rejects],
        columns=list(REJECTED_SCHEMA.columns),
    )
    frame["row"] = frame["row"].astype("Int64")
    frame["source_file"] = frame["source_file"].astype(str)
    frame["reason"] = frame["reason"].astype(str)
    frame["article_id"] = frame["article_id"].astype(object)
    return REJECTED_SCHEMA.validate(frame)


def load_articles(
    source: str | Path | None = None, *, errors: Literal["raise", "collect"] = "raise"
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load a corpus into a DataFrame, one row per article (:data:`ARTICLES_SCHEMA`).

    ``source`` defaults to the project's own ``data/`` folder. With
    ``errors="raise"`` any bad input raises :class:`CorpusError` listing every
    problem; with ``errors="collect"`` the result is ``(articles, rejected)``.

    >>> articles = load_articles()          # doctest: +SKIP
    >>> articles[["article_id", "outlet", "word_count"]]   # doctest: +SKIP
    """
    if errors not in ("raise", "collect"):
        raise ValueError(f"errors must be 'raise' or 'collect', not {errors!r}")
    batches = list(iter_articles(source, batch_size=50_000))
    articles = pd.concat([a for a, _ in batches], ignore_index=True) if batches else _articles_frame([])
    rejected = pd.concat([r for _, r in batches], ignore_index=True) if batches else _rejected_frame([])
    if errors == "collect":
        return articles, rejected
    if len(rejected):
        problems = [
            str(_Reject(r.source_file, r.reason, None if pd.isna(r.row) else int(r.row), r.article_id))
            for r in rejected.itertuples(index=False)
        ]
        shown = "\n  ".join(problems[:20]) + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise CorpusError(
            f"{len(problems)} input(s) in {source or DATA_DIR} could not be loaded "
            f"(pass errors='collect' to load the rest):\n  {shown}"
        )
    return articles


def summarize_corpus(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per outlet: ``articles_n``, ``words_n``, ``first_date``, ``last_date``.

    >>> summarize_corpus(load_articles())          # doctest: +SKIP
    """
    outlets = articles.assign(outlet=articles["outlet"].fillna("(unknown outlet)"))
    return (
        outlets.groupby("outlet", sort=True)
        .agg(
            articles_n=("article_id", "size"),
            words_n=("word_count", "sum"),
            first_date=("published_date", "min"),
            last_date=("published_date", "max"),
        )
        .reset_index()
    )


def describe_corpus(articles: pd.DataFrame, rejected: pd.DataFrame | None = None) -> str:
    """The corpus in a few sentences of Markdown, computed from the tables.

    >>> import pandas as pd
    >>> table = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "word_count": [10, 30],
    ...                       "published_date": pd.to_datetime(["2026-02-04", None])})
    >>> print(describe_corpus(table))
    The corpus holds **2 articles** (40 words) from **2 outlets**: X (1 article, 10 words), Y (1 article, 30 words). Publication dates run from 2026-02-04 to 2026-02-04; 1 article has no date.
    """
    if articles.empty:
        text = "The corpus holds **no articles**."
    else:
        summary = summarize_corpus(articles)
        parts = [
            f"{escape_markdown(row.outlet)} ({row.articles_n} article{'s' * (row.articles_n != 1)}, {row.words_n:,} words)"
            for row in summary.itertuples()
        ]
        n, outlets_n = len(articles), len(summary)
        text = (
            f"The corpus holds **{n} article{'s' * (n != 1)}** ({int(articles['word_count'].sum()):,} words) "
            f"from **{outlets_n} outlet{'s' * (outlets_n != 1)}**: {', '.join(parts)}."
        )
        dates = articles["published_date"].dropna()
        if len(dates):
            text += f" Publication dates run from {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}"
            undated = n - len(dates)
            text += f"; {undated} article{'s' * (undated != 1)} {'have' if undated != 1 else 'has'} no date." if undated else "."
    if rejected is not None and len(rejected):
        reasons = rejected["reason"].str.replace(r"'[^']*'", "…", regex=True).value_counts()
        listed = "; ".join(f"{count} × {escape_markdown(reason)}" for reason, count in reasons.items())
        text += f" **{len(rejected)} input{'s were' if len(rejected) != 1 else ' was'} rejected** ({listed}); see the rejected table."
    return text
