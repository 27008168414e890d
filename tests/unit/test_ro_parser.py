"""The RO detail-form parser on the real RO2 2008-09 workbook: multi-row headings, columns
C1..C9 across two sheets, memorandum lines, arithmetic and England reconciliation."""

import functools

import pytest

from sources.catalogue import BUNDLED_CATALOGUE
from sources.revenue_outturn.la_data import arithmetic_breaks, parse_workbook, reconciliation
from sources.revenue_outturn.schema import validate_revenue_outturn

RO2 = (
    BUNDLED_CATALOGUE.parent / "Revenue_Outturn__RO2__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls"
)


@functools.lru_cache(maxsize=1)
def ro2():
    return parse_workbook(RO2, release="revised")


def cell(ecode: str, line: str, code: str):
    v = ro2().values
    hit = v[(v.ecode == ecode) & (v.line_label == line) & (v.column_code == code)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_form_year_sheets_and_shape():
    p = ro2()
    assert (p.form, p.financial_year, p.release) == ("RO2", "2008-09", "revised")
    assert p.sheets == ["RO2 LA Data 2008-09 (1)", "RO2 LA Data 2008-09 (2)"]
    assert p.authority_count == 405  # the pre-April-2009 structure
    assert p.values["line_label"].nunique() == 31
    assert sorted(p.values["column_code"].unique()) == [f"C{i}" for i in range(1, 10)]
    assert len(p.values) == 405 * 31 * 9
    assert not p.values.duplicated(["ecode", "line_label", "line_occurrence", "column_code"]).any()
    validate_revenue_outturn(p.values, RO2.name)


def test_multi_row_heading_gives_service_and_column():
    # Bath & North East Somerset (row 11): 'Highways maintenance planning policy and strategy'.
    line = "Highways maintenance planning policy and strategy"
    expected = {"C1": 174, "C2": 595, "C3": 769, "C4": 82, "C5": 0, "C6": 82, "C7": 687}
    for code, value in expected.items():
        found = cell("E0101", line, code)
        assert found.value_gbp_thousands == value
        assert found.source_row == 11
        assert found.source_sheet == "RO2 LA Data 2008-09 (1)"
    assert cell("E0101", line, "C1").source_column == "F"
    assert cell("E0101", line, "C7").source_column == "L"
    # Capital charges and net total cost come from the second sheet.
    assert cell("E0101", line, "C8").source_sheet == "RO2 LA Data 2008-09 (2)"
    assert cell("E0101", line, "C9").value_gbp_thousands == 687


def test_arithmetic_holds_on_every_authority_row_except_memorandum_lines():
    assert ro2().arithmetic_breaks == []
    memo = "On-street parking: Penalty Charge Notice income included in line 61"
    assert memo in set(ro2().values["line_label"])  # kept, but not held to C3 = C1 + C2


def test_a_broken_cell_is_reported_with_its_place():
    values = ro2().values.copy()
    line = "Street lighting"
    at = (values.ecode == "E0101") & (values.line_label == line) & (values.column_code == "C3")
    values.loc[at, "value_gbp_thousands"] += 50
    breaks = arithmetic_breaks(values)
    column = values.loc[at, "source_column"].iloc[0]
    assert len(breaks) == 2  # C3 = C1 + C2 and C7 = C3 - C6
    assert breaks[0].startswith(f"sheet 'RO2 LA Data 2008-09 (1)', row 11, column {column}")
    assert "C3 = C1 + C2" in breaks[0] and "C7 = C3 - C6" in breaks[1]


def test_every_line_and_column_reconciles_to_the_england_row():
    recon = reconciliation(ro2())
    assert len(recon) == 31 * 9
    assert recon["reconciles"].all()
    england = recon.set_index(["line_label", "column_code"])["england_gbp_thousands"]
    assert england[("Highways maintenance planning policy and strategy", "C1")] == 138_833
    assert england[("Highways maintenance planning policy and strategy", "C3")] == 306_600


@pytest.mark.parametrize(
    ("ecode", "name"),
    [("E0820", "Cornwall"), ("E0221", "Bedfordshire"), ("E0831", "Caradon")],
)
def test_2009_predecessors_are_present(ecode, name):
    rows = ro2().values[ro2().values.ecode == ecode]
    assert not rows.empty
    assert rows["authority_name"].iloc[0].startswith(name)
