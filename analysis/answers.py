"""One answer page per outlet: how does this outlet position the focus relative to the counterpart? Five computed lines.

:func:`answer_lines` builds the five lines for one outlet from the measures
table (:func:`analysis.measures.positioning_measures`), each with its two or
three strongest evidence sentences (outlet, article, offsets, speaker):

1. **lean**: the slant (treatment of the focus minus the counterpart) with its
   verdict (:mod:`analysis.verdicts`), and the narrator-only slant beside it;
2. **the outlet's own words**: the narrator's treatment of each side;
3. **who speaks**: each side's share of quotes and of quoted words, who opens
   and who closes among quoted speakers, and whom the closing statement names;
4. **sources**: each side as treated by the other side's sources, and whether
   the other side gets to answer (claims answered later in the article);
5. **wording and prominence**: loaded attribution verbs introducing each
   side's statements, and who is in the headline, the lead and the first third.

:func:`answer_page` renders them as a self-contained HTML page (inline CSS,
no script, no CDN; every piece of article text escaped); :func:`write_answer_pages`
writes one per outlet plus an index under ``<report folder>/answers/``;
:func:`show_answer` displays one in JupyterLab. ``unique_content`` is the
hook for a table of content only this outlet carries (columns ``outlet,
article_id, start, end, text``, e.g. from a sentence alignment of the
story's articles): when given, its rows are listed under the five lines.

>>> import pandas as pd
>>> from analysis.actors import parse_codebook
>>> from analysis.tables import build_tables
>>> book = parse_codebook({"actors": [{"name": "Kim Ode", "camp": "board", "pronouns": "she"},
...                                    {"name": "Raf Ito", "camp": "union", "pronouns": "he"}]})
>>> t = build_tables(pd.DataFrame({"article_id": ["s1"], "outlet": ["Gazette"], "text": [
...     "Kim Ode said Raf Ito misled the workers. Raf Ito said Kim Ode cut their pay."]}), book, "generic_frames")
>>> [line.topic for line in answer_lines(t, "Kim Ode", "Raf Ito", "Gazette")]
['lean', "the outlet's own words", 'who speaks', 'sources', 'wording and prominence']

Limits: the lines are as good as the measures (a stance model, quote
attribution, a codebook); each names its measure, interval and n so a reader
can judge, and its evidence so a reader can check.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.cues import OTHER_CUE
from analysis.sides import VOICE_LABELS, claims_and_responses, treatment_voices
from analysis.tables import Party, Tables
from analysis.verdicts import EVIDENCE_FLOOR, evidence_note, slant_sentence, verdict
from analysis.views import article_order, resolve_parties, voice_quotes

EVIDENCE_PER_LINE = 3
"""At most this many evidence sentences under a line."""
ANSWERS_DIR = "answers"
UNIQUE_CONTENT_COLUMNS = ("outlet", "article_id", "start", "end", "text")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Evidence:
    """One evidence passage: ``text`` is ``article text[start:end]``; ``mark`` a span inside it (offsets into the article) to highlight."""

    outlet: str
    article_id: str
    start: int
    end: int
    speaker: str
    text: str
    note: str = ""
    mark: tuple[int, int] | None = None
    article: str = ""
    """How a reader knows the article: its title, else its first words (the id stays beside it)."""


@dataclass
class AnswerLine:
    """One computed finding: its ``topic``, the sentence, and the passages behind it."""

    topic: str
    text: str
    evidence: list[Evidence] = field(default_factory=list)


def slug(outlet: str) -> str:
    """A file name for an outlet: ``"The Epoch Times"`` -> ``"the-epoch-times"``.

    >>> slug("CBC News"), slug("Le Devoir / Montréal")
    ('cbc-news', 'le-devoir-montr-al')
    """
    return _SLUG.sub("-", outlet.lower()).strip("-") or "outlet"


def _pick(measures: pd.DataFrame, outlet: str, measure: str, group: str = "focus") -> pd.Series | None:
    row = measures[(measures["outlet"] == outlet) & (measures["measure"] == measure) & (measures["group"] == group)]
    return None if row.empty else row.iloc[0]


def _pct(row) -> str:
    return "–" if row is None or pd.isna(row["value"]) else f"{row['value']:.0%}"


def _texts(tables: Tables) -> dict[str, str]:
    return dict(zip(tables.articles["article_id"], tables.articles["text"]))


def _article_names(tables: Tables, words: int = 8) -> dict[str, str]:
    """``article_id -> title``, or the text's first words for an untitled article (the CBC seed has no title)."""
    titles = tables.articles["title"] if "title" in tables.articles else [None] * len(tables.articles)
    names = {}
    for article_id, title, text in zip(tables.articles["article_id"], titles, tables.articles["text"]):
        first = str(text or "").split()
        names[article_id] = (title.strip() if isinstance(title, str) and title.strip()
                             else " ".join(first[:words]) + (" …" if len(first) > words else ""))
    return names


