"""Bad input to the RS parser and its schema gets a clear error naming where the problem is.

Damaged copies of real bundled workbooks (truncated .xlsx and .xls, a renamed 'E-code' header,
an unknown word in a value cell), an HTML error page saved as .xlsx, and a parsed frame with
corrupted cells run through sources.revenue_outturn.schema.validate_revenue_outturn. The
workbooks are edited by rewriting the sheet XML inside the xlsx zip (openpyxl is not installed).
"""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

from sources.catalogue import BUNDLED_CATALOGUE
from sources.errors import ParseError, UnsupportedLayoutError, ValidationFailed
from sources.revenue_outturn.la_data import ParsedWorkbook, parse_workbook
from sources.revenue_outturn.schema import validate_revenue_outturn

SAMPLES = BUNDLED_CATALOGUE.parent
XLSX = "RS_2015-16_data_by_LA.xlsx"  # data sheet 'RS LA Data 2015-16' is xl/worksheets/sheet3.xml
XLSX_SHEET = "RS LA Data 2015-16"
XLSX_SHEET_XML = "xl/worksheets/sheet3.xml"
XLS = "RS_2007-08_data_by_LA.xls"
# Bath & North East Somerset, Education services, as stored in the sheet XML
F8_XML = b'<c r="F8" s="104"><v>93591</v></c>'


@functools.lru_cache(maxsize=32)
def parsed_xlsx() -> ParsedWorkbook:
    """The unedited bundled 2015-16 workbook, parsed once."""
    return parse_workbook(SAMPLES / XLSX)


def rewrite_xlsx(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes]]) -> None:
    """Copy an xlsx zip member by member, passing the named members through an edit."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data)
            zout.writestr(info, data)


def replace_once(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        assert data.count(old) == 1, f"{old!r} occurs {data.count(old)} times"
        return data.replace(old, new)

    return edit


def calamine_rows(path: Path, sheet: str) -> list[list]:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


# --- damaged files ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", [XLSX, XLS])
def test_truncated_workbook_is_a_parse_error_naming_the_file(tmp_path, file_name):
    data = (SAMPLES / file_name).read_bytes()
    path = tmp_path / f"truncated_{file_name}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    message = str(excinfo.value)
    assert path.name in message
    assert "cannot be read as a spreadsheet" in message
    assert "truncated" in message
    assert excinfo.value.location.file == str(path)


def test_xls_truncated_inside_its_header_is_a_parse_error(tmp_path):
    path = tmp_path / f"truncated_{XLS}"
    path.write_bytes((SAMPLES / XLS).read_bytes()[:1001])
    with pytest.raises(ParseError):
        parse_workbook(path)


def test_html_error_page_saved_as_xlsx_is_a_parse_error(tmp_path):
    path = tmp_path / "RS_2024-25_data_by_LA.xlsx"
    path.write_text(
        "<!DOCTYPE html>\n<html><head><title>404 Not Found - GOV.UK</title></head>\n"
        "<body><h1>Page not found</h1><p>If you entered a web address, check it is correct."
        "</p></body></html>\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    assert path.name in str(excinfo.value)
    assert "not a workbook" in str(excinfo.value)


def test_renamed_e_code_header_is_unsupported_layout(tmp_path):
    path = tmp_path / "renamed_header.xlsx"
    rewrite_xlsx(
        SAMPLES / XLSX,
        path,
        {"xl/sharedStrings.xml": replace_once(b">E-code<", b">Authority code<")},
    )
    # the edit changed only the header text: the sheet still reads, its data intact
    rows = calamine_rows(path, XLSX_SHEET)
    assert rows[6][:3] == ["Authority code", "ONS Code", "Local authority"]
    assert rows[7][0] == "E0101"
    assert rows[7][5] == 93591.0

    with pytest.raises(UnsupportedLayoutError) as excinfo:
        parse_workbook(path)
    message = str(excinfo.value)
    assert "'E-code'" in message
    assert path.name in message
    assert "Front Page, LA drop-down, RS LA Data 2015-16" in message


def test_unknown_text_in_value_cell_names_file_sheet_row_and_column(tmp_path):
    v = parsed_xlsx().values
    cell = v[(v["ecode"] == "E0101") & (v["line_label"] == "Education services")]
    assert cell[["value_gbp_thousands", "source_row", "source_column"]].values.tolist() == [
        [93591.0, 8, "F"]
    ]

    path = tmp_path / "unknown_text.xlsx"
    rewrite_xlsx(
        SAMPLES / XLSX,
        path,
        {XLSX_SHEET_XML: replace_once(F8_XML, b'<c r="F8" t="inlineStr"><is><t>abc</t></is></c>')},
    )
    assert calamine_rows(path, XLSX_SHEET)[7][5] == "abc"

    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    assert str(excinfo.value) == (
        "file 'unknown_text.xlsx', sheet 'RS LA Data 2015-16', row 8, column F: "
        "cell holds 'abc', which is neither a number nor a known marker"
    )
    loc = excinfo.value.location
    assert (loc.file, loc.sheet, loc.row, loc.column) == (
        "unknown_text.xlsx",
        "RS LA Data 2015-16",
        8,
        "F",
    )


# --- schema validation -----------------------------------------------------------------------


def three_real_cells() -> pd.DataFrame:
    v = parsed_xlsx().values
    pick = (
        ((v["ecode"] == "E0101") & (v["line_label"] == "Education services"))
        | ((v["ecode"] == "E0102") & (v["line_label"] == "Education services"))
        | ((v["ecode"] == "E0103") & (v["line_label"] == "Highways and transport services"))
    )
    return v[pick].copy()


def test_real_cells_pass_schema():
    frame = three_real_cells()
    assert frame[["ecode", "source_row", "source_column"]].values.tolist() == [
        ["E0101", 8, "F"],
        ["E0102", 9, "F"],
        ["E0103", 10, "G"],
    ]
    validate_revenue_outturn(frame, "RS 2015-16 final")


def test_corrupted_cells_fail_schema_naming_each_cell():
    frame = three_real_cells()
    i = frame.index
    frame.loc[i[0], "ecode"] = "E01O1"  # letter O for zero
    frame.loc[i[1], ["value_gbp_thousands", "value_marker"]] = [None, "??"]
    frame.loc[i[2], "value_marker"] = "[x]"  # and it keeps its number
    assert frame.loc[i[2], "value_gbp_thousands"] == 18067.442

    with pytest.raises(ValidationFailed) as excinfo:
        validate_revenue_outturn(frame, "RS 2015-16 final")
    exc = excinfo.value
    assert exc.dataset == "RS 2015-16 final"
    assert len(exc.failures) == 3
    where = "file 'RS_2015-16_data_by_LA.xlsx', sheet 'RS LA Data 2015-16'"
    assert f"{where}, row 8: ecode fails str_matches('^E\\d{{4}}$'): 'E01O1'" in exc.failures
    assert (
        f"{where}, row 10, column G (line 'Highways and transport services'): "
        "a cell holds both a number and a marker"
    ) in exc.failures
    marker = [f for f in exc.failures if "value_marker" in f]
    assert len(marker) == 1
    assert marker[0].startswith(
        f"{where}, row 9, column F (line 'Education services'): value_marker fails str_matches("
    )
    assert marker[0].endswith("): '??'")
    assert str(exc).startswith("RS 2015-16 final: 3 validation failure(s):")
