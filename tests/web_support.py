"""News pages written by the tests, in the shapes real news sites use, and a WARC archive of them.

Every page wraps an invented article body (political-news style: curly quotes,
said/told, titles and names) in the boilerplate sites put around it: cookie
banners, navigation, bylines, share bars, related-link lists, newsletter boxes,
ads, photo captions, tags, author bios, comments and footers. ``expected`` is
what the loader must find: the body exactly, and the metadata.
Also used by ``benchmarks/bench_webpages.py``.
"""

from __future__ import annotations

import html
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

NAMES = [("Ann Lee", "Lee", "she"), ("Raj Patel", "Patel", "he"), ("Marie Dubois", "Dubois", "she"),
         ("Tom Okafor", "Okafor", "he"), ("Sara Nakamura", "Nakamura", "she"), ("Luis Ortega", "Ortega", "he")]
PARAGRAPHS = [
    "Conservative MP {A} says {p} met with officials in Washington on Wednesday to talk about tariffs on steel and aluminum.",
    "“Productive meetings today,” {a} said in a statement. “We want a fair deal for workers on both sides of the border.”",
    "Trade Minister {B} told reporters the government has extensive contacts with the U.S. administration and does not need help.",
    "“Nobody should mistake patience for weakness,” said {B}, who added that talks would resume next month in Ottawa.",
    "Critics slammed the trip, accusing the Opposition of undermining a united front at a delicate moment for the economy.",
    "According to {a}, the tariffs would cost thousands of jobs in southern Ontario, where auto parts makers are already cutting shifts.",
    "{b} brushed off the question, saying the country speaks with one voice on trade and that the MP was free to travel.",
    "Families in Windsor are worried about their paycheques, {a} added, and they expect every party to work together.",
]
OUTLETS = [("Daily Ledger", "dailyledger.example"), ("Evening Courier", "eveningcourier.example"), ("The Northern Post", "northernpost.example")]


@dataclass(frozen=True)
class Page:
    """One generated page and what extraction must give back."""

    name: str
    html: str
    expected: dict  # text, title, author, published_date, url, outlet, language (None: page must be rejected)


def make_article(i: int) -> dict:
    """Metadata and body of the i-th invented article (deterministic)."""
    rng = random.Random(i)
    a, b = rng.sample(NAMES, 2)
    outlet, domain = OUTLETS[i % len(OUTLETS)]
    paragraphs = [PARAGRAPHS[(i + k) % len(PARAGRAPHS)].format(A=a[0], a=a[1], p=a[2], B=b[0], b=b[1]) for k in range(3 + i % 4)]
    paragraphs.append(f"The talks are the {i + 1}th round this year, officials said.")
    day = 1 + i % 27
    return {
        "title": f"{a[1]} meets officials in Washington as {b[1]} defends trade talks ({i})",
        "author": rng.choice(["Sam Reporter", "Jo Writer", "Alex Correspondent"]),
        "published_date": f"2026-02-{day:02d}",
        "url": f"https://www.{domain}/politics/trade-talks-{i}",
        "outlet": outlet,
        "language": "en",
        "paragraphs": paragraphs,
        "text": "\n".join(paragraphs),
    }


def _head(article: dict, extra: str = "") -> str:
    e = {k: html.escape(str(v)) for k, v in article.items() if isinstance(v, str)}
    return (f'<head><meta charset="utf-8"><title>{e["title"]} | {e["outlet"]}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta property="og:site_name" content="{e["outlet"]}"><meta property="og:title" content="{e["title"]}">'
            f'<meta property="og:type" content="article"><meta name="author" content="{e["author"]}">'
            f'<meta property="article:published_time" content="{e["published_date"]}T09:30:00-05:00">'
            f'<link rel="canonical" href="{e["url"]}"><link rel="stylesheet" href="/static/site.css">'
            f'<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "politics"}});</script>{extra}</head>')


NAV = ('<header class="site-header"><a class="logo" href="/">Home</a><nav><ul><li><a href="/news">News</a></li>'
       '<li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li><li><a href="/sports">Sports</a></li>'
       '<li><a href="/opinion">Opinion</a></li></ul></nav><form class="search"><input name="q" placeholder="Search"></form></header>')
COOKIES = ('<div id="cookie-banner" class="cookie-consent" role="dialog"><p>We use cookies to give you the best experience '
           'and to show relevant ads. By continuing you agree to our use of cookies.</p><button>Accept all cookies</button>'
           '<button>Manage preferences</button></div>')
FOOTER = ('<footer class="site-footer"><ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>'
          '<li><a href="/terms">Terms of use</a></li></ul><p>© 2026 All rights reserved. Reproduction without permission is prohibited.</p></footer>')
