"""Command line: ``python -m analysis COMMAND ...``.

Each command is registered by one small ``_add_<command>`` function that adds
its subparser and sets ``handler``; to add a command, write another and list it
in :data:`COMMANDS`.

>>> main(["evaluate-quotes", "--help"])  # doctest: +SKIP
>>> main(["run", "data", "--out", "results/", "--engine", "processes"])  # doctest: +SKIP
>>> main(["report", "--out", "reports/other", "-p", "FRAME_SET", "generic_frames"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


def _run_evaluate_quotes(args: argparse.Namespace) -> int:
    from analysis.actors import CodebookError, load_codebook
    from analysis.evaluate import GoldError, evaluate_quotes, format_report
    from analysis.polnear import PolnearError, evaluate_polnear, format_polnear, read_polnear

    if (args.gold is None) == (args.polnear is None):
        print("error: give a gold JSONL file or --polnear DIR (one of the two)", file=sys.stderr)
        return 2
    try:
        if args.polnear is not None:
            codebook = load_codebook(args.codebook) if args.codebook else None
            corpus = read_polnear(args.polnear, limit=args.limit)
            print(format_polnear(evaluate_polnear(corpus, codebook, progress=not args.quiet), examples=args.examples))
            return 0
        evaluation = evaluate_quotes(args.gold, args.articles, load_codebook(args.codebook))
    except (GoldError, CodebookError, PolnearError) as exc:
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
            "but the corpus lacks are listed as missing and left out of the scores. With --polnear DIR, "
            "score on the PolNeAR corpus instead (hand-coded attributions in 2016 US election news)."
        ),
    )
    parser.add_argument("gold", nargs="?", help="gold JSONL file, e.g. data/gold/seed-quotes.jsonl (format: data/gold/README.md)")
    parser.add_argument(
        "--polnear",
        metavar="DIR",
        default=None,
        help="score on a PolNeAR folder instead (text/, attributions/, metadata.tsv; e.g. ../shared/polnear-train): "
        "direct quotes and all attributions, precision, recall, F1 and source accuracy per outlet",
    )
    parser.add_argument("--limit", type=int, default=None, help="with --polnear: the first N articles of each outlet")
    parser.add_argument(
        "--examples", type=int, default=0, help="with --polnear: list N errors of each kind (for your own error analysis)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--articles",
        default=None,
        help="corpus source for analysis.corpus.load_articles (default: data/, then data/articles/)",
    )
    parser.add_argument("--codebook", default=None, help="actor codebook YAML (default: data/actors.yaml)")
    parser.set_defaults(handler=_run_evaluate_quotes)


def _add_run(subparsers: argparse._SubParsersAction) -> None:
    from analysis import run_command

    parser = subparsers.add_parser("run", help=run_command.RUN_HELP, description=run_command.RUN_HELP)
    run_command.add_run_arguments(parser)
    parser.set_defaults(handler=run_command.run_from_args)


def _add_draft_codebook(subparsers: argparse._SubParsersAction) -> None:
    from analysis import codebook_draft

    parser = subparsers.add_parser("draft-codebook", help=codebook_draft.HELP, description=codebook_draft.DESCRIPTION)
    codebook_draft.add_arguments(parser)
    parser.set_defaults(handler=codebook_draft.run_from_args)


def _add_new_story(subparsers: argparse._SubParsersAction) -> None:
    from analysis import stories

    parser = subparsers.add_parser("new-story", help=stories.HELP, description=stories.__doc__.split("\n\n")[0])
    stories.add_arguments(parser)
    parser.set_defaults(handler=stories.run_from_args)



def _add_report(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="execute the notebooks headless into reports/ (what make report runs)",
        description="Execute the numbered notebooks headless; options as for python -m analysis.report.",
        add_help=False,
    )
    parser.set_defaults(handler=lambda args: _run_report([]))


def _run_report(argv: list[str]) -> int:
    """``report ...``: everything after the command goes to ``python -m analysis.report`` as it is."""
    from analysis import report

    return report.main(argv)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_evaluate_quotes, _add_run, _add_draft_codebook, _add_new_story, _add_report]
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
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["report"]:  # its own options (--out, -p NAME VALUE, --strip), parsed by analysis.report
        return _run_report(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
