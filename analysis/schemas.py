"""Helpers for the pandera schemas each module keeps for its own table.

Every table has a schema in the module that makes it (``corpus.ARTICLES_SCHEMA``,
``text.SENTENCES_SCHEMA``, ``tables.QUOTES_SCHEMA`` ...). These helpers build
an empty table with a schema's columns and dtypes, and put caller-named id
columns in front of a schema.

>>> import pandera.pandas as pa
>>> schema = pa.DataFrameSchema({"n": pa.Column(int), "name": pa.Column(str)}, strict=True, ordered=True, coerce=True)
>>> empty = empty_table(schema)
>>> list(empty.columns), len(empty), str(empty["n"].dtype)
(['n', 'name'], 0, 'int64')
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

_TEXT = pd.Series([], dtype=str).dtype
"""What a text column becomes when a schema coerces it (``str`` in pandas 3, ``object`` before)."""
_TEXT_NAMES = {"str", "string", "string[pyarrow]", "string[python]"}


def column_dtype(column: pa.Column):
    """The pandas dtype a schema column has once validated (``object`` for untyped columns), without validating."""
    dtype = str(column.dtype) if column.dtype is not None else "object"
    return _TEXT if dtype in _TEXT_NAMES else dtype


def empty_table(schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A table with no rows and the schema's columns, in order, with the dtypes validation would give."""
    return pd.DataFrame({name: pd.Series(dtype=column_dtype(col)) for name, col in schema.columns.items()})


def with_leading_columns(schema: pa.DataFrameSchema, columns: list[str]) -> pa.DataFrameSchema:
    """The schema with caller-named columns of any dtype put in front (e.g. ``article_id`` before frame scores)."""
    if not columns:
        return schema
    extra = {c: pa.Column(None, nullable=True) for c in columns}
    return pa.DataFrameSchema({**extra, **schema.columns}, strict=True, ordered=True, coerce=True, name=schema.name)
