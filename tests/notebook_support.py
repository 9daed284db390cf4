"""A small invented corpus and codebook about another story (2016 US election coverage), and one shared run of the notebooks on it.

The articles are written for the tests, not taken from any outlet: they only
need quotes, names and loaded words for every measure to have something to count.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

US_CODEBOOK = """\
version: 1
story: 2016 US presidential election (invented test articles)
camps: [trump_campaign, clinton_campaign, other]
actors:
  - name: Donald Trump
    aliases: [Trump, Mr. Trump, the Republican nominee]
    party: Republican
    camp: trump_campaign
    role: Republican nominee
    pronouns: he
  - name: Mike Pence
    aliases: [Pence, Mr. Pence]
    party: Republican
    camp: trump_campaign
    role: running mate
    pronouns: he
  - name: Hillary Clinton
    aliases: [Clinton, Mrs. Clinton, the Democratic nominee]
    party: Democratic
    camp: clinton_campaign
    role: Democratic nominee
    pronouns: she
  - name: Tim Kaine
    aliases: [Kaine, Mr. Kaine]
    party: Democratic
    camp: clinton_campaign
    role: running mate
    pronouns: he
  - name: Clinton campaign
    aliases: [the Clinton campaign]
    party: Democratic
    camp: clinton_campaign
    role: campaign
    pronouns: it
  - name: Maria Lopez
    aliases: [Lopez, Ms. Lopez]
    party: null
    camp: other
    role: voter in Ohio
    pronouns: she
"""

US_ARTICLES = {
    "ledger-1": (
        "Daily Ledger", "Trump rallies Ohio crowd as Clinton attacks his record", "2016-10-01",
        "Trump rallies Ohio crowd as Clinton attacks his record\n"
        "Donald Trump told a cheering crowd in Ohio that the trade deals had destroyed good jobs.\n"
        "“We are going to win so much, you will be tired of winning,” Trump said.\n"
        "Hillary Clinton said Trump was dangerous and unfit to lead the country.\n"
        "Mr. Pence said the Republican nominee would bring jobs back to families in Ohio.\n"
        "“He is a great leader and a wonderful friend,” Pence added.\n",
    ),
    "ledger-2": (
        "Daily Ledger", "Clinton campaign struggles to answer email questions", "2016-10-03",
        "Clinton campaign struggles to answer email questions\n"
        "The Clinton campaign faced new criticism on Monday over the email scandal.\n"
        "Tim Kaine insisted that Clinton had done nothing wrong.\n"
        "“This is a disgraceful smear,” Kaine said.\n"
        "Trump said Clinton was a liar who should be in jail.\n",
    ),
    "courier-1": (
        "Evening Courier", "Clinton lays out economic plan for working families", "2016-10-02",
        "Clinton lays out economic plan for working families\n"
        "Hillary Clinton promised on Tuesday to raise wages and help working families.\n"
        "“We are stronger together, and we will build an economy that works for everyone,” Clinton said.\n"
        "Maria Lopez, a nurse in Ohio, said she was hopeful about the plan.\n"
        "Trump dismissed the plan as a disaster.\n"
        "Kaine said Trump had insulted millions of hard-working Americans.\n",
    ),
    "courier-2": (
        "Evening Courier", "Trump faces backlash over insults", "2016-10-04",
        "Trump faces backlash over insults\n"
        "Donald Trump faced angry criticism on Wednesday after he mocked a reporter.\n"
        "“It was cruel and shameful,” Clinton said.\n"
        "Trump claimed that the media was rigged against him.\n"
        "“The media is totally dishonest,” Trump said.\n",
    ),
}

US_PARAMETERS = {"FOCUS": "Donald Trump", "COUNTERPART": "clinton_campaign", "FRAME_SET": "generic_frames"}


def write_us_corpus(folder: Path) -> dict:
    """Write the invented corpus (manifest + .txt files) and codebook under ``folder``; return notebook parameters."""
    folder = Path(folder)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    lines = ["article_id,file,outlet,title,published_date,url,author,language"]
    for article_id, (outlet, title, date, text) in US_ARTICLES.items():
        (folder / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
        lines.append(f"{article_id},articles/{article_id}.txt,{outlet},{title},{date},,,en")
    (folder / "articles.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "us2016.yaml").write_text(US_CODEBOOK, encoding="utf-8")
    return {"CORPUS": str(folder), "CODEBOOK": str(folder / "us2016.yaml"), **US_PARAMETERS}


EXPECTED_OUTPUTS = {
    "01-corpus": (["corpus-by-outlet", "corpus-articles", "corpus-rejected", "corpus-duplicates"], ["corpus-overview"]),
    "02-who-speaks": (["voice-by-outlet", "voice-quotes", "speaking-order"], ["voice-share", "quote-timeline"]),
    "03-sentiment": (["speaker-tone", "speaker-target", "treatment-evidence", "sentiment-by-outlet"], ["speaker-sentiment", "treatment-heatmap"]),
    "04-framing": (["frame-definitions", "frame-profile", "frame-sentences", "attribution-verbs"], ["frame-profile"]),
    "05-positioning": (["positioning-map", "outlet-positioning", "positioning-measures"], ["positioning-map"]),
    "06-reading": (["descriptors", "descriptor-summary", "sentence-alignment", "unique-content"], []),
}
"""Per notebook: the tables (``tables/NAME.csv``) and figures (``figures/NAME.png|svg``) it must write."""


def run_all(out: Path, parameters: dict | None = None) -> dict[str, Path | BaseException]:
    """Run every numbered notebook into ``out``, a few at once (each is its own kernel); a failure is kept, not raised."""
    from analysis import report

    def run(path: Path) -> Path | BaseException:
        try:
            return report.run_notebook(path, out, parameters)
        except Exception as exc:  # reported by the test of that notebook
            return exc

    paths = report.list_notebooks()
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        return dict(zip((p.stem for p in paths), pool.map(run, paths)))


@lru_cache(maxsize=None)
def us_reports() -> tuple[Path, dict]:
    """Every notebook run once on the invented corpus and its codebook, shared by test_notebooks and test_browser."""
    root = Path(tempfile.mkdtemp(prefix="workbench-us2016-"))
    parameters = write_us_corpus(root / "data")
    return root / "reports", run_all(root / "reports", parameters)


@lru_cache(maxsize=None)
def default_reports() -> tuple[Path, dict]:
    """Every notebook run once on the project's own data/ (possibly no articles), with the default parameters."""
    root = Path(tempfile.mkdtemp(prefix="workbench-default-"))
    return root / "reports", run_all(root / "reports")
