"""Text normalisation and segmentation into paragraphs and sentences.

Offsets in every table here index the *loaded* ``text`` column (after
:func:`normalize_text`), never the raw file, so ``text[start:end]`` is the
paragraph or sentence.

Sentence boundaries come from syntok (segtok's successor: rules for
abbreviations, initials and quotes, pure Python, nothing to download), at
about 10k sentences/s, twice pySBD. Most boundaries in news are plain ("... a
word. The next"), so :func:`split_sentences` first cuts a paragraph where
syntok's own rules (its abbreviation, month and numeral lists) always cut,
and where a piece holds no other possible boundary keeps it whole; only
pieces with a doubtful boundary (an abbreviation, initials, brackets, an
ellipsis) go to syntok. On the 17,402 paragraphs of the PolNeAR training
articles and the seed articles this gives syntok's sentences exactly, 3x
faster (``tests/test_text.py`` checks the agreement on the seeds and on
generated text). BlingFire is faster but glues "said.
Mr. Chan" into one sentence, which breaks quote attribution. TextBlob's
splitter is not used because it needs NLTK data fetched from the internet at
run time. Sentences never cross paragraphs.

>>> import pandas as pd
>>> df = pd.DataFrame({"article_id": ["a"], "text": ["Budget Vote\\nHe said it. She left."]})
>>> paragraphs(df)[["paragraph_id", "text", "is_heading"]].values.tolist()
[[0, 'Budget Vote', True], [1, 'He said it. She left.', False]]
>>> sentences(df)["text"].tolist()
['Budget Vote', 'He said it.', 'She left.']
"""

from __future__ import annotations

import re
import ftfy
import pandas as pd
import pandera.pandas as pa
from syntok import segmenter as syntok_segmenter

try:  # syntok's own word lists, so the fast path cuts only where syntok would
    from syntok._segmentation_states import State as _SyntokState
except ImportError:  # another syntok layout: every paragraph goes through syntok
    _SyntokState = None

PARAGRAPHS_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "paragraph_id": pa.Column(int, pa.Check.ge(0)),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "text": pa.Column(str),
        "is_heading": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="paragraphs",
)
"""One row per paragraph: ``text == article_text[start:end]``."""

SENTENCES_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "paragraph_id": pa.Column(int, pa.Check.ge(0)),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "text": pa.Column(str),
        "is_heading": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="sentences",
)
"""One row per sentence, numbered through the article: ``text == article_text[start:end]``."""

