"""The quote finder's tables: one row per statement, for one text or a whole articles table.

>>> from analysis.quotes import extract_quotes
>>> extract_quotes("Carney said he was not worried.")[["quote", "kind", "speaker"]].values.tolist()
[['he was not worried', 'indirect', 'Mark Carney']]
"""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.actors import Codebook, load_codebook
from analysis.quotes.document import Record, read_document
from analysis.quotes.extract import find_statements, outer_statements
from analysis.quotes.rules import QuoteRules, load_quote_rules
from analysis.quotes.speakers import resolve_quoted_pronouns

KINDS = ("direct", "indirect", "mixed")
PROGRESS_THRESHOLD = 200

_QUOTE_COLUMNS = {
    "quote_id": pa.Column(int, pa.Check.ge(0)),
    "quote": pa.Column(str),
    "start": pa.Column(int, pa.Check.ge(0)),
    "end": pa.Column(int, pa.Check.ge(0)),
    "kind": pa.Column(str, pa.Check.isin(KINDS)),
    "speaker": pa.Column(str, nullable=True),
    "speaker_mention": pa.Column(str, nullable=True),
    "speaker_start": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "speaker_end": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "cue": pa.Column(str, nullable=True),
    "cue_start": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "cue_end": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "camp": pa.Column(str, nullable=True),
    "outer_quote_id": pa.Column("Int64", pa.Check.ge(0), nullable=True),
}
_DTYPES = {
    "quote_id": "int64", "start": "int64", "end": "int64", "speaker_start": "Int64", "speaker_end": "Int64",
    "cue_start": "Int64", "cue_end": "Int64", "outer_quote_id": "Int64", "paragraph_id": "int64", "sentence_id": "int64", "word_count": "int64",
}

QUOTES_SCHEMA = pa.DataFrameSchema(
    _QUOTE_COLUMNS,
    checks=[pa.Check(lambda df: (df["start"] <= df["end"]).all(), error="start <= end")],
    strict=True,
    ordered=True,
    coerce=True,
    name="quotes",
)
"""One row per attributed statement in one text, ``quote_id`` 0..n-1 in text order.

``quote == text[start:end]`` (direct quotes without their outer marks);
``kind`` is direct / indirect / mixed; ``speaker`` is the codebook's canonical
name, else the speaker's own words, else null; ``speaker_mention`` and ``cue``
(with offsets) are the words the attribution hangs on, null for a quotation
that continues the previous one; ``camp`` comes from the codebook;
``outer_quote_id`` is the statement this one is quoted inside (Trump's
"Tell the Canadians I love them" inside Jivani's post), null at top level:
count a nested statement's words for its own speaker, not again for the
outer one.
"""

CORPUS_QUOTES_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str, nullable=True),
        **_QUOTE_COLUMNS,
        "paragraph_id": pa.Column(int, pa.Check.ge(0)),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "word_count": pa.Column(int, pa.Check.ge(0)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="corpus_quotes",
)
""":data:`QUOTES_SCHEMA` per article, plus ``article_id``, ``outlet``, the
``paragraph_id`` / ``sentence_id`` (as in :func:`analysis.text.sentences`) where
the quote starts, and the quote's ``word_count``."""


QUOTED_PRONOUNS_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "mention": pa.Column(str),
        "actor": pa.Column(str),
        "camp": pa.Column(str),
        "quote_id": pa.Column(int, pa.Check.ge(0)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="quoted_pronouns",
)
"""One row per pronoun inside a direct quotation that points at a codebook actor
("I haven’t heard **him** once": Jamil Jivani), ``text[start:end] == mention``;
``quote_id`` is the innermost statement holding it. These are mentions of the
actor as a target of the quote's speaker, like a name would be."""


def _records(text: str, book: Codebook, rules: QuoteRules, sentence_spans=None) -> list[Record]:
    return _read(text, book, rules, sentence_spans)[0]