def _mention_evidence(rows: pd.DataFrame, tables: Tables, limit: int = EVIDENCE_PER_LINE) -> list[Evidence]:
    """The sentences of the strongest-scored mentions (one per sentence), the mention marked."""
    if rows.empty:
        return []
    sents = tables.sentences.set_index(["article_id", "sentence_id"])[["start", "end"]]
    texts, names = _texts(tables), _article_names(tables)
    out, seen = [], set()
    for r in rows.iloc[(-rows["polarity"].abs()).argsort(kind="stable")].itertuples(index=False):
        key = (r.article_id, int(r.sentence_id))
        if key in seen:
            continue
        seen.add(key)
        start, end = (int(v) for v in sents.loc[key])
        who = "narrator" if r.source == "narrator" else r.speaker
        out.append(Evidence(r.outlet, r.article_id, start, end, who, texts[r.article_id][start:end],
                            note=f"{r.target} {r.polarity:+.2f} ({VOICE_LABELS.get(getattr(r, 'voice', ''), who)})",
                            mark=(int(r.start), int(r.end)), article=names[r.article_id]))
        if len(out) == limit:
            break
    return out


def _quote_evidence(quotes: pd.DataFrame, tables: Tables, note: str = "") -> list[Evidence]:
    """Each statement in its sentences (from the start of the sentence it opens in to the end of the one it closes in), marked."""
    texts, names, out = _texts(tables), _article_names(tables), []
    for r in quotes.itertuples(index=False):
        s = tables.sentences[tables.sentences["article_id"] == r.article_id]
        before, after = s[s["start"] <= r.start], s[s["end"] >= r.end]
        start = int(before["start"].max()) if len(before) else int(r.start)
        end = int(after["end"].min()) if len(after) else int(r.end)
        out.append(Evidence(r.outlet, r.article_id, start, end, str(r.speaker), texts[r.article_id][start:end],
                            note=note or (f"cue: {r.cue}" if isinstance(r.cue, str) else ""), mark=(int(r.start), int(r.end)),
                            article=names[r.article_id]))
    return out


def _lean(tables, measures, voices, outlet, f: Party, c: Party) -> AnswerLine:
    row, narr = _pick(measures, outlet, "slant"), _pick(measures, outlet, "slant_narrator")
    text = f"{outlet}: {slant_sentence(row, f.label, c.label)}."
    if narr is not None:
        text += f" In its own words alone: {verdict(narr)}, slant narrator {evidence_note(narr)}."
    return AnswerLine("lean", text, _mention_evidence(voices, tables))


def _own_words(tables, measures, voices, outlet, f: Party, c: Party) -> AnswerLine:
    bits = []
    for g, party in (("focus", f), ("counterpart", c)):
        row = _pick(measures, outlet, "narrator_sentiment", g)
        bits.append(f"toward {party.label}: {verdict(row)}, {evidence_note(row)}")
    text = f"The outlet's own sentences (no quote) {'; '.join(bits)}."
    return AnswerLine("the outlet's own words", text, _mention_evidence(voices[voices["voice"] == "narrator"], tables))