_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # the quote finder needs curly marks
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)
# ftfy repairs each line on its own; a line of plain ASCII (no "&" entity) and common
# typographic marks is one it leaves as it is, so only the other lines go through it.
_PLAIN_LINE = re.compile("[\t\x20-\x25\x27-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026]*\n?")
# "Â" before white space is the residue of a UTF-8 no-break space read as
# cp1252 whose second byte was already turned into a space; ftfy leaves it.
_STRAY_A_CIRCUMFLEX = re.compile("\u00c2(?=[ \u00a0\t])")
_HORIZONTAL_NBSP = re.compile("[\u00a0\u202f\u2007]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_HEADING_END = re.compile(r"[.!?:;,\"”’')\]]$")
_QUOTE_START = re.compile(r"^[\"“‘']")
# Characters at which syntok may end a sentence (its terminals, opening brackets, line breaks and the
# ellipsis): a paragraph with none of them before its closing run is one sentence, no segmenter needed.
_TERMINALS = ".!?;\u2026\u203c\u203d\u2047\u2048\u2049\u3002\ufe52\ufe57\uff01\uff0e\uff1f\uff61"
_SENTENCE_BREAKS = _TERMINALS + "\n([{\uff5f\uff5b\uff3b\uff08\ufe5d\ufe5b\ufe59\ufd3e\u301a\u3018\u2985\u2983\u2329"
_CLOSING_RUN = _TERMINALS + ")]}\uff60\uff5d\uff3d\uff09\ufe5e\ufe5c\ufe5a\ufd3f\u301b\u3019\u2986\u2984\u232a'\"\u00b4\u2019\u201d\u27e9\u27eb\u2e29\u3009\u300b\u301e"
_HAS_BREAK = re.compile("[" + re.escape(_SENTENCE_BREAKS) + "]")


def normalize_text(raw: str) -> str:
    """Repair a raw article text for analysis; keep curly quotes as they are.

    Repairs mojibake (``MPÂ said``), turns no-break spaces into spaces,
    normalises line endings to ``\\n``, strips trailing spaces on each line and
    trailing blank lines.

    >>> normalize_text("the MP\\u00c2\\u00a0said \\u201cyes\\u201d\\r\\n\\r\\n")
    'the MP said “yes”'
    """
    text = _fix_text(raw)
    text = _STRAY_A_CIRCUMFLEX.sub("", text)
    text = _HORIZONTAL_NBSP.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("", text)
    return text.strip("\n")


def _fix_text(raw: str) -> str:
    """``ftfy.fix_text`` with our config, skipping the lines it would return unchanged."""
    if "<" in raw:  # one "<" switches ftfy's HTML unescaping off for the lines after it
        return ftfy.fix_text(raw, config=_FTFY_CONFIG)
    segments = raw.split("\n")
    last = segments.pop()
    segments = [segment + "\n" for segment in segments]
    if last:
        segments.append(last)
    return "".join(s if _PLAIN_LINE.fullmatch(s) else ftfy.fix_text(s, config=_FTFY_CONFIG) for s in segments)


def _is_heading(paragraph: str) -> bool:
    """A short one-line paragraph without closing punctuation, e.g. ``Budget Vote``."""
    if "\n" in paragraph or not paragraph:
        return False
    words = paragraph.split()
    return (
        len(words) <= 10
        and len(paragraph) <= 80
        and not _HEADING_END.search(paragraph)
        and not _QUOTE_START.match(paragraph)
        and paragraph[0].isupper()
    )


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of non-blank lines; each line is a paragraph (news exports put one per line)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in one paragraph: syntok's sentences.

    Plain boundaries are cut without syntok (see the module docstring); every
    doubtful one is syntok's decision.

    >>> split_sentences("He said no. Mr. Smith left.")
    [(0, 11), (12, 27)]
    """
    if not _HAS_BREAK.search(paragraph.rstrip().rstrip(_CLOSING_RUN)):
        return [_trim(paragraph, 0, len(paragraph))]
    if _SyntokState is None or not _brackets_nest(paragraph):
        return _syntok_spans(paragraph)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*_plain_cuts(paragraph), len(paragraph)]:
        s, e = _trim(paragraph, start, cut)
        if s < e:
            piece = paragraph[s:e]
            if _one_sentence(piece):
                spans.append((s, e))
            else:
                spans.extend((s + a, s + b) for a, b in _syntok_spans(piece))
        start = cut
    return spans


# A terminal after a word of 2+ letters, at most one closing quotation mark, white space, then an optional
# opening mark and a capitalised word: a boundary for syntok unless the word is one of its abbreviations,
# months or roman numerals.
_PLAIN_END = re.compile(r"[.!?](?<=[^\W\d_]{2}[.!?])[\"'”’]?(?=\s+[“\"‘]?([A-Z]\w*))")  # terminal first: a fast scan
# A full stop after a number that is a token of its own, then white space and a capitalised word ("on Feb. 4. Carney",
# "in 2016. The"): syntok ends the sentence unless the number opens it or the word is a month ("4. Mar-a-Lago").
_DIGIT_END = re.compile(r"\.(?<=[0-9]\.)(?=\s+([A-Z]\w*))")
_PLAIN_CAPITALISED = re.compile("[A-Z][a-z]*")
_TWO_TOKENS = re.compile(r"\w\s+\w")
_ANY_TERMINAL = re.compile("[" + re.escape(_TERMINALS) + "]")  # every terminal syntok knows ("。" too)
# after a terminal: a lowercase word, inner punctuation, a digit or a hyphen glued on ("3.5", "U.S.-led") -- syntok never cuts there
_NO_CUT_AFTER = re.compile(r"[\"'”’)\]]*(?:\s+[a-z]|[a-z0-9,;:-])")
_INITIALISM = re.compile(r"(?<=[A-Z])\.(?=[A-Z])")
_NEXT_WORD = re.compile(r"\s+([A-Z]\w*)")
_INITIALS_BEFORE = re.compile(r"(?:^|(?<=[\s“\"‘(-]))(?:[A-Z]\.)+[A-Z]$")
_PLAIN_ASIDE = re.compile(r"(?<=[a-z] )\([^()\[\]{}“”\"‘’'" + re.escape(_TERMINALS) + r"]{1,60}\)(?=\s+[a-z]|[,;:]|[.!?]?[\"'”’]?$)")
# A short bracketed aside (at most 50 characters, none of them a bracket) after two words, neither a terminal:
# syntok is then inside a sentence and skips the whole aside (_skip_bracketed_text), so nothing inside it or
# before it can end the sentence ("Sen. Tim Kaine (D-Va.) has", "Warren (D-Mass.),"). See _skipped_asides.
_SKIPPED_ASIDE = re.compile(r"(?<=[^\W_])\s+[^\W_]+\s+(\([^()\[\]{}\n]{1,48}\))")
_FIRST_CHUNK = re.compile(r"\S*")
_LAST_CHUNK = re.compile(r"\S*$")
_DAY_AFTER = re.compile(r" \d{1,2}(?=[\s,;:]|$)")


def _word_before(text: str, i: int) -> tuple[int, str]:
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return j, text[j:i]


_BRACKET = re.compile(r"[()\[\]]")


def _brackets_nest(paragraph: str) -> bool:
    """Every ")" and "]" closes an earlier opening one and all are closed (else syntok reads the paragraph whole)."""
    depth = 0
    for m in _BRACKET.finditer(paragraph):
        depth += 1 if m.group() in "([" else -1
        if depth < 0:
            return False
    return depth == 0


def _starts_token(text: str, j: int) -> bool:
    """The word at ``j`` begins one of syntok's tokens: after white space, or an opening mark after white space.

    A word glued to what precedes it ("U.S:Phone", "Trump’s") is judged by syntok as part of a longer token.
    """
    if j == 0 or text[j - 1].isspace():
        return True
    return text[j - 1] in "“\"‘" and (j == 1 or text[j - 2].isspace())


def _has_case_turn(word: str) -> bool:
    """A lowercase letter followed by a capital ("eBay", "aMr"): syntok's tokenizer splits there and judges the tail alone."""
    return any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))


