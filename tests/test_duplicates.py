"""Near-duplicate detection on texts written here: one wire story as outlets re-run it, and unrelated reports."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.corpus import REJECTED_SCHEMA
from analysis.duplicates import CLUSTERS_SCHEMA, apply_duplicate_policy, describe_duplicates, find_near_duplicates

WIRE = """OTTAWA — Canada's trade minister said Tuesday that talks with Washington on steel and aluminum tariffs had made "real progress," but warned that no deal would be signed before the end of the month.

Speaking to reporters after a closed-door meeting with provincial counterparts, the minister said negotiators from both countries had exchanged new proposals on quotas for Canadian steel and on the timeline for lifting the levies.

"We are closer than we were a week ago, and I am not going to pretend otherwise," the minister said. "But closer is not done, and Canadian workers deserve a deal that lasts."

The tariffs, imposed last spring, have cost the steel industry in Ontario and Quebec thousands of jobs, according to figures released by the industry association on Monday.

Premiers from both provinces have pressed Ottawa to retaliate with counter-tariffs on American goods if the talks stall, a step the federal government has so far resisted.

The opposition trade critic accused the government of moving too slowly and of leaving mill towns in limbo while officials traded drafts.

Officials in Washington did not respond to requests for comment on Tuesday evening. A spokesperson for the U.S. trade representative said last week that any agreement would have to address what the administration calls the dumping of foreign steel through Canada.

The next round of talks is scheduled for the week of March 9 in Washington."""

LEDE = """Steelworkers in Hamilton will be watching closely. At the Stelco mill on the city's bayfront, shift workers told the Hamilton Herald they have heard promises of a deal before.

"""
CP_FOOTER = "\n\nThis report by The Canadian Press was first published Feb. 3, 2026.\n\nShare this story: Facebook Twitter Email. Sign up for our newsletter."


def _edit(text: str) -> str:
    """A copy desk's light touch: Canadian spelling, a verb changed, a paragraph cut."""
    paragraphs = text.split("\n\n")
    del paragraphs[5]
    edited = "\n\n".join(paragraphs)
    for old, new in (("aluminum", "aluminium"), ("said Tuesday", "said on Tuesday"), ("pressed", "urged"), ("so far", "until now")):
        edited = edited.replace(old, new)
    return edited


UNRELATED_SAME_TOPIC = """WASHINGTON — The U.S. trade representative told a Senate committee on Tuesday that Canada must do more to stop foreign steel from entering the American market through its ports.

Senators from steel-producing states asked whether the tariffs on Canadian steel and aluminum would stay in place through the summer. The trade representative would not give a date, saying only that the administration wanted a durable agreement.

Several senators said the tariffs had raised costs for automakers in Michigan and Ohio, who buy Canadian metal for their plants.

Canada's trade minister is expected in Washington next month for another round of talks."""

HOCKEY = """The Ottawa Senators beat the Montreal Canadiens 4-2 on Saturday night, with two goals in the third period lifting the home side into a playoff spot.

The winning goal came on a power play with six minutes left, after a penalty for tripping. The Senators' goaltender made 31 saves.

Montreal has now lost four of its last five games and sits three points out of the final wild-card spot."""

COUNCIL = """City council voted 9-4 on Wednesday to approve a new bus rapid transit line along the waterfront, ending two years of debate over its route.

Councillors who opposed the plan said it would take lanes from drivers on an already crowded road. Supporters said the line would carry 20,000 riders a day once it opens in 2029.

Construction is expected to start next spring, pending provincial funding."""


def _articles() -> pd.DataFrame:
    rows = [
        ("cp-1", "The Canadian Press", "2026-02-03 09:00", WIRE + CP_FOOTER),
        ("herald-1", "Hamilton Herald", "2026-02-03 11:00", LEDE + WIRE + CP_FOOTER),
        ("gazette-1", "Ottawa Gazette", "2026-02-03 12:00", _edit(WIRE)),
        ("herald-2", "Hamilton Herald", "2026-02-03 15:00", "UPDATED with the date of the next talks. " + LEDE + WIRE),
        ("gazette-short", "Ottawa Gazette", "2026-02-04 08:00", "\n\n".join(WIRE.split("\n\n")[:3])),
        ("dc-1", "Capitol Wire", "2026-02-03 13:00", UNRELATED_SAME_TOPIC),
        ("sport-1", "Ottawa Gazette", "2026-02-02 22:00", HOCKEY),
        ("city-1", "Hamilton Herald", "2026-02-04 10:00", COUNCIL),
    ]
    frame = pd.DataFrame(rows, columns=["article_id", "outlet", "published_date", "text"])
    return frame.assign(published_date=pd.to_datetime(frame["published_date"]), source_file=frame["article_id"] + ".html")