def _who_speaks(tables, measures, outlet, f: Party, c: Party) -> AnswerLine:
    share = {g: (_pick(measures, outlet, "quote_share", g), _pick(measures, outlet, "word_share", g)) for g in ("focus", "counterpart")}
    n = share["focus"][0]["n"] if share["focus"][0] is not None else 0
    text = (f"Of {int(n)} quotes, {f.label} has {_pct(share['focus'][0])} ({_pct(share['focus'][1])} of quoted words, own words only) "
            f"and {c.label} {_pct(share['counterpart'][0])} ({_pct(share['counterpart'][1])}).")
    order = article_order(tables, f, c)
    order = order[(order["outlet"] == outlet) & order["last_speaker"].notna()]
    q = voice_quotes(tables, f, c)
    evidence, names = [], _article_names(tables)
    for art in order.itertuples(index=False):
        targets = art.last_targets or "nobody in the codebook"
        text += (f" In “{names[art.article_id]}”, {art.first_speaker} opens and {art.last_speaker} has the last word among quoted speakers; "
                 f"that closing statement names {targets}.")
        last = q[(q["article_id"] == art.article_id) & (q["start"] == art.last_start) & (q["end"] == art.last_end)]
        first = q[(q["article_id"] == art.article_id) & (q["quote"] == art.first_quote) & (q["speaker_label"] == art.first_speaker)].head(1)
        evidence += _quote_evidence(first, tables, "opens") + _quote_evidence(last, tables, f"last word; names {targets}")
    return AnswerLine("who speaks", text, evidence[:EVIDENCE_PER_LINE])


def _sources(tables, measures, voices, outlet, f: Party, c: Party) -> AnswerLine:
    bits = []
    for g, party, other in (("focus", f, c), ("counterpart", c, f)):
        row = _pick(measures, outlet, "by_other_side", g)
        bits.append(f"{other.label}'s side on {party.label}: {verdict(row)}, {evidence_note(row)}")
    claims = claims_and_responses(tables, f, c)
    claims = claims[claims["outlet"] == outlet]
    for g, party, other in (("focus", f, c), ("counterpart", c, f)):
        mine = claims[claims["side"] == g]
        if len(mine):
            bits.append(f"{int(mine['answered'].sum())} of {len(mine)} statements by {party.label}'s side that name {other.label}'s side "
                        "get an answer from that side later in the article")
    text = "Quoted sources: " + "; ".join(bits) + "."
    evidence = _mention_evidence(voices[voices["voice"] == "other_side"], tables, 2)
    unanswered = claims[~claims["answered"].astype(bool)]
    if len(unanswered):
        q = tables.quotes.merge(unanswered[["article_id", "quote_id"]], on=["article_id", "quote_id"])
        evidence += _quote_evidence(q.head(1), tables, "not answered by the other side")
    return AnswerLine("sources", text, evidence[:EVIDENCE_PER_LINE])


def _wording(tables, measures, outlet, f: Party, c: Party) -> AnswerLine:
    q = voice_quotes(tables, f, c)
    q = q[(q["outlet"] == outlet) & q["group"].isin(["focus", "counterpart"])]
    loaded = q[~q["cue_category"].isin(["neutral", OTHER_CUE])]
    bits = []
    for g, party in (("focus", f), ("counterpart", c)):
        row = _pick(measures, outlet, "loaded_cue", g)
        verbs = ", ".join(f"“{v}” ({k})" for v, k in loaded.loc[loaded["group"] == g, ["cue", "cue_category"]].drop_duplicates().values)
        if row is not None and row["n"]:
            bits.append(f"{_pct(row)} of {party.label}'s {int(row['n'])} statements come with a loaded verb" + (f": {verbs}" if verbs else ""))
    where = []
    for g, party in (("focus", f), ("counterpart", c)):
        head, lead, third = (_pick(measures, outlet, m, g) for m in ("in_headline", "in_lead", "first_third_share"))
        headline = "headline unknown" if head is None or head["n"] == 0 else f"headline {_pct(head)}"
        where.append(f"{party.label}: {headline}, lead {_pct(lead)}, {_pct(third)} of first-third sentences")
    text = "Attribution verbs chosen by the outlet: " + ("; ".join(bits) or "neither side is quoted") + ". Prominence: " + "; ".join(where) + "."
    return AnswerLine("wording and prominence", text, _quote_evidence(loaded.head(EVIDENCE_PER_LINE), tables))


