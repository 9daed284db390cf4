"""Command line: ``python -m analysis COMMAND ...``.

Each command is registered by one small ``_add_<command>`` function that adds
its subparser and sets ``handler``; to add a command, write another and list it
in :data:`COMMANDS`.

>>> main(["evaluate-quotes", "--help"])  # doctest: +SKIP
>>> main(["run", "data", "--out", "results/", "--engine", "processes"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


def _run_evaluate_quotes(args: argparse.Namespace) -> int:
    from analysis.actors import CodebookError, load_codebook
    from analysis.evaluate import GoldError, evaluate_quotes, format_report

    try:
        codebook = load_codebook(args.codebook)
        evaluation = evaluate_quotes(args.gold, args.articles, codebook)
    except (GoldError, CodebookError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(evaluation))
    return 0


def _add_evaluate_quotes(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-quotes",
        help="score the quote extractor against hand-coded gold quotes",
        description=(
            "Extract quotes from the gold file's articles and print precision, recall, F1 and "
            "speaker accuracy, listing every miss, extra and wrong speaker. Articles the gold names "
            "but the corpus lacks are listed as missing and left out of the scores."
        ),
    )
    parser.add_argument("gold", help="gold JSONL file, e.g. data/gold/seed-quotes.jsonl (format: data/gold/README.md)")
    parser.add_argument(
        "--articles",
        default=None,
        help="corpus source for analysis.corpus.load_articles (default: data/, then data/articles/)",
    )
    parser.add_argument("--codebook", default=None, help="actor codebook YAML (default: data/actors.yaml)")
    parser.set_defaults(handler=_run_evaluate_quotes)


def _add_run(subparsers: argparse._SubParsersAction) -> None:
    from analysis import pipeline

    parser = subparsers.add_parser("run", help=pipeline.RUN_HELP, description=pipeline.RUN_HELP)
    pipeline.add_run_arguments(parser)
    parser.set_defaults(handler=pipeline.run_from_args)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_evaluate_quotes, _add_run]
"""Registration functions, one per command."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description="News positioning workbench.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