COMMENTS = ('<section id="comments" class="comments"><h2>Comments</h2><div class="comment"><span class="user">reader42</span>'
            '<p>This trip was a complete waste of taxpayer money and everyone knows it.</p></div><div class="comment">'
            '<span class="user">ontario_dad</span><p>Great reporting as always, thank you for covering this.</p></div></section>')
SHARE = ('<div class="share-bar"><ul><li><a href="#">Share on Facebook</a></li><li><a href="#">Share on X</a></li>'
         '<li><a href="#">Email this story</a></li></ul></div>')


def _body(article: dict) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in article["paragraphs"])


def _related(article: dict) -> str:
    return ('<aside class="related-stories"><h3>Related stories</h3><ul>'
            '<li><a href="/politics/tariffs-auto-parts">Tariffs hit auto parts makers in southern Ontario</a></li>'
            '<li><a href="/politics/what-deal-means">What the trade deal means for you and your family</a></li>'
            '<li><a href="/politics/opposition-strategy">Opposition strategy on trade draws fire from premiers</a></li></ul></aside>')


def classic_page(article: dict) -> str:
    """Cookie banner, navigation, byline with <time>, share bar, related-links aside, comments, footer."""
    e = {k: html.escape(str(v)) for k, v in article.items() if isinstance(v, str)}
    return (f'<!DOCTYPE html><html lang="en">{_head(article)}<body>{COOKIES}{NAV}<main><article class="story">'
            f'<h1 class="headline">{e["title"]}</h1><div class="byline">By <a class="author" href="/authors/x">{e["author"]}</a>'
            f' · <time datetime="{e["published_date"]}T09:30:00-05:00">Feb. 2026</time> · 4 min read</div>{SHARE}'
            f'<div class="story-body">{_body(article)}</div>{_related(article)}</article></main>{COMMENTS}{FOOTER}</body></html>')


def cms_page(article: dict) -> str:
    """JSON-LD metadata, a figure with caption and credit, an ad slot, a newsletter box, a READ MORE link, a video, tags and an author bio."""
    e = {k: html.escape(str(v)) for k, v in article.items() if isinstance(v, str)}
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": article["title"],
                     "datePublished": f"{article['published_date']}T09:30:00-05:00", "author": [{"@type": "Person", "name": article["author"]}],
                     "publisher": {"@type": "Organization", "name": article["outlet"]}, "mainEntityOfPage": article["url"]})
    half = len(article["paragraphs"]) // 2
    first, rest = article["paragraphs"][:half], article["paragraphs"][half:]
    p = lambda ps: "".join(f"<p>{html.escape(x, quote=False)}</p>" for x in ps)  # noqa: E731
    return (f'<!DOCTYPE html><html lang="en-CA">{_head(article, f"<script type=application/ld+json>{ld}</script>")}<body>{NAV}'
            f'<div class="container"><div class="article-header"><span class="section-label">Politics</span><h1>{e["title"]}</h1>'
            f'<p class="author-line">{e["author"]} · The Canadian Wire</p></div><div class="article-content">'
            f'<figure><img src="/img/washington.jpg" alt="The Capitol"><figcaption>The U.S. Capitol in Washington. (Photo: Staff)</figcaption></figure>'
            f'{p(first)}<div class="ad-slot"><span>Advertisement</span><div id="ad-1"></div></div>'
            f'<div class="newsletter-signup"><h4>Get the morning briefing</h4><p>Sign up for our newsletter to get the top stories in your inbox.</p>'
            f'<form><input type="email" placeholder="Email address"><button>Sign up</button></form></div>'
            f'<p class="related-inline"><strong>READ MORE:</strong> <a href="/politics/tariff-explainer">How tariffs work, and who pays them</a></p>'
            f'{p(rest)}<div class="video-embed"><iframe src="/video/123"></iframe><p class="caption">WATCH | Premiers react to the trade talks (2:14)</p></div>'
            f'</div><div class="tags">Tags: <a href="/tag/trade">Trade</a> <a href="/tag/us">United States</a></div>'
            f'<div class="author-bio"><p>{e["author"]} covers federal politics from Ottawa and has reported on trade since 2015.</p></div>'
            f'</div>{FOOTER}</body></html>')


def legacy_page(article: dict) -> str:
    """An older layout: tables, paragraphs split by <br><br>, a "most read" sidebar, a print link and a comment list."""
    e = {k: html.escape(str(v)) for k, v in article.items() if isinstance(v, str)}
    body = "<br><br>\n".join(html.escape(x, quote=False) for x in article["paragraphs"])
    most_read = "".join(f'<li><a href="/story/{k}">Most read story number {k} about the city council budget</a></li>' for k in range(5))
    return (f'<html lang="en">{_head(article)}<body><table width="100%"><tr><td colspan="2">{NAV}</td></tr><tr>'
            f'<td class="main" width="70%"><div id="content"><h1>{e["title"]}</h1><p class="byline">By {e["author"]}, '
            f'{e["outlet"]} | Published {e["published_date"]} <a href="?print=1">Print this story</a></p><div class="text">{body}</div></div></td>'
            f'<td class="sidebar"><h3>Most read</h3><ol>{most_read}</ol></td></tr></table>'
            f'<ol class="commentlist"><li class="comment"><p>Why is nobody talking about the real issue here?</p></li></ol>{FOOTER}</body></html>')


