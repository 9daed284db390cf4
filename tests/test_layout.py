"""The package's layout rules: small modules, no story in the code, no private imports across modules, doctests that pass."""

from __future__ import annotations

import ast
import doctest
import importlib
import re
from pathlib import Path

import pytest

import analysis
from analysis.actors import load_codebook

PACKAGE = Path(analysis.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py"))
LEAD_OWNED = {"quotes.py"}
"""Being rewritten (split into rules, marks, speakers and extraction) on its own branch."""
MAX_LINES = 550


@pytest.mark.parametrize("path", [p for p in MODULES if p.name not in LEAD_OWNED], ids=lambda p: p.name)
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES, f"{path.name}: split it by job"


def test_only_data_knows_the_story():
    book = load_codebook()
    words = {a.name for a in book.actors} | {c for c in book.camps if c != "other"}
    found = []
    for path in MODULES:
        if path.name in LEAD_OWNED:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {w}" for w in sorted(words) if re.search(r"\b" + re.escape(w) + r"\b", text)]
    assert not found, f"story names in code (they belong in data/actors.yaml or a notebook's parameters): {found}"


def test_no_module_imports_another_modules_private_names():
    found = []
    for path in MODULES:
        if path.name in LEAD_OWNED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
                found += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = node.value
                if isinstance(base, ast.Name) and base.id in {"pipeline", "positioning", "stages", "tables", "results", "sentiment"}:
                    found.append(f"{path.name}: {base.id}.{node.attr}")
    assert not found, found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_doctests(path):
    module = importlib.import_module(f"analysis.{path.stem}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
