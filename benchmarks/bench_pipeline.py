"""Throughput and memory of the batch pipeline (analysis.pipeline) on synthetic articles.

    .venv/bin/python benchmarks/bench_pipeline.py              # 1,000 and 10,000 articles
    .venv/bin/python benchmarks/bench_pipeline.py --sizes 1000 # quicker
    .venv/bin/python benchmarks/bench_pipeline.py --repeat 2   # best of 2 runs each, on a busy machine

For each corpus size it runs ``local`` (1 worker), ``processes`` (2 workers)
and ``dask`` (LocalCluster, 2 worker processes), each in a fresh subprocess,
and prints articles/s, CPU milliseconds per article (summed over the driver and
every descendant), the peak memory of the whole process tree (sum of PSS over
the driver and every descendant, sampled every 0.5 s with psutil (reading PSS
of the tree takes ~30 ms, so sampling more often slows the run it measures); PSS splits
pages shared by forked workers instead of counting them once per process; the
summed RSS is printed too) and the per-stage time split read from ``run.json``, then the
figures against the targets:

- end-to-end >= 100 articles/s per core;
- 2 workers >= 1.7x one worker;
- peak memory for 10,000 articles < 1 GB and <= the 1,000-article peak + 20%.

Articles: if the seed articles (data/articles/*.txt) are present their
paragraphs are shuffled into new articles with names swapped; otherwise
paragraphs written below (political-news style, curly
quotes, said/told, names swapped among a list) are used. The output says which.
This is a script that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------- synthetic text
# Paragraphs written for this benchmark in the style of political news coverage (not real articles).

NAMES = [
    ("Jamil Jivani", "Jivani", "the Ontario MP", "he"),
    ("Pierre Poilievre", "Poilievre", "the Conservative leader", "he"),
    ("Mark Carney", "Carney", "the prime minister", "he"),
    ("Dominic LeBlanc", "LeBlanc", "the minister responsible for Canada-U.S. trade", "he"),
    ("Mélanie Joly", "Joly", "the industry minister", "she"),
    ("Kirsten Hillman", "Hillman", "the ambassador", "she"),
    ("Gérard Deltell", "Deltell", "the Quebec MP", "he"),
    ("Donald Trump", "Trump", "the president", "he"),
    ("Anita Desrosiers", "Desrosiers", "the trade analyst", "she"),
    ("Thomas Okafor", "Okafor", "the union leader", "he"),
]

OUTLETS = ["CBC News", "The Epoch Times", "Global News", "National Post", "Toronto Star", "CTV News"]

HEADINGS = ["Washington Trip", "Trade Talks", "Reaction in Ottawa", "What Comes Next", "Tariff Threat", "Opposition Response"]

PARAGRAPHS = [
    "{A} says {a_pron} met with senior officials in Washington on Wednesday to discuss tariffs on Canadian steel and aluminum.",
    "“Productive meetings today with people who want a fair deal for workers on both sides of the border,” {A_short} said in a post on social media.",
    "{B} told reporters in Ottawa that the government has extensive contacts with the U.S. administration and does not need a freelance envoy.",
    "“We have been clear from the start that Canada will defend its industries,” {B_short} said. “Nobody should mistake patience for weakness.”",
    "The trip drew sharp criticism from Liberal MPs, who accused the Opposition of undermining a united front during a tense negotiation.",
    "{C_short} said the talks were a waste of time and that the premiers had been left out of the conversation entirely.",
    "According to {C}, the tariffs would cost the auto sector thousands of jobs in southern Ontario by the end of the year.",
    "“Families in Windsor and Oshawa are worried about their paycheques,” said {D}. “They want to know someone in Ottawa is fighting for them.”",
    "{D_short} added that the economic consequences of a prolonged dispute would fall hardest on small manufacturers and their suppliers.",
    "In an interview, {A_desc} said the meetings were arranged months ago and had nothing to do with partisan politics.",
    "“This isn’t about scoring points,” {A_short} told CBC News. “It’s about keeping the lines open when the stakes are this high.”",
    "Officials in the prime minister’s office declined to comment on the substance of the meetings but said the government was aware of them.",
    "{B_short} brushed off a question about whether the trip had complicated negotiations, saying Canada speaks with one voice on trade.",
    "Critics slammed the government’s response as slow, arguing that the crisis had been building for months before Ottawa acted.",
    "“The Liberals had every warning and they did nothing,” {C_short} said during question period, drawing jeers from the government benches.",
    "{E} warned that retaliatory tariffs could push prices up for consumers already struggling with the cost of groceries and rent.",
    "A spokesperson for {E_short} said the department was reviewing the latest proposal and would respond in the coming days.",
    "The dispute has become a test of leadership for {B}, whose government promised voters it would protect Canadian jobs.",
    "“Our responsibility is to get a deal that works, not a deal that looks good on television,” {E_short} said on Thursday.",
    "Business groups said the uncertainty alone was already hurting investment, with several plants delaying expansion plans until the spring.",
    "{D} said the union would hold rallies in three cities this weekend to press all parties to put workers ahead of politics.",
    "Asked whether {a_pron} would return to Washington, {A_short} said {a_pron} would go wherever the conversation needed to happen.",
    "Polls suggest voters are divided on the trip, with Conservative supporters far more likely to see it as a sign of initiative.",
    "“I haven’t heard him once stand up for the industry,” {E_short} said of {A_short}, adding that photo opportunities do not replace policy.",
]


def synthetic_article(rng: random.Random) -> tuple[str, str]:
    """(outlet, text) of one article of shuffled template paragraphs with names swapped."""
    people = rng.sample(NAMES, 5)
    fill = {}
    for key, (full, short, desc, pron) in zip("ABCDE", people):
        fill[key], fill[f"{key}_short"], fill[f"{key}_desc"], fill[f"{key.lower()}_pron"] = full, short, desc, pron
    n = rng.randint(18, 28)
    paras = [p.format(**fill) for p in rng.sample(PARAGRAPHS, 16) + rng.choices(PARAGRAPHS, k=n - 16)]
    paras.insert(rng.randint(2, n - 2), rng.choice(HEADINGS))
    return rng.choice(OUTLETS), "\n\n".join(paras) + "\n"


def synthetic_records(n: int, seed: int = 0) -> list[dict]:
    """``n`` article records (article_id, outlet, title, date, text), reproducible from ``seed``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        outlet, text = synthetic_article(rng)
        # a serial number keeps every text unique (the corpus loader rejects duplicate texts)
        text += f"\nFile {i:07d}.\n"
        day = 1 + i % 28
        out.append({"article_id": f"syn-{i:07d}", "outlet": outlet, "title": text.split(".")[0][:80], "date": f"2026-02-{day:02d}", "text": text})
    return out


