"""The England local authority revenue expenditure series transcribed from Hansard written
answers (and a statistical release), 1982-83 .. 2001-02 with a few later headline figures
(``england_la_revenue_expenditure_hansard_1982-83_to_2001-02.csv``) -> ``raw.national_series``.

Layout, one row per published figure: ``record_id, financial_year, measure, value, unit,
basis_note, source_url, source_type, source_date``. The measures are what the answers give,
kept apart because they are not one series: total expenditure (pre-1990 system, 1982-83 ..
1989-90), net revenue expenditure (1990-91 .. 1992-93; the answer says the two "cannot be
directly compared"), revenue expenditure to compare with TSS and its financing (1997-98 ..
2001-02, 2001-02 budgets), and net current expenditure quoted in the 2010-11 outturn release.
Nothing is interpolated: years no source gives (1993-94 .. 1996-97, 2002-03 .. 2006-07) are
absent here and shown as gaps in the dbt mart. Values are normalised to GBP (pounds), cash.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from sources.catalogue import SAMPLES_DIR
from sources.csv_table import CsvTable, valid_financial_year
from sources.errors import ValidationFailed
from sources.validation import distinct_failures
from sources.workbook import sha256_file

BUNDLED = (
    SAMPLES_DIR
    / "national_series"
    / "england_la_revenue_expenditure_hansard_1982-83_to_2001-02.csv"
)
COLUMNS = [
    "record_id",
    "financial_year",
    "measure",
    "value",
    "unit",
    "basis_note",
    "source_url",
    "source_type",
    "source_date",
]
UNITS = {"gbp million": 1e6, "gbp billion": 1e9, "gbp thousand": 1e3, "gbp": 1.0}
LONG_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
FRAME_COLUMNS = [
    "record_id",
    "financial_year",
    "measure",
    "value_as_published",
    "unit_as_published",
    "value_gbp",
    "basis_note",
    "is_budget",
    "source_url",
    "source_type",
    "source_date",
    "source_file",
    "source_row",
    "source_sha256",
]


def _financial_year(table: CsvTable, rec: dict, n: int) -> str:
    """'1999-2000' (as Hansard writes it) -> '1999-00'; 'YYYY-YY' as is."""
    value = rec["financial_year"]
    m = LONG_YEAR.match(value)
    if m and int(m.group(2)) == int(m.group(1)) + 1:
        value = f"{m.group(1)}-{m.group(2)[2:]}"
    if not valid_financial_year(value):
        raise table.error(
            f"{rec['financial_year']!r} is not a financial year like '1997-98'", n, "financial_year"
        )
    return value


def read_series(path: Path = BUNDLED) -> pd.DataFrame:
    """Tidy rows with provenance, one per published figure; refuses a row it cannot read."""
    path = Path(path)
    table = CsvTable(path, COLUMNS, layout="national series")
    sha = sha256_file(path)
    rows, seen = [], set()
    for n, rec in table.records():
        if not rec["record_id"]:
            raise table.error("record_id is blank", n, "record_id")
        if rec["record_id"] in seen:
            raise table.error(f"{rec['record_id']} appears twice", n, "record_id")
        seen.add(rec["record_id"])
        if not rec["measure"]:
            raise table.error("measure is blank", n, "measure")
        value = table.money(rec, n, "value")
        if value is None:
            raise table.error("the value is blank", n, "value")
        scale = UNITS.get(rec["unit"].casefold())
        if scale is None:
            raise table.error(
                f"{rec['unit']!r} is not a unit in pounds ({', '.join(UNITS)})", n, "unit"
            )
        if not rec["source_url"]:
            raise table.error("every figure needs its source address", n, "source_url")
        rows.append(
            {
                "record_id": rec["record_id"],
                "financial_year": _financial_year(table, rec, n),
                "measure": rec["measure"],
                "value_as_published": value,
                "unit_as_published": rec["unit"],
                "value_gbp": value * scale,
                "basis_note": rec["basis_note"] or None,
                "is_budget": "budget" in rec["basis_note"].casefold(),
                "source_url": rec["source_url"],
                "source_type": rec["source_type"] or None,
                "source_date": table.date(rec, n, "source_date"),
                "source_file": path.name,
                "source_row": n,
                "source_sha256": sha,
            }
        )
    return validate_national_series(pd.DataFrame(rows, columns=FRAME_COLUMNS), path.name)


SCHEMA = pa.DataFrameSchema(
    {
        "record_id": pa.Column(str, unique=True),
        "financial_year": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "measure": pa.Column(str),
        "value_as_published": pa.Column(float),
        "unit_as_published": pa.Column(str),
        "value_gbp": pa.Column(float, pa.Check.gt(0)),
        "basis_note": pa.Column(str, nullable=True),
        "is_budget": pa.Column(bool),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
        "source_type": pa.Column(str, nullable=True),
        "source_date": pa.Column(object, nullable=True),
        "source_file": pa.Column(str),
        "source_row": pa.Column(int, pa.Check.ge(2)),
        "source_sha256": pa.Column(str, pa.Check.str_length(64, 64)),
    },
    unique=["financial_year", "measure"],
    strict=True,
    ordered=True,
)


def validate_national_series(df: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """The blocking check of raw.national_series: every failure with its file and row."""
    try:
        return SCHEMA.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = []
        for case, row, _ in distinct_failures(exc.failure_cases, df):
            where = f"row {int(row['source_row'])}" if row is not None else "the file"
            failures.append(
                f"{file_name}, {where}, column {case.column}: {case.check} "
                f"(value {case.failure_case!r})"
            )
        raise ValidationFailed("raw.national_series", failures) from exc
