"""Quotation marks: where each quotation opens and closes, and the units a quote and its attribution share.

:func:`find_quotes` pairs the marks of one paragraph (curly and guillemet
pairs, straight marks read from the characters around them, single marks as
nested quotations or, in a paragraph with no double marks, as primary ones).
:func:`join_units` merges the sentences one quotation runs across, so that
"“First sentence. Second sentence,” she said." is one unit with its cue.

>>> from analysis.quotes.rules import load_quote_rules
>>> text = "“We will win. Trust me,” he said. ‘Fine.’"
>>> [(text[q.start:q.end], q.close is not None) for q in find_quotes(text, 0, len(text), 0, load_quote_rules())]
[('We will win. Trust me,', True)]
>>> join_units([(0, 14), (14, 33), (34, 41)], find_quotes(text, 0, len(text), 0, load_quote_rules()), 0, len(text))
[(0, 33), (34, 41)]

Limits: an unclosed quotation runs to the end of its paragraph, never
further; a straight mark (``"`` or the archives' ``''``) opens only after a
blank or an opening bracket and before a non-blank; an apostrophe inside a
word is never a mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.quotes.rules import QuoteRules


@dataclass
class QuoteSpan:
    """One quotation: ``text[start:end]`` is its content without the marks."""

    open: int  # index of the opening mark
    start: int  # content start
    end: int  # content end
    close: int | None  # index just after the closing mark; None when unbalanced
    para: int
    inner: list["QuoteSpan"] = field(default_factory=list)

    @property
    def stop(self) -> int:
        """Where the quotation's text ends: after its closing mark, or at its content end when unclosed."""
        return self.close if self.close is not None else self.end


def find_quotes(text: str, lo: int, hi: int, para: int, rules: QuoteRules) -> list[QuoteSpan]:
    """Quotations in ``text[lo:hi]`` (one paragraph), with their nested single-mark quotations."""
    openers = {o: c for o, c in rules.double_marks}
    closers = {c for _, c in rules.double_marks}
    found: list[QuoteSpan] = []
    current: tuple[int, int] | None = None  # (position, length) of the open quotation's mark
    for m in rules.mark_re.finditer(text, lo, hi):
        i, ch = m.start(), m.group()
        if ch in rules.straight_marks:
            if current is None:
                if _opening_context(text, i, len(ch), lo, hi):
                    current = (i, len(ch))
            else:
                found.append(_make_quote(text, current, i, len(ch), para))
                current = None
        elif ch in openers and (current is None or ch not in closers):
            if current is not None:  # a new opener while open: the earlier quote was never closed
                found.append(_make_quote(text, current, i, 0, para))
            current = (i, 1)
        elif ch in closers and current is not None:
            found.append(_make_quote(text, current, i, 1, para))
            current = None
    if current is not None:
        found.append(_make_quote(text, current, hi, 0, para))
    if not found and not rules.mark_re.search(text, lo, hi):
        found = _single_quotes(text, lo, hi, para, rules, primary=True)
    found = [q for q in found if q.end > q.start]
    for q in found:
        q.inner = _single_quotes(text, q.start, q.end, para, rules, primary=False)
    return found


def _make_quote(text: str, opening: tuple[int, int], close_at: int, close_len: int, para: int) -> QuoteSpan:
    """The quotation from an opening mark ``(position, length)`` to a closing mark (``close_len`` 0: unclosed)."""
    open_at, open_len = opening
    start, end = open_at + open_len, close_at
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return QuoteSpan(open_at, start, end, close_at + close_len if close_len else None, para)


def _single_quotes(text: str, lo: int, hi: int, para: int, rules: QuoteRules, primary: bool) -> list[QuoteSpan]:
    """Quotes in single marks: ‘…’ (and '…' when nested); an apostrophe inside a word is never a mark."""
    out, current = [], None
    pairs = dict(rules.single_marks)
    for m in (rules.single_re if primary else rules.nested_re).finditer(text, lo, hi):
        i = m.start()
        ch = m.group()
        before = text[i - 1] if i > lo else " "
        after = text[i + 1] if i + 1 < hi else " "
        if current is None and (ch in pairs or ch == "'") and not before.isalnum() and after.isalnum():
            current = (i, 1)
        elif current is not None and ch not in pairs and not before.isspace() and not after.isalnum():
            out.append(_make_quote(text, current, i, 1, para))
            current = None
    return [q for q in out if q.end > q.start]


def _opening_context(text: str, i: int, width: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + width] if i + width < hi else " "
    return (before.isspace() or before in "([{—–-:/‘") and not after.isspace()


def join_units(sents: list[tuple[int, int]], quotes: list[QuoteSpan], lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph, joined where a quotation runs across their boundary.

    Linear in sentences + quotations: both are walked once, in text order.
    """
    units: list[list[int]] = []
    spans = sorted((max(s, lo), min(e, hi)) for s, e in sents)
    ordered = sorted(quotes, key=lambda q: q.open)
    k = 0  # quotes opening before the current unit's end, not yet past it
    reach = -1  # the furthest stop of a quotation opening inside the current unit
    for s, e in spans:
        if e <= s:
            continue
        if units and reach > units[-1][1]:
            units[-1][1] = max(units[-1][1], e)
        else:
            units.append([s, e])
            reach = -1
        while k < len(ordered) and ordered[k].open < units[-1][1]:
            if ordered[k].open >= units[-1][0]:
                reach = max(reach, ordered[k].stop)
            k += 1
    return [(s, e) for s, e in units]