CONFIGS = [("local", 1), ("processes", 2), ("dask", 2)]
TARGET_PER_CORE = 100.0
TARGET_SPEEDUP = 1.7
TARGET_MEMORY_MB = 1024.0
TARGET_MEMORY_GROWTH = 1.20


# --------------------------------------------------------------------------- corpus


def seed_paragraphs() -> list[str] | None:
    """Paragraphs of the two seed articles when they are on this machine, else None."""
    from analysis.corpus import load_articles
    from analysis.paths import DATA_DIR
    from analysis.text import paragraphs

    seeds = sorted((DATA_DIR / "articles").glob("*.txt"))
    if len(seeds) < 2:
        return None
    articles, _ = load_articles(DATA_DIR, errors="collect")
    if len(articles) < 2:
        return None
    return paragraphs(articles)["text"].tolist()


def build_corpus(n: int, path: Path, seed: int = 0) -> str:
    """Write ``n`` articles to a JSONL file; return a description of where the text came from."""
    paras = seed_paragraphs()
    if paras is None:
        records = synthetic_records(n, seed)
        what = "paragraphs written in benchmarks/bench_pipeline.py (seed articles missing from data/articles/)"
    else:
        rng = random.Random(seed)
        records = []
        for i in range(n):
            picked = rng.sample(paras, min(len(paras), rng.randint(15, 25)))
            swap = dict(zip([full for full, *_ in NAMES], rng.sample([full for full, *_ in NAMES], len(NAMES))))
            text = "\n\n".join(picked)
            for old, new in swap.items():
                text = text.replace(old, f"\0{new}\0")
            text = text.replace("\0", "") + f"\n\nFile {i:07d}."
            records.append({"article_id": f"syn-{i:07d}", "outlet": rng.choice(["CBC News", "The Epoch Times"]), "text": text})
        what = "seed article paragraphs (data/articles/*.txt), shuffled, names swapped"
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return what