def test_wire_copies_form_one_cluster_and_unrelated_articles_none():
    clusters = find_near_duplicates(_articles())
    CLUSTERS_SCHEMA.validate(clusters)
    assert set(clusters["article_id"]) == {"cp-1", "herald-1", "gazette-1", "herald-2", "gazette-short"}
    assert clusters["cluster_id"].nunique() == 1
    by_id = clusters.set_index("article_id")
    # the republication with its own lede and footer, and the edited copy, are close to the wire original
    assert by_id.loc["herald-2", "nearest_id"] == "herald-1" and by_id.loc["herald-2", "similarity_score"] > 0.85
    assert by_id.loc["gazette-1", "similarity_score"] >= 0.5
    # the copy cut after three paragraphs is linked by containment, not by Jaccard
    assert by_id.loc["gazette-short", "containment_score"] >= 0.9
    assert by_id.loc["gazette-short", "similarity_score"] < 0.5


def test_a_report_on_the_same_talks_in_other_words_is_not_a_copy():
    clusters = find_near_duplicates(_articles())
    assert "dc-1" not in set(clusters["article_id"])
    # also at a looser threshold: shared names and topic words are not shared wording
    assert "dc-1" not in set(find_near_duplicates(_articles(), threshold=0.2, containment=0.5)["article_id"])


def test_once_per_outlet_drops_an_outlets_second_copy_and_says_so():
    articles = _articles()
    kept, dropped = apply_duplicate_policy(articles, find_near_duplicates(articles))
    REJECTED_SCHEMA.validate(dropped)
    assert sorted(dropped["article_id"]) == ["gazette-short", "herald-2"]
    assert set(kept["article_id"]) == set(articles["article_id"]) - {"gazette-short", "herald-2"}
    reasons = dict(zip(dropped["article_id"], dropped["reason"]))
    assert reasons["herald-2"].startswith("near-duplicate of herald-1 (cluster 0, similarity ")
    assert "counted once per outlet" in reasons["herald-2"] and "'once_per_outlet'" in reasons["herald-2"]
    assert reasons["gazette-short"].startswith("near-duplicate of gazette-1 ")  # the earlier of the Gazette's two copies
    assert dict(zip(dropped["article_id"], dropped["source_file"]))["herald-2"] == "herald-2.html"


def test_once_keeps_the_earliest_copy_and_all_keeps_every_copy():
    articles = _articles()
    clusters = find_near_duplicates(articles)
    kept, dropped = apply_duplicate_policy(articles, clusters, "once")
    assert sorted(dropped["article_id"]) == ["gazette-1", "gazette-short", "herald-1", "herald-2"]
    assert all("near-duplicate of cp-1 " in r for r in dropped["reason"])
    assert sorted(kept["article_id"]) == ["city-1", "cp-1", "dc-1", "sport-1"]
    kept_all, dropped_all = apply_duplicate_policy(articles, clusters, "all")
    assert dropped_all.empty and kept_all["article_id"].tolist() == articles["article_id"].tolist()


def test_findings_count_clusters_and_drops():
    articles = _articles()
    clusters = find_near_duplicates(articles)
    _, dropped = apply_duplicate_policy(articles, clusters)
    text = describe_duplicates(clusters, dropped)
    assert text.startswith("**1 cluster** of near-duplicate articles (wire copy, re-publications): 5 articles from 3 outlets;")
    assert "**2 articles were dropped**" in text
    assert describe_duplicates(clusters.iloc[0:0], dropped.iloc[0:0]).startswith("No near-duplicate articles")


def test_no_outlet_and_no_copies():
    articles = _articles().drop(columns=["outlet", "published_date", "source_file"])
    clusters = find_near_duplicates(articles)
    assert clusters["outlet"].isna().all() and len(clusters) == 5
    kept, dropped = apply_duplicate_policy(articles, clusters)
    assert len(dropped) == 4 and "(no outlet)" not in " ".join(dropped["reason"])
    alone = find_near_duplicates(articles[articles["article_id"].isin(["sport-1", "city-1", "dc-1"])])
    assert alone.empty and list(alone.columns) == list(CLUSTERS_SCHEMA.columns)


def test_bad_arguments_are_refused():
    articles = _articles()
    with pytest.raises(ValueError, match="duplicates policy must be one of"):
        apply_duplicate_policy(articles, find_near_duplicates(articles), "twice")
    with pytest.raises(KeyError, match="article_id and text"):
        find_near_duplicates(articles.drop(columns=["text"]))
    with pytest.raises(ValueError, match="not in the articles table"):
        apply_duplicate_policy(articles.iloc[:2], find_near_duplicates(articles))
