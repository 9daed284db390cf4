"""Every path the workbench uses, derived from one project root.

The root is found from this package's location, never from the working
directory, so notebooks, tests and the command line agree wherever they run.
Set ``ANALYSIS_PROJECT_ROOT`` to point an installed copy at another checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("ANALYSIS_PROJECT_ROOT", Path(__file__).resolve().parents[1]))
DATA_DIR = PROJECT_ROOT / "data"
ARTICLES_MANIFEST = DATA_DIR / "articles.csv"
REPORTS_DIR = PROJECT_ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"
TABLES_DIR = REPORTS_DIR / "tables"
RESULTS_DIR = PROJECT_ROOT / "results"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
