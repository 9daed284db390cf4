"""Whole-text lexicon tone, fast: TextBlob's pattern sentiment and VADER, with the libraries' own numbers.

:func:`pattern_sentiment` returns what ``textblob.en.sentiment(text)`` (the
scorer behind ``TextBlob(text).sentiment``) returns, ``(polarity,
subjectivity)``, about 4x faster; :func:`fast_vader` is VADER's
``SentimentIntensityAnalyzer`` with a ``polarity_scores`` about 2x faster. Both are
exact (the same floats), not approximations; ``tests/test_tone.py`` checks them
against the libraries on NewsMTSC and the seed articles' sentences and on
generated text.

Where the time goes, and what is skipped:

- TextBlob's lexicon is a ``lazydict`` whose ``in`` and ``[]`` run Python code
  on every lookup; here a plain-dict copy of the loaded lexicon is read.
- ``find_tokens`` splits the text into sentences only so that its sarcasm
  ``(!)`` and emoticon rewrites run per sentence; the sentiment scorer joins
  the sentences again. When neither rewrite matches anywhere in the joined
  tokens (they then match in no sentence either) the split is skipped; when
  one does, the text goes to TextBlob's own scorer.
- The contraction rewrites are literal, so ``str.replace`` does them, and only
  for text holding an apostrophe; a token that starts and ends with no
  punctuation is kept as it is without the library's strip loop.
- ``assessments`` looks emoticons up in one dict built from TextBlob's
  ``EMOTICONS`` (first class wins, as in its loop) instead of a scan per token.
- VADER's ``polarity_scores`` first copies the text character by character to
  swap emoji for their descriptions; a text holding none of VADER's
  single-character emoji keys comes out of that loop unchanged, so the copy is
  skipped for it (other text takes VADER's own method). Then its negation,
  idiom and "but" checks each lower-case every word of the text again; here the
  words are lower-cased once per text, a word outside the lexicon gets its 0
  without a call to ``sentiment_valence`` (which gives it 0), and only words
  starting or ending with punctuation go through the punctuation strip.

Code adapted from TextBlob (MIT licence) and its pattern library (BSD); VADER is MIT.

>>> pattern_sentiment("Not a very good plan!")
(-0.33653846153846145, 0.46153846153846156)
>>> fast_vader().polarity_scores("A good plan.")["compound"]
0.4404
"""

from __future__ import annotations

import re
from functools import lru_cache

_EOS_STOPS = ("...", ".", "!", "?")


def _english_scorer():
    """``(textblob._text, textblob.en.sentiment)``, built without importing the ``textblob`` package when it is not loaded yet.

    ``import textblob`` imports NLTK and with it SciPy's statistics (about 2 s
    per process); its sentiment scorer needs neither. ``textblob/_text.py``
    (standard library only) is loaded on its own and the scorer configured as
    ``textblob/en/__init__.py`` configures it (the lines below are copied from
    there); ``tests/test_tone.py`` checks its numbers against
    ``TextBlob(text).sentiment`` in a fresh process. A package laid out
    otherwise is imported the usual way.
    """
    import sys

    if "textblob.en" not in sys.modules:
        try:
            import importlib.util
            import os

            folder = importlib.util.find_spec("textblob").submodule_search_locations[0]
            spec = importlib.util.spec_from_file_location("analysis._textblob_text", os.path.join(folder, "_text.py"))
            _text = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(_text)
            en = os.path.join(folder, "en")
            if os.path.exists(os.path.join(en, "en-sentiment.xml")):
                return _text, _english_sentiment(_text, en)
        except (ImportError, AttributeError, OSError, TypeError):
            pass
    from textblob import _text
    from textblob.en import sentiment

    return _text, sentiment