def answer_lines(tables: Tables, focus: str | Party, counterpart: str | Party, outlet: str,
                 measures: pd.DataFrame | None = None) -> list[AnswerLine]:
    """The five computed lines answering how ``outlet`` positions the focus relative to the counterpart (see the module)."""
    from analysis.measures import positioning_measures

    f, c = resolve_parties(tables, focus, counterpart)
    if outlet not in tables.outlets:
        raise ValueError(f"no outlet {outlet!r} in these tables; outlets: {tables.outlets}")
    measures = positioning_measures(tables, f, c) if measures is None else measures
    voices = treatment_voices(tables, f, c)
    voices = voices[voices["outlet"] == outlet]
    return [_lean(tables, measures, voices, outlet, f, c), _own_words(tables, measures, voices, outlet, f, c),
            _who_speaks(tables, measures, outlet, f, c), _sources(tables, measures, voices, outlet, f, c),
            _wording(tables, measures, outlet, f, c)]


# --------------------------------------------------------------------------- HTML

_CSS = """
.answer{font-family:Helvetica Neue,Helvetica,Arial,sans-serif;max-width:60rem;color:#222;line-height:1.45}
.answer h1{font-size:1.5rem;margin:.2rem 0}.answer h2{font-size:1.1rem;margin:1.2rem 0 .3rem}
.answer ol.lines>li{margin:0 0 1rem}.answer .topic{font-weight:bold;text-transform:uppercase;font-size:.8rem;color:#555}
.answer blockquote{margin:.3rem 0 .3rem 1rem;padding:.2rem .6rem;border-left:3px solid #bbb;background:#f7f7f7}
.answer .where{font-size:.8rem;color:#555}.answer mark{background:#ffe08a}.answer .note{font-size:.8rem;color:#555}
.answer .limits{font-size:.85rem;color:#555}
"""


def _evidence_html(e: Evidence) -> str:
    esc = html.escape
    if e.mark and e.start <= e.mark[0] < e.mark[1] <= e.end:
        a, b = e.mark[0] - e.start, e.mark[1] - e.start
        body = f"{esc(e.text[:a])}<mark>{esc(e.text[a:b])}</mark>{esc(e.text[b:])}"
    else:
        body = esc(e.text)
    article = f"“{esc(e.article)}” ({esc(e.article_id)})" if e.article else esc(e.article_id)
    where = f"{esc(e.outlet)}, article {article}, characters {e.start}–{e.end}, speaker: {esc(e.speaker)}"
    note = f' <span class="note">({esc(e.note)})</span>' if e.note else ""
    return f'<blockquote>{body}<div class="where">{where}{note}</div></blockquote>'