def _read(text: str, book: Codebook, rules: QuoteRules, sentence_spans=None, pronouns: bool = False):
    """``(statements, quoted pronouns)`` of one text."""
    if not isinstance(text, str) or not text.strip():
        return [], []
    doc = read_document(text, book, rules, sentence_spans)
    records = find_statements(doc)
    found = resolve_quoted_pronouns(doc, records, outer_statements(records)) if pronouns else []
    return records, found


def _rows(text: str, records: list[Record]) -> list[tuple]:
    rows = []
    outer = outer_statements(records)
    for i, r in enumerate(records):
        ms, me = r.mention if r.mention else (None, None)
        cs, ce = r.cue if r.cue else (None, None)
        rows.append(
            (
                i,
                text[r.start : r.end],
                r.start,
                r.end,
                r.kind,
                r.speaker,
                text[ms:me] if r.mention else None,
                ms,
                me,
                " ".join(text[cs:ce].split()) if r.cue else None,
                cs,
                ce,
                r.actor.camp if r.actor else None,
                outer[i],
            )
        )
    return rows


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows as a table with the schema's dtypes (nullable offsets as Int64, text as object)."""
    values = list(zip(*rows)) if rows else [()] * len(columns)
    data = {}
    for column, column_values in zip(columns, values):
        dtype = _DTYPES.get(column)
        if dtype == "int64":
            data[column] = np.fromiter(column_values, dtype=np.int64, count=len(column_values))
        elif dtype == "Int64":
            n = len(column_values)
            mask = np.fromiter((v is None for v in column_values), dtype=bool, count=n)
            ints = np.fromiter((0 if v is None else v for v in column_values), dtype=np.int64, count=n)
            data[column] = pd.arrays.IntegerArray(ints, mask)
        else:  # object: text kept as it is (a lone surrogate too), None stays None
            array = np.empty(len(column_values), dtype=object)
            array[:] = column_values
            data[column] = pd.Series(array, dtype=object, copy=False)
    return pd.DataFrame(data, columns=columns)


def extract_quotes(text: str, codebook: Codebook | None = None, *, rules: QuoteRules | None = None) -> pd.DataFrame:
    """Every attributed statement in ``text``, one row each (:data:`QUOTES_SCHEMA`).

    ``codebook`` resolves speakers to canonical names and camps (default
    ``data/actors.yaml``); ``rules`` defaults to ``data/quote_rules/``.
    Never raises on odd text: no quotation marks, unbalanced marks or an empty
    string give fewer (or no) rows. The table is built with the schema's
    dtypes and not validated per call (validation costs more than the
    extraction); :func:`extract_corpus_quotes` validates its table once.

    >>> df = extract_quotes("Joly told reporters she was skeptical. “I haven’t heard him once,” she said.")
    >>> df[["quote", "kind", "speaker", "speaker_mention"]].values.tolist()
    [['she was skeptical', 'indirect', 'Mélanie Joly', 'Joly'], ['I haven’t heard him once,', 'direct', 'Mélanie Joly', 'she']]
    """
    book = codebook if codebook is not None else load_codebook()
    rules = rules if rules is not None else load_quote_rules()
    rows = _rows(text, _records(text, book, rules)) if isinstance(text, str) else []
    return _frame(rows, list(QUOTES_SCHEMA.columns))


