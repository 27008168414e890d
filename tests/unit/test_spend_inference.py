"""Field inference (sources.spend.fields, sources.spend.parse) on small slices of the real files.

Each case takes the first lines of a bundled real file and changes one thing the way another
publisher would: headers renamed to other vocabularies, columns missing, extra trailing fields,
a preamble, a re-encoding (cp1252, UTF-16), the same rows saved as xlsx under a .csv name, the
amount or date column taken away. The changes are SYNTHETIC (made here); the rows are real. The
expected amounts and dates are those of the unchanged slice, read by the csv module.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from sources.errors import ParseError, UnsupportedLayoutError
from sources.spend.catalogue import SPEND_SAMPLES
from sources.spend.fields import amount_basis_of, header_words, normalise_header
from sources.spend.parse import parse_spend, read_table

DEVON = "devon_DCCSpendingOver500_201508.csv"  # Transparency Code names, UTF-8
CALDERDALE = "odileeds_calderdale_2015-08.csv"
SALFORD = "odileeds_salford_2017-02.csv"
DARLINGTON = "odileeds_darlington_2021-07.csv"
HYNDBURN = "hyndburn_2017-03_spend_over_250.csv"  # cp437
TRAFFORD = "trafford_purchase_cards_2026-27.csv"  # LGA schema
BRADFORD = "odileeds_bradford_2018-08.csv"  # cp1252


def records(file_name: str, encoding: str = "utf-8", n: int = 41) -> list[list[str]]:
    """The header and the first n-1 data records of a bundled file."""
    text = (SPEND_SAMPLES / file_name).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))[:n]


def write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def total(rows: list[list[str]], column: int) -> Decimal:
    return sum((Decimal(r[column].replace(",", "")) for r in rows[1:]), Decimal(0))


def test_header_normalising_and_words():
    assert normalise_header("Net Amount (£)") == normalise_header("net_amount") == "netamount"
    assert normalise_header("\ufeffPaymentDate") == "paymentdate"
    assert header_words("IrrecoverableVATAmount") == ["irrecoverable", "vat", "amount"]
    assert amount_basis_of("Invoice Line Value (net of VAT)") == "net"
    assert amount_basis_of("Invoice Nett Amount") == "net"
    assert amount_basis_of("Gross") == "gross"
    assert amount_basis_of("Amount Paid") == amount_basis_of("Invoiced Value") == "unknown"
    assert amount_basis_of("Internet charges") == "unknown"


def test_renamed_headers_of_other_vocabularies(tmp_path):
    rows = records(DEVON)
    assert rows[0][2:7] == [
        "Date",
        "Transaction Number",
        "Invoice Number",
        "Amount",
        "Supplier Name",
    ]
    # SYNTHETIC renaming: the LGA schema's names, snake_case and a variant
    renamed = list(rows[0])
    renamed[1], renamed[2], renamed[3] = "OrganisationLabel", "PaymentDate", "trans_no"
    renamed[5], renamed[6], renamed[9] = "Amount Paid", "BeneficiaryName", "OrganisationalUnit"
    path = write(tmp_path / "renamed.csv", [renamed, *rows[1:]])
    result = parse_spend(path, catalogue=None)
    headers = {f: c.header for f, c in result.choices.items()}
    assert headers["amount"] == "Amount Paid" and headers["payment_date"] == "PaymentDate"
    assert headers["supplier_name"] == "BeneficiaryName"
    assert headers["expense_area"] == "OrganisationalUnit"
    assert headers["transaction_id"] == "trans_no"
    assert (result.frame["body"] == "Devon County Council").all()  # from OrganisationLabel
    assert "from the file's 'OrganisationLabel' column" in result.sources["body"]
    assert len(result.frame) == 40
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 5)))
    assert result.frame["payment_date"].iloc[0] == pd.Timestamp("2015-08-05")


def test_two_columns_missing_from_what_a_declared_layout_required(tmp_path):
    # The old closed list required Body Name and Transaction number of this layout: without
    # them the file was refused. Now it is read, the body coming from the caller.
    rows = records(CALDERDALE)
    drop = {rows[0].index("Body Name"), rows[0].index("Transaction number")}
    cut = [[c for j, c in enumerate(r) if j not in drop] for r in rows]
    path = write(tmp_path / "two_missing.csv", cut)
    with pytest.raises(ParseError, match="publisher is not known"):
        parse_spend(path, catalogue=None)
    result = parse_spend(path, catalogue=None, body="Calderdale Metropolitan Borough Council")
    assert "body_name" not in result.choices
    # the next reference in the vocabulary's order of preference stands in
    assert result.choices["transaction_id"].header == "Invoice Number"
    assert result.frame["transaction_id"].iloc[0] == rows[1][rows[0].index("Invoice Number")]
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 5)))
    assert result.sources["amount basis"].startswith("unknown")


def test_extra_trailing_fields_do_not_move_the_header(tmp_path):
    rows = records(SALFORD)
    # SYNTHETIC: every data row carries two more fields than the header
    wide = [rows[0]] + [[*r, "", "x"] for r in rows[1:]]
    path = write(tmp_path / "wide.csv", wide)
    result = parse_spend(path, catalogue=None)
    assert result.header_line == 1 and result.wide_records == 40
    assert any("more fields than the header" in n for n in result.notes)
    assert result.choices["amount"].header == "Net"
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 5)))


def test_preamble_and_threshold_stated_in_it(tmp_path):
    rows = records(DARLINGTON)
    preamble = [["Darlington Borough Council - payments"], [], ["Threshold: 500"], []]
    path = write(tmp_path / "preamble.csv", [*preamble, *rows])
    result = parse_spend(path, catalogue=None, body="Darlington Borough Council")
    assert result.header_line == 5 and len(result.preamble) == 4
    assert (result.frame["threshold_gbp"] == 500).all()
    assert "read from the preamble" in result.sources["threshold"]
    assert result.frame["source_row"].iloc[0] == 6
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 7)))


def test_cp1252_is_detected_and_decoded(tmp_path):
    real = (SPEND_SAMPLES / BRADFORD).read_bytes().split(b"\n")
    line = real[1375]  # line 1376, with 0x92 (a right single quote in cp1252)
    assert b"\x92" in line
    path = tmp_path / "cp1252.csv"
    path.write_bytes(b"\n".join([real[0], *real[1:20], line]) + b"\n")
    result = parse_spend(path, catalogue=None, body="Bradford")
    assert result.encoding == "cp1252"
    assert result.frame["expense_type"].iloc[-1] == "Children\u2019s Services"


def test_utf16_is_decoded_and_its_columns_are_named_cleanly(tmp_path):
    rows = records(TRAFFORD)
    path = write(tmp_path / "utf16.csv", rows, encoding="utf-16")
    result = parse_spend(path, catalogue=None)
    assert result.encoding == "utf-16"
    # the file's 'Trafford Council', resolved through the bundled register
    assert (result.frame["body"] == "Trafford Metropolitan Borough Council").all()
    assert (result.frame["body_gss_code"] == "E08000009").all()
    assert "resolves 'Trafford Council'" in result.sources["gss code"]
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 6)))
    # and a UTF-16 file that is refused lists its columns as written, not as garbled bytes
    cut = [[c for j, c in enumerate(r) if j != 6] for r in rows]
    bad = write(tmp_path / "utf16_no_amount.csv", cut, encoding="utf-16")
    with pytest.raises(UnsupportedLayoutError) as info:
        parse_spend(bad, catalogue=None)
    assert "'OrganisationLabel'" in str(info.value) and "\\x00" not in str(info.value)


def test_xlsx_posing_as_csv_is_read_as_a_workbook(tmp_path):
    import xlsxwriter

    rows = records(DARLINGTON)
    path = tmp_path / "really_an_xlsx.csv"  # SYNTHETIC: the real rows saved as xlsx
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("July 2021")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if r and c == 7:
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, value)
    book.close()
    result = parse_spend(path, catalogue=None, body="Darlington Borough Council")
    assert (result.format, result.sheet, result.encoding) == ("xlsx", "July 2021", None)
    assert result.choices["amount"].header == "Invoice Line Value (net of VAT)"
    assert len(result.frame) == 40 and result.frame["source_row"].iloc[0] == 2
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 7)))
    assert result.frame["payment_date"].iloc[0] == pd.Timestamp(rows[1][6])


def test_no_amount_column_is_refused_listing_the_columns_considered(tmp_path):
    rows = records(HYNDBURN, encoding="cp437")
    cut = [r[:6] for r in rows]  # without 'Net Amount(£)'
    path = write(tmp_path / "no_amount.csv", cut)
    with pytest.raises(UnsupportedLayoutError) as info:
        parse_spend(path, catalogue=None, body="Hyndburn Borough Council")
    message = str(info.value)
    assert "no_amount.csv" in message and "no amount column found" in message
    assert (
        "Columns considered: A 'Service Cost Centre', B 'Account Detail', C 'Description', "
        "D 'HBC ref no', E 'Name', F 'Payment date'"
    ) in message
    assert "no column is named like one" in message


def test_a_named_amount_that_holds_no_money_is_refused_with_its_evidence(tmp_path):
    rows = records(SALFORD)
    for r in rows[1:]:
        r[3] = r[4] = r[5] = "see attached"  # SYNTHETIC: text in Gross, VAT and Net
    path = write(tmp_path / "text_amounts.csv", rows)
    with pytest.raises(UnsupportedLayoutError) as info:
        parse_spend(path, catalogue=None)
    message = str(info.value)
    assert "named candidates failed their content test" in message
    assert "'Net': 0 of 40 values are amounts of money" in message


def test_no_date_column_is_refused(tmp_path):
    rows = records(SALFORD)
    cut = [[c for j, c in enumerate(r) if j != 1] for r in rows]
    path = write(tmp_path / "no_date.csv", cut)
    with pytest.raises(UnsupportedLayoutError, match="no payment date column found"):
        parse_spend(path, catalogue=None)


def test_a_date_found_by_content_alone(tmp_path):
    rows = records(SALFORD)
    rows[0][1] = "Updated"  # SYNTHETIC: a date column whose name says nothing
    path = write(tmp_path / "updated.csv", rows)
    result = parse_spend(path, catalogue=None)
    choice = result.choices["payment_date"]
    assert (choice.header, choice.how) == ("Updated", "content")
    assert "40 of 40 values are dates" in choice.evidence


def test_redacted_suppliers_are_kept_and_total_rows_checked(tmp_path):
    rows = records("oxford_expenditure-over-500-jan-mar-2014.csv", n=12)
    assert sum(r[9] == "Redacted personal data" for r in rows) == 2
    body = rows[1:]
    right = f"{total(rows, 6):.2f}"
    path = write(
        tmp_path / "with_total.csv", [rows[0], *body, ["Total", "", "", "", "", "", right]]
    )
    result = parse_spend(path, catalogue=None)
    assert len(result.frame) == 11
    assert (result.frame["supplier_name"] == "Redacted personal data").sum() == 2
    assert result.published_total == float(right) and result.total_line == 13
    wrong = write(
        tmp_path / "bad_total.csv", [rows[0], *body, ["Total", "", "", "", "", "", "1.00"]]
    )
    with pytest.raises(ParseError, match=r"total row says £1.00 but the 11 lines sum"):
        parse_spend(wrong, catalogue=None)


def test_html_and_empty_files_are_refused_by_name(tmp_path):
    page = tmp_path / "spend.csv"
    page.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    with pytest.raises(UnsupportedLayoutError, match="'spend.csv': is an HTML or XML page"):
        parse_spend(page, catalogue=None)
    header_only = write(tmp_path / "header_only.csv", records(SALFORD, n=1))
    with pytest.raises(UnsupportedLayoutError, match="line 1 but no payment lines under it"):
        parse_spend(header_only, catalogue=None)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\n\n")
    with pytest.raises(UnsupportedLayoutError, match="'empty.csv': the file is empty"):
        read_table(empty.read_bytes(), "empty.csv")


def test_a_workbook_with_spend_tables_on_two_sheets_is_refused_not_read_in_part(tmp_path):
    import xlsxwriter

    rows = records(SALFORD, n=6)
    path = tmp_path / "two_months.xlsx"  # SYNTHETIC: the same real rows on two sheets
    book = xlsxwriter.Workbook(str(path))
    for name in ("Notes", "February", "March"):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows if name != "Notes" else [["Spend over £500"]]):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    with pytest.raises(UnsupportedLayoutError) as info:
        parse_spend(path, catalogue=None)
    assert "sheets ['February', 'March'] each hold a spend table" in str(info.value)


# The first four lines of a real file never bundled here, as published by Wakefield Council in
# the LGA spend schema (2015 variant) and copied by ODI Leeds: odileeds/council-spending-data @
# a2fafc6f53e2b5bd9f67ff4f3825a9db23e4c857, wakefield/2017-18.csv (Q4 2017-18). Verbatim, except
# that the pound sign of the title is kept as the replacement character the copy holds.
WAKEFIELD_HEAD = (
    "Wakefield Council Supplier Spend Greater Than \ufffd500 for Quarter 4 - 1st January 2018 to "
    "31st March 2018.,,,,,,,,,,,,,,,,,,,,,,,,\n"
    "Organisation Name,Organisation Code,Effective Date,Directorate,Service (Sercop),Sercop URI,"
    "Supplier Name,Supplier ID,Company Registration,Charity Registration,VCSE Grant,Payment Date,"
    "Transaction Number,Seq No,Net Amount,Irrecoverable VAT,Purpose of Spend,Type,Procurement "
    "Classification,Class Code,Procurement Classification,Class Code,Thomson Classification,"
    "Thomson Desc.,Contract\n"
    "Wakefield MDC,E08000036,31/03/2018,REGENCULT,A,Net (Surplus) / Deficit of Trading "
    "Operations,LEEDS COMMERCIAL LTD,Redacted,587618,N/A,Not yet available,01/02/2018,23488716,1,"
    "892.41,Nil,Accident Repairs - Charge User,Revenue,Transport,CAT10,Vehicle and Plant Hire,"
    "SUBCAT1010,Van & Truck & Car Hire,82050,Not yet available\n"
    "Wakefield MDC,E08000036,31/03/2018,REGENCULT,A,Net (Surplus) / Deficit of Trading "
    "Operations,LEEDS COMMERCIAL LTD,Redacted,587618,N/A,Not yet available,01/02/2018,23488717,1,"
    "1135.6,Nil,Accident Repairs - Charge User,Revenue,Transport,CAT10,Vehicle and Plant Hire,"
    "SUBCAT1010,Van & Truck & Car Hire,82050,Not yet available\n"
)


def test_a_council_never_seen_in_the_lga_schema(tmp_path):
    path = tmp_path / "wakefield_2017-18_q4.csv"
    path.write_text(WAKEFIELD_HEAD, encoding="utf-8")
    result = parse_spend(path, catalogue=None)
    headers = {f: c.header for f, c in result.choices.items()}
    assert headers["amount"] == "Net Amount" and headers["payment_date"] == "Payment Date"
    assert headers["supplier_name"] == "Supplier Name" and headers["expense_area"] == "Directorate"
    assert headers["description"] == "Purpose of Spend"
    assert result.header_line == 2 and len(result.preamble) == 1
    frame = result.frame
    assert list(frame["amount_gbp"]) == [892.41, 1135.6]
    assert list(frame["payment_date"]) == [pd.Timestamp("2018-02-01")] * 2
    assert (frame["body"] == "Wakefield MDC").all()
    assert (frame["body_gss_code"] == "E08000036").all()  # from 'Organisation Code'
    assert (frame["period"] == "2018-03").all()  # from 'Effective Date'
    assert (frame["threshold_gbp"] == 500).all()  # 'Greater Than £500' in the title
    assert (frame["amount_basis"] == "net").all()


def write_ods(path: Path, sheet: str, rows: list[list]) -> None:
    """A minimal OpenDocument spreadsheet of the given cells (strings and floats)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(v) -> str:
        if isinstance(v, float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{v!r}">'
                f"<text:p>{v!r}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(v)}</text:p></table:table-cell>"
        )

    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def test_ods_spend_file_is_read(tmp_path):
    rows = records(DARLINGTON)
    cells = [rows[0]] + [[float(v) if j == 7 else v for j, v in enumerate(r)] for r in rows[1:]]
    path = tmp_path / "darlington.ods"  # SYNTHETIC: the real rows saved as ODS
    write_ods(path, "Sheet1", cells)
    result = parse_spend(path, catalogue=None, body="Darlington Borough Council")
    assert (result.format, result.sheet) == ("ods", "Sheet1")
    assert len(result.frame) == 40
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 7)))
    assert result.frame["payment_date"].iloc[0] == pd.Timestamp(rows[1][6])


