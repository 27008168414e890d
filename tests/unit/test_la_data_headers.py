"""Each header style and each kind of non-number cell, on small slices of the real workbooks.

A slice keeps a workbook's front page and Notes sheet, and of each data sheet its header block,
the first authorities and the England row, written to tmp_path with xlsxwriter (cells exactly
as python_calamine reads them from the bundled file). Edits to a slice make the failures the
reader must refuse: a measure heading where the service line should be.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from sources.catalogue import BUNDLED_CATALOGUE
from sources.errors import ParseError
from sources.revenue_outturn.la_data import parse_workbook

SAMPLES = BUNDLED_CATALOGUE.parent
ECODE = re.compile(r"^E\d{4}$")


def slice_workbook(
    source: Path, target: Path, *, authorities: int = 12, edit=None, only: list[str] | None = None
) -> Path:
    """Front/notes sheets whole; data sheets cut to header + `authorities` rows + England row."""
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    out = xlsxwriter.Workbook(str(target))
    for name in book.sheet_names:
        if only is not None and name not in only:
            continue
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        codes = [i for i, r in enumerate(rows) if r and isinstance(r[0], str) and ECODE.match(r[0])]
        if len(codes) > 20:
            england = [
                i for i, r in enumerate(rows) if any(str(c).upper() == "ENGLAND" for c in r[:4])
            ]
            keep = list(range(codes[0])) + codes[:authorities] + england[-1:]
            rows = [rows[i] for i in keep]
        if edit:
            rows = edit(name, rows)
        ws = out.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in ("", None):
                    ws.write(r, c, value)
    out.close()
    return target


def cell(values, ecode, line, code):
    hit = values[
        (values.ecode == ecode) & (values.line_label == line) & (values.column_code == code)
    ]
    assert len(hit) == 1, (ecode, line, code, len(hit))
    return hit.iloc[0]


def test_service_rows_above_measure_headings_on_the_ecode_row_over_three_sheets(tmp_path):
    p = parse_workbook(
        slice_workbook(SAMPLES / "RO2_2012-13_data_by_LA.xls", tmp_path / "ro2.xlsx")
    )
    assert (p.form, p.financial_year, len(p.sheets)) == ("RO2", "2012-13", 3)
    assert p.authority_count == 12
    line = "Highways maintenance planning, policy and strategy"
    got = {
        c: cell(p.values, "E0101", line, c).value_gbp_thousands for c in ("C1", "C2", "C3", "C7")
    }
    assert got == {"C1": 166.0, "C2": 342.0, "C3": 508.0, "C7": 426.0}
    assert "service lines on row 8, measure headings on row(s) 10" in p.structure[0]
    assert not p.values["line_label"].str.contains(r"\(C\d").any()
    assert p.checks[0].ran and p.checks[0].passed  # C3 = C1 + C2 etc. across the sheets


def test_row_no_and_col_no_helper_rows(tmp_path):
    p = parse_workbook(slice_workbook(SAMPLES / "RO2_2016-17_data_by_LA.xlsx", tmp_path / "a.xlsx"))
    first = cell(p.values, "E0101", "Highways maintenance planning, policy and strategy", "C1")
    assert first.line_number == 11 and first.source_column == "F"
    parking = p.values[p.values["line_label"].str.startswith("On street parking: other sales")]
    assert set(parking["column_code"]) == {"C4"} and set(parking["line_number"]) == {162}
    assert "line numbers on row 3; column numbers on row 4" in p.structure[0]


def test_one_heading_cell_holding_service_and_measure_with_machine_codes(tmp_path):
    p = parse_workbook(slice_workbook(SAMPLES / "RSX_2022-23_data_by_LA.ods", tmp_path / "x.xlsx"))
    assert p.form == "RSX"
    assert sorted(p.values["column_code"].unique()) == [f"C{i}" for i in range(1, 8)]
    edu = cell(p.values, "E0931", "Highways and transport services", "C1")
    assert (edu.value_gbp_thousands, edu.line_number) == (306.0, 290)
    assert "service and measure in one heading cell" in p.structure[0]
    assert "machine codes on row(s) 7, 8" in p.structure[0]
    # identifier columns told apart by what they hold
    assert "G: certification (Y/N)" in p.structure[1]
    assert "D: identifier 'Notes' (text)" in p.structure[1]


def test_section_banners_are_not_service_lines(tmp_path):
    src = SAMPLES / "Revenue_Outturn__RO3__data_2010-11_by_LA_-_27-Nov-2012-v2.xls"
    p = parse_workbook(slice_workbook(src, tmp_path / "ro3.xlsx"))
    assert not p.values["line_label"].str.contains(r"\*\*\*").any()
    assert "section banners on row(s) 5" in p.structure[0]
    assert (
        cell(p.values, "E0101", "Social care strategy - children", "C9").value_gbp_thousands == 122
    )


def test_2008_09_heading_block_with_wording_split_over_rows(tmp_path):
    src = SAMPLES / "Revenue_Outturn__RO3__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls"
    p = parse_workbook(slice_workbook(src, tmp_path / "ro3.xlsx"))
    codes = p.values[p.values["line_label"] == "Social Care strategy - children"]
    assert list(codes.drop_duplicates("column_code")["column_code"]) == [
        f"C{i}" for i in range(1, 10)
    ]
    assert (
        cell(p.values, "E0101", "Social Care strategy - children", "C7").value_gbp_thousands == 131
    )


def test_a_measure_heading_where_the_service_line_belongs_is_a_parse_error(tmp_path):
    def edit(name, rows):
        if name == "RO2 LA Data 2012-13 (1)":
            rows[7][5] = "Employees (C1)"  # F8: the service cell of the first line
        return rows

    path = slice_workbook(SAMPLES / "RO2_2012-13_data_by_LA.xls", tmp_path / "bad.xlsx", edit=edit)
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    assert str(excinfo.value) == (
        "file 'bad.xlsx', sheet 'RO2 LA Data 2012-13 (1)', row 8, column F: the line label "
        "'Employees (C1)' is a measure heading, not a service line"
    )


def test_a_data_column_without_its_column_code_is_a_parse_error(tmp_path):
    def edit(name, rows):
        if name == "RO2 LA Data 2012-13 (1)":
            rows[9][6] = "Spend"  # G10: 'Running Expenses (C2)'
        return rows

    path = slice_workbook(SAMPLES / "RO2_2012-13_data_by_LA.xls", tmp_path / "bad.xlsx", edit=edit)
    expected = (
        "row 10, column G: data column of line "
        "'Highways maintenance planning, policy and strategy' has no column code"
    )
    with pytest.raises(ParseError, match=expected):
        parse_workbook(path)


# --- non-number cells, by kind ----------------------------------------------------------------


def test_annotation_note_reference_and_learned_marker(tmp_path):
    ro2 = parse_workbook(
        slice_workbook(SAMPLES / "RO2_2012-13_data_by_LA.xls", tmp_path / "a.xlsx")
    )
    na = ro2.values[ro2.values["value_marker"] == "n/a"]
    assert len(na) and set(na["value_marker_kind"]) == {"annotation"}
    assert na["value_gbp_thousands"].isna().all()

    rs = parse_workbook(slice_workbook(SAMPLES / "RS_2022-23_data_by_LA.xlsx", tmp_path / "b.xlsx",
                                       authorities=400))  # fmt: skip
    notes = rs.values[rs.values["value_marker_kind"] == "note_reference"]
    assert set(notes["value_marker"]) == {"[note 7]"}

    rsx = parse_workbook(
        slice_workbook(SAMPLES / "RSX_2022-23_data_by_LA.ods", tmp_path / "c.xlsx")
    )
    assert rsx.learned_markers["M"].startswith("RO return not received")
    adur = rsx.values[rsx.values["ecode"] == "E3831"]  # did not submit
    assert set(adur["value_marker"]) == {"[x]"} and set(adur["value_marker_kind"]) == {
        "not_available"
    }
    assert rsx.non_returning == ["E3831"]


def test_notes_sheet_is_what_makes_m_a_marker(tmp_path):
    def m_in_values(name, rows):
        if name.startswith("RSX_LA_Data"):
            header = next(i for i, r in enumerate(rows) if r[0] == "E-code")
            rows[header + 2][7] = "M"  # H: Education services C1 of the second authority
        return rows

    src = SAMPLES / "RSX_2022-23_data_by_LA.ods"
    with_notes = parse_workbook(slice_workbook(src, tmp_path / "n.xlsx", edit=m_in_values))
    without = parse_workbook(
        slice_workbook(
            src, tmp_path / "w.xlsx", edit=m_in_values, only=["Front_Page", "RSX_LA_Data_2022-23"]
        )  # fmt: skip
    )

    def kinds(p):
        return p.values.loc[p.values["value_marker"] == "M", "value_marker_kind"].tolist()

    assert kinds(with_notes) == ["not_available"]
    assert kinds(without) == ["annotation"]