def extract_corpus_quotes(
    articles_df: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    rules: QuoteRules | None = None,
    progress: bool | None = None,
    sentences_df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run :func:`extract_quotes` over an articles table (:data:`CORPUS_QUOTES_SCHEMA`).

    Needs ``article_id`` and ``text``; ``outlet`` is carried when present.
    Paragraph and sentence ids come from :func:`analysis.text.sentences`, so
    they join onto its table; pass ``sentences_df`` (that function's output for
    these articles) when you have it, to avoid splitting twice: sentence
    splitting is most of the run time. A tqdm bar shows when there are more than
    :data:`PROGRESS_THRESHOLD` articles (``progress=True/False`` forces it).

    >>> import pandas as pd
    >>> arts = pd.DataFrame({"article_id": ["a"], "outlet": ["CBC"], "text": ["Intro.\\nCarney said he was not worried."]})
    >>> extract_corpus_quotes(arts)[["article_id", "quote", "paragraph_id", "sentence_id", "word_count"]].values.tolist()
    [['a', 'he was not worried', 1, 1, 4]]
    """
    return _extract_corpus(articles_df, codebook, rules, progress, sentences_df, pronouns=False)[0]


def extract_corpus_attributions(
    articles_df: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    rules: QuoteRules | None = None,
    progress: bool | None = None,
    sentences_df: pd.DataFrame | None = None,
    validate: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`extract_corpus_quotes` and, from the same reading, the quoted pronouns (:data:`QUOTED_PRONOUNS_SCHEMA`).

    ``validate=False`` skips the schema checks (for a caller that checks the
    tables it builds from these once, as :func:`analysis.stages.run_stages` does).

    >>> import pandas as pd
    >>> text = "Jivani spoke. “I haven’t heard him once,” Joly said."
    >>> quotes, pronouns = extract_corpus_attributions(pd.DataFrame({"article_id": ["a"], "text": [text]}))
    >>> pronouns[["mention", "actor", "quote_id"]].values.tolist()
    [['him', 'Jamil Jivani', 0]]
    """
    return _extract_corpus(articles_df, codebook, rules, progress, sentences_df, pronouns=True, validate=validate)


def _extract_corpus(articles_df, codebook, rules, progress, sentences_df, pronouns: bool, validate: bool = True):
    from analysis.corpus import count_words
    from analysis.text import sentences

    missing = {"article_id", "text"} - set(articles_df.columns)
    if missing:
        raise KeyError(f"expected an articles table with article_id and text; missing {sorted(missing)}")
    book = codebook if codebook is not None else load_codebook()
    rules = rules if rules is not None else load_quote_rules()
    frame = articles_df[["article_id", "text"]].astype({"article_id": str})
    sents = sentences_df if sentences_df is not None else (sentences(frame) if len(frame) else None)
    spans: dict[str, list[tuple[int, int, int, int]]] = {}
    if sents is not None:
        columns = (sents[c].tolist() for c in ("article_id", "start", "end", "paragraph_id", "sentence_id"))  # (lists: 10x faster than Arrow)
        for aid, s, e, p, sid in zip(*columns):
            spans.setdefault(aid, []).append((s, e, p, sid))
    outlets = articles_df["outlet"].tolist() if "outlet" in articles_df.columns else [None] * len(articles_df)
    items = zip(frame["article_id"].tolist(), outlets, frame["text"].tolist())
    show = len(articles_df) > PROGRESS_THRESHOLD if progress is None else progress
    if show:
        from tqdm.auto import tqdm

        items = tqdm(items, total=len(articles_df), desc="quotes", unit="article")
    rows, pronoun_rows = [], []
    for aid, outlet, text in items:
        if not isinstance(text, str):
            continue
        sent_rows = spans.get(aid, [])
        records, found = _read(text, book, rules, [(s, e, p) for s, e, p, _ in sent_rows], pronouns)
        starts = [s for s, _, _, _ in sent_rows]
        outlet = None if outlet is None or (isinstance(outlet, float) and pd.isna(outlet)) else str(outlet)
        for row in _rows(text, records):
            k = max(0, bisect.bisect_right(starts, row[2]) - 1)
            para, sid = (sent_rows[k][2], sent_rows[k][3]) if sent_rows else (0, 0)
            rows.append((aid, outlet, *row, para, sid, count_words(row[1])))
        pronoun_rows += [(aid, s, e, text[s:e], actor.name, actor.camp, k) for s, e, actor, k in found]
    quotes = _frame(rows, list(CORPUS_QUOTES_SCHEMA.columns))
    found = pd.DataFrame(pronoun_rows, columns=list(QUOTED_PRONOUNS_SCHEMA.columns))
    if not validate:
        return quotes, found
    return CORPUS_QUOTES_SCHEMA.validate(quotes), QUOTED_PRONOUNS_SCHEMA.validate(found)
