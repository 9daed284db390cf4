"""A story of your own beside the project's: its articles, codebook and notebook parameters under ``stories/NAME/``.

``python -m analysis new-story NAME`` (:func:`scaffold_story`) creates::

    stories/NAME/
      README.md       the steps, from articles to report
      articles/       your articles (.txt, .html, .warc/.warc.gz), with a README saying what goes there
      story.yaml      the notebooks' parameters for this story (paths relative to this folder)
      codebook.yaml   not yet: draft it with python -m analysis draft-codebook

``make report STORY=NAME`` (``python -m analysis.report --story NAME``) runs
the notebooks with the parameters of ``story.yaml``
(:func:`story_parameters`) into ``reports/NAME/``; the project's own data,
codebook and ``reports/`` are left alone.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> folder = scaffold_story("city-budget", root)
>>> sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
['README.md', 'articles', 'articles/README.md', 'story.yaml']
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from analysis.paths import PROJECT_ROOT, REPORTS_DIR

STORIES = "stories"
PARAMETERS_FILE = "story.yaml"
CODEBOOK_FILE = "codebook.yaml"
PARAMETERS = ("CORPUS", "RESULTS", "CODEBOOK", "FOCUS", "COUNTERPART", "FRAME_SET", "DUPLICATES")
"""The notebook parameters a story file may set (``OUTPUT_DIR`` is the runner's: ``reports/NAME/``)."""
_PATHS = ("CORPUS", "RESULTS", "CODEBOOK")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

_STORY_YAML = """\
# Parameters of the story "{name}" for `make report STORY={name}` (python -m analysis.report --story {name}).
# They replace the notebooks' parameters cells; reports go to reports/{name}/. Paths are relative to this folder.

# CORPUS: your articles: this folder's articles/ (.txt, .html, .warc files), or an export file
#   (.csv, .tsv, .jsonl, .json, .parquet with a `text` column), e.g. CORPUS: articles/export.csv
CORPUS: articles
# CODEBOOK: who is who; draft it with
#   python -m analysis draft-codebook stories/{name}/articles --out stories/{name}/codebook.yaml
CODEBOOK: codebook.yaml
# FOCUS and COUNTERPART: an actor (name or alias) or a camp of the codebook. null: the codebook's first
#   and second actor (the draft lists the most mentioned first).
FOCUS: null
COUNTERPART: null
# FRAME_SET: a set in data/frames.yaml; generic_frames works for any story.
FRAME_SET: generic_frames
# DUPLICATES: near-duplicate articles (wire copy): once_per_outlet, once, or all (count every copy).
DUPLICATES: once_per_outlet
"""

_ARTICLES_README = """\
# Articles of the story "{name}"

Put the story's articles in this folder, one file each:

- `.txt` files: the article text; an optional header block first (`Outlet: ...`, `Title: ...`,
  `Published_date: 2026-02-04`, `Url: ...`, `Author: ...` lines, then a blank line);
- saved web pages (`.html`, as a browser's "Save page as" writes them) and web archives
  (`.warc`, `.warc.gz`): the article body, title, author, date, URL and outlet are read from them.

An export from a news archive (`.csv`, `.tsv`, `.jsonl`, `.json` or `.parquet` with a `text` column)
can go here too: then set `CORPUS: articles/your-export.csv` in `../story.yaml`.

This README is not read as an article. Nothing here is ever changed by the workbench.
"""

_README = """\
# Story: {name}

1. Put the articles in `articles/` (see `articles/README.md`).
2. Draft the actor codebook, then read it and set the camps:

       .venv/bin/python -m analysis draft-codebook stories/{name}/articles --out stories/{name}/codebook.yaml

3. Set `FOCUS` and `COUNTERPART` in `story.yaml` (or leave them null: the codebook's first two actors).
4. Run the notebooks on the story:

       make report STORY={name}

   The pages are in `reports/{name}/` (`01-corpus.html` ... `06-reading.html`, annotated articles in `articles/`), with `tables/` and `figures/`.
"""


class StoryError(ValueError):
    """A story that cannot be scaffolded or run; the message says what to do."""


def story_dir(name: str, root: Path | str = PROJECT_ROOT) -> Path:
    """``ROOT/stories/NAME`` for a valid story name (lower-case letters, digits, ``-`` and ``_``)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise StoryError(f"story name {name!r}: use lower-case letters, digits, '-' and '_' (e.g. city-budget), at most 64")
    return Path(root) / STORIES / name


def scaffold_story(name: str, root: Path | str = PROJECT_ROOT) -> Path:
    """Create ``stories/NAME/`` (README, ``articles/`` with its README, ``story.yaml``); refuses an existing story."""
    folder = story_dir(name, root)
    if folder.exists():
        raise StoryError(f"{folder} exists already; pick another name or edit that story")
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "README.md").write_text(_ARTICLES_README.format(name=name), encoding="utf-8")
    (folder / PARAMETERS_FILE).write_text(_STORY_YAML.format(name=name), encoding="utf-8")
    (folder / "README.md").write_text(_README.format(name=name), encoding="utf-8")
    return folder


def _first_actors(codebook: Path) -> list[str]:
    from analysis.actors import load_codebook

    return [actor.name for actor in load_codebook(codebook).actors[:2]]


def story_parameters(name: str, root: Path | str = PROJECT_ROOT) -> tuple[dict, Path]:
    """``(notebook parameters, output folder)`` of a story: ``story.yaml`` read and checked, paths made absolute.

    :class:`StoryError` lists every problem: unknown keys, a corpus with no
    articles yet, a codebook not drafted yet.
    """
    folder = story_dir(name, root)
    path = folder / PARAMETERS_FILE
    if not path.is_file():
        raise StoryError(f"no story {name!r}: {path} is missing; create it with: python -m analysis new-story {name}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise StoryError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise StoryError(f"{path}: expected NAME: value lines, not {type(raw).__name__}")
    problems = [f"unknown parameter {k!r} (allowed: {', '.join(PARAMETERS)})" for k in raw if k not in PARAMETERS]
    params = {k: v for k, v in raw.items() if k in PARAMETERS}
    for key in _PATHS:
        if params.get(key) is not None:
            params[key] = str((folder / str(params[key])).resolve())
    corpus = Path(params["CORPUS"]) if params.get("CORPUS") else None
    if params.get("RESULTS") is None and (corpus is None or not corpus.exists()):
        problems.append(f"CORPUS {corpus} does not exist")
    elif corpus is not None and corpus.is_dir() and not any(p.name != "README.md" for p in corpus.iterdir()):
        problems.append(f"no articles yet in {corpus}: put .txt, .html or .warc files there (see its README.md)")
    codebook = Path(params["CODEBOOK"]) if params.get("CODEBOOK") else None
    if codebook is None or not codebook.is_file():
        problems.append(f"no codebook at {codebook}: draft one with python -m analysis draft-codebook "
                        f"{folder / 'articles'} --out {folder / CODEBOOK_FILE}")
    elif params.get("FOCUS") is None or params.get("COUNTERPART") is None:
        first = _first_actors(codebook)
        if len(first) < 2:
            problems.append(f"set FOCUS and COUNTERPART in {path}: the codebook has fewer than two actors")
        else:
            params["FOCUS"] = params.get("FOCUS") or first[0]
            params["COUNTERPART"] = params.get("COUNTERPART") or first[1]
    if problems:
        raise StoryError(f"{len(problems)} problem(s) with the story {name!r} ({path}):\n  " + "\n  ".join(problems))
    return params, Path(root) / REPORTS_DIR.name / name


HELP = "create stories/NAME/ for a story of your own: articles folder, codebook slot, parameters for make report STORY=NAME"


def add_arguments(parser) -> None:
    """The ``new-story`` command's options."""
    parser.add_argument("name", help="the story's name: lower-case letters, digits, '-' and '_' (e.g. city-budget)")


def run_from_args(args) -> int:
    """Run ``new-story``; exit status 0, or 2 with ``error: ...`` on stderr."""
    import sys

    try:
        folder = scaffold_story(args.name)
    except (StoryError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {folder}/ (README.md, articles/, {PARAMETERS_FILE}); next:\n"
          f"  1. put the articles in {folder / 'articles'}/\n"
          f"  2. python -m analysis draft-codebook {folder / 'articles'} --out {folder / CODEBOOK_FILE}\n"
          f"  3. make report STORY={args.name}   (pages in reports/{args.name}/)")
    return 0
