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


def test_renamed_e_code_header_still_reads_by_content(tmp_path):
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
    # identifier columns are known by what they hold, not by their heading
    renamed = parse_workbook(path)
    keep = ["ecode", "line_label", "value_gbp_thousands", "source_row", "source_column"]
    pd.testing.assert_frame_equal(renamed.values[keep], parsed_xlsx().values[keep])


def test_no_e_codes_is_unsupported_layout_naming_the_sheets(tmp_path):
    import re

    path = tmp_path / "no_ecodes.xlsx"
    rewrite_xlsx(
        SAMPLES / XLSX,
        path,
        {"xl/sharedStrings.xml": lambda data: re.sub(rb">E(\d{4})<", rb">X\1<", data)},
    )
    assert calamine_rows(path, XLSX_SHEET)[7][0] == "X0101"
    with pytest.raises(UnsupportedLayoutError) as excinfo:
        parse_workbook(path)
    message = str(excinfo.value)
    assert "no sheet has a column of E-codes" in message
    assert path.name in message
    assert "Front Page, LA drop-down, RS LA Data 2015-16" in message


def test_one_unknown_text_in_a_value_cell_is_kept_as_an_annotation(tmp_path):
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

    p = parse_workbook(path)
    kept = p.values[(p.values["source_row"] == 8) & (p.values["source_column"] == "F")].iloc[0]
    assert pd.isna(kept["value_gbp_thousands"])
    assert (kept["value_marker"], kept["value_marker_kind"]) == ("abc", "annotation")
    assert p.marker_counts["annotation"] == 1
    validate_revenue_outturn(p.values, "edited")


def test_widespread_free_text_in_a_numeric_column_names_file_sheet_row_and_column(tmp_path):
    import re

    def texts(data: bytes) -> bytes:
        def sub(m):
            row = int(m.group(1))
            if 8 <= row <= 60:  # 53 of 444 authorities, each a different text
                return f'<c r="F{row}" t="inlineStr"><is><t>see note {row}</t></is></c>'.encode()
            return m.group(0)

        return re.sub(rb'<c r="F(\d+)"[^>]*><v>[^<]*</v></c>', sub, data)

    path = tmp_path / "shifted.xlsx"
    rewrite_xlsx(SAMPLES / XLSX, path, {XLSX_SHEET_XML: texts})
    assert calamine_rows(path, XLSX_SHEET)[8][5] == "see note 9"
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    message = str(excinfo.value)
    assert message.startswith(
        "file 'shifted.xlsx', sheet 'RS LA Data 2015-16', row 8, column F: 53 of 444 authority "
        "cells of line 'Education services' hold text that is neither a number nor a marker"
    )
    assert "more than 5%" in message
    loc = excinfo.value.location
    assert (loc.file, loc.sheet, loc.row, loc.column) == (
        "shifted.xlsx",
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
    frame.loc[i[2], ["value_marker", "value_marker_kind"]] = ["[x]", "not_available"]  # + number
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
    # '??' was put in without saying what kind of text it is
    assert (
        f"{where}, row 9, column F (line 'Education services'): "
        "a cell's text has no kind, or a kind without text"
    ) in exc.failures
    assert str(exc).startswith("RS 2015-16 final: 3 validation failure(s):")


def test_a_bad_value_repeated_and_a_cell_that_is_not_text_are_each_named():
    """Checks run once per distinct value and string columns are converted by pyarrow; a
    failure still names every row that holds it, and a non-string cell its own row."""
    frame = three_real_cells()
    i = frame.index
    frame["source_sheet"] = frame["source_sheet"].astype(object)
    frame.loc[i[0], "source_sheet"] = 7  # a number where the sheet name belongs
    frame.loc[[i[1], i[2]], "ecode"] = "X1"
    with pytest.raises(ValidationFailed) as excinfo:
        validate_revenue_outturn(frame, "RS 2015-16 final")
    where = "file 'RS_2015-16_data_by_LA.xlsx', sheet 'RS LA Data 2015-16'"
    assert excinfo.value.failures == [
        f"{where}, row 9: ecode fails str_matches('^E\\d{{4}}$'): 'X1'",
        f"{where}, row 10: ecode fails str_matches('^E\\d{{4}}$'): 'X1'",
        "file 'RS_2015-16_data_by_LA.xlsx', sheet 7, row 8, column F (line 'Education "
        "services'): source_sheet fails dtype('str'): 7",
    ]


def test_the_validated_frame_holds_the_same_cells_as_arrow_strings():
    from sources.revenue_outturn.schema import RevenueOutturnSchema
    from sources.validation import contract_columns

    parsed = parsed_xlsx().values
    valid = validate_revenue_outturn(parsed, "RS 2015-16 final")
    strings = [n for n, t, _ in contract_columns(RevenueOutturnSchema) if t == "varchar"]
    assert len(strings) == 15 and all(str(valid[c].dtype) == "string" for c in strings)
    assert valid.shape == parsed.shape and (valid.index == parsed.index).all()
    for c in parsed.columns:
        assert valid[c].astype(object).where(valid[c].notna(), None).tolist() == (
            parsed[c].astype(object).where(parsed[c].notna(), None).tolist()
        ), c
    # one council (93 cells) is published without an ONS code
    assert valid["ecode"].nunique() == 444 and valid["ons_code"].isna().sum() == 93
