"""A draft actor codebook from a corpus: who is named and quoted most, with aliases and pronouns to check.

:func:`draft_codebook` reads an articles table and proposes the people,
organisations and groups it names most, and those the quote finder hears
speak (``python -m analysis draft-codebook CORPUS --out codebook.yaml``):

- names come from :func:`analysis.names.find_names` (capitalised runs, titles
  such as "Prime Minister", honorifics, appositions); a run of two or more
  words is a person when a title, an honorific, a role noun or an apposition
  goes with it or it speaks, an organisation when it holds an organisation word;
- speakers come from :func:`analysis.quotes.extract_corpus_quotes` with an
  empty codebook, which names them in their own words ("U.S. Treasury
  Secretary Scott Bessent", "U.S. officials"); a speaker that is not a name
  ("U.S. officials", "the Liberal government") becomes an entry of its own;
- aliases: the surname, a title or honorific seen with it ("Minister
  LeBlanc", "Mr. Jivani"), "Mr./Ms. Surname" from the pronoun, and a
  description from an apposition ("the minister responsible for trade");
- pronouns from honorifics, "Jivani said he ...", and "he said" right after a
  statement of the actor; ``they`` where nothing says (and for groups), ``it``
  for organisations;
- mentions are counted as the codebook would match them: every name and alias.

:func:`format_draft` writes the YAML, each actor with its counts, pronoun
evidence and two example sentences as comments, every actor in the
placeholder camp :data:`PLACEHOLDER_CAMP` for the researcher to replace. The
file loads with :func:`analysis.actors.load_codebook`.

>>> import pandas as pd
>>> text = ("Mayor Ann Lee said the budget was fair. “We kept every promise,” she said. "
...         "Councillor Bo Chan said Lee was wrong. Mr. Chan said he would vote no. Lee said she would not wait.")
>>> [(p.name, p.aliases, p.pronouns, p.speaker_n) for p in draft_codebook(pd.DataFrame({"article_id": ["a"], "text": [text]}))]
[('Ann Lee', ['Lee', 'Ms. Lee'], 'she', 2), ('Bo Chan', ['Chan', 'Mr. Chan'], 'he', 2)]

Limits: English news style; names are read from capitalisation, not a
parser, so a place or an event named like a person with a title nearby can
slip in, and a person named once without a title or a quote is left out.
Two people sharing a surname: the surname goes to the one named more often
(the other's entry says so). Descriptions that are not appositions ("the
Ontario MP" alone) are not linked to anyone. Parties are not guessed.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.actors import Actor, Codebook, alias_key
from analysis.names import Name, NameWords, count_case, find_names, load_name_words

PLACEHOLDER_CAMP = "unassigned"
"""The camp every drafted actor is put in: valid, so the draft loads; replace it with the story's camps."""
_HEAD_PRONOUN = re.compile(r"^(he|she)\b", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|The)\s+")
_POSSESSIVE_S = re.compile(r"['’]s\b")
_PRONOUNS = frozenset("he she they it i we you".split())
MIN_PERSON_SHARE = 0.02
"""Share of a full name's mentions that must come with a title, honorific, role noun or apposition for it to be a person."""
_MAX_ALIAS_WORDS = 6
_MAX_ROLE_WORDS = 8
_EXAMPLE_CHARS = 160


@dataclass
class Proposal:
    """One drafted actor, with the evidence for it."""

    name: str
    kind: str
    """``person``, ``organisation``, ``group`` (plural party names) or ``collective`` (a speaker such as "U.S. officials")."""
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    pronouns: str = "they"
    mentions_n: int = 0
    articles_n: int = 0
    speaker_n: int = 0
    pronoun_votes: Counter = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)
    """``(article_id, sentence)``, up to two, from different articles where there are."""
    notes: list[str] = field(default_factory=list)
    evidence_n: int = 0
    """How often the name finder saw it; breaks ties when two entries claim one alias."""
    surname: str | None = None
    """A person's surname alias: counted only in articles that also name them in full (or with a title)."""