def _english_sentiment(_text, en: str):
    """``textblob.en.sentiment``: its ``Sentiment`` subclass and settings (textblob/en/__init__.py, MIT licence)."""
    import os

    class Sentiment(_text.Sentiment):
        def load(self, path=None):
            _text.Sentiment.load(self, path)
            # Map "terrible" to adverb "terribly" (+1% accuracy)
            if not path:
                for w, pos in list(dict.items(self)):
                    if "JJ" in pos:
                        if w.endswith("y"):
                            w = w[:-1] + "i"
                        if w.endswith("le"):
                            w = w[:-2]
                        p, s, i = pos["JJ"]
                        self.annotate(w + "ly", "RB", p, s, i)

    lexicon = _text.Lexicon(
        path=os.path.join(en, "en-lexicon.txt"),
        morphology=os.path.join(en, "en-morphology.txt"),
        context=os.path.join(en, "en-context.txt"),
        entities=os.path.join(en, "en-entities.txt"),
        language="en",
    )
    parser = _text.Parser(lexicon=lexicon, default=("NN", "NNP", "CD"), language="en")
    return Sentiment(
        path=os.path.join(en, "en-sentiment.xml"),
        synset="wordnet_id",
        negations=("no", "not", "n't", "never"),
        modifiers=("RB",),
        modifier=lambda w: w.endswith("ly"),
        tokenizer=parser.find_tokens,
        language="en",
    )


@lru_cache(maxsize=1)
def _pattern():
    """TextBlob's English scorer with its lexicon loaded, and the plain-dict views read here."""
    _text, sentiment = _english_scorer()

    len(sentiment)  # a lazydict loads its lexicon on first use
    emoticons: dict[str, float] = {}
    for (_kind, polarity), faces in _text.EMOTICONS.items():
        for face in faces:
            emoticons.setdefault(face.lower(), polarity)
    punctuation = tuple(_text.PUNCTUATION.replace(".", ""))
    return {
        "scorer": sentiment,
        "text": _text,
        "lexicon": dict.copy(sentiment),
        "labeler": dict(sentiment.labeler),
        "negations": tuple(sentiment.negations),
        "modifiers": tuple(sentiment.modifiers),
        "emoticons": emoticons,
        "lead": frozenset(punctuation),
        "tail": frozenset(punctuation) | {"."},
        "punctuation_tuple": punctuation,
    }


def _split_token(t: str, tokens: list[str], p: dict) -> None:
    """TextBlob ``find_tokens``' loop body for one token with punctuation at either end (verbatim logic)."""
    text = p["text"]
    punctuation, replace, abbreviations = p["punctuation_tuple"], text.replacements, text.ABBREVIATIONS
    tail = []
    while t.startswith(punctuation) and t not in replace:
        tokens.append(t[0])
        t = t[1:]
    while t.endswith(punctuation + (".",)) and t not in replace:
        if t.endswith(punctuation):
            tail.append(t[-1])
            t = t[:-1]
        if t.endswith("..."):
            tail.append("...")
            t = t[:-3].rstrip(".")
        if t.endswith("."):
            if (
                t in abbreviations
                or text.RE_ABBR1.match(t) is not None
                or text.RE_ABBR2.match(t) is not None
                or text.RE_ABBR3.match(t) is not None
            ):
                break
            tail.append(t[-1])
            t = t[:-1]
    if t != "":
        tokens.append(t)
    tokens.extend(reversed(tail))


_NEWLINES = re.compile(r"\n{2,}")


def _joined_tokens(string: str, p: dict) -> str:
    """TextBlob's tokens of ``string``, space-joined, before its per-sentence sarcasm and emoticon rewrites."""
    text = p["text"]
    if "'" in string:
        for a, b in text.replacements.items():  # literal patterns: re.sub(a, b, s) == s.replace(a, b)
            string = string.replace(a, b)
    string = (
        string.replace("“", " “ ").replace("”", " ” ").replace("‘", " ‘ ").replace("’", " ’ ")
        .replace("'", " ' ").replace('"', ' " ')
    )
    if "\n" in string:
        string = _NEWLINES.sub(" %s " % text.EOS, string.replace("\r\n", "\n"))
    # TextBlob squeezes whitespace to " " and takes TOKEN = (\S+)\s from the text + " ": the non-space runs, i.e. split()
    lead, tail = p["lead"], p["tail"]
    tokens: list[str] = []
    for t in string.split():
        if t[0] in lead or t[-1] in tail:
            _split_token(t, tokens, p)
        else:
            tokens.append(t)
    eos = text.EOS
    return " ".join([t for t in tokens if t != eos])


