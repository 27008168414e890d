"""Every real "data by LA" workbook the project has: the bundled catalogue (RS, RSX, RO2, RO3)
and the RA budget fixture (every workbook the team collected is bundled, so the suite needs
nothing beside the clone).

For each: the parse holds the reader's invariants (no measure heading as a line label, every
value with a line and, on the coded forms, a column code; identifier columns not read as
lines), the RO identities and the England reconciliation ran and passed or fail only where the
publisher's own figures do (listed below, each checked by hand), the authority count is the one
published, and the frame passes its schema. Then cells located by hand with python_calamine,
not through the parser, in every header style.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

from sources.catalogue import BUNDLED_CATALOGUE, load_catalogue
from sources.revenue_outturn.la_data import (
    CODED_FORMS,
    EXPLICIT_CODE,
    ParsedWorkbook,
    _measure_only,
    reconciliation,
)
from sources.revenue_outturn.schema import validate_revenue_outturn
from tests.unit.parsed_workbooks import parsed_workbook

REPO = Path(__file__).resolve().parents[2]
SAMPLES = BUNDLED_CATALOGUE.parent
FIXTURES = REPO / "tests" / "fixtures" / "revenue_outturn"
RA = FIXTURES / "RA_2019-20_budget_data_by_LA.xlsx"


CATALOGUED = {r.path: r.release for r in load_catalogue()}
BUNDLED = [*CATALOGUED, RA]
CORPUS = BUNDLED

with (REPO / "dbt" / "seeds" / "expected_authority_counts.csv").open() as fh:
    SEED = {(r["financial_year"], r["form"], r["release"]): int(r["authorities"]) for r in
            csv.DictReader(fh)}  # fmt: skip
SEED[("2019-20", "RA", "final")] = 435  # PROVENANCE.md: 435 authorities

# Where the publisher's own figures break an RO identity (cells read by hand: West Berkshire's
# central services C1 3,703 + C2 2,905 = 6,608, but C3 holds 6,620; C4 927 + C5 1,161 = 2,088,
# C6 holds 2,100; C7 = C3 - C6 = 4,520 holds), and where the England row differs from the sum
# of authorities with no non-return to explain it (dbt seed known_reconciliation_breaks.csv).
KNOWN_IDENTITY_BREAKS = {
    "RSX_2022-23_data_by_LA.ods": {
        ("E0302", "Central services", "CI"),
        ("E0302", "Total Service Expenditure", "CW"),
        ("E0302", "Central services", "CL"),
        ("E0302", "Total Service Expenditure", "CZ"),
    }
}
KNOWN_RECONCILIATION_BREAKS = {"RS_2017-18_data_by_LA_revised_20-Mar-2019.xls": 8}


def parsed(path: Path) -> ParsedWorkbook:
    return parsed_workbook(path, CATALOGUED.get(path))


def ids(paths):
    return [p.name[:48] for p in paths]


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_every_line_is_a_service_with_its_column_code(path):
    p = parsed(path)
    labels = p.values["line_label"].unique().tolist() + p.totals["line_label"].unique().tolist()
    # RS lines may be called 'NET CURRENT EXPENDITURE'; on the coded forms such wording is a
    # measure heading, never a service line
    coded = p.form in CODED_FORMS
    headings = [x for x in labels if (coded and _measure_only(x)) or EXPLICIT_CODE.search(x)]
    assert headings == []
    assert p.values["line_label"].str.len().gt(0).all()
    if p.form in CODED_FORMS:
        assert p.values["column_code"].str.fullmatch(r"C[1-9]").all()
        # every service line has the same columns on every authority
        per_line = p.values.groupby(["line_label", "line_occurrence"])["column_code"].nunique()
        assert per_line.min() >= 1
    else:
        assert p.values["column_code"].isna().all()
    # identifier columns are never read as lines
    assert not {"E-code", "ONS Code", "Local authority", "Class"} & set(labels)
    assert p.structure and p.structure[0].startswith("sheet ")


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_identities_and_reconciliation_ran_and_hold_or_are_known(path):
    p = parsed(path)
    checks = {c.name: c for c in p.checks}
    identities, england = checks["RO identities"], checks["England reconciliation"]
    assert england.ran
    if p.form in CODED_FORMS:
        assert identities.ran
        known = KNOWN_IDENTITY_BREAKS.get(path.name, set())
        ecodes = {}
        v = p.values
        for b in p.arithmetic_breaks:
            row = int(re.search(r"row (\d+)", b).group(1))
            ecodes[row] = v.loc[v["source_row"] == row, "ecode"].iloc[0]
        found = {
            (ecodes[int(re.search(r"row (\d+)", b).group(1))],
             re.search(r"\('([^']+)'\)", b).group(1),
             re.search(r"column (\w+)", b).group(1))
            for b in p.arithmetic_breaks
        }  # fmt: skip
        assert found == known
        assert identities.passed == (not known)
    else:
        assert not identities.ran
    rec = reconciliation(p)
    assert len(rec) == len(p.values[["line_label", "line_occurrence", "column_code"]]
                           .drop_duplicates())  # fmt: skip
    breaks = rec[rec["status"] == "break"]
    assert len(breaks) == KNOWN_RECONCILIATION_BREAKS.get(path.name, 0)
    imputed = rec[rec["status"] == "publisher_imputation"]
    if len(imputed):
        # imputation is only booked where authorities that made no return stand in the line
        assert p.non_returning
        assert (imputed["non_returning_cells"] > 0).all()
        assert (imputed["difference_gbp_thousands"] > 0).any()


@pytest.mark.parametrize("path", BUNDLED, ids=ids(BUNDLED))
def test_authority_count_is_the_published_one_and_schema_holds(path):
    p = parsed(path)
    assert p.authority_count == SEED[(p.financial_year, p.form, p.release)]
    assert p.values["ecode"].str.fullmatch(r"E\d{4}").all()
    assert not p.values.duplicated(["ecode", "line_label", "line_occurrence", "column_code"]).any()
    if p.form != "RA":
        validate_revenue_outturn(p.values, path.name)


def test_non_number_counts_per_file():
    counts = {path.name: parsed(path).marker_counts for path in BUNDLED}
    assert counts["RO2_2012-13_data_by_LA.xls"] == {
        "not_available": 0,
        "note_reference": 0,
        "annotation": 23744,  # 'n/a' in the memorandum columns, kept verbatim
    }
    assert counts["RSX_2022-23_data_by_LA.ods"]["not_available"] == 2254  # '[x]': 23 x 98
    assert counts[RA.name] == {"not_available": 870, "note_reference": 0, "annotation": 0}
    assert counts["RS_2022-23_data_by_LA.xlsx"]["note_reference"] == 11  # '[note 7]'
    assert parsed(SAMPLES / "RSX_2022-23_data_by_LA.ods").learned_markers.keys() >= {"M", "[Y]"}
    assert len(parsed(SAMPLES / "RSX_2022-23_data_by_LA.ods").non_returning) == 23  # 403 of 426


# --- cells located by hand ----------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def raw(path: Path, sheet: str):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def a1(ref: str) -> tuple[int, int]:
    letters, digits = re.match(r"([A-Z]+)(\d+)", ref).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


# (file, sheet, cell, E-code in column A of that row, service line, column code, line number,
#  raw value as python_calamine reads it)
HAND_CELLS = [
    ("RO2_2012-13_data_by_LA.xls", "RO2 LA Data 2012-13 (1)", "F12", "E0101",
     "Highways maintenance planning, policy and strategy", "C1", None, 166.0),
    ("RO2_2012-13_data_by_LA.xls", "RO2 LA Data 2012-13 (3)", "F12", "E0101",
     "Highways maintenance planning, policy and strategy", "C7", None, 426.0),
    ("RO2_2012-13_data_by_LA.xls", "RO2 LA Data 2012-13 (1)", "CU12", "E0101",
     "Structural maintenance - principal roads: joint arrangements", "C1", None, "n/a"),
    ("RO2_2016-17_data_by_LA.xlsx", "RO2 LA Data 2016-17", "F8", "E0101",
     "Highways maintenance planning, policy and strategy", "C1", 11, 461.37409539019706),
    ("RO2_2016-17_data_by_LA.xlsx", "RO2 LA Data 2016-17", "L8", "E0101",
     "Highways maintenance planning, policy and strategy", "C7", 11, 433.0487046456028),
    ("Revenue_Outturn__RO3__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls", "RO3 LA Data 2008-09",
     "E11", "E0101", "Social Care strategy - children", "C1", None, 128.0),
    ("Revenue_Outturn__RO3__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls", "RO3 LA Data 2008-09",
     "K11", "E0101", "Social Care strategy - children", "C7", None, 131.0),
    ("Revenue_Outturn__RO3__data_2010-11_by_LA_-_27-Nov-2012-v2.xls", "RO3 LA Data 2010-11",
     "F12", "E0101", "Social care strategy - children", "C1", None, 107.0),
    ("Revenue_Outturn__RO3__data_2010-11_by_LA_-_27-Nov-2012-v2.xls", "RO3 LA Data 2010-11",
     "N12", "E0101", "Social care strategy - children", "C9", None, 122.0),
    ("RSX_2022-23_data_by_LA.ods", "RSX_LA_Data_2022-23", "H12", "E3831",
     "Education services", "C1", 190, "[x]"),
    ("RSX_2022-23_data_by_LA.ods", "RSX_LA_Data_2022-23", "O13", "E0931",
     "Highways and transport services", "C1", 290, 306.0),
    ("RSX_2022-23_data_by_LA.ods", "RSX_LA_Data_2022-23", "CI402", "E0302",
     "Central services", "C3", None, 6620.0),
]  # fmt: skip


@pytest.mark.parametrize(
    "file_name, sheet, ref, ecode, line, code, line_number, expected",
    HAND_CELLS,
    ids=[f"{c[0][:14]}-{c[2]}" for c in HAND_CELLS],
)
def test_cells_found_by_hand(file_name, sheet, ref, ecode, line, code, line_number, expected):
    path = SAMPLES / file_name
    r, c = a1(ref)
    rows = raw(path, sheet)
    assert rows[r][0] == ecode
    assert rows[r][c] == expected
    v = parsed(path).values
    hit = v[(v["source_sheet"] == sheet) & (v["source_row"] == r + 1)]
    hit = hit[hit["source_column"] == re.match(r"[A-Z]+", ref).group(0)]
    assert len(hit) == 1
    cell = hit.iloc[0]
    assert (cell["ecode"], cell["line_label"], cell["column_code"]) == (ecode, line, code)
    if line_number is not None:
        assert cell["line_number"] == line_number
    if isinstance(expected, str):
        assert pd.isna(cell["value_gbp_thousands"])
        assert cell["value_marker"] == expected
    else:
        assert cell["value_gbp_thousands"] == expected


def test_ro2_2012_13_columns_of_one_line_span_three_sheets():
    v = parsed(SAMPLES / "RO2_2012-13_data_by_LA.xls").values
    service = "Highways maintenance planning, policy and strategy"
    line = v[(v["ecode"] == "E0101") & (v["line_label"] == service)]
    by_code = line.set_index("column_code")
    assert sorted(by_code.index) == [f"C{i}" for i in range(1, 10)]
    assert by_code.loc["C3", "value_gbp_thousands"] == 508.0  # 166 + 342
    assert by_code.loc["C1", "source_sheet"].endswith("(1)")
    assert by_code.loc["C4", "source_sheet"].endswith("(2)")
    assert by_code.loc["C7", "source_sheet"].endswith("(3)")


def test_ro2_2016_17_non_returns_are_imputed_in_the_england_row():
    p = parsed(SAMPLES / "RO2_2016-17_data_by_LA.xlsx")
    assert p.non_returning == ["E4001", "E7012"]  # Isles of Scilly, Dorset PCC
    rec = reconciliation(p)
    assert set(rec["status"]) == {"reconciled", "publisher_imputation"}
