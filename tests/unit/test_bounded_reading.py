"""Bounded reading (issue 12): a workbook whose sheets declare absurd sizes, that holds too many
cells or takes too long is refused with a ParseError naming file and sheet, before calamine
allocates anything; value cells holding formulas without cached values, booleans or non-finite
numbers are parse errors naming the cell; a workbook of several years is refused, never read
for its first sheet only.

Every case is a real bundled workbook edited in tmp_path (its sheet XML rewritten), or a small
workbook written with xlsxwriter. Nothing here allocates more than a few megabytes: the bomb
sheets are refused from their XML before they are loaded.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from sources.catalogue import BUNDLED_CATALOGUE
from sources.errors import ParseError
from sources.revenue_outturn.la_data import parse_workbook
from sources.workbook import Limits

SAMPLES = BUNDLED_CATALOGUE.parent
XLSX = SAMPLES / "RS_2015-16_data_by_LA.xlsx"
SHEET = "RS LA Data 2015-16"
SHEET_XML = "xl/worksheets/sheet3.xml"
F8 = b'<c r="F8" s="104"><v>93591</v></c>'  # Bath & NE Somerset, Education services


def rewrite(dst: Path, member: str, edit) -> Path:
    with zipfile.ZipFile(XLSX) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(data) if info.filename == member else data)
    return dst


def with_f8(tmp_path: Path, cell: bytes) -> Path:
    def edit(data: bytes) -> bytes:
        assert data.count(F8) == 1
        return data.replace(F8, cell)

    return rewrite(tmp_path / "edited.xlsx", SHEET_XML, edit)


def bomb(tmp_path: Path, cell: str) -> Path:
    """A small table and one stray cell far away (the 544 KB workbook of issue 12)."""
    path = tmp_path / f"RS_2015-16_bomb_{cell}.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("RS LA Data 2015-16")
    ws.write_row(0, 0, ["E-code", "Local authority", "Class", "Education services"])
    for i in range(12):
        ws.write_row(i + 1, 0, [f"E01{i:02d}", f"Council number {i}", "SD", float(i)])
    ws.write(cell, "x")
    wb.close()
    return path


@pytest.mark.parametrize("cell, rows, last", [("XFD1048576", "1,048,576", "XFD1048576"),
                                              ("ZZ200000", "200,000", "ZZ200000")])  # fmt: skip
def test_sheet_declaring_absurd_size_is_refused_unread(tmp_path, cell, rows, last):
    path = bomb(tmp_path, cell)
    assert path.stat().st_size < 20_000
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    message = str(excinfo.value)
    assert message.startswith(f"file '{path}', sheet 'RS LA Data 2015-16': sheet declares {rows}")
    assert f"(to cell {last})" in message
    assert "at most 20,000 rows and 2,000 columns" in message


def test_a_lying_dimension_is_caught_by_the_last_row(tmp_path):
    path = bomb(tmp_path, "A150000")

    def lie(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:D13"/>', data)

    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(lying, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, lie(data) if info.filename.endswith("sheet1.xml") else data)
    with pytest.raises(ParseError, match="sheet declares 150,000 rows"):
        parse_workbook(lying)


def test_cells_per_workbook_are_capped():
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(XLSX, limits=Limits(max_cells=50_000))
    assert "more than 50,000 cells" in str(excinfo.value)
    assert XLSX.name in str(excinfo.value)


def test_a_parse_over_its_time_limit_stops_with_a_message():
    with pytest.raises(ParseError, match=r"parse stopped after \d+ s \(the limit is 0 s\)"):
        parse_workbook(XLSX, limits=Limits(seconds=0.0))


# --- value cells that cannot be published --------------------------------------------------


@pytest.mark.parametrize(
    "cell, message",
    [
        (b'<c r="F8"><f>SUM(G8:H8)</f><v></v></c>', "a formula with no cached value"),
        (b'<c r="F8"><f>SUM(G8:H8)</f></c>', "a formula with no cached value"),
        (b'<c r="F8" t="b"><v>1</v></c>', "cell holds a true/false value"),
        (b'<c r="F8"><v>1e400</v></c>', "not a finite"),
        (b'<c r="F8" t="inlineStr"><is><t>inf</t></is></c>', "'inf', which is not a finite"),
        (b'<c r="F8" t="inlineStr"><is><t>NaN</t></is></c>', "'NaN', which is not a finite"),
    ],
)
def test_unpublishable_value_cell_is_a_parse_error_naming_the_cell(tmp_path, cell, message):
    path = with_f8(tmp_path, cell)
    with pytest.raises(ParseError, match=re.escape(message)) as excinfo:
        parse_workbook(path)
    loc = excinfo.value.location
    assert (loc.file, loc.sheet, loc.row, loc.column) in {
        ("edited.xlsx", SHEET, 8, "F"),
        (str(path), SHEET, 8, "F"),
    }


def test_formula_with_cached_value_reads_its_value(tmp_path):
    path = with_f8(tmp_path, b'<c r="F8"><f>SUM(G8:H8)</f><v>93591</v></c>')
    v = parse_workbook(path).values
    cell = v[(v["source_row"] == 8) & (v["source_column"] == "F")]
    assert cell["value_gbp_thousands"].tolist() == [93591.0]


# --- several years in one workbook ---------------------------------------------------------


def test_workbook_of_two_years_is_refused_not_read_for_its_first_sheet(tmp_path):
    path = tmp_path / "RS_two_years.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, sheet in [
        ("RS_2015-16_data_by_LA.xlsx", "RS LA Data 2015-16"),
        ("RS_2016-17_data_by_LA.xlsx", "RS LA Data 2016-17"),
    ]:
        rows = (
            python_calamine.CalamineWorkbook.from_path(str(SAMPLES / name))
            .get_sheet_by_name(sheet)
            .to_python(skip_empty_area=False)
        )
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    message = str(excinfo.value)
    assert "RS data for 2 financial years on separate sheets" in message
    assert "2015-16: RS LA Data 2015-16; 2016-17: RS LA Data 2016-17" in message


def test_ods_sheet_with_a_cell_far_below_is_refused_before_calamine_expands_it(tmp_path):
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    value = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        '<table:table table:name="RS LA Data 2015-16">'
        f"<table:table-row>{value}</table:table-row>"
        '<table:table-row table:number-rows-repeated="199998"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="700"/>'
        f"{value}</table:table-row>"
        # what LibreOffice writes after the last used row: empty repeats, which do not count
        '<table:table-row table:number-rows-repeated="848576">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 5_000
    with pytest.raises(ParseError) as excinfo:
        parse_workbook(path)
    assert "sheet holds cells up to 200,000 rows x 701 columns (to cell ZY200000)" in str(
        excinfo.value
    )