class _Entities:
    """Name mentions gathered from every sentence, grouped into people, organisations and groups."""

    def __init__(self, words: NameWords, common: frozenset[str]) -> None:
        self.words, self.common = words, common
        self.full: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (first, last) key -> surface forms
        self.single: dict[str, Counter] = defaultdict(Counter)  # one-word name key -> surface forms
        self.strong: Counter = Counter()  # mentions seen with a title, honorific, role noun or apposition, by key
        self.roles: dict[object, Counter] = defaultdict(Counter)
        self.titled: dict[object, Counter] = defaultdict(Counter)  # "Minister LeBlanc", "Mr. Jivani", "the Liberal government"
        self.descriptions: dict[object, Counter] = defaultdict(Counter)
        self.votes: dict[object, Counter] = defaultdict(Counter)
        self.organisations: dict[object, Counter] = defaultdict(Counter)
        self.groups: dict[object, Counter] = defaultdict(Counter)
        self.speakers: Counter = Counter()

    @staticmethod
    def key_of(name: Name) -> object:
        tokens = name.text.split()
        if name.kind in ("organisation", "group"):
            return alias_key(_DETERMINER.sub("", name.text))
        return (alias_key(tokens[0]), alias_key(tokens[-1])) if len(tokens) > 1 else alias_key(tokens[0])

    def add(self, name: Name) -> None:
        """Record one mention found in a sentence."""
        key = self.key_of(name)
        if name.kind in ("organisation", "group"):
            (self.organisations if name.kind == "organisation" else self.groups)[key][_DETERMINER.sub("", name.text)] += 1
            return
        (self.full[key] if isinstance(key, tuple) else self.single[key])[name.text] += 1
        if name.kind == "person":
            self.strong[key] += 1
        if name.role:
            self.roles[key][name.role] += 1
        if name.description and len(name.description.split()) <= _MAX_ROLE_WORDS:
            self.descriptions[key][name.description] += 1
        if name.honorific:
            self.votes[key][self.words.honorifics[name.honorific]] += 1
        if not isinstance(key, tuple) and (name.title or name.honorific):
            self.titled[key][f"{name.honorific or name.title} {name.text}"] += 1

    def add_speaker(self, phrase: str) -> object | None:
        """The key of the actor a speaker phrase names ("Sen. Tim Kaine", "U.S. officials"); None for "a Twitter user"."""
        found = phrase.strip().rstrip("’'").split()
        if not found or found[0].casefold() in self.words.indefinite_openers:
            return None
        bare = _POSSESSIVE_S.sub("", _DETERMINER.sub("", " ".join(found)))
        head = bare.split()
        if head and head[-1][:1].islower():  # a collective: "U.S. officials", "the Liberal government"
            if len(head) > 4 or any(w.casefold() in self.words.prepositions for w in head) or not any(w[:1].isupper() for w in head):
                return None
            if head[-1] in self.words.role_nouns:
                return None  # "the Vermont senator": a description of one person, not a collective
            key = ("collective", alias_key(bare))
            self.groups[key][bare] += 1
            if bare != " ".join(found):
                self.titled[key]["the " + bare] += 1
        else:
            names = [n for n in find_names(bare, self.words, common=self.common) if n.end == len(bare)]
            if not names:
                return None
            key = self.key_of(names[-1])
        self.speakers[key] += 1
        return key

    def is_person(self, key: tuple[str, str]) -> bool:
        """A full name seen with a title, honorific, role noun or apposition, or whose surname is ("Mr. Pence").

        One such sighting in fifty mentions is not enough: "New York, the Vermont senator over ..." is a misreading.
        """
        return self.strong[key] + self.strong[key[1]] >= max(1, MIN_PERSON_SHARE * sum(self.full[key].values()))


def _gather(articles: pd.DataFrame, sents: pd.DataFrame, words: NameWords) -> tuple[_Entities, pd.DataFrame]:
    from analysis.quotes import extract_corpus_quotes

    entities = _Entities(words, count_case(sents["text"]))
    for text in sents["text"]:
        for name in find_names(text, words, common=entities.common):
            entities.add(name)
    quotes = extract_corpus_quotes(articles, Codebook(actors=()), sentences_df=sents, progress=False)
    keys = []
    for phrase, mention in zip(quotes["speaker"], quotes["speaker_mention"]):
        if isinstance(mention, str) and mention.strip().lower() not in _PRONOUNS:
            phrase = mention  # as written: "the Conservatives’", where the speaker reads "the Conservative"
        keys.append(entities.add_speaker(phrase) if isinstance(phrase, str) else None)
    return entities, quotes.assign(key=keys)


def _vote_pronouns(quotes: pd.DataFrame, entities: _Entities) -> None:
    """"Jivani said he ..." and "he said" after Jivani's statement: votes for his pronoun."""
    last: dict[str, object] = {}
    for row in quotes.itertuples():
        if row.key is not None:
            if row.kind in ("indirect", "mixed") and (m := _HEAD_PRONOUN.match(row.quote)):
                entities.votes[row.key][m.group(1).lower()] += 1
            last[row.article_id] = row.key
        elif isinstance(row.speaker_mention, str) and row.speaker_mention.lower() in ("he", "she") and row.article_id in last:
            entities.votes[last[row.article_id]][row.speaker_mention.lower()] += 1


