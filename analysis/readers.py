"""Read raw corpus inputs: bytes into text, and tables row by row, never failing on one bad row.

:mod:`analysis.corpus` builds articles from what this module reads. Here:

- :func:`decode_bytes` turns a file's bytes into text: a byte-order mark
  (UTF-8, UTF-16, UTF-32) wins; UTF-16 without one is recognised by its NUL
  bytes; then UTF-8, and cp1252 or latin-1 with a :class:`CorpusWarning`
  naming the file. NUL bytes left over mean a binary file.
- :func:`detect_encoding` does the same for a table file without reading it
  into memory (it is streamed afterwards).
- :func:`iter_table` yields a table ``chunk_rows`` rows at a time as
  ``(rows, row_numbers)``, or a :class:`Reject` for a row that cannot be read.
  Every value arrives as read (strings for CSV/TSV; JSON values for
  JSONL/JSON, so an id never passes through a float). A broken JSONL line is
  rejected with its line number and the other lines load.

Limits: UTF-16 without a byte-order mark is recognised only when most of its
characters are ASCII; a CSV row with the wrong number of fields stops the file
(pandas' parser names the line).

>>> decode_bytes("Café".encode("utf-16"), "a.txt")
'Café'
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

MAX_TEXT_BYTES = 5_000_000
"""Largest article accepted, in bytes of text (a long feature runs to ~100 kB)."""

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS = ("cp1252", "latin-1")
_BLOCK = 1 << 20


class CorpusError(ValueError):
    """A corpus source that cannot be loaded; the message names each file/row and problem."""


class CorpusWarning(UserWarning):
    """Something was repaired or guessed while loading (e.g. a file that is not UTF-8)."""


@dataclass(frozen=True)
class Reject:
    """One input that was not loaded: where it is and why, in words."""

    source_file: str
    reason: str
    row: int | None = None
    article_id: str | None = None

    def __str__(self) -> str:
        where = self.source_file if self.row is None else f"{self.source_file}, row {self.row}"
        return f"{where}: {self.reason}"


def sniff_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark names, or UTF-16 without one when every other byte is NUL.

    >>> sniff_encoding("Hello there".encode("utf-16-le")), sniff_encoding(b"plain"), sniff_encoding(codecs.BOM_UTF8 + b"x")
    ('utf-16-le', None, 'utf-8-sig')
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even_nul, odd_nul = head[0 : 2 * pairs : 2].count(0) / pairs, head[1 : 2 * pairs : 2].count(0) / pairs
    if odd_nul >= 0.5 and even_nul <= 0.02:
        return "utf-16-le"
    if even_nul >= 0.5 and odd_nul <= 0.02:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, label: str) -> str | Reject:
    """A file's text: see the module docstring for the order tried. Binary data gives a :class:`Reject`."""
    encoding = sniff_encoding(data[:4096])
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            return Reject(label, f"starts like {encoding} but does not decode as it ({exc.reason} at byte {exc.start})")
        if encoding.startswith("utf-16-"):
            warnings.warn(f"{label}: no byte-order mark; decoded as {encoding.upper()}", CorpusWarning, stacklevel=3)
        return text if "\x00" not in text else Reject(label, "binary file, not text")
    if b"\x00" in data[:65_536]:
        return Reject(label, "binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in _FALLBACKS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        warnings.warn(f"{label}: not UTF-8; decoded as {encoding}", CorpusWarning, stacklevel=3)
        return text
    raise AssertionError("latin-1 decodes any byte string")


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, label: str) -> str:
    """The encoding to stream ``path`` with: a byte-order mark or UTF-16 pattern, else UTF-8, cp1252, latin-1 (with a warning).

    Reads the file once in 1 MB blocks; memory stays flat.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    encoding = sniff_encoding(head)
    if encoding:
        if encoding.startswith("utf-16-"):
            warnings.warn(f"{label}: no byte-order mark; decoded as {encoding.upper()}", CorpusWarning, stacklevel=3)
        return encoding
    if _decodes_as(path, "utf-8"):
        return "utf-8"
    encoding = next((e for e in _FALLBACKS if _decodes_as(path, e)), "latin-1")
    warnings.warn(f"{label}: not UTF-8; decoded as {encoding}", CorpusWarning, stacklevel=3)
    return encoding


def read_text_file(path: Path, label: str) -> str | Reject:
    """The decoded text of one article file, or why it cannot be one (empty, oversized, binary)."""
    size = path.stat().st_size
    if size == 0:
        return Reject(label, "empty file")
    if size > MAX_TEXT_BYTES:
        return Reject(label, f"file is {size / 1e6:.1f} MB, over the {MAX_TEXT_BYTES / 1e6:.0f} MB limit")
    return decode_bytes(path.read_bytes(), label)


def is_missing(value) -> bool:
    """True for None, NaN and pd.NA (never raises on lists or dicts, unlike ``pd.isna``)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------- tables


