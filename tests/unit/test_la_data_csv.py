"""A CSV save of a data-by-LA sheet ("Save as CSV" of the data sheet) reads exactly as the
workbook it came from: the same cells, lines, column codes, markers and published totals. The
CSVs are written at test time from the bundled real workbooks (in tmp_path, never stored)."""

import csv
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

from sources.catalogue import BUNDLED_CATALOGUE
from sources.errors import SourceError
from sources.revenue_outturn.la_data import is_la_data_csv, parse_workbook

SAMPLES = BUNDLED_CATALOGUE.parent
SAME = [
    "financial_year",
    "form",
    "ecode",
    "ons_code",
    "authority_name",
    "authority_class",
    "line_label",
    "line_number",
    "column_code",
    "value_gbp_thousands",
    "value_marker",
    "value_marker_kind",
    "source_row",
    "source_column",
]


def save_as_csv(workbook: Path, sheet: str, target: Path) -> Path:
    rows = (
        python_calamine.CalamineWorkbook.from_path(str(workbook))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None or v == ""
                    else (repr(v) if isinstance(v, float) and not v.is_integer() else v)
                    if not isinstance(v, float)
                    else (int(v) if v.is_integer() else repr(v))
                    for v in row
                ]
            )
    return target


@pytest.mark.parametrize(
    "name, release, authorities",
    [
        ("RS_2023-24_data_by_LA.xlsx", "final", 411),
        ("RS_2008-09_data_by_LA.xls", "revised", 478),
    ],
)
def test_a_csv_save_reads_as_its_workbook(tmp_path, name, release, authorities):
    book = parse_workbook(SAMPLES / name, release=release)
    assert len(book.sheets) == 1
    target = save_as_csv(SAMPLES / name, book.sheets[0], tmp_path / (Path(name).stem + ".csv"))
    assert is_la_data_csv(target)
    saved = parse_workbook(target, release=release)
    assert saved.authority_count == book.authority_count == authorities
    assert (saved.form, saved.financial_year) == (book.form, book.financial_year)
    for a, b in ((saved.values, book.values), (saved.totals, book.totals)):
        cols = [c for c in SAME if c in a.columns]
        left = a[cols].sort_values(["source_row", "source_column"]).reset_index(drop=True)
        right = b[cols].sort_values(["source_row", "source_column"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_a_spend_file_is_not_taken_for_a_data_by_la_table():
    spend = next((SAMPLES.parent / "spend_over_500").glob("*.csv"))
    assert not is_la_data_csv(spend)


def test_a_csv_with_no_ecodes_is_refused_by_structure(tmp_path):
    path = tmp_path / "RS_2023-24_data_by_LA.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceError, match="column of E-codes"):
        parse_workbook(path)