def front_page(i: int) -> str:
    """A section front: headlines and links, no article."""
    items = "".join(f'<li><h3><a href="/politics/story-{k}">Story {k}: tariffs, trade and the week in politics</a></h3></li>' for k in range(15))
    return f'<!DOCTYPE html><html lang="en"><head><title>Politics | Daily Ledger</title></head><body>{COOKIES}{NAV}<main><h1>Politics</h1><ul>{items}</ul></main>{FOOTER}</body></html>'


def paywall_page(article: dict) -> str:
    """A subscriber-only article: headline and a paywall notice, no body."""
    return (f'<!DOCTYPE html><html lang="en">{_head(article)}<body>{NAV}<article><h1>{html.escape(article["title"])}</h1>'
            '<div class="paywall"><p>This story is for subscribers. Subscribe to continue reading.</p>'
            '<p>Already a subscriber? <a href="/login">Log in</a>.</p></div></article>{FOOTER}</body></html>')


TEMPLATES = {"classic": classic_page, "cms": cms_page, "legacy": legacy_page}


def _weight(i: int) -> tuple[str, str]:
    """What makes a real page ~100 kB: inline scripts and styles, a mega-menu, teaser cards; (head part, body part)."""
    script = "".join(f"function f{i}_{k}(a,b){{var c=a*{k}+b;if(c>{k}){{return window.track('evt{k}',c)}}return null}}" for k in range(500))
    style = "".join(f".c{k}{{margin:{k % 9}px;padding:{k % 7}px;color:#{k * 2654435761 % 0xFFFFFF:06x}}}" for k in range(400))
    menu = "".join(f'<li><a href="/section/{k}">Section {k} news and analysis</a></li>' for k in range(150))
    cards = "".join(f'<div class="card"><a href="/story/{i}-{k}"><img src="/i/{k}.jpg" alt=""><h4>Teaser headline {k}: '
                    f'what the week ahead holds</h4></a><p class="dek">Short summary {k} of another story.</p></div>' for k in range(40))
    head = f"<style>{style}</style><script>{script}</script>"
    body = f'<div class="mega-menu"><ul>{menu}</ul></div><section class="more-stories"><h2>More from us</h2>{cards}</section>'
    return head, body


def make_pages(n: int, heavy: bool = False) -> list[Page]:
    """``n`` article pages alternating between the templates, each with its expected extraction.

    ``heavy``: pad each page to the size of a real one (~100 kB: inline
    scripts and styles, a mega-menu, teaser cards), as the benchmark does.
    """
    pages = []
    for i in range(n):
        article = make_article(i)
        template = list(TEMPLATES)[i % len(TEMPLATES)]
        expected = {k: article[k] for k in ("text", "title", "author", "published_date", "url", "outlet", "language")}
        page = TEMPLATES[template](article)
        if heavy:
            head, body = _weight(i)
            page = page.replace("</head>", head + "</head>", 1).replace(FOOTER, body + FOOTER, 1)
        pages.append(Page(f"{template}-{i:04d}", page, expected))
    return pages


EXTRA_RECORDS = ("request", "image", "redirect", "not-found")


def write_warc(path: Path, pages: list[Page], extra: tuple[str, ...] = EXTRA_RECORDS) -> Path:
    """A WARC (gzipped for ``.gz``) of the pages as HTTP 200 responses, plus ``extra`` records: a request before each
    page, then a PNG logo, a 301 redirect and a 404 page."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=path.name.endswith(".gz"))

        def response(url: str, status: str, content_type: str, body: bytes) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))

        for page in pages:
            url = page.expected["url"] if page.expected else "https://www.dailyledger.example/politics"
            if "request" in extra:
                req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")], is_http_request=True)
                writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req))
            response(url, "200 OK", "text/html; charset=utf-8", page.html.encode("utf-8"))
        if "image" in extra:
            response("https://www.dailyledger.example/img/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))
        if "redirect" in extra:
            response("https://dailyledger.example/old", "301 Moved Permanently", "text/html", b"")
        if "not-found" in extra:
            response("https://www.dailyledger.example/gone", "404 Not Found", "text/html; charset=utf-8", b"<html><body><h1>Page not found</h1></body></html>")
    return path