def _csv_sep(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def read_csv_header(path: Path) -> list[str]:
    """Column names on the first line of a CSV/TSV file (``[]`` for an empty file); reads at most 64 kB."""
    with open(path, "rb") as handle:
        head = handle.read(65_536)
    text = head.decode(sniff_encoding(head) or "utf-8", errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    return next(csv.reader([first], delimiter=_csv_sep(path)), [])


def _json_kind(value) -> str:
    return {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(value), "a number")


def _iter_jsonl(path: Path, encoding: str, chunk_rows: int) -> Iterator[tuple[list[dict], list[int]] | Reject]:
    rows: list[dict] = []
    numbers: list[int] = []
    with open(path, encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                yield Reject(path.name, f"not valid JSON: {exc.msg} (column {exc.colno})", number)
                continue
            if not isinstance(value, dict):
                yield Reject(path.name, f"a JSON object {{...}} is expected on each line, not {_json_kind(value)}", number)
                continue
            rows.append(value)
            numbers.append(number)
            if len(rows) >= chunk_rows:
                yield rows, numbers
                rows, numbers = [], []
    if rows:
        yield rows, numbers


def _iter_json(path: Path, encoding: str) -> Iterator[tuple[list[dict], list[int]] | Reject]:
    try:
        data = json.loads(path.read_text(encoding=encoding))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    if isinstance(data, dict):  # {"column": [values]}
        try:
            data = pd.DataFrame(data, dtype=object).to_dict("records")
        except ValueError as exc:
            raise CorpusError(f"{path}: a JSON object must map column names to lists of equal length ({exc})") from exc
    if not isinstance(data, list):
        raise CorpusError(f"{path}: expected a JSON list of article objects, not {_json_kind(data)}")
    rows, numbers = [], []
    for number, value in enumerate(data, start=1):
        if isinstance(value, dict):
            rows.append(value)
            numbers.append(number)
        else:
            yield Reject(path.name, f"a JSON object {{...}} is expected for each article, not {_json_kind(value)}", number)
    if rows:
        yield rows, numbers


def _iter_frames(path: Path, encoding: str | None, chunk_rows: int) -> Iterator[tuple[list[dict], list[int]]]:
    start = 1
    if path.suffix.lower() in {".csv", ".tsv"}:
        chunks = pd.read_csv(path, sep=_csv_sep(path), dtype=str, keep_default_na=False, chunksize=chunk_rows, encoding=encoding)
    else:
        import pyarrow.parquet as pq

        chunks = (b.to_pandas(integer_object_nulls=True) for b in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows))
    for chunk in chunks:
        if chunk.empty:
            continue
        rows = chunk.astype(object).to_dict("records")
        yield rows, list(range(start, start + len(rows)))
        start += len(rows)


def iter_table(path: Path, chunk_rows: int = 10_000) -> Iterator[tuple[list[dict], list[int]] | Reject]:
    """Rows of a CSV/TSV/JSONL/JSON/Parquet table, ``chunk_rows`` at a time, with their row (JSONL: line) numbers.

    An empty file or a table without rows gives one :class:`Reject`; a file
    that cannot be parsed at all raises :class:`CorpusError` naming it.
    """
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        yield Reject(path.name, "empty file")
        return
    rows_n = rejects_n = 0
    try:
        encoding = detect_encoding(path, path.name) if suffix != ".parquet" and suffix != ".pq" else None
        if suffix in {".jsonl", ".ndjson"}:
            items = _iter_jsonl(path, encoding, chunk_rows)
        elif suffix == ".json":
            items = _iter_json(path, encoding)
        else:
            items = _iter_frames(path, encoding, chunk_rows)
        for item in items:
            if isinstance(item, Reject):
                rejects_n += 1
            else:
                rows_n += len(item[0])
            yield item
    except CorpusError:
        raise
    except (ValueError, UnicodeDecodeError, OSError) as exc:  # pandas' and pyarrow's parse errors are ValueErrors
        raise CorpusError(f"{path}: cannot read as a {suffix} table: {exc}") from exc
    if not rows_n and not rejects_n:
        yield Reject(path.name, "no rows: the table holds no articles")