def _people(entities: _Entities) -> dict[object, Proposal]:
    found: dict[object, Proposal] = {}
    owners: dict[str, tuple] = {}  # surname key -> the person named in full most often
    people = sorted((k for k in entities.full if entities.is_person(k)), key=lambda k: -sum(entities.full[k].values()))
    for key in people:
        owners.setdefault(key[1], key)
    for key in people:
        name = entities.full[key].most_common(1)[0][0]
        proposal = Proposal(name, "person", evidence_n=sum(entities.full[key].values()), speaker_n=entities.speakers[key])
        keys = [key]
        if owners[key[1]] == key:
            proposal.surname = name.split()[-1]
            proposal.aliases += [proposal.surname, *entities.titled[key[1]]]
            proposal.evidence_n += sum(entities.single[key[1]].values())
            proposal.speaker_n += entities.speakers[key[1]]
            keys.append(key[1])
        else:
            proposal.notes.append(f"shares the surname {name.split()[-1]!r} with {found[owners[key[1]]].name}, who has it as an alias")
        _describe(proposal, keys, entities)
        found[key] = proposal
    for key, forms in entities.single.items():
        if key not in owners and entities.strong[key] >= 2:
            proposal = Proposal(forms.most_common(1)[0][0], "person", list(entities.titled[key]), evidence_n=sum(forms.values()),
                                speaker_n=entities.speakers[key])
            _describe(proposal, [key], entities)
            found[key] = proposal
    return found


def _bodies(entities: _Entities) -> dict[object, Proposal]:
    found: dict[object, Proposal] = {}
    for kind, table in (("organisation", entities.organisations), ("group", entities.groups)):
        for key, forms in table.items():
            name = forms.most_common(1)[0][0]
            if kind == "organisation" and " " not in name and name not in entities.words.institutions:
                continue  # "the Department", "the Post": a shortened name
            kind_here = "collective" if isinstance(key, tuple) else kind
            proposal = Proposal(name, kind_here, list(entities.titled[key]), evidence_n=sum(forms.values()),
                                speaker_n=entities.speakers[key])
            _describe(proposal, [key], entities)
            found[key] = proposal
    return found


def _describe(proposal: Proposal, keys: list, entities: _Entities) -> None:
    """Role, description aliases and pronouns from the evidence gathered under ``keys``."""
    roles, descriptions, votes = Counter(), Counter(), Counter()
    for key in keys:
        roles.update(entities.roles[key])
        descriptions.update(entities.descriptions[key])
        votes.update(entities.votes[key])
    proposal.role = (roles or descriptions).most_common(1)[0][0] if roles or descriptions else None
    proposal.aliases += [d for d in descriptions if d.startswith("the ") and len(d.split()) <= _MAX_ALIAS_WORDS]
    proposal.pronoun_votes = votes
    if proposal.kind == "person":
        proposal.pronouns = "he" if votes["he"] > votes["she"] else "she" if votes["she"] > votes["he"] else "they"
        honorifics = entities.words.honorifics
        clashing = [a for a in proposal.aliases if honorifics.get(a.split()[0], proposal.pronouns) not in (proposal.pronouns, "they")]
        proposal.aliases = [a for a in proposal.aliases if a not in clashing]
        proposal.notes += [f"{a!r} left out: its honorific does not go with {proposal.pronouns!r}" for a in clashing]
        if proposal.pronouns in ("he", "she") and len(proposal.name.split()) > 1:
            proposal.aliases.append(("Mr. " if proposal.pronouns == "he" else "Ms. ") + proposal.name.split()[-1])
    elif proposal.kind == "organisation":
        proposal.pronouns = "it"
    else:
        proposal.pronouns = "they" if proposal.kind == "group" or proposal.name.endswith("s") else "it"


def _dedupe_aliases(proposals: list[Proposal]) -> None:
    """Each alias to one entry only (names first, then the entry seen most), so the draft validates."""
    owner: dict[str, Proposal] = {alias_key(p.name): p for p in sorted(proposals, key=lambda p: p.evidence_n)}
    for p in sorted(proposals, key=lambda p: -p.evidence_n):
        for alias in list(dict.fromkeys(p.aliases)):
            key = alias_key(alias)
            if owner.setdefault(key, p) is not p:
                p.notes.append(f"alias {alias!r} left to {owner[key].name}")
    for p in proposals:
        p.aliases = [a for a in dict.fromkeys(p.aliases) if owner.get(alias_key(a)) is p and alias_key(a) != alias_key(p.name)]
        if p.surname not in p.aliases:
            p.surname = None