def answer_fragment(lines: list[AnswerLine], outlet: str, focus: str, counterpart: str,
                    unique_content: pd.DataFrame | None = None) -> str:
    """The page's body as an HTML fragment (scoped CSS included), for JupyterLab and for :func:`answer_page`."""
    esc = html.escape
    items = "".join(f'<li><span class="topic">{esc(line.topic)}</span><p>{esc(line.text)}</p>'
                    + "".join(_evidence_html(e) for e in line.evidence) + "</li>" for line in lines)
    parts = [f"<style>{_CSS}</style>", '<div class="answer">',
             f"<h1>How {esc(outlet)} positions {esc(focus)} relative to {esc(counterpart)}</h1>",
             f'<ol class="lines">{items}</ol>']
    if unique_content is not None:
        missing = [col for col in UNIQUE_CONTENT_COLUMNS if col not in unique_content.columns]
        if missing:
            raise ValueError(f"unique_content lacks columns {missing} (needs {list(UNIQUE_CONTENT_COLUMNS)})")
        mine = unique_content[unique_content["outlet"] == outlet]
        parts.append(f"<h2>Only in {esc(outlet)} ({len(mine)} passages)</h2>")
        parts += [_evidence_html(Evidence(outlet, r.article_id, int(r.start), int(r.end), "", str(r.text))) for r in mine.itertuples(index=False)]
    parts.append(f'<p class="limits">Every line is computed from the measures table; a direction is named only when its 95% '
                 f"interval excludes 0 and it rests on at least {EVIDENCE_FLOOR} units. With one article per outlet the intervals "
                 "resample sentences within that article. Scores come from a stance model and quote attribution: check the "
                 "evidence.</p></div>")
    return "".join(parts)


def answer_page(lines: list[AnswerLine], outlet: str, focus: str, counterpart: str,
                unique_content: pd.DataFrame | None = None) -> str:
    """A complete, self-contained HTML page (no script, no external resource)."""
    title = html.escape(f"{outlet}: {focus} vs {counterpart}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f"{answer_fragment(lines, outlet, focus, counterpart, unique_content)}</body></html>\n")


def write_answer_pages(tables: Tables, focus: str | Party, counterpart: str | Party, output_dir: str | Path | None = None, *,
                       measures: pd.DataFrame | None = None, unique_content: pd.DataFrame | None = None) -> list[Path]:
    """Write ``answers/<outlet-slug>.html`` for every outlet and ``answers/index.html`` under ``output_dir`` (default ``reports/``).

    Returns the index first, then the pages. ``unique_content``: see the module.
    """
    from analysis.measures import positioning_measures
    from analysis.paths import REPORTS_DIR, writing_to
    from analysis.report import ReportError

    f, c = resolve_parties(tables, focus, counterpart)
    measures = positioning_measures(tables, f, c) if measures is None else measures
    folder = Path(output_dir or REPORTS_DIR) / ANSWERS_DIR
    pages, links = [], []
    for outlet in tables.outlets:
        lines = answer_lines(tables, f, c, outlet, measures)
        path = folder / f"{slug(outlet)}.html"
        with writing_to(path, ReportError):
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(answer_page(lines, outlet, f.label, c.label, unique_content), encoding="utf-8")
        pages.append(path)
        links.append(f'<li><a href="{html.escape(path.name)}">{html.escape(outlet)}</a>: {html.escape(lines[0].text)}</li>')
    index = folder / "index.html"
    with writing_to(index, ReportError):
        folder.mkdir(parents=True, exist_ok=True)
        index.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Answers</title></head><body>'
                         f'<style>{_CSS}</style><div class="answer"><h1>How each outlet positions {html.escape(f.label)} relative to '
                         f'{html.escape(c.label)}</h1><ul>{"".join(links)}</ul></div></body></html>\n', encoding="utf-8")
    return [index, *pages]


def show_answer(tables: Tables, focus: str | Party, counterpart: str | Party, outlet: str, *,
                measures: pd.DataFrame | None = None, unique_content: pd.DataFrame | None = None):
    """The answer page of one outlet as an IPython HTML object (shown inline in JupyterLab and in the notebook's HTML)."""
    from IPython.display import HTML

    f, c = resolve_parties(tables, focus, counterpart)
    return HTML(answer_fragment(answer_lines(tables, f, c, outlet, measures), outlet, f.label, c.label, unique_content))