def _plain_cuts(paragraph: str) -> list[int]:
    """Offsets where syntok surely ends a sentence: a plain word, a terminal, a capitalised word; outside brackets.

    Also after a number that is not the first token of its sentence (see :data:`_DIGIT_END`), when
    nothing between the previous cut and the number can end a sentence.
    """
    skip = _SyntokState.abbreviations | _SyntokState.months | _SyntokState.roman_numerals
    found = [(m, False) for m in _PLAIN_END.finditer(paragraph)]
    if "." in paragraph and _DIGIT_END.search(paragraph):
        found = sorted(found + [(m, True) for m in _DIGIT_END.finditer(paragraph)], key=lambda f: f[0].start())
    cuts = []
    depth, last = 0, 0
    bracketed = "(" in paragraph or "[" in paragraph or ")" in paragraph or "]" in paragraph
    for m, after_number in found:
        if bracketed:
            between = paragraph[last : m.start()]
            depth += between.count("(") + between.count("[") - between.count(")") - between.count("]")
            last = m.start()
        if depth:
            continue
        if after_number:
            if _number_ends_sentence(paragraph, m, cuts[-1] if cuts else 0):
                cuts.append(m.end())
            continue
        j, word = _word_before(paragraph, m.start())
        if word in skip or not _starts_token(paragraph, j) or _has_case_turn(word):
            continue
        if word in ("no", "No", "NO") and any(c.isdigit() for c in m.group(1)):
            continue  # "said no! IV2016": syntok keeps "no." before a word with a digit ("No. 4")
        cuts.append(m.end())
    return cuts


