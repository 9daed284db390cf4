"""Loading speed of saved news pages and web archives (analysis.webpages through analysis.corpus.load_articles).

    .venv/bin/python benchmarks/bench_webpages.py              # 1,000 pages
    .venv/bin/python benchmarks/bench_webpages.py --pages 200  # quicker
    .venv/bin/python benchmarks/bench_webpages.py --repeat 3   # best of 3, on a busy machine

Writes ``--pages`` generated news pages (tests/web_support.py: three site
layouts with cookie banners, navigation, bylines, related links, ads,
newsletter boxes, comments and footers around an invented article body,
padded to ~100 kB like real pages with inline scripts and styles, a mega-menu
and teaser cards; ``--light`` leaves them at ~4 kB) as a
folder of ``.html`` files and as one ``.warc.gz``, loads each with
``load_articles`` in this one process, and prints pages/s by wall clock and per
CPU second (the per-core figure: other jobs on a shared machine lengthen the
wall time, not the CPU time), the share of pages whose text equals the body
written in, and the target (>= 50 pages/s per core). trafilatura's import
(~1 s, once per process) is timed apart. A script that prints figures, not a
timed test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TARGET_PER_CORE = 50.0


def _timed_load(source: Path, repeat: int):
    from analysis.corpus import CorpusWarning, load_articles

    best = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            articles, rejected = load_articles(source, errors="collect")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or cpu < best[1]:
            best = (wall, cpu, articles, rejected)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="keep the run with the least CPU time")
    parser.add_argument("--light", action="store_true", help="bare ~4 kB pages instead of ~100 kB ones with scripts, styles and menus")
    args = parser.parse_args(argv)

    from web_support import make_pages, write_warc

    start = time.perf_counter()
    import trafilatura  # noqa: F401  (timed apart: paid once per process)
    import_s = time.perf_counter() - start

    pages = make_pages(args.pages, heavy=not args.light)
    expected = {p.name: p.expected["text"] for p in pages}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for page in pages:
            (folder / f"{page.name}.html").write_text(page.html, encoding="utf-8")
        archive = write_warc(Path(tmp) / "crawl.warc.gz", pages)
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{len(pages)} generated pages, {size_mb:.1f} MB of HTML ({size_mb * 1000 / len(pages):.1f} kB/page); "
              f"archive {archive.stat().st_size / 1e6:.1f} MB gzipped; trafilatura import {import_s:.2f} s (not counted)")
        print(f"{'source':<22} {'pages':>6} {'wall s':>7} {'CPU s':>7} {'pages/s':>8} {'per core':>9} {'body exact':>11}")
        per_core = []
        for label, source in (("folder of .html", folder), ("one .warc.gz", archive)):
            wall, cpu, articles, rejected = _timed_load(source, args.repeat)
            if label.startswith("folder"):
                exact = sum(expected[a] == t for a, t in zip(articles["article_id"], articles["text"]))
            else:
                by_url = {p.expected["url"]: p.expected["text"] for p in pages}
                exact = sum(by_url.get(u) == t for u, t in zip(articles["url"], articles["text"]))
            per_core.append(len(articles) / cpu)
            print(f"{label:<22} {len(articles):>6} {wall:>7.2f} {cpu:>7.2f} {len(articles) / wall:>8.1f} {len(articles) / cpu:>9.1f} "
                  f"{exact / len(pages):>10.1%}" + (f"  ({len(rejected)} rejected)" if len(rejected) else ""))
    verdict = "met" if min(per_core) >= TARGET_PER_CORE else "NOT met"
    print(f"target >= {TARGET_PER_CORE:.0f} pages/s per core: {verdict} (slowest {min(per_core):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
