"""The shared half of every pandera validation step: walking pandera's failure cases once each,
with the offending row of the validated frame, so each dataset only says how to name a place
(file, sheet, row, column) in its own terms."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd


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
) -> pd.DataFrame:
    """The validation step of every raw table: validate `df` against its pandera model (or
    schema) with every failure at once; raise ValidationFailed with one line per failure, as
    the dataset's `describe(failure_cases, frame)` names its place. With `by_position`, rows
    are validated (and named) by position, and `df` itself is returned."""
    import pandera.pandas as pa

    from sources.errors import ValidationFailed

    work = df.reset_index(drop=True) if by_position else df
    try:
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
