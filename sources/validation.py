"""The shared half of every pandera validation step: validating a frame against its pandera
model column by column (string columns as Arrow strings, so each check is one vectorised call);
walking pandera's failure cases once each, with the offending row of the validated frame, so
each dataset only says how to name a place (file, sheet, row, column) in its own terms."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow

ARROW_STRING = pd.StringDtype("pyarrow")
# pandera's built-in column checks whose verdict on a cell depends on that cell's value alone:
# run once per distinct value of the column rather than once per row.
BY_VALUE = frozenset(
    {
        "equal_to", "not_equal_to", "greater_than", "greater_than_or_equal_to", "less_than",
        "less_than_or_equal_to", "in_range", "isin", "notin", "str_matches", "str_contains",
        "str_startswith", "str_endswith", "str_length",
    }
)  # fmt: skip


def validate_columnwise(model, df: pd.DataFrame) -> pd.DataFrame:
    """Validate `df` lazily against the pandera model `model`; return the validated frame, its
    `str` columns as Arrow strings (ready for an Arrow insert).

    The model stays the one declaration of the table; only how its checks run changes:

    - each `str` column is factorised once (a file has one financial year and one sha256,
      ~450 E-codes, ~9 column codes) and held as Arrow strings. On an object column pandera's
      `str` dtype check calls isinstance per cell and `str_matches` / `isin` / `str_length` /
      `isna` run per Python object; here the distinct values are converted by pyarrow, which
      refuses one that is not a string (a column it refuses stays as it is, for pandera's own
      element-wise `str` check to name each offending cell);
    - the column's built-in checks that judge each value alone (BY_VALUE) run on its distinct
      values; dtypes, nullability, uniqueness, custom and frame-wide checks on the whole frame.

    Where anything fails, the whole model is validated again on the whole frame, so failures
    are reported exactly as pandera reports them: every failing cell, with its row."""
    converted, distinct = {}, {}
    for name, column in model.to_schema().columns.items():
        if str(column.dtype) != "str" or name not in df:
            continue
        codes, uniques = pd.factorize(df[name])
        try:
            values = pyarrow.array(np.asarray(uniques, dtype=object), type=pyarrow.string())
        except (pyarrow.ArrowTypeError, pyarrow.ArrowInvalid):
            continue
        cells = values.take(pyarrow.array(codes, mask=codes < 0))
        converted[name] = pd.Series(pd.arrays.ArrowStringArray(cells), index=df.index, name=name)
        distinct[name] = pd.DataFrame({name: pd.arrays.ArrowStringArray(values)})
    frame = pd.DataFrame({c: converted.get(c, df[c]) for c in df.columns}, index=df.index)
    from pandera.errors import SchemaError, SchemaErrors

    schema, whole, by_value = _arrow_schemas(model, frozenset(converted))
    try:
        for name, column in by_value.items():
            column.validate(distinct[name], lazy=True)
        whole.validate(frame, lazy=True)
    except (SchemaError, SchemaErrors):
        return schema.validate(frame, lazy=True)  # raises, naming every failing cell
    return frame


@functools.cache
def _arrow_schemas(model, arrow_columns: frozenset[str]):
    """The model's schema with the given `str` columns declared as Arrow strings; the same
    without those columns' by-value checks (for the whole frame); and, per such column that
    has some, a column schema holding only them (for its distinct values)."""
    schema = model.to_schema().update_columns({c: {"dtype": ARROW_STRING} for c in arrow_columns})
    by_value, rest = {}, {}
    for name in arrow_columns:
        column = schema.columns[name]
        own = [c for c in column.checks if c.name in BY_VALUE]
        if own:
            by_value[name] = column.set_checks(own)
            rest[name] = {"checks": [c for c in column.checks if c.name not in BY_VALUE]}
    return schema, schema.update_columns(rest) if rest else schema, by_value


def distinct_failures(cases: pd.DataFrame, df: pd.DataFrame) -> Iterator[tuple]:
    """(case, row or None, frame_check) per distinct failure. A frame-wide check reports every
    column of a failing row; it is given once per row."""
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        frame_check = case.schema_context == "DataFrameSchema"
        key = (case.index, case.check) if frame_check else (case.index, case.column, case.check)
        if key in seen:
            continue
        seen.add(key)
        row = None
        if case.index is not None and not pd.isna(case.index) and case.index in df.index:
            row = df.loc[case.index]
            if isinstance(row, pd.DataFrame):  # a repeated index label: its first row
                row = row.iloc[0]
        yield case, row, frame_check


def validate_lazily(
    schema,
    df: pd.DataFrame,
    dataset: str,
    describe: Callable[[pd.DataFrame, pd.DataFrame], list[str]],
    by_position: bool = False,
    columnwise: bool = False,
) -> pd.DataFrame:
    """The validation step of every raw table: validate `df` against its pandera model (or
    schema) with every failure at once; raise ValidationFailed with one line per failure, as
    the dataset's `describe(failure_cases, frame)` names its place. With `by_position`, rows
    are validated (and named) by position, and `df` itself is returned. With `columnwise` (a
    model, for the large cell tables), the checks run as validate_columnwise runs them."""
    import pandera.pandas as pa

    from sources.errors import ValidationFailed

    work = df.reset_index(drop=True) if by_position else df
    try:
        if columnwise:
            valid = validate_columnwise(schema, work)
        else:
            valid = schema.validate(work, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise ValidationFailed(dataset, describe(exc.failure_cases, work)) from None
    return df if by_position else valid


_SQL_TYPES = {
    "str": "varchar",
    "int64": "integer",
    "Int64": "integer",
    "float64": "double",
    "bool": "boolean",
    "boolean": "boolean",
    "datetime64[ns]": "timestamp",
    "date": "date",
}


def contract_columns(model) -> list[tuple[str, str, bool]]:
    """(name, DuckDB type, nullable) of every column of a pandera model (or schema), in its
    order: the one contract a raw table's DDL (warehouse.raw) and the dbt sources follow."""
    schema = model.to_schema() if hasattr(model, "to_schema") else model
    columns = []
    for name, column in schema.columns.items():
        dtype = str(column.dtype)
        if dtype not in _SQL_TYPES:
            raise TypeError(f"{schema.name}.{name}: no DuckDB type for pandera dtype {dtype}")
        columns.append((name, _SQL_TYPES[dtype], bool(column.nullable)))
    return columns
