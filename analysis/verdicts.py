"""Verdicts only where the data carry one: a direction for a signed measure, or "not enough evidence".

A verdict reads one row of :data:`analysis.measures.MEASURES_SCHEMA` (a signed
measure: treatment, slant, tone) and says which way it points, naming the
measure, its value, its 95% interval, ``n`` and the unit resampled:

- ``not enough evidence`` when ``n`` < :data:`EVIDENCE_FLOOR` or there is no
  interval (fewer than two resampling units);
- ``no clear direction`` when the interval includes 0;
- otherwise the direction (``positive`` / ``negative``; for a slant, warmer to
  the focus or to the counterpart).

>>> row = {"measure": "slant", "group_label": "A minus B", "value": 0.32, "ci_low": 0.05, "ci_high": 0.6, "n": 21,
...        "unit": "mentions (sentences resampled within 1 article)"}
>>> verdict(row)
'positive'
>>> verdict({**row, "ci_low": -0.2}), verdict({**row, "n": 5})
('no clear direction', 'not enough evidence')

Limits: the interval is a percentile bootstrap; with one article per outlet
it resamples sentences *within* that article, so it says how stable the
number is inside the article, not how the outlet covers the story in
general. Intervals of several measures are not corrected for multiple
comparisons.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

EVIDENCE_FLOOR = 8
"""Below this many units (mentions for treatment and slant) no direction is given.

Why 8: a percentile bootstrap interval of a mean can never be wider than the
range of its values, so with a handful of values it is too narrow (a
direction "excluding 0" from 3 mentions of one sentence says little); 8 keeps
the seed articles' pooled measures (8-24 mentions) readable while refusing
their single-source parts (1-4 mentions). A choice, not a law: pass ``floor``.
"""

POSITIVE, NEGATIVE, UNCLEAR, TOO_FEW = "positive", "negative", "no clear direction", "not enough evidence"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def verdict(row: Mapping, floor: int = EVIDENCE_FLOOR) -> str:
    """``positive`` / ``negative`` only when ``n`` >= ``floor`` and the 95% interval excludes 0; see the module."""
    if _missing(row["value"]) or int(row["n"]) < floor or _missing(row["ci_low"]) or _missing(row["ci_high"]):
        return TOO_FEW
    if row["ci_low"] > 0:
        return POSITIVE
    if row["ci_high"] < 0:
        return NEGATIVE
    return UNCLEAR


def evidence_note(row: Mapping) -> str:
    """"+0.32 (95% CI −0.19 to +0.86; n = 21 mentions, sentences resampled within 1 article)" for a verdict's sentence."""
    if _missing(row["value"]):
        return f"no value (n = {int(row['n'])})"
    unit = str(row.get("unit") or "")
    what, _, how = unit.partition(" (")
    interval = "no interval" if _missing(row["ci_low"]) else f"95% CI {row['ci_low']:+.2f} to {row['ci_high']:+.2f}"
    return f"{row['value']:+.2f} ({interval}; n = {int(row['n'])} {what}" + (f", {how.rstrip(')')}" if how else "") + ")"


def slant_sentence(row: Mapping, focus: str, counterpart: str) -> str:
    """The slant row (treatment of the focus minus the counterpart) as a verdict in words, with its measure, interval and n."""
    v = verdict(row)
    direction = {POSITIVE: f"warmer to {focus} than to {counterpart}", NEGATIVE: f"warmer to {counterpart} than to {focus}",
                 UNCLEAR: f"no clear lean between {focus} and {counterpart} (the interval includes 0)",
                 TOO_FEW: f"not enough evidence to say whether it leans to {focus} or {counterpart} (fewer than {EVIDENCE_FLOOR} mentions, or no interval)"}[v]
    return f"{direction}: {row['measure'].replace('_', ' ')} {evidence_note(row)}"
