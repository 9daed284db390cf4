"""Near-duplicate articles: wire copy carried by several outlets, re-publications, lightly edited copies.

The loader refuses exact duplicates (same repaired text); a wire story that
two outlets ran with their own lede, or that one outlet published twice with
a correction, passes it and would be counted twice. Here:

- :func:`find_near_duplicates` shingles each text into word ``k``-grams
  (lower-cased, punctuation dropped), sketches each set with MinHash
  (``datasketch``), finds candidate pairs with MinHash LSH, then checks every
  candidate exactly: two articles are linked when the Jaccard similarity of
  their shingle sets reaches ``threshold``, or when the smaller one's
  shingles lie in the other at ``containment`` or more (a wire story cut
  short, or wrapped in a new lede and a boilerplate footer). Linked articles
  form clusters (connected components), one row per article:
  :data:`CLUSTERS_SCHEMA`.
- :func:`apply_duplicate_policy` keeps, per cluster, one article per outlet
  (``"once_per_outlet"``, the default), one article in all (``"once"``) or
  every copy (``"all"``), and returns the articles it dropped as a table in
  the shape of :data:`analysis.corpus.REJECTED_SCHEMA`, each with its reason,
  so nothing goes missing silently.
- :func:`describe_duplicates` says it in a few sentences for notebook 01.

>>> import pandas as pd
>>> wire = " ".join(f"Sentence {i} of the wire story says the minister met union leaders on trade." for i in range(12))
>>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "X", "Y"],
...                      "text": [wire, "UPDATED. " + wire, "An unrelated report about a hockey game in Ottawa."]})
>>> find_near_duplicates(arts)[["cluster_id", "article_id", "outlet", "nearest_id"]].values.tolist()
[[0, 'a', 'X', 'b'], [0, 'b', 'X', 'a']]
>>> kept, dropped = apply_duplicate_policy(arts, find_near_duplicates(arts))
>>> kept["article_id"].tolist(), dropped["article_id"].tolist()
(['a', 'c'], ['b'])

Limits: similarity is of wording, not of meaning; a rewrite in other words
is not a copy. Texts under ``shingle_words`` words are one shingle, and an
article with fewer than 20 shingles is linked by Jaccard only, never by
containment (a two-line brief is not a copy of every story that opens the
same way). MinHash LSH may miss a pair whose Jaccard is near its candidate
level (0.25 by default, so containment links hold for articles at least
about a third the length of the longer copy); every pair it reports is
verified exactly, so it adds no false links.
"""

from __future__ import annotations

import operator
import re
import zlib
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.markup import escape_markdown

Policy = Literal["once_per_outlet", "once", "all"]
POLICIES: tuple[str, ...] = ("once_per_outlet", "once", "all")
"""What :func:`apply_duplicate_policy` keeps of each cluster: one article per outlet, one in all, or every copy."""
NO_OUTLET = "(no outlet)"
CANDIDATE_JACCARD = 0.25
"""MinHash LSH's threshold for candidate pairs; below ``threshold`` so that containment links are found too."""
MIN_CONTAINMENT_SHINGLES = 20
"""An article with fewer shingles than this is linked by Jaccard only."""

