"""The package's layout rules: small modules, no story in the code, no private imports across modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import analysis
from analysis.actors import load_codebook

PACKAGE = Path(analysis.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
QUOTES = PACKAGE / "quotes"
"""Quote attribution, kept by its own owner: its docstring examples name the seed story's people."""
EXAMPLES_FROM_SEED_SENTENCES = {"names.py", "codebook_draft.py"}
"""Name finding and codebook drafting: their docstrings quote seed sentences as examples (their owners' call);
no code path in them knows a story."""
MAX_LINES = 550


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES, f"{path.name}: split it by job"


def test_only_data_knows_the_story():
    book = load_codebook()
    words = {a.name for a in book.actors} | {c for c in book.camps if c != "other"}
    found = []
    for path in MODULES:
        if QUOTES in path.parents or path.name in EXAMPLES_FROM_SEED_SENTENCES:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {w}" for w in sorted(words) if re.search(r"\b" + re.escape(w) + r"\b", text)]
    assert not found, f"story names in code (they belong in data/actors.yaml or a notebook's parameters): {found}"


def test_no_module_imports_another_modules_private_names():
    found = []
    for path in MODULES:
        if QUOTES in path.parents:  # quotes/rules.py imports actors._trie_regex: the quotes owner's call
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
                found += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = node.value
                if isinstance(base, ast.Name) and base.id in {"pipeline", "positioning", "stages", "tables", "results", "sentiment"}:
                    found.append(f"{path.name}: {base.id}.{node.attr}")
    assert not found, found
