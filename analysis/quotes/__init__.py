"""Find who is quoted in a news text, saying what, and in which words.

:func:`extract_quotes` returns one row per attributed statement
(:data:`QUOTES_SCHEMA`): direct quotations, indirect (reported) speech and
mixed quotes (a reported clause holding a partial quotation), each with its
speaker resolved through the actor codebook (:mod:`analysis.actors`), the cue
("said", "told", "according to") and character offsets into the text given, so
``text[start:end] == quote``. :func:`extract_corpus_quotes` runs it over an
articles table and adds article, paragraph and sentence ids.

It is rule-based: quotation marks are paired within a paragraph, attributions
are read around them with cue lists kept in ``data/quote_rules/`` (see its
README for why each list exists). Nothing is downloaded; it runs offline.

One module per job, in the order a text goes through them:

- :mod:`~analysis.quotes.rules`: the rule files, loaded and compiled once;
- :mod:`~analysis.quotes.marks`: quotation marks paired into quotations, and
  sentences joined where a quotation runs across them;
- :mod:`~analysis.quotes.cues`: reporting verbs, cue nouns, "according to";
- :mod:`~analysis.quotes.document`: one text scanned once (units,
  quotations, actor mentions, cues) and the ledger of statements found;
- :mod:`~analysis.quotes.speakers`: speaker phrases and how a pronoun or a
  description ("the MP") is resolved to an actor;
- :mod:`~analysis.quotes.clauses`: where a reported clause starts and ends;
- :mod:`~analysis.quotes.extract`: the attribution passes;
- :mod:`~analysis.quotes.tables`: the public tables and their schemas.

>>> from analysis.quotes import extract_quotes
>>> text = "“We will fight for jobs,” said Conservative Leader Pierre Poilievre. Carney said he disagreed."
>>> extract_quotes(text)[["quote", "kind", "speaker", "cue"]].values.tolist()
[['We will fight for jobs,', 'direct', 'Pierre Poilievre', 'said'], ['he disagreed', 'indirect', 'Mark Carney', 'said']]

Limits, plainly:

- English news style only; a speaker phrase is read from capitalisation and
  short word lists, not a parser, so a long or unusual subject ("people
  familiar with the talks said") is missed or kept as its last words.
- A pronoun speaker goes to the subject of the same or a recent sentence with
  matching pronouns (``he``/``she``/``they``/``it`` in the codebook); with two
  candidates of the same pronoun in play it can pick the wrong one, and it only
  knows codebook actors.
- An unbalanced quotation mark runs to the end of its paragraph, never further.
- An indirect clause runs to the end of its sentence (or to ", adding ...",
  or to a quotation attributed by its own cue).
- A quotation with no cue inherits the speaker of the statement just before it
  (same or previous paragraph) only when it starts its sentence; a short quoted
  phrase inside narration with no cue is a scare quote and is left out.
"""

from analysis.quotes.rules import RULES_DIR, QuoteRules, QuoteRulesError, load_quote_rules
from analysis.quotes.tables import (
    CORPUS_QUOTES_SCHEMA,
    KINDS,
    PROGRESS_THRESHOLD,
    QUOTED_PRONOUNS_SCHEMA,
    QUOTES_SCHEMA,
    extract_corpus_attributions,
    extract_corpus_quotes,
    extract_quotes,
)

__all__ = [
    "CORPUS_QUOTES_SCHEMA",
    "KINDS",
    "PROGRESS_THRESHOLD",
    "QUOTED_PRONOUNS_SCHEMA",
    "QUOTES_SCHEMA",
    "RULES_DIR",
    "QuoteRules",
    "QuoteRulesError",
    "extract_corpus_attributions",
    "extract_corpus_quotes",
    "extract_quotes",
    "load_quote_rules",
]