CLUSTERS_SCHEMA = pa.DataFrameSchema(
    {
        "cluster_id": pa.Column(int, pa.Check.ge(0)),
        "article_id": pa.Column(str, unique=True),
        "outlet": pa.Column(str, nullable=True),
        "title": pa.Column(str, nullable=True),
        "published_date": pa.Column("datetime64[ns]", nullable=True),
        "word_count": pa.Column(int, pa.Check.ge(0)),
        "nearest_id": pa.Column(str),
        "similarity_score": pa.Column(float, pa.Check.in_range(0, 1)),
        "containment_score": pa.Column(float, pa.Check.in_range(0, 1)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="duplicate_clusters",
)
"""One row per article that has a near copy. ``cluster_id`` numbers clusters
0..n-1 in the order of their first article; ``nearest_id`` is the linked article
most like this one, ``similarity_score`` their Jaccard similarity (shared word
shingles over all) and ``containment_score`` the share of the smaller text's
shingles found in the other."""

_WORD = re.compile(r"\w+")


def _shingles(text: str, k: int) -> np.ndarray:
    """Sorted unique CRC-32 hashes of the text's word ``k``-grams (lower-cased, punctuation dropped)."""
    words = _WORD.findall(text.casefold()) if isinstance(text, str) else []
    grams = {" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))} if words else set()
    hashes = np.fromiter((zlib.crc32(g.encode("utf-8", "surrogatepass")) for g in grams), dtype=np.uint32, count=len(grams))
    hashes.sort()
    return hashes


def _signatures(shingles: list[np.ndarray], num_perm: int, seed: int) -> list:
    from datasketch import LeanMinHash, MinHash

    permutations = MinHash(num_perm=num_perm, seed=seed).permutations  # drawn once, shared by every sketch
    sketches = []
    for hashes in shingles:
        sketch = MinHash(num_perm=num_perm, seed=seed, hashfunc=operator.index, permutations=permutations, scheme="affine32")
        sketch.update_batch(hashes.tolist())
        sketches.append(LeanMinHash(sketch))
    return sketches


def _candidate_pairs(sketches: list, num_perm: int, level: float) -> set[tuple[int, int]]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=level, num_perm=num_perm)
    for i, sketch in enumerate(sketches):
        lsh.insert(i, sketch, check_duplication=False)
    return {(min(i, j), max(i, j)) for i, sketch in enumerate(sketches) for j in lsh.query(sketch) if j != i}


def _linked_pairs(shingles: list[np.ndarray], candidates, threshold: float, containment: float) -> list[tuple[int, int, float, float]]:
    """``(i, j, jaccard, containment)`` for each candidate pair that is a copy, checked on the exact shingle sets."""
    links = []
    for i, j in sorted(candidates):
        a, b = shingles[i], shingles[j]
        if not len(a) or not len(b):
            continue
        shared = np.intersect1d(a, b, assume_unique=True).size
        jaccard = shared / (len(a) + len(b) - shared)
        smaller = min(len(a), len(b))
        contained = shared / smaller
        if jaccard >= threshold or (contained >= containment and smaller >= MIN_CONTAINMENT_SHINGLES):
            links.append((i, j, float(jaccard), float(contained)))
    return links


def _components(n: int, links) -> list[int]:
    """Cluster root of each of ``n`` items, joined along ``links`` (union-find)."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, *_ in links:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return [root(i) for i in range(n)]


def _column(articles: pd.DataFrame, name: str, default=None) -> list:
    return articles[name].tolist() if name in articles.columns else [default] * len(articles)


def find_near_duplicates(
    articles: pd.DataFrame,
    *,
    threshold: float = 0.5,
    containment: float = 0.8,
    shingle_words: int = 5,
    num_perm: int = 128,
    seed: int = 1,
) -> pd.DataFrame:
    """Clusters of near-duplicate articles, one row per article that has a copy (:data:`CLUSTERS_SCHEMA`).

    Needs ``article_id`` and ``text``; ``outlet``, ``title``,
    ``published_date`` and ``word_count`` are carried when present. Articles
    without a copy are not listed. ``threshold``: Jaccard similarity of word
    ``shingle_words``-grams at which two articles are copies; ``containment``:
    share of the smaller article's shingles found in the larger at which they
    are copies too. ``num_perm`` and ``seed`` set the MinHash sketches.

    >>> import pandas as pd
    >>> story = "Ottawa wants the tariffs gone before the summer, officials in both capitals said on Friday. " * 3
    >>> arts = pd.DataFrame({"article_id": ["1", "2"], "text": [story, story + "Copyright The Canadian Press."]})
    >>> find_near_duplicates(arts)[["article_id", "nearest_id", "containment_score"]].values.tolist()
    [['1', '2', 1.0], ['2', '1', 1.0]]
    """
    missing = {"article_id", "text"} - set(articles.columns)
    if missing:
        raise KeyError(f"expected an articles table with article_id and text; missing {sorted(missing)}")
    if not 0 < threshold <= 1 or not 0 < containment <= 1:
        raise ValueError(f"threshold and containment are shares in (0, 1], not {threshold!r} and {containment!r}")
    shingles = [_shingles(text, shingle_words) for text in articles["text"]]
    level = min(CANDIDATE_JACCARD, threshold)
    links = _linked_pairs(shingles, _candidate_pairs(_signatures(shingles, num_perm, seed), num_perm, level), threshold, containment) if len(articles) > 1 else []
    nearest: dict[int, tuple[int, float, float]] = {}
    for i, j, jac, con in links:
        for a, b in ((i, j), (j, i)):
            if a not in nearest or jac > nearest[a][1]:
                nearest[a] = (b, jac, con)
    roots = _components(len(articles), links)
    numbers = {r: n for n, r in enumerate(dict.fromkeys(roots[i] for i in sorted(nearest)))}
    ids = articles["article_id"].astype(str).tolist()
    outlets, titles = _column(articles, "outlet"), _column(articles, "title")
    dates, words = _column(articles, "published_date"), _column(articles, "word_count")
    rows = [
        (numbers[roots[i]], ids[i], outlets[i], titles[i], dates[i], len(_WORD.findall(articles["text"].iat[i])) if words[i] is None else words[i],
         ids[b], jac, con)
        for i, (b, jac, con) in sorted(nearest.items())
    ]
    frame = pd.DataFrame(rows, columns=list(CLUSTERS_SCHEMA.columns)).sort_values(["cluster_id"], kind="stable")
    frame["published_date"] = pd.to_datetime(frame["published_date"], errors="coerce")
    for column in ("outlet", "title"):
        frame[column] = frame[column].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).astype(object)
    return CLUSTERS_SCHEMA.validate(frame.reset_index(drop=True))


def _keep_order(members: pd.DataFrame) -> pd.DataFrame:
    """Cluster members in the order a copy is preferred: earliest date first, then the order of the articles table."""
    return members.sort_values(["published_date", "position"], na_position="last", kind="stable")


def apply_duplicate_policy(
    articles: pd.DataFrame, clusters: pd.DataFrame, policy: Policy = "once_per_outlet"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(kept articles, dropped)``: the articles table with near copies removed by ``policy``, and what was removed.

    ``"once_per_outlet"`` keeps one article of each cluster per outlet (an
    outlet that ran a wire story twice counts it once; each outlet that ran
    it counts it); ``"once"`` keeps one article per cluster in all (the wire
    story counts once in the corpus); ``"all"`` keeps every copy. The copy
    kept is the earliest published, then the first in the articles table.
    ``dropped`` has the columns of :data:`analysis.corpus.REJECTED_SCHEMA`
    (``source_file, row, article_id, reason``), the reason naming the copy
    kept, the similarity and the policy, so it joins the rejected table.

    >>> import pandas as pd
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "text": ["t", "t!"]})
    >>> clusters = pd.DataFrame({"cluster_id": [0, 0], "article_id": ["a", "b"], "outlet": ["X", "Y"],
    ...                          "published_date": [None, None], "nearest_id": ["b", "a"], "similarity_score": [0.9, 0.9]})
    >>> kept, dropped = apply_duplicate_policy(arts, clusters, "once")
    >>> print(dropped["reason"].iloc[0])
    near-duplicate of a (cluster 0, similarity 0.90 to a): counted once in all (duplicates policy 'once')
    """
    from analysis.corpus import REJECTED_SCHEMA

    if policy not in POLICIES:
        raise ValueError(f"duplicates policy must be one of {list(POLICIES)}, not {policy!r}")
    ids = articles["article_id"].astype(str)
    unknown = sorted(set(clusters["article_id"]) - set(ids))
    if unknown:
        raise ValueError(f"the clusters name articles that are not in the articles table: {unknown[:10]}")
    drop: dict[str, str] = {}
    if policy != "all" and len(clusters):
        position = dict(zip(ids, range(len(ids))))
        members = clusters.assign(
            position=clusters["article_id"].map(position),
            published_date=pd.to_datetime(clusters["published_date"], errors="coerce"),
            group=clusters["outlet"].fillna(NO_OUTLET) if policy == "once_per_outlet" else "",
        )
        how = "counted once per outlet" if policy == "once_per_outlet" else "counted once in all"
        ordered = _keep_order(members)
        ordered = ordered.assign(kept_id=ordered.groupby(["cluster_id", "group"], sort=False)["article_id"].transform("first"))
        for row in ordered[ordered.duplicated(["cluster_id", "group"])].itertuples():
            drop[row.article_id] = (
                f"near-duplicate of {row.kept_id} (cluster {row.cluster_id}, similarity {row.similarity_score:.2f} to {row.nearest_id}): "
                f"{how} (duplicates policy {policy!r})"
            )
    dropped_mask = ids.isin(drop.keys())
    sources = articles["source_file"].astype(str) if "source_file" in articles.columns else ids
    dropped = pd.DataFrame(
        {"source_file": sources[dropped_mask].tolist(), "row": pd.array([None] * int(dropped_mask.sum()), dtype="Int64"),
         "article_id": ids[dropped_mask].tolist(), "reason": [drop[i] for i in ids[dropped_mask]]}
    )
    return articles[~dropped_mask.to_numpy()].reset_index(drop=True), REJECTED_SCHEMA.validate(dropped)


def describe_duplicates(clusters: pd.DataFrame, dropped: pd.DataFrame, policy: Policy = "once_per_outlet") -> str:
    """The near-duplicate clusters and what the policy did with them, in Markdown.

    >>> import pandas as pd
    >>> clusters = pd.DataFrame({"cluster_id": [0, 0, 0], "article_id": ["a", "b", "c"], "outlet": ["X", "Y", "Y"]})
    >>> print(describe_duplicates(clusters, pd.DataFrame({"article_id": ["c"]})))
    **1 cluster** of near-duplicate articles (wire copy, re-publications): 3 articles from 2 outlets; the largest holds 3 articles from X, Y. With the duplicates policy 'once_per_outlet', **1 article was dropped** (listed with the rejected inputs); set `DUPLICATES = "all"` to count every copy.
    """
    if clusters.empty:
        return "No near-duplicate articles: no two texts share most of their wording."
    sizes = clusters.groupby("cluster_id")["article_id"].size()
    n = len(sizes)
    largest = clusters[clusters["cluster_id"] == sizes.idxmax()]
    outlets = sorted(largest["outlet"].fillna(NO_OUTLET).unique())
    text = (
        f"**{n} cluster{'s' * (n != 1)}** of near-duplicate articles (wire copy, re-publications): "
        f"{len(clusters)} articles from {clusters['outlet'].fillna(NO_OUTLET).nunique()} outlet{'s' * (clusters['outlet'].fillna(NO_OUTLET).nunique() != 1)}; "
        f"the largest holds {sizes.max()} articles from {', '.join(escape_markdown(o) for o in outlets)}."
    )
    k = len(dropped)
    if policy == "all":
        return text + ' With the duplicates policy \'all\', every copy is counted; set `DUPLICATES = "once_per_outlet"` to count each outlet\'s copy once.'
    change = 'set `DUPLICATES = "all"` to count every copy'
    return text + (
        f" With the duplicates policy '{policy}', **{k} article{'s were' if k != 1 else ' was'} dropped** (listed with the rejected inputs); {change}."
    )
