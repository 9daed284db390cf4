"""Print how many sentences per second ``score_frames`` scores, per frame set (CPU time, one core).

    .venv/bin/python benchmarks/bench_frames.py [--sentences 100000]
"""

from __future__ import annotations

import argparse
import random
import time

from analysis.frame_lexicon import load_frames
from analysis.frames import score_frames

WORDS = (
    "Minister LeBlanc gave a briefing to the MP, who I don’t believe is the trade critic for the Opposition. "
    "We need to work together on steel tariffs and jobs in Oshawa, he said. The weather in Ottawa was cold "
    "on Tuesday and the committee adjourned early after a partisan fight over China and the economy."
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(0)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 35))) for _ in range(args.sentences)]
    for frame_set in load_frames():
        score_frames(texts[:10], frame_set)  # compile and cache the lexicon
        start = time.process_time()
        scored = score_frames(texts, frame_set)
        seconds = time.process_time() - start
        print(f"{frame_set:>16}: {len(texts) / seconds:>9,.0f} sentences/s  ({len(scored):,} rows, {seconds:.1f} s CPU)")


if __name__ == "__main__":
    main()