def test_a_vat_column_is_not_taken_for_the_amount(tmp_path):
    rows = records(SALFORD)
    assert rows[0][3:6] == ["Gross", "VAT", "Net"]
    # SYNTHETIC renaming, the Net column dropped, VAT first: the VAT column must not be taken
    cut = [r[:3] + [r[4], r[3]] + r[6:] for r in rows]
    cut[0][3], cut[0][4] = "VAT Amount", "Amount inc VAT"
    path = write(tmp_path / "gross_only.csv", cut)
    result = parse_spend(path, catalogue=None)
    assert result.choices["amount"].header == "Amount inc VAT"
    assert (result.frame["amount_basis"] == "gross").all()
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total(rows, 3)))


def test_a_sparse_sheet_bomb_posing_as_csv_is_refused_unread(tmp_path):
    import xlsxwriter

    rows = records(DARLINGTON, n=4)
    path = tmp_path / "bomb.csv"  # SYNTHETIC: real rows, and one cell at XFD1048576
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    sheet.write_string(1_048_575, 16_383, "x")
    book.close()
    with pytest.raises(ParseError) as info:
        parse_spend(path, catalogue=None, body="Darlington Borough Council")
    message = str(info.value)
    assert "'bomb.csv'" in message and "sheet 'Data'" in message
    assert "refused unread" in message
