"""The tables computed now equal the stored reference, field by field (tests/reference/make_reference.py).

A refactor must leave every table the notebooks read unchanged. A deliberate
change of behaviour (new quote rules, another stance model, a fixed bug) is
recorded by regenerating the reference and committing the CSV diff.
"""

from __future__ import annotations

import pytest

from reference.make_reference import CASES, HERE, REGENERATE, compute, differences


@pytest.mark.parametrize("case", CASES)
def test_tables_equal_the_stored_reference(case):
    problems = differences(case, compute(case))
    assert not problems, (
        f"the {case!r} tables differ from the stored reference in {HERE / case}:\n  " + "\n  ".join(problems)
        + f"\nIf this change of behaviour is deliberate (e.g. new quote rules or another stance model), run "
        f"`{REGENERATE}`, check `git diff tests/reference`, and commit the new reference with the change."
    )