def _assessments(words: list[str], p: dict) -> list[tuple[float, float]]:
    """``Sentiment.assessments`` of lower-cased words with no part-of-speech tags: (polarity, subjectivity) per chunk."""
    lexicon, labeler, negations, modifiers = p["lexicon"], p["labeler"], p["negations"], p["modifiers"]
    emoticons, punctuation, irony, mood = p["emoticons"], p["text"].PUNCTUATION, p["text"].IRONY, p["text"].MOOD
    a: list[list] = []  # [words, polarity, subjectivity, intensity, negated, label]
    m = None
    n = None
    for w in words:
        entry = lexicon.get(w)
        if entry is not None and None in entry:
            ps, s, i = entry[None]
            if m is None:
                a.append([[w], ps, s, i, 1, labeler.get(w)])
            else:
                last = a[-1]
                last[0].append(w)
                last[1] = max(-1.0, min(ps * last[3], +1.0))
                last[2] = max(-1.0, min(s * last[3], +1.0))
                last[3] = i
                last[5] = labeler.get(w)
            if n is not None:
                last = a[-1]
                last[0].insert(0, n)
                last[3] = 1.0 / last[3]
                last[4] = -1
            m = None
            n = None
            if any(map(entry.__contains__, modifiers)):
                m = w
            if w in negations:
                n = w
        else:
            if w in negations:
                n = w
            elif n and len(w.strip("'")) > 1:
                n = None
            if n is not None and m is not None and m.endswith("ly"):
                a[-1][0].append(n)
                a[-1][4] = -1
                n = None
            elif m and len(w) > 2:
                m = None
            if w == "!" and len(a) > 0:
                a[-1][0].append("!")
                a[-1][1] = max(-1.0, min(a[-1][1] * 1.25, +1.0))
            if w == "(!)":
                a.append([[w], 0.0, 1.0, 1.0, 1, irony])
            if w.isalpha() is False and len(w) <= 5 and w not in punctuation:
                face = emoticons.get(w)
                if face is not None:
                    a.append([[w], face, 1.0, 1.0, 1, mood])
    return [(x[1] * -0.5 if x[4] < 0 else x[1], x[2]) for x in a]


def pattern_sentiment(text: str) -> tuple[float, float]:
    """``(polarity, subjectivity)`` of ``text``, equal to ``textblob.en.sentiment(text)`` (``TextBlob(text).sentiment``).

    Texts whose tokens hold TextBlob's sarcasm mark ``( ! )`` or an emoticon
    are scored by TextBlob itself (its per-sentence rewrites matter there).

    >>> pattern_sentiment("It is not good.")
    (-0.35, 0.6000000000000001)
    """
    p = _pattern()
    joined = _joined_tokens(text, p)
    if p["text"].RE_SARCASM.search(joined) is not None or p["text"].RE_EMOTICONS.search(joined) is not None:
        polarity, subjectivity = p["scorer"](text)
        return polarity, subjectivity
    a = _assessments(joined.lower().split(), p)
    polarity = subjectivity = 0
    for x, y in a:
        polarity += x
        subjectivity += y
    size = float(len(a) or 1)
    return polarity / size, subjectivity / size


class _Words(list):
    """VADER's words of one text, carrying their lower-cased forms (computed once, not once per check)."""

    lowered: list[str]


def _negation_check(valence: float, lower: list[str], start_i: int, i: int, negate: frozenset, n_scalar: float) -> float:
    """VADER's ``_negation_check`` on the text's lower-cased words (its logic, unchanged).

    ``negate`` is VADER's ``NEGATE`` list as a set: its ``negated([w])`` is
    ``w.lower()`` in that list or holding "n't".
    """

    def negated(words: list[str]) -> bool:
        word = words[0].lower()
        return word in negate or "n't" in word

    if start_i == 0:
        if negated([lower[i - (start_i + 1)]]):
            valence = valence * n_scalar
    if start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            valence = valence
        elif negated([lower[i - (start_i + 1)]]):
            valence = valence * n_scalar
    if start_i == 2:
        if lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this") or \
                (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            valence = valence
        elif negated([lower[i - (start_i + 1)]]):
            valence = valence * n_scalar
    return valence


