"""One article as a reader sees it, with what the workbench read in it: a self-contained HTML view.

:func:`annotate_article` marks up an article's text: each quote tinted in its
speaker's camp colour (the codebook's colours, as in the charts), each actor
mention coloured by the stance score toward it (red hostile, white neutral,
blue warm: the charts' scale), and each descriptor (:mod:`analysis.descriptors`)
underlined. Hovering any marked word shows, in its ``title``, the speaker,
cue and kind of the quote, the mention's target, camp, score and who voices
it, and the descriptor. The page needs no script, no font and no network:
it shows the same offline in a report, in a browser and inline in
JupyterLab (``IPython.display.HTML``). Every piece of article text is
HTML-escaped, so an article holding ``<script>`` or ``<!--`` shows it as text.

:func:`write_article_pages` writes one page per article and an index
(``articles/index.html``) beside a report's notebooks.

Spans may nest or overlap (a mention inside a quote, a quote inside another,
a descriptor holding a mention): the text is cut at every span boundary and
each piece carries all the spans over it, the innermost quote giving the tint.

>>> import pandas as pd
>>> from analysis.actors import parse_codebook
>>> from analysis.tables import build_tables
>>> book = parse_codebook({"actors": [{"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
...                                   {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"}]})
>>> t = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "text": ["“Chan <b>failed</b> us,” Lee said."]}), book)
>>> page = annotate_article(t, "a")
>>> "&lt;b&gt;failed&lt;/b&gt;" in page and "<b>" not in page, 'class="wb-quote' in page
(True, True)
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from analysis.charts import camp_colors
from analysis.paths import REPORTS_DIR, writing_to
from analysis.tables import NARRATOR

ARTICLES_DIR = "articles"
"""The folder of a report that holds the annotated articles and their index."""

STYLE = """
.wb-article{font:16px/1.65 Georgia,'Times New Roman',serif;max-width:46em;color:#1a1a1a}
.wb-article h2{font:600 20px/1.3 'Helvetica Neue',Helvetica,Arial,sans-serif;margin:.2em 0}
.wb-meta,.wb-legend{font:13px/1.5 'Helvetica Neue',Helvetica,Arial,sans-serif;color:#555}
.wb-legend span.wb-key{display:inline-block;margin:0 .9em .3em 0}
.wb-swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
.wb-text{white-space:pre-wrap;margin-top:1em}
.wb-quote{border-radius:2px}
.wb-mention{border-radius:3px;padding:0 1px;box-shadow:inset 0 0 0 1px rgba(0,0,0,.25)}
.wb-unscored{outline:1px dashed #888;outline-offset:-1px;border-radius:3px}
.wb-descriptor{text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:3px;text-decoration-color:#222}
"""

_RED, _WHITE, _BLUE = (178, 24, 43), (247, 247, 247), (33, 102, 172)
_SLUG = re.compile(r"[^\w]+")


def stance_color(score: float) -> str:
    """The charts' diverging scale at ``score`` (−1 red … 0 white … +1 blue), as ``#rrggbb``.

    >>> stance_color(-1), stance_color(0), stance_color(1)
    ('#b2182b', '#f7f7f7', '#2166ac')
    """
    score = max(-1.0, min(1.0, float(score)))
    end = _BLUE if score > 0 else _RED
    mix = [round(w + (e - w) * abs(score)) for w, e in zip(_WHITE, end)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _untitled(text: str, words: int = 12) -> str:
    """What stands for a missing title: "(no title)" and the text's first words."""
    first = text.split()
    return "(no title) " + " ".join(first[:words]) + ("…" if len(first) > words else "")


def _tint(color: str, alpha: float = 0.22) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _spans(tables, article_id: str, descriptors: pd.DataFrame | None) -> list[dict]:
    """Every quote, mention and descriptor of the article as ``{layer, start, end, ...}``."""
    spans = []
    quotes = tables.quotes[tables.quotes["article_id"] == article_id]
    for q in quotes.itertuples(index=False):
        speaker = q.speaker if isinstance(q.speaker, str) else "(unattributed)"
        spans.append({"layer": "quote", "start": int(q.start), "end": int(q.end), "camp": q.camp if isinstance(q.camp, str) else "unknown",
                      "tip": f"quote ({q.kind}) by {speaker}" + (f", cue “{q.cue}”" if isinstance(q.cue, str) else "")
                             + (f" [{q.cue_category}]" if isinstance(q.cue_category, str) else "")})
    scored = tables.treatment[tables.treatment["article_id"] == article_id]
    seen = set()
    for m in scored.itertuples(index=False):
        seen.add((int(m.start), int(m.end)))
        voice = "the outlet (narrator)" if m.speaker == NARRATOR else m.speaker
        spans.append({"layer": "mention", "start": int(m.start), "end": int(m.end), "score": float(m.polarity),
                      "tip": f"{m.target} ({m.target_camp}): stance {m.polarity:+.2f} ({m.label}), voiced by {voice}"})
    mentions = tables.mentions[tables.mentions["article_id"] == article_id]
    for m in mentions.itertuples(index=False):
        if (int(m.start), int(m.end)) not in seen:
            why = "speaker of a quote" if m.is_speaker_mention else "not scored"
            spans.append({"layer": "mention", "start": int(m.start), "end": int(m.end), "score": None,
                          "tip": f"{m.actor} ({m.camp}): {why}"})
    if descriptors is not None and len(descriptors):
        for d in descriptors[descriptors["article_id"] == article_id].itertuples(index=False):
            spans.append({"layer": "descriptor", "start": int(d.start), "end": int(d.end),
                          "tip": f"descriptor of {d.actor}: {d.kind}" + ("" if d.speaker == NARRATOR else f", in {d.speaker}'s words")})
    return [s for s in spans if s["end"] > s["start"]]


def _render_text(text: str, spans: list[dict], colors: dict[str, str]) -> str:
    """``text`` HTML-escaped, cut at every span boundary; each piece a ``<span>`` carrying the spans over it."""
    cuts = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    cuts = [c for c in cuts if 0 <= c <= len(text)]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b], quote=False)
        over = [s for s in spans if s["start"] <= a and s["end"] >= b]
        if not over:
            out.append(piece)
            continue
        classes, style = [], []
        quotes = [s for s in over if s["layer"] == "quote"]
        if quotes:
            inner = min(quotes, key=lambda s: s["end"] - s["start"])
            classes.append("wb-quote")
            style.append(f"background-color:{_tint(colors.get(inner['camp'], '#bbbbbb'))}")
        mentions = [s for s in over if s["layer"] == "mention"]
        if mentions:
            score = next((s["score"] for s in mentions if s["score"] is not None), None)
            classes.append("wb-mention" if score is not None else "wb-unscored")
            if score is not None:
                style.append(f"background-color:{stance_color(score)}")
                if abs(score) > 0.6:
                    style.append("color:#fff")
        if any(s["layer"] == "descriptor" for s in over):
            classes.append("wb-descriptor")
        tip = "\n".join(dict.fromkeys(s["tip"] for s in sorted(over, key=lambda s: ("quote", "mention", "descriptor").index(s["layer"]))))
        out.append(f'<span class="{" ".join(classes)}" style="{";".join(style)}" title="{html.escape(tip)}">{piece}</span>')
    return "".join(out)


def _legend(camps: list[str], colors: dict[str, str]) -> str:
    keys = [f'<span class="wb-key"><span class="wb-swatch" style="background:{_tint(colors[c], 0.45)}"></span>quote by {html.escape(c.replace("_", " "))}</span>'
            for c in camps]
    keys += [f'<span class="wb-key"><span class="wb-swatch" style="background:{stance_color(v)}"></span>mention, stance {label}</span>'
             for v, label in ((-0.8, "hostile"), (0.0, "neutral"), (0.8, "warm"))]
    keys.append('<span class="wb-key"><span class="wb-unscored">mention</span> not scored (a quote\'s speaker)</span>')
    keys.append('<span class="wb-key"><span class="wb-descriptor">underlined</span>: how the actor is introduced</span>')
    return f'<div class="wb-legend">{"".join(keys)}<br>Hover over marked words for the speaker, cue, target and score.</div>'


def annotate_article(tables, article_id: str, descriptors: pd.DataFrame | None = None) -> str:
    """The article ``article_id`` of a :class:`analysis.tables.Tables` as an HTML fragment (its own ``<style>``).

    ``descriptors`` is :func:`analysis.descriptors.find_descriptors` (optional).
    Show it in JupyterLab with ``IPython.display.HTML``; :func:`article_page`
    makes it a whole page. KeyError when the article is not in the tables.
    """
    found = tables.articles[tables.articles["article_id"] == article_id]
    if found.empty:
        raise KeyError(f"article {article_id!r} is not in the tables (articles: {list(tables.articles['article_id'][:10])} ...)")
    article = found.iloc[0]
    text = str(article["text"])
    camps = list(dict.fromkeys([*tables.codebook.camps, "other", "unknown"]))
    colors = dict(zip(camps, camp_colors(camps, tables.camp_colors)))
    spans = _spans(tables, article_id, descriptors)
    title = article.get("title")
    meta = [str(article.get("outlet") or "(unknown outlet)"), f"article {article_id}"]
    if isinstance(article.get("published_date"), str) or pd.notna(article.get("published_date")):
        meta.append(str(article.get("published_date"))[:10])
    counts = {layer: sum(s["layer"] == layer for s in spans) for layer in ("quote", "mention", "descriptor")}
    meta.append(f"{counts['quote']} quotes, {counts['mention']} mentions, {counts['descriptor']} descriptors")
    quoted = {s["camp"] for s in spans if s["layer"] == "quote"}
    heading = html.escape(title if isinstance(title, str) and title.strip() else _untitled(text), quote=False)
    return (f'<div class="wb-article"><style>{STYLE}</style><h2>{heading}</h2>'
            f'<div class="wb-meta">{html.escape(" · ".join(meta), quote=False)}</div>'
            f'{_legend([c for c in camps if c in quoted], colors)}'
            f'<div class="wb-text">{_render_text(text, spans, colors)}</div></div>')


def article_page(fragment: str, title: str) -> str:
    """A whole HTML page around a fragment of :func:`annotate_article` (UTF-8, no script, nothing fetched)."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="margin:2em auto;max-width:50em;padding:0 1em">{fragment}</body></html>\n')


def _file_names(articles: pd.DataFrame) -> list[str]:
    """``<outlet>-<title slug>.html`` per article (the id when untitled), made distinct."""
    names, seen = [], set()
    for outlet, title, article_id in zip(articles["outlet"], articles.get("title", pd.Series(None, index=articles.index)), articles["article_id"]):
        words = title if isinstance(title, str) and title.strip() else str(article_id)
        base = (_SLUG.sub("-", f"{outlet or 'unknown'}-{words}".lower()).strip("-")[:80].rstrip("-")) or "article"
        name, k = base, 2
        while name in seen:
            name, k = f"{base}-{k}", k + 1
        seen.add(name)
        names.append(f"{name}.html")
    return names


def write_article_pages(tables, descriptors: pd.DataFrame | None, output_dir: Path | str | None = None) -> pd.DataFrame:
    """Write ``output_dir/articles/<outlet>-<slug>.html`` for every article, and ``index.html``; return the index.

    ``output_dir`` is the report folder (default ``reports/``), as for :func:`analysis.report.save_table`.
    The returned table has ``article_id, outlet, title, path`` (relative to
    ``output_dir``). :class:`analysis.report.ReportError` names a folder that
    cannot be written.
    """
    from analysis.report import ReportError

    folder = Path(output_dir or REPORTS_DIR) / ARTICLES_DIR
    articles = tables.articles.sort_values(["outlet", "article_id"], kind="stable").reset_index(drop=True)
    names = _file_names(articles)
    with writing_to(folder, ReportError):
        folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for (_, article), name in zip(articles.iterrows(), names):
        title = article.get("title") if isinstance(article.get("title"), str) and article.get("title").strip() else _untitled(str(article["text"]))
        path = folder / name
        with writing_to(path, ReportError):
            path.write_text(article_page(annotate_article(tables, article["article_id"], descriptors),
                                         f"{article['outlet']}: {title}"), encoding="utf-8")
        rows.append({"article_id": article["article_id"], "outlet": article["outlet"], "title": title, "path": f"{ARTICLES_DIR}/{name}"})
    index = pd.DataFrame(rows, columns=["article_id", "outlet", "title", "path"])
    items = "".join(f'<li><a href="{html.escape(Path(p).name)}">{html.escape(str(o), quote=False)} · {html.escape(t, quote=False)}</a>'
                    f' <span style="color:#777">({html.escape(str(a), quote=False)})</span></li>'
                    for a, o, t, p in index.itertuples(index=False))
    body = (f'<div class="wb-article"><h2>Annotated articles</h2><p class="wb-meta">Quotes tinted by the speaker\'s camp, '
            f'mentions coloured by stance, descriptors underlined; hover for details.</p><ul>{items}</ul></div>')
    with writing_to(folder / "index.html", ReportError):
        (folder / "index.html").write_text(article_page(f"<style>{STYLE}</style>{body}", "Annotated articles"), encoding="utf-8")
    return index
