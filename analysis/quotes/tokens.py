"""Word-level helpers shared by the quote finder's passes.

>>> text = "Mr. Jivani said on Feb. 3 that it was over."
>>> [w for _, _, w in words_in(text, 0, len(text))][:6]
['Mr.', 'Jivani', 'said', 'on', 'Feb.', '3']
>>> count_words(text, 0, 10), is_capitalised("Jivani")
(2, True)
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[^\s,;:()\[\]{}“”\"«»—–!?/]+")
ALNUM = re.compile(r"[^\W_]")
SPLIT_PUNCT = re.compile(r"[,;:()\[\]{}“”\"«»—–!?‘]")
POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
SENTENCE_END = re.compile(r"[.;!?]")
ABBREV = re.compile(r"^(?:[A-Z][a-z]{0,3}\.|(?:\w\.){2,})$")


def words_in(text: str, lo: int, hi: int, limit: int = -1) -> list[tuple[int, int, str]]:
    """Word-ish tokens in ``text[lo:hi]`` with a final full stop cut off unless an abbreviation; the first ``limit`` only if given."""
    out = []
    for m in WORD_RE.finditer(text, lo, hi):
        w = m.group()
        s = m.start()
        e = s + len(w)
        if w[-1] == "." and not ABBREV.match(w):
            stripped = w.rstrip(".")
            w, e = stripped, e - (len(w) - len(stripped))
        # a first letter or digit (str.isalnum is re's \w without "_") spares the regex
        if w and (w[0].isalnum() or ALNUM.search(w)):
            out.append((s, e, w))
            if len(out) == limit:
                break
    return out


def count_words(text: str, lo: int, hi: int) -> int:
    """Number of word-ish tokens in ``text[lo:hi]``."""
    return len(WORD_RE.findall(text, lo, hi))


def is_capitalised(word: str) -> bool:
    return word[:1].isupper()