def _special_idioms_check(valence: float, lower: list[str], i: int, special: dict, booster: dict) -> float:
    """VADER's ``_special_idioms_check`` on the text's lower-cased words (its logic, unchanged)."""
    onezero = "{0} {1}".format(lower[i - 1], lower[i])
    twoonezero = "{0} {1} {2}".format(lower[i - 2], lower[i - 1], lower[i])
    twoone = "{0} {1}".format(lower[i - 2], lower[i - 1])
    threetwoone = "{0} {1} {2}".format(lower[i - 3], lower[i - 2], lower[i - 1])
    threetwo = "{0} {1}".format(lower[i - 3], lower[i - 2])
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(lower) - 1 > i:
        zeroone = "{0} {1}".format(lower[i], lower[i + 1])
        if zeroone in special:
            valence = special[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = "{0} {1} {2}".format(lower[i], lower[i + 1], lower[i + 2])
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in booster:
            valence = valence + booster[n_gram]
    return valence


@lru_cache(maxsize=1)
def _negate() -> frozenset:
    from vaderSentiment.vaderSentiment import NEGATE

    return frozenset(NEGATE)


@lru_cache(maxsize=1)
def fast_vader():
    """A :class:`FastVader`, built on first use (VADER reads its lexicon file)."""
    from vaderSentiment import vaderSentiment as vs

    class FastVader(vs.SentimentIntensityAnalyzer):
        """VADER's analyzer, with the same scores from a faster ``polarity_scores``.

        It skips the emoji pass for text with no emoji key in it, lower-cases
        the text's words once instead of once per negation, idiom or "but"
        check, and skips work whose result is known (see the module's notes).
        """

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.single_char_emoji = frozenset(k for k in self.emojis if len(k) == 1)
            self.punctuation = frozenset(vs.string.punctuation)

        def polarity_scores(self, text):
            if not isinstance(text, str) or not self.single_char_emoji.isdisjoint(text):
                return super().polarity_scores(text)
            # VADER's own method from here on, the emoji loop having left the text as it was
            text = text.strip()
            # SentiText(text), its words stripped of punctuation only where a word starts or ends with some
            punctuation, strip = self.punctuation, vs.SentiText._strip_punc_if_word
            words_and_emoticons = _Words(
                [w if w[0] not in punctuation and w[-1] not in punctuation else strip(w) for w in text.split()])
            words_and_emoticons.lowered = [w.lower() for w in words_and_emoticons]
            sentitext = vs.SentiText.__new__(vs.SentiText)
            sentitext.text = text
            sentitext.words_and_emoticons = words_and_emoticons
            sentitext.is_cap_diff = vs.allcap_differential(words_and_emoticons)
            sentiments = []
            lexicon, lowered = self.lexicon, words_and_emoticons.lowered
            for i, item in enumerate(words_and_emoticons):
                valence = 0
                if lowered[i] not in lexicon:  # what sentiment_valence does for a word outside the lexicon
                    sentiments.append(valence)
                    continue
                if item.lower() in vs.BOOSTER_DICT:
                    sentiments.append(valence)
                    continue
                if (i < len(words_and_emoticons) - 1 and item.lower() == "kind" and
                        words_and_emoticons[i + 1].lower() == "of"):
                    sentiments.append(valence)
                    continue
                sentiments = self.sentiment_valence(valence, sentitext, item, i, sentiments)
            sentiments = self._but_check(words_and_emoticons, sentiments)
            return self.score_valence(sentiments, text)

        @staticmethod
        def _negation_check(valence, words_and_emoticons, start_i, i):
            if not isinstance(words_and_emoticons, _Words):
                return vs.SentimentIntensityAnalyzer._negation_check(valence, words_and_emoticons, start_i, i)
            return _negation_check(valence, words_and_emoticons.lowered, start_i, i, _negate(), vs.N_SCALAR)

        @staticmethod
        def _but_check(words_and_emoticons, sentiments):
            if not isinstance(words_and_emoticons, _Words):
                return vs.SentimentIntensityAnalyzer._but_check(words_and_emoticons, sentiments)
            words_and_emoticons_lower = words_and_emoticons.lowered
            if 'but' in words_and_emoticons_lower:  # VADER's logic, unchanged
                bi = words_and_emoticons_lower.index('but')
                for sentiment in sentiments:
                    si = sentiments.index(sentiment)
                    if si < bi:
                        sentiments.pop(si)
                        sentiments.insert(si, sentiment * 0.5)
                    elif si > bi:
                        sentiments.pop(si)
                        sentiments.insert(si, sentiment * 1.5)
            return sentiments

        @staticmethod
        def _special_idioms_check(valence, words_and_emoticons, i):
            if not isinstance(words_and_emoticons, _Words):
                return vs.SentimentIntensityAnalyzer._special_idioms_check(valence, words_and_emoticons, i)
            return _special_idioms_check(valence, words_and_emoticons.lowered, i, vs.SPECIAL_CASES, vs.BOOSTER_DICT)

    return FastVader()
