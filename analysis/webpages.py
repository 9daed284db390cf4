"""Saved web pages and web archives as articles: ``.html``/``.htm`` files and ``.warc``/``.warc.gz`` archives.

:mod:`analysis.corpus` calls :func:`iter_pages` for these files and builds
articles from what it yields. Everything runs offline: nothing is fetched.

- The main text, title, author and site name come from trafilatura (one of
  the best-scoring open main-text extractors in published comparisons), which
  drops navigation, cookie banners, related-link lists, share bars, comments
  and footers; the date comes from htmldate (through trafilatura: the original
  publication date from the page's metadata, else its text or URL).
- ``url`` is the page's canonical URL (``<link rel=canonical>``, ``og:url``)
  or the archive record's target URI; ``outlet`` is the site name
  (``og:site_name``, JSON-LD publisher), else the domain without ``www.``.
- ``language`` is the ``<html lang>`` attribute.
- Archives are read with warcio: each ``response`` (or ``resource``) record
  of HTML is one page, numbered in ``row`` by its place among the archive's
  records. An HTML response that is not HTTP 200 is rejected; redirects and
  non-HTML records (images, scripts, styles) are counted in one
  :class:`~analysis.readers.CorpusWarning`; requests and metadata records are
  not pages.

A page with no article body (a section front, an error or paywall page:
fewer than :data:`MIN_BODY_WORDS` words beyond the headline) is rejected with
that reason. The headline is kept in ``title``, not repeated in ``text``.

Limits: a live page's text behind scripts (client-side rendering) is not in
saved HTML and cannot be found; a short news brief under
:data:`MIN_BODY_WORDS` words is rejected as having no body; multi-page
articles load page by page.

>>> page = extract_page(b"<html><body><article><h1>Hi</h1><p>" + b"word " * 30 + b"</p></article></body></html>")
>>> page["title"], page["text"][:9]
('Hi', 'word word')
"""

from __future__ import annotations

import gzip
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from analysis.readers import CorpusWarning, Reject, sniff_encoding

HTML_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc", ".warc.gz")
MIN_BODY_WORDS = 20
"""Fewer words than this outside the headline: the page has no article body."""
MAX_PAGE_BYTES = 20_000_000
"""Largest page read (the HTML, scripts and styles included)."""

_WORDS = re.compile(r"\w+")
_NEVER_TEXT = "//script[not(contains(@type, 'ld+json'))] | //style | //noscript | //template | //svg | //iframe"
"""Elements whose content is never article text (JSON-LD scripts stay: they hold the author, date and publisher)."""
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def is_web_file(path: Path) -> bool:
    """True for ``.html``, ``.htm``, ``.warc`` and ``.warc.gz`` files.

    >>> is_web_file(Path("crawl.warc.gz")), is_web_file(Path("a.HTM")), is_web_file(Path("a.txt"))
    (True, True, False)
    """
    return path.name.lower().endswith(HTML_SUFFIXES + WARC_SUFFIXES)


def _domain(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _decode(data: bytes, charset: str | None) -> str | bytes:
    """Text when the encoding is known (byte-order mark, UTF-16, an HTTP charset); else bytes for trafilatura to detect."""
    encoding = sniff_encoding(data[:4096]) or charset
    if not encoding:
        return data
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # an unknown charset name in the HTTP header
        return data


def _without_title(text: str, title: str | None) -> str:
    lines = text.split("\n")
    if title and lines and " ".join(lines[0].split()) == " ".join(title.split()):
        lines = lines[1:]
    return "\n".join(lines).strip("\n")


def extract_page(html: bytes | str, url: str | None = None, charset: str | None = None) -> dict | str:
    """The article in one page: ``text``, ``title``, ``author``, ``published_date``, ``url``, ``outlet``, ``language``.

    Returns the reason as a string when the page holds no article body.
    ``url`` is where the page was fetched from (an archive's target URI);
    ``charset`` the encoding an HTTP header declared.
    """
    import trafilatura
    from trafilatura.utils import load_html

    if isinstance(html, bytes):
        html = _decode(html, charset)
    tree = load_html(html)
    if tree is None:
        return "not an HTML page (no document could be parsed)"
    language = tree.get("lang") or None
    for element in tree.xpath(_NEVER_TEXT):  # dropped here as trafilatura would, before it copies the tree (-17% time)
        element.drop_tree()
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False,
        favor_precision=True, date_extraction_params={"original_date": True, "extensive_search": True},
    )
    if doc is None or not doc.text:
        return "no article body found (navigation, links or scripts only)"
    text = _without_title(doc.text, doc.title)
    words_n = len(_WORDS.findall(text))
    if words_n < MIN_BODY_WORDS:
        return f"no article body: {words_n} words besides the headline, fewer than {MIN_BODY_WORDS} (section front, error or paywall page?)"
    page_url = doc.url or url
    return {
        "text": text,
        "title": doc.title,
        "author": doc.author,
        "published_date": doc.date,
        "url": page_url,
        "outlet": doc.sitename or _domain(page_url),
        "language": language.split("-")[0].lower() if language else None,
    }