def _number_ends_sentence(paragraph: str, m: re.Match, previous_cut: int) -> bool:
    """The full stop of a :data:`_DIGIT_END` match ends the sentence for syntok.

    The number must be a token of its own (white space before it), not a word
    syntok lists, and not the first token of its sentence (syntok keeps "4."
    with the sentence it opens): some text comes between the previous cut and
    the number, none of it able to end a sentence (:func:`_one_sentence`), with two
    tokens in a row somewhere ("He met Rubio on Feb. 4", not "Feb. 4": a terminal after
    each token keeps syntok in its first-token state).
    """
    j = m.start()
    while j > 0 and paragraph[j - 1] in "0123456789":
        j -= 1
    following = m.group(1)  # one plain word (syntok's tokenizer splits "JanSept" or "Mar2" and reads "Jan", "Mar")
    if j == 0 or not paragraph[j - 1].isspace() or not _PLAIN_CAPITALISED.fullmatch(following) or following in _SyntokState.months:
        return False
    if paragraph[j : m.start()] in _SyntokState.abbreviations or not _TWO_TOKENS.search(paragraph, previous_cut, j + 1):
        return False  # (syntok reads "Feb. 3." at a sentence start as its first token still: no two tokens in a row)
    return _one_sentence(paragraph[previous_cut : m.start()].strip())


def _skipped_asides(piece: str) -> list[tuple[int, int]]:
    """Spans of the asides syntok surely skips (:data:`_SKIPPED_ASIDE`).

    Its tokenizer makes "(" and ")" tokens of their own only when the run of non-space characters holding
    them has a letter or digit (" )。" and "(“ " are single tokens, and such an aside is not skipped).
    """
    spans = []
    for m in _SKIPPED_ASIDE.finditer(piece):
        a, b = m.span(1)
        first = _FIRST_CHUNK.match(piece, a).group()
        last = _LAST_CHUNK.search(piece, a, b).group()
        if any(c.isalnum() for c in first) and any(c.isalnum() for c in last):
            spans.append((a, b))
    return spans


def _one_sentence(piece: str) -> bool:
    """No terminal inside ``piece`` can end a sentence for syntok (lowercase or a digit follows, initials, "Mr. Smith")."""
    if "(" in piece:  # a short aside with no terminal, followed by a lowercase word or a comma, cannot end a sentence
        asides = [m.span() for m in _PLAIN_ASIDE.finditer(piece)] + _skipped_asides(piece)
        for a, b in asides:  # both found on the piece as given, so one masking cannot make room for the other
            piece = piece[:a] + "x" * (b - a) + piece[b:]
    body = piece.rstrip().rstrip(_CLOSING_RUN)
    if "(" in body or "[" in body or "{" in body or "''" in body:
        return False
    for m in _ANY_TERMINAL.finditer(body):
        if _NO_CUT_AFTER.match(piece, m.end()) or _INITIALISM.match(piece, m.start()):
            continue
        if piece[m.start()] == ".":
            j, word = _word_before(piece, m.start())
            following = _NEXT_WORD.match(piece, m.end())
            if following and following.group(1) not in _SyntokState.starters and (
                (word in _SyntokState.abbreviations and _starts_token(piece, j))  # "Mr. Smith"
                or _INITIALS_BEFORE.search(piece, 0, m.start())  # "U.S. President"
            ):
                continue
            if word in _SyntokState.months and (j == 0 or piece[j - 1] == " ") and _DAY_AFTER.match(body, m.end()):
                continue  # "Feb. 4"
        return False
    return True