def _count_mentions(proposals: list[Proposal], sents: pd.DataFrame) -> None:
    """Mentions as the draft codebook matches them; a bare surname only in articles that name the person otherwise too."""
    book = Codebook(actors=tuple(Actor(p.name, tuple(p.aliases), camp=PLACEHOLDER_CAMP) for p in proposals))
    by_name = {p.name: p for p in proposals}
    surnames = {p.name: alias_key(p.surname) for p in proposals if p.surname}
    for aid, group in itertools.groupby(zip(sents["article_id"], sents["text"]), key=lambda row: row[0]):
        found = [(text, actor.name, alias_key(mention)) for _, text in group for _, _, mention, actor in book.iter_mentions(text)]
        anchored = {name for _, name, key in found if surnames.get(name) != key}
        sentences: dict[str, list[str]] = defaultdict(list)
        for text, name, _ in found:
            if name in anchored:
                by_name[name].mentions_n += 1
                if text not in sentences[name]:
                    sentences[name].append(text)
        for name, texts in sentences.items():
            p = by_name[name]
            p.articles_n += 1
            p.examples += [(aid, t) for t in texts[:2]]
    for p in proposals:  # the first sentence of the first two articles, else two sentences of one
        firsts = list({aid: (aid, text) for aid, text in reversed(p.examples)}.values())[::-1]
        p.examples = (firsts + [e for e in p.examples if e not in firsts])[:2]


def draft_codebook(
    articles: pd.DataFrame, *, top: int = 100, min_mentions: int = 1, words: NameWords | None = None
) -> list[Proposal]:
    """The ``top`` actors most worth coding, most mentioned first (each statement counts as a mention too), as :class:`Proposal`.

    Needs ``article_id`` and ``text``; names equal to an ``outlet`` of the
    table are left out (the outlet reporting is not an actor of the story).
    An entry needs ``min_mentions`` mentions, or one statement of its own.
    """
    from analysis.text import sentences

    words = words if words is not None else load_name_words()
    if not len(articles):
        return []
    sents = sentences(articles)
    entities, quotes = _gather(articles, sents, words)
    _vote_pronouns(quotes, entities)
    proposals = list({**_people(entities), **_bodies(entities)}.values())
    outlets = {alias_key(_DETERMINER.sub("", str(o))) for o in articles.get("outlet", pd.Series(dtype=object)).dropna()}
    proposals = [p for p in proposals if alias_key(_DETERMINER.sub("", p.name)) not in outlets]
    _dedupe_aliases(proposals)
    _count_mentions(proposals, sents)
    kept = [p for p in proposals if p.mentions_n >= min_mentions or p.speaker_n >= 1]
    kept.sort(key=lambda p: (-(p.mentions_n + p.speaker_n), p.name))
    return kept[:top]


def _quoted(value: str | None) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= _EXAMPLE_CHARS else flat[: _EXAMPLE_CHARS - 1] + "…"


