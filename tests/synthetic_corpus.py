"""A synthetic political-news corpus written for the tests (not the seed articles), as a JSONL export."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ARTICLE_A, ARTICLE_B

# Paragraphs written for these tests in the style of political news (not the seed articles).
PARAGRAPHS = [
    "{A} says {p} met with officials in Washington on Wednesday to talk about tariffs.",
    "“Productive meetings today,” {a} said. “We want a fair deal for workers.”",
    "{B} told reporters the government has extensive contacts with the U.S. administration.",
    "“Nobody should mistake patience for weakness,” said {B}.",
    "Critics slammed the trip, accusing the Opposition of undermining a united front.",
    "According to {a}, the tariffs would cost thousands of jobs in southern Ontario.",
    "Trade Talks",
    "{b} brushed off the question, saying Canada speaks with one voice on trade.",
    "Families in Windsor are worried about their paycheques, {a} added.",
]
NAMES = [("Jamil Jivani", "Jivani", "he"), ("Mark Carney", "Carney", "he"), ("Mélanie Joly", "Joly", "she"),
         ("Pierre Poilievre", "Poilievre", "he"), ("Dominic LeBlanc", "LeBlanc", "he")]
OUTLETS = ["CBC News", "The Epoch Times", None]


def make_records(n: int) -> list[dict]:
    """``n`` invented articles (id, source, date, body) plus two short seed-like ones."""
    records = []
    for i in range(n):
        a, b = NAMES[i % len(NAMES)], NAMES[(i + 2) % len(NAMES)]
        paras = [PARAGRAPHS[(i + k) % len(PARAGRAPHS)] for k in range(3 + i % 5)]
        text = "\n\n".join(p.format(A=a[0], a=a[1], p=a[2], B=b[0], b=b[1]) for p in paras) + f"\n\nStory {i}."
        records.append({"id": f"art-{i:03d}", "source": OUTLETS[i % 3], "date": f"2026-02-{1 + i % 27:02d}", "body": text})
    records.append({"id": "seed-like-a", "source": "CBC News", "date": "2026-02-04", "body": ARTICLE_A})
    records.append({"id": "seed-like-b", "source": "The Epoch Times", "date": "2026-02-05", "body": ARTICLE_B})
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path