def _syntok_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for block in syntok_segmenter.process(paragraph):
        for sentence in block:
            if sentence:
                last = sentence[-1]
                spans.append((sentence[0].offset, last.offset + len(last.value)))
    # syntok drops nothing but white space; glue any stray tail to the last span
    if spans and paragraph[spans[-1][1] :].strip():
        spans[-1] = (spans[-1][0], _trim(paragraph, spans[-1][0], len(paragraph))[1])
    return spans or [_trim(paragraph, 0, len(paragraph))]


def _require_text_columns(df: pd.DataFrame) -> None:
    missing = {"article_id", "text"} - set(df.columns)
    if missing:
        raise KeyError(f"expected an articles table with columns article_id and text; missing {sorted(missing)}")


def paragraphs(df: pd.DataFrame, *, validate: bool = True) -> pd.DataFrame:
    """Split each article into paragraphs with offsets into its ``text``.

    Columns: see :data:`PARAGRAPHS_SCHEMA` (``validate=False`` skips the check,
    for a caller that checks the table it builds once).
    """
    _require_text_columns(df)
    rows = []
    for article_id, text in zip(df["article_id"].tolist(), df["text"].tolist()):  # (lists: iterating Arrow strings is slow)
        for paragraph_id, (start, end) in enumerate(_paragraph_spans(text)):
            start, end = _trim(text, start, end)
            body = text[start:end]
            rows.append((article_id, paragraph_id, start, end, body, _is_heading(body)))
    out = pd.DataFrame(rows, columns=list(PARAGRAPHS_SCHEMA.columns))
    out = out.astype({"article_id": str, "paragraph_id": int, "start": int, "end": int, "text": str, "is_heading": bool})
    return PARAGRAPHS_SCHEMA.validate(out) if validate else out


def sentences(df: pd.DataFrame, paragraphs_df: pd.DataFrame | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Split each article into sentences with offsets into its ``text``.

    Headings count as one sentence each. Pass ``paragraphs_df`` when you have
    it already to avoid splitting paragraphs twice. Columns: see
    :data:`SENTENCES_SCHEMA` (``validate=False`` skips the check).

    Limits: an abbreviation the splitter does not know can end a sentence
    early, and a sentence that runs over a line break is cut there.
    """
    _require_text_columns(df)
    paras = paragraphs(df, validate=validate) if paragraphs_df is None else paragraphs_df
    rows = []
    counters: dict[str, int] = {}
    for article_id, paragraph_id, p_start, body, is_heading in zip(
        *(paras[c].tolist() for c in ("article_id", "paragraph_id", "start", "text", "is_heading"))
    ):
        spans = [(0, len(body))] if is_heading else split_sentences(body)
        for start, end in spans:
            sentence_id = counters.get(article_id, 0)
            counters[article_id] = sentence_id + 1
            rows.append((article_id, sentence_id, paragraph_id, p_start + start, p_start + end, body[start:end], bool(is_heading)))
    out = pd.DataFrame(rows, columns=list(SENTENCES_SCHEMA.columns))
    out = out.astype({"article_id": str, "sentence_id": int, "paragraph_id": int, "start": int, "end": int, "text": str, "is_heading": bool})
    return SENTENCES_SCHEMA.validate(out) if validate else out


def count_segments(articles: pd.DataFrame, paragraphs_df: pd.DataFrame, sentences_df: pd.DataFrame) -> pd.DataFrame:
    """Per article: metadata plus ``paragraphs_n``, ``headings_n`` and ``sentences_n``."""
    para_counts = paragraphs_df.groupby("article_id").agg(paragraphs_n=("paragraph_id", "size"), headings_n=("is_heading", "sum"))
    sent_counts = sentences_df.groupby("article_id").agg(sentences_n=("sentence_id", "size"))
    keep = [c for c in ("article_id", "outlet", "title", "published_date", "word_count") if c in articles]
    out = articles[keep].merge(para_counts, on="article_id", how="left").merge(sent_counts, on="article_id", how="left")
    counts = ["paragraphs_n", "headings_n", "sentences_n"]
    out[counts] = out[counts].fillna(0).astype(int)
    return out