# --------------------------------------------------------------------------- one configuration (child)


def child(engine: str, workers: int, source: str, out: str) -> None:
    from analysis.pipeline import run

    start = time.perf_counter()
    summary = run(source, out=out, engine=engine, workers=workers, quiet=True)
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "counts": summary.counts, "timings": summary.timings}))


# --------------------------------------------------------------------------- measuring (parent)


SAMPLE_EVERY_S = 0.5


def tree_sample(proc, cpu_seen: dict) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over ``proc`` and its descendants; records each one's CPU seconds."""
    import psutil

    rss = pss = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            with p.oneshot():
                times = p.cpu_times()
                cpu_seen[p.pid] = times.user + times.system
                try:
                    info = p.memory_full_info()
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)
                except psutil.AccessDenied:
                    info = p.memory_info()
                    rss += info.rss
                    pss += info.rss
        except psutil.Error:
            pass
    return rss, pss


def measure(engine: str, workers: int, source: Path, out: Path) -> dict:
    import psutil

    cmd = [sys.executable, __file__, "--child", engine, str(workers), str(source), str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak_rss = peak_pss = 0
    cpu_seen: dict[int, float] = {}
    ps = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample():
        nonlocal peak_rss, peak_pss
        while not stop.is_set():
            rss, pss = tree_sample(ps, cpu_seen)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            stop.wait(SAMPLE_EVERY_S)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    stdout, stderr = proc.communicate()
    stop.set()
    thread.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    cpu = sum(cpu_seen.values())  # last sample of each process: misses at most SAMPLE_EVERY_S of each
    n = result["counts"]["articles_processed"]
    return {
        "engine": engine,
        "workers": workers,
        "articles": n,
        "wall_s": wall,
        "run_s": result["wall"],
        "articles_per_s": n / result["wall"],
        "cpu_s": cpu,
        "cpu_ms_per_article": 1000 * cpu / n,
        "peak_rss_mb": peak_rss / 2**20,
        "peak_pss_mb": peak_pss / 2**20,
        "processes": len(cpu_seen),
        "timings": result["timings"],
    }


def stage_split(timings: dict) -> str:
    stages = ["read", "segmentation", "quotes", "sentiment", "frames", "write"]
    values = {s: timings.get(f"{s}_s", 0.0) for s in stages}
    total = sum(values.values()) or 1.0
    return ", ".join(f"{s} {100 * v / total:.0f}%" for s, v in values.items())


def load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--configs", nargs="+", default=[f"{e}:{w}" for e, w in CONFIGS], help="engine:workers ...")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "WORKERS", "SOURCE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run every configuration N times, interleaved, and keep the fastest run (memory: the highest peak); "
                             "other jobs on a shared machine only ever slow a run down")
    args = parser.parse_args(argv)
    if args.child:
        engine, workers, source, out = args.child
        child(engine, int(workers), source, out)
        return 0

    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs]
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; load average at start {load_average()} (other jobs on the machine slow every figure)")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            source = tmp / f"corpus-{n}.jsonl"
            what = build_corpus(n, source)
            words = sum(len(json.loads(line)["text"].split()) for line in open(source, encoding="utf-8")) / n
            print(f"\n== {n:,} articles from {what}; {words:.0f} words per article on average, "
                  f"{source.stat().st_size / 2**20:.1f} MB")
            runs: dict[tuple[str, int], list[dict]] = {}
            for rep in range(args.repeat):
                for engine, workers in configs:
                    r = measure(engine, workers, source, tmp / f"out-{n}-{engine}-{workers}-{rep}")
                    runs.setdefault((engine, workers), []).append(r)
            for (engine, workers), tries in runs.items():
                r = dict(max(tries, key=lambda t: t["articles_per_s"]))
                r.update(size=n, peak_pss_mb=max(t["peak_pss_mb"] for t in tries), peak_rss_mb=max(t["peak_rss_mb"] for t in tries),
                         tries_articles_per_s=[round(t["articles_per_s"], 1) for t in tries])
                results.append(r)
                if len(tries) > 1:
                    print(f"{engine:>9} x{workers}: best of {len(tries)} runs ({', '.join(f'{t:.1f}' for t in r['tries_articles_per_s'])} articles/s)")
                print(
                    f"{engine:>9} x{workers}: {r['articles_per_s']:6.1f} articles/s ({r['articles_per_s'] / workers:5.1f} per worker), "
                    f"{r['cpu_ms_per_article']:5.1f} CPU-ms/article (= {1000 / r['cpu_ms_per_article']:5.1f} articles per CPU-second), "
                    f"peak memory of process tree {r['peak_pss_mb']:5.0f} MB PSS ({r['peak_rss_mb']:5.0f} MB summed RSS, {r['processes']} processes); run {r['run_s']:.1f} s, process {r['wall_s']:.1f} s; "
                    f"load {load_average()}"
                )
                print(f"{'':>14}stage split (summed worker seconds): {stage_split(r['timings'])}")

    print("\n== against the targets")
    by = {(r["size"], r["engine"], r["workers"]): r for r in results}
    for r in results:
        per_core = r["articles_per_s"] / r["workers"]
        cpu_rate = 1000 / r["cpu_ms_per_article"]
        print(f"{r['size']:>6,} {r['engine']:>9} x{r['workers']}: {per_core:6.1f} articles/s per core (wall), "
              f"{cpu_rate:6.1f} per CPU-second; target >= {TARGET_PER_CORE:.0f}: "
              f"{'met' if per_core >= TARGET_PER_CORE else 'MISSED'}")
    for n in args.sizes:
        one = by.get((n, "local", 1))
        for engine in ("processes", "dask"):
            two = by.get((n, engine, 2))
            if one and two:
                speedup = two["articles_per_s"] / one["articles_per_s"]
                print(f"{n:>6,} {engine:>9} x2 vs local x1: speed-up {speedup:.2f}x; target >= {TARGET_SPEEDUP}x: "
                      f"{'met' if speedup >= TARGET_SPEEDUP else 'MISSED'}")
    if len(args.sizes) >= 2:
        small, large = min(args.sizes), max(args.sizes)
        for engine, workers in configs:
            a, b = by.get((small, engine, workers)), by.get((large, engine, workers))
            if a and b:
                growth = b["peak_pss_mb"] / a["peak_pss_mb"]
                ok = b["peak_pss_mb"] < TARGET_MEMORY_MB and growth <= TARGET_MEMORY_GROWTH
                print(f"memory {engine:>9} x{workers}: {a['peak_pss_mb']:.0f} MB at {small:,} -> {b['peak_pss_mb']:.0f} MB at {large:,} "
                      f"({100 * (growth - 1):+.0f}%); target < {TARGET_MEMORY_MB:.0f} MB and <= +20%: {'met' if ok else 'MISSED'}")
    print(f"\nload average at end {load_average()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
