"""The parser reads OpenDocument spreadsheets (the publisher's format from 2021-22) exactly as
it reads xlsx. No ODS original is bundled, so the test writes one at test time from the cells
of a real bundled workbook (a faithful conversion, made in tmp_path, never stored)."""

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest
import python_calamine

from sources.catalogue import BUNDLED_CATALOGUE
from sources.revenue_outturn.la_data import parse_workbook

SAMPLES = BUNDLED_CATALOGUE.parent
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""  # noqa: E501
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value!r}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def write_ods(source: Path, target: Path) -> None:
    """Every sheet and cell of `source`, as an ODS file."""
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    parts = [HEAD]
    for name in book.sheet_names:
        parts.append(f'<table:table table:name="{escape(name)}">')
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
            parts.append(
                "<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>"
            )
        parts.append("</table:table>")
    parts.append(TAIL)
    with zipfile.ZipFile(target, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", "".join(parts), compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("name", ["RS_2023-24_data_by_LA.xlsx", "RS_2017-18_data_by_LA.xlsx"])
def test_ods_parses_exactly_like_the_xlsx(tmp_path, name):
    ods = tmp_path / name.replace(".xlsx", ".ods")
    write_ods(SAMPLES / name, ods)
    from_ods = parse_workbook(ods, release="final")
    from_xlsx = parse_workbook(SAMPLES / name, release="final")
    assert (from_ods.form, from_ods.financial_year, from_ods.sheet) == (
        from_xlsx.form,
        from_xlsx.financial_year,
        from_xlsx.sheet,
    )
    keep = [c for c in from_xlsx.values.columns if c not in ("source_file", "source_sha256")]
    pd.testing.assert_frame_equal(from_ods.values[keep], from_xlsx.values[keep])
    total_columns = [c for c in from_xlsx.totals.columns if c in keep]
    pd.testing.assert_frame_equal(from_ods.totals[total_columns], from_xlsx.totals[total_columns])
    assert from_ods.authority_count == from_xlsx.authority_count