def format_draft(proposals: list[Proposal], *, source: str, articles_n: int) -> str:
    """The draft codebook as YAML text, with the evidence for each actor as comments.

    >>> print(format_draft([Proposal("Ann Lee", "person", ["Lee"], "Mayor", "she", 3, 1, 1)], source="x.csv", articles_n=1).split("actors:")[1])
    <BLANKLINE>
      # 1. Ann Lee (person): 3 mentions in 1 article; speaks in 1 statement
      #    pronouns she: no evidence
      - name: "Ann Lee"
        aliases: ["Lee"]
        party: null
        camp: unassigned
        role: "Mayor"
        pronouns: she
    <BLANKLINE>
    """
    lines = [
        f"# Draft actor codebook written by `python -m analysis draft-codebook` from {_comment(source)} ({articles_n} articles).",
        "# A draft: check every entry before you use it (schema: data/actors.README.md). For each actor the comments give",
        "# its mentions (every match of its name and aliases), the statements the quote finder attributes to it,",
        "# the pronoun evidence and two example sentences.",
        f"# camp: every actor is in the placeholder camp {PLACEHOLDER_CAMP!r}. Write your camps under `camps:` (for example",
        "#   [government, opposition, other]) and set each actor's camp: the notebooks group speakers by camp.",
        "# pronouns: from 'Mr./Ms.', 'X said he ...' and 'he said' after X's statement; 'they' where nothing says.",
        "# aliases: surname, title or honorific with surname, appositions ('the minister responsible for ...').",
        "#   Delete a wrong one; add descriptions ('the Ontario MP'); two actors cannot share an alias.",
        "# Left out: the corpus's own outlets, names with no sign of being a person",
        "#   or an organisation (places, events); party is left for you to fill in.",
        "version: 1",
        "story: null  # one line on what the story is",
        f"camps: [{PLACEHOLDER_CAMP}]",
        "",
        "actors:" if proposals else "actors: []  # nothing found: is the corpus English news text?",
    ]
    for rank, p in enumerate(proposals, start=1):
        votes = ", ".join(f"{n} × {w}" for w, n in p.pronoun_votes.most_common()) or "no evidence"
        lines += [
            f"  # {rank}. {_comment(p.name)} ({p.kind}): {p.mentions_n} mentions in {p.articles_n} article{'s' * (p.articles_n != 1)}; "
            f"speaks in {p.speaker_n} statement{'s' * (p.speaker_n != 1)}",
            f"  #    pronouns {p.pronouns}: {votes}",
            *[f"  #    note: {_comment(n)}" for n in p.notes],
            *[f"  #    e.g. [{_comment(aid)}] {_comment(sentence)}" for aid, sentence in p.examples],
            f"  - name: {_quoted(p.name)}",
            f"    aliases: [{', '.join(_quoted(a) for a in p.aliases)}]",
            "    party: null",
            f"    camp: {PLACEHOLDER_CAMP}",
            f"    role: {_quoted(p.role)}",
            f"    pronouns: {p.pronouns}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_draft(corpus: str | Path | None, out: str | Path, *, top: int = 100, min_mentions: int = 1) -> tuple[list[Proposal], pd.DataFrame]:
    """Load ``corpus`` (anything :func:`analysis.corpus.load_articles` reads), draft, write ``out``; ``(proposals, rejected)``."""
    from analysis.corpus import load_articles
    from analysis.paths import writing_to

    articles, rejected = load_articles(corpus, errors="collect")
    proposals = draft_codebook(articles, top=top, min_mentions=min_mentions)
    text = format_draft(proposals, source=str(corpus if corpus is not None else "data/"), articles_n=len(articles))
    out = Path(out)
    with writing_to(out, OSError):
        out.write_text(text, encoding="utf-8")
    return proposals, rejected


HELP = "draft an actor codebook from a corpus: most-mentioned people and organisations, aliases, pronouns"
DESCRIPTION = (
    "Read a corpus (anything load_articles reads: a data folder, .txt files, saved web pages, a CSV/JSONL/Parquet "
    "export) and write a draft actor codebook: the people, organisations and groups named or quoted most, each "
    "with aliases (surname, title or honorific with surname, appositions), likely pronouns, a role, its mention "
    f"and statement counts and two example sentences as YAML comments. Every actor is put in the placeholder camp "
    f"'{PLACEHOLDER_CAMP}': replace it with your camps. The file loads with analysis.actors.load_codebook. "
    "Word lists: data/name_words.yaml."
)


def add_arguments(parser) -> None:
    """The ``draft-codebook`` command's options."""
    parser.add_argument("corpus", help="corpus source: a folder, .txt, .html, .warc(.gz), .csv, .jsonl, .parquet")
    parser.add_argument("--out", required=True, help="where to write the draft codebook (YAML), e.g. stories/NAME/codebook.yaml")
    parser.add_argument("--top", type=int, default=100, help="how many actors to propose, most mentioned first (default 100)")
    parser.add_argument("--min-mentions", type=int, default=1, help="leave out actors mentioned fewer times that never speak (default 1)")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def run_from_args(args) -> int:
    """Run ``draft-codebook``; exit status 0, or 2 with ``error: ...`` on stderr."""
    import sys

    from analysis.corpus import CorpusError

    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    if args.top < 1 or args.min_mentions < 1:
        print("error: --top and --min-mentions must be at least 1", file=sys.stderr)
        return 2
    try:
        proposals, rejected = write_draft(args.corpus, out, top=args.top, min_mentions=args.min_mentions)
    except (CorpusError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for row in rejected.itertuples():
        print(f"rejected: {row.source_file}: {row.reason}", file=sys.stderr)
    people = sum(p.kind == "person" for p in proposals)
    print(f"wrote {out}: {len(proposals)} actors ({people} people, {len(proposals) - people} organisations and groups); "
          f"every one in the placeholder camp '{PLACEHOLDER_CAMP}': set the camps before you run the notebooks.")
    return 0