def _page_or_reject(data: bytes, label: str, row: int | None, url: str | None = None, charset: str | None = None) -> tuple[dict, int | None] | Reject:
    if not data.strip():
        return Reject(label, "empty file" if row is None else "empty page", row)
    if len(data) > MAX_PAGE_BYTES:
        return Reject(label, f"page is {len(data) / 1e6:.1f} MB, over the {MAX_PAGE_BYTES / 1e6:.0f} MB limit", row)
    if b"\x00" in data[:65_536] and not sniff_encoding(data[:4096]):
        return Reject(label, "binary file, not HTML", row)
    try:
        page = extract_page(data, url, charset)
    except Exception as exc:  # a parser failure on one page never stops a load
        return Reject(label, f"cannot extract the page: {type(exc).__name__}: {exc}", row)
    return Reject(label, page, row) if isinstance(page, str) else (page, row)


def _iter_warc(path: Path, label: str) -> Iterator[tuple[dict, int | None] | Reject]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    skipped: Counter[str] = Counter()
    number = pages_n = 0
    with open(path, "rb") as stream:
        try:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type not in ("response", "resource"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                headers = record.http_headers
                content_type = (headers.get_header("Content-Type") if headers else record.rec_headers.get_header("Content-Type")) or ""
                if "html" not in content_type.lower():
                    skipped["non-HTML record"] += 1
                    continue
                status = headers.get_statuscode() if headers else "200"
                if status and status.startswith("3"):
                    skipped["redirect"] += 1
                    continue
                if status != "200":
                    pages_n += 1
                    yield Reject(label, f"HTTP {status} for {url}", number)
                    continue
                data = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than the record's Content-Length
                    yield Reject(label, f"archive truncated: record {number} ({url}) ends early", number)
                    break
                charset = _CHARSET.search(content_type)
                pages_n += 1
                yield _page_or_reject(data, label, number, url, charset.group(1) if charset else None)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            pages_n += 1
            yield Reject(label, f"archive unreadable after record {number}: {type(exc).__name__}: {exc}", number + 1)
    if not pages_n:
        yield Reject(label, "no HTML pages in the archive")
    if skipped:
        listed = ", ".join(f"{n} {kind}{'s' * (n != 1)}" for kind, n in sorted(skipped.items()))
        warnings.warn(f"{label}: skipped {listed} (not articles)", CorpusWarning, stacklevel=3)


def _warc_problem(path: Path) -> str | None:
    """Why ``path`` is not a WARC archive (empty, not gzip, no ``WARC/`` header), or None."""
    if path.stat().st_size == 0:
        return "empty file"
    try:
        with (gzip.open(path) if path.name.lower().endswith(".gz") else open(path, "rb")) as handle:
            head = handle.read(5)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        return f"not a gzip-compressed WARC archive ({exc})"
    return None if head == b"WARC/" else f"not a WARC archive: starts with {head!r}, not b'WARC/'"


def iter_pages(path: Path, label: str) -> Iterator[tuple[dict, int | None] | Reject]:
    """``(page, row)`` for each article page in an HTML file (row None) or a WARC archive (row = record number), or a Reject."""
    if path.name.lower().endswith(WARC_SUFFIXES):
        problem = _warc_problem(path)
        yield from [Reject(label, problem)] if problem else _iter_warc(path, label)
        return
    if path.stat().st_size > MAX_PAGE_BYTES:
        yield Reject(label, f"file is {path.stat().st_size / 1e6:.1f} MB, over the {MAX_PAGE_BYTES / 1e6:.0f} MB limit")
        return
    yield _page_or_reject(path.read_bytes(), label, None)
