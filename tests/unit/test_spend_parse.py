"""The spend parser (sources.spend.parse.parse_spend) on every bundled real spend file.

For each of the 21 files in samples/spend_over_500/catalogue.csv: the catalogued sha256 (the
files are bundled unmodified), the encoding detected, the fields chosen (inferred, or a declared
override for the two publishers whose headers mislead), the header line, the row count, the
schema, published totals, and the buying-organisation matches. The same checks run over every
bundled spend file (every spend file the team collected is bundled byte for byte).

How the expected numbers were obtained independently of the parser:

- **row counts**: each file decoded with the encoding *stated in this module* (not the parser's
  detection) and split by the standard ``csv`` module; records after the header line that hold a
  letter or digit are counted, less Lambeth 2012's closing 'Total' row and Oxford's closing
  one-cell note (',,xxx,,,'). The same numbers follow
  from ``wc -l`` minus the header/preamble lines and the empty lines for every file except
  Hyndburn 2024, whose six multi-line descriptions spread 625 records over 633 lines; both
  counts are recomputed in the tests below. They also agree with PROVENANCE.md where it gives
  counts (Hyndburn 2017: 256, Hyndburn 2023: 572, Hyndburn 2024: 625).
- **totals**: summed here with ``decimal.Decimal`` from the raw cells (commas removed, a
  trailing minus read as a sign), for files of four encodings (cp437, cp1252, UTF-8 with BOM,
  UTF-8); Lambeth 2012's sum also equals the report's own 'Total' line (40,292,334.84).
- **known rows**: line numbers found with ``grep -n`` in the raw files.

Each file is parsed once per session (lru_cache).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from sources.errors import ParseError, UnsupportedLayoutError, ValidationFailed
from sources.spend.catalogue import SPEND_SAMPLES, load_spend_catalogue
from sources.spend.fields import parse_amount
from sources.spend.layouts import OVERRIDES, match_override
from sources.spend.parse import (
    TIDY_COLUMNS,
    ParsedSpend,
    SupplierTotalsError,
    detect_encoding,
    parse_spend,
    sniff_spend,
)
from sources.spend.schema import validate_spend_transactions

CATALOGUE = {entry.file_name: entry for entry in load_spend_catalogue()}
REGISTER = SPEND_SAMPLES.parent / "reference" / "uk_local_authorities.csv"

# file: (encoding, fields, header line, rows counted independently as described above)
INFERRED = "inferred"
EXPECTED = {
    "devon_DCCSpendingOver500_201112.csv": ("cp1252", INFERRED, 1, 5671),
    "devon_DCCSpendingOver500_201508.csv": ("utf-8", INFERRED, 1, 5708),
    "devon_DCCSpendingOver500_201808.csv": ("utf-8-sig", INFERRED, 1, 6544),
    "devon_DCCSpendingOver500_202509.csv": ("utf-8-sig", INFERRED, 1, 1767),
    "hyndburn_2017-03_spend_over_250.csv": ("cp437", INFERRED, 1, 256),
    "hyndburn_2023-05_spend_over_250.csv": ("utf-8-sig", INFERRED, 2, 572),
    "hyndburn_2024-09_spend_over_250.csv": ("utf-8", INFERRED, 1, 625),
    "lambeth_2012-06_invoices_over_500.csv": ("utf-8", INFERRED, 10, 3155),
    "odileeds_bradford_2018-08.csv": ("cp1252", INFERRED, 1, 9960),
    "odileeds_calderdale_2015-08-card.csv": ("utf-8", INFERRED, 1, 445),
    "odileeds_calderdale_2015-08.csv": ("utf-8", INFERRED, 1, 3989),
    "odileeds_darlington_2021-07.csv": ("utf-8", INFERRED, 1, 1753),
    "odileeds_gateshead_2016-04.csv": ("utf-8", "cipfa_subjective_transno", 1, 4105),
    "odileeds_harrogate_2016-02.csv": (
        "cp437",
        "service_label_capital_revenue_narrative",
        1,
        1306,
    ),
    "odileeds_leeds_2011-05.csv": ("utf-8", INFERRED, 1, 7299),
    "odileeds_northtyneside_2014-09_i.csv": ("utf-8", INFERRED, 1, 13075),
    "odileeds_salford_2017-02.csv": ("utf-8", INFERRED, 1, 896),
    "odileeds_sheffield_2012-10.csv": ("utf-8", INFERRED, 1, 12620),
    "oxford_expenditure-over-500-jan-mar-2014.csv": ("utf-8", INFERRED, 1, 3859),
    "trafford_purchase_cards_2026-27.csv": ("utf-8", INFERRED, 1, 2024),
}
# file: the headers taken for (amount, payment date, supplier, expense area, expense type),
# checked by reading each header row by eye; None where the file has no such column.
EXPECTED_FIELDS = {
    "devon_DCCSpendingOver500_201112.csv": (
        "Amount",
        "Date",
        "Supplier Name",
        "Expense Area",
        "Expense Type",
    ),
    "devon_DCCSpendingOver500_201508.csv": (
        "Amount",
        "Date",
        "Supplier Name",
        "Expense Area",
        "Expense Type",
    ),
    "devon_DCCSpendingOver500_201808.csv": (
        "Amount",
        "Date",
        "Supplier Name",
        "Expense Area",
        "Expense Type",
    ),
    "devon_DCCSpendingOver500_202509.csv": (
        "Amount",
        "Date",
        "Supplier name",
        "Expense area",
        "Expense type",
    ),
    "hyndburn_2017-03_spend_over_250.csv": (
        "Net Amount(£)",
        "Payment date",
        "Name",
        "Service Cost Centre",
        "Account Detail",
    ),
    "hyndburn_2023-05_spend_over_250.csv": (
        "Net Amount (£)",
        "Payment Date",
        "Name",
        "Service Cost Centre",
        "Account Detail",
    ),
    "hyndburn_2024-09_spend_over_250.csv": (
        "Amount Paid",
        "Payment Date",
        "Name:",
        "Department Area",
        None,
    ),
    "lambeth_2012-06_invoices_over_500.csv": (
        "Invoice Nett Amount",
        "Invoice Creation Date",
        "Supplier Name",
        "Department",
        "Subj Description",
    ),
    "odileeds_bradford_2018-08.csv": (
        "Net Amount",
        "Payment date",
        "Supplier Name",
        "Service Label",
        "Expenditure category",
    ),
    "odileeds_calderdale_2015-08-card.csv": (
        "Net Amount",
        "Transaction Date",
        "Supplier Name",
        "Expense Area",
        "Expense Type",
    ),
    "odileeds_calderdale_2015-08.csv": (
        "Amount",
        "Date",
        "Supplier Name",
        "Expense Area",
        "Expense Type",
    ),
    "odileeds_darlington_2021-07.csv": (
        "Invoice Line Value (net of VAT)",
        "Transaction Date",
        "Supplier",
        "Directotate",
        "Account",
    ),
    "odileeds_gateshead_2016-04.csv": (
        "Amount",
        "Updated",
        "Supplier ID(T)",
        "Strgrpcc(T)",
        "Cipfsubs(T)",
    ),
    "odileeds_harrogate_2016-02.csv": (
        "Net Amount",
        "Payment date",
        "Supplier Name",
        "Service Label",
        "Expenditure Code",
    ),
    "odileeds_leeds_2011-05.csv": (
        "Net amount",
        "Date paid",
        "Supplier name",
        "Service label",
        "Detailed expenditure type",
    ),
    "odileeds_northtyneside_2014-09_i.csv": (
        "Amount",
        "Payment Date",
        "Supplier Name",
        "Organisational Unit",
        "SeRCOP Detailed Expenditure Type",
    ),
    "odileeds_salford_2017-02.csv": (
        "Net",
        "Date of Payment",
        "Supplier Name",
        "Directorate",
        "G/L description.",
    ),
    "odileeds_sheffield_2012-10.csv": (
        "Invoiced Value",
        "GL Date",
        "Supplier Name",
        "Business Unit Description",
        "Expense Code Description",
    ),
    "oxford_expenditure-over-500-jan-mar-2014.csv": (
        "amount",
        "paid_date",
        "supplier_name",
        "organisational_unit",
        "expenditure_category",
    ),
    "trafford_purchase_cards_2026-27.csv": (
        "Amount",
        "PaymentDate",
        "BeneficiaryName",
        "OrganisationalUnit",
        "CategoryInternalName",
    ),
}
SUPPLIER_TOTALS = "lambeth_2011-01_supplier_totals_over_500.csv"

# file: {buying organisation: rows}; the spellings are listed in buying_organisations.csv
EXPECTED_MATCHES = {
    "devon_DCCSpendingOver500_201112.csv": {"YPO": 11, "Kent Commercial Services": 5},
    "devon_DCCSpendingOver500_201508.csv": {"YPO": 16, "ESPO": 1, "Kent Commercial Services": 39},
    "devon_DCCSpendingOver500_201808.csv": {"YPO": 17, "ESPO": 2},
    "devon_DCCSpendingOver500_202509.csv": {},
    "hyndburn_2017-03_spend_over_250.csv": {},
    "hyndburn_2023-05_spend_over_250.csv": {"YPO": 1},
    "hyndburn_2024-09_spend_over_250.csv": {},
    "lambeth_2012-06_invoices_over_500.csv": {},
    "odileeds_bradford_2018-08.csv": {"YPO": 14, "NHS Supply Chain": 1},
    "odileeds_calderdale_2015-08-card.csv": {},
    "odileeds_calderdale_2015-08.csv": {"YPO": 68},
    "odileeds_darlington_2021-07.csv": {"YPO": 12, "NEPO": 1},
    "odileeds_gateshead_2016-04.csv": {"YPO": 3},
    "odileeds_harrogate_2016-02.csv": {"YPO": 3},
    "odileeds_leeds_2011-05.csv": {"YPO": 22},
    "odileeds_northtyneside_2014-09_i.csv": {"YPO": 30},
    "odileeds_salford_2017-02.csv": {"YPO": 2},
    "odileeds_sheffield_2012-10.csv": {"YPO": 8},  # 'YORKSHIRE PURCHASING ORGANISATION' (grep)
    "oxford_expenditure-over-500-jan-mar-2014.csv": {"ESPO": 1},  # line 2753 (grep)
    "trafford_purchase_cards_2026-27.csv": {},
}


@functools.lru_cache(maxsize=32)
def parsed(file_name: str) -> ParsedSpend:
    return parse_spend(SPEND_SAMPLES / file_name)


@functools.lru_cache(maxsize=32)
def raw_records(file_name: str) -> list[list[str]]:
    """The file's CSV records, decoded with the encoding stated in EXPECTED (independent)."""
    encoding = EXPECTED[file_name][0]
    text = (SPEND_SAMPLES / file_name).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))


def has_word(cells: list[str]) -> bool:
    return any(ch.isalnum() for cell in cells for ch in cell)


def row_at(file_name: str, line: int) -> pd.Series:
    frame = parsed(file_name).frame
    rows = frame[frame["source_row"] == line]
    assert len(rows) == 1, f"{file_name}: no single row at line {line}"
    return rows.iloc[0]


# ----------------------------------------------------------------------------- the bundle


def test_every_bundled_file_is_catalogued_and_unmodified():
    on_disk = {p.name for p in SPEND_SAMPLES.glob("*.csv")} - {"catalogue.csv"}
    assert on_disk == set(CATALOGUE) == set(EXPECTED) | {SUPPLIER_TOTALS}
    for name, entry in CATALOGUE.items():
        assert hashlib.sha256((SPEND_SAMPLES / name).read_bytes()).hexdigest() == entry.sha256


def test_catalogue_gss_codes_agree_with_the_bundled_register():
    with REGISTER.open(newline="", encoding="utf-8") as fh:
        register = {row["official-name"]: row["gss-code"] for row in csv.DictReader(fh)}
    for entry in CATALOGUE.values():
        assert register[entry.publisher_name] == entry.publisher_gss_code, entry.file_name


def test_catalogue_thresholds_bases_and_flags():
    assert {e.threshold_gbp for e in CATALOGUE.values() if e.file_name.startswith("hyndburn")} == {
        250
    }
    card = [e.file_name for e in CATALOGUE.values() if e.is_purchase_card]
    assert card == ["odileeds_calderdale_2015-08-card.csv", "trafford_purchase_cards_2026-27.csv"]
    assert {CATALOGUE[name].threshold_gbp for name in card} == {0}
    assert CATALOGUE["odileeds_sheffield_2012-10.csv"].threshold_gbp == 250
    several_months = sorted(e.file_name for e in CATALOGUE.values() if not e.period)
    assert several_months == [
        "odileeds_sheffield_2012-10.csv",
        "oxford_expenditure-over-500-jan-mar-2014.csv",
        "trafford_purchase_cards_2026-27.csv",
    ]
    assert [e.file_name for e in CATALOGUE.values() if e.is_supplier_totals] == [SUPPLIER_TOTALS]
    unknown = sorted(e.file_name for e in CATALOGUE.values() if e.amount_basis == "unknown")
    assert unknown == [
        "hyndburn_2024-09_spend_over_250.csv",
        "odileeds_calderdale_2015-08.csv",
        "odileeds_gateshead_2016-04.csv",
        "odileeds_northtyneside_2014-09_i.csv",
        "odileeds_sheffield_2012-10.csv",
        "oxford_expenditure-over-500-jan-mar-2014.csv",
        "trafford_purchase_cards_2026-27.csv",
    ]


# ----------------------------------------------------------------------------- every file


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_encoding_layout_header_and_row_count(file_name):
    encoding, layout, header_line, rows = EXPECTED[file_name]
    result = parsed(file_name)
    assert result.encoding == encoding
    assert result.layout == layout
    assert result.header_line == header_line
    assert len(result.frame) == rows
    assert list(result.frame.columns) == TIDY_COLUMNS


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_fields_chosen(file_name):
    choices = parsed(file_name).choices
    names = ("amount", "payment_date", "supplier_name", "expense_area", "expense_type")
    chosen = tuple(choices[f].header if f in choices else None for f in names)
    assert chosen == EXPECTED_FIELDS[file_name]
    how = "declared" if EXPECTED[file_name][1] != INFERRED else ("alias", "word", "content")
    assert choices["amount"].how in how and choices["payment_date"].how in how
    # every choice carries its content evidence: all values of the amount and date columns pass
    n = EXPECTED[file_name][3]
    assert f"{n:,} of {n:,} values are dates" in choices["payment_date"].evidence


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_row_count_recounted_with_the_csv_module(file_name):
    _, _, header_line, rows = EXPECTED[file_name]
    records = raw_records(file_name)
    data = [
        r
        for r in records[header_line:]
        if has_word(r) and r[0].strip() != "Total" and sum(1 for c in r if c.strip()) > 1
    ]
    assert len(data) == rows


MULTI_LINE_CELLS = {"hyndburn_2024-09_spend_over_250.csv"}


@pytest.mark.parametrize("file_name", sorted(set(EXPECTED) - MULTI_LINE_CELLS))
def test_row_count_recounted_from_physical_lines(file_name):
    _, _, header_line, rows = EXPECTED[file_name]
    lines = (SPEND_SAMPLES / file_name).read_bytes().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    data = [
        line
        for line in lines[header_line:]
        if any(chr(b).isalnum() for b in line if b < 0x80)
        and not line.startswith(b"Total,")
        and sum(1 for cell in line.split(b",") if cell.strip()) > 1
    ]
    assert len(data) == rows


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_frame_passes_its_schema(file_name):
    result = parsed(file_name)
    entry = CATALOGUE[file_name]
    validate_spend_transactions(result.frame, file_name)
    frame = result.frame
    assert (frame["body"] == entry.publisher_name).all()
    assert (frame["body_gss_code"] == entry.publisher_gss_code).all()
    if entry.period:
        assert (frame["period"] == entry.period).all()
    elif file_name.startswith("trafford"):  # per line, from EffectiveDate
        assert frame["period"].value_counts().to_dict() == {"2026-05": 1280, "2026-04": 744}
    else:  # a quarter: the mart uses each line's payment month
        assert frame["period"].isna().all()
    assert (frame["threshold_gbp"] == entry.threshold_gbp).all()
    assert (frame["amount_basis"] == entry.amount_basis).all()
    assert (frame["source_sha256"] == entry.sha256).all()
    assert frame["source_row"].is_unique and frame["source_row"].min() > result.header_line


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_buying_organisation_matches_per_file(file_name):
    frame = parsed(file_name).frame
    assert frame["buying_organisation"].value_counts().to_dict() == EXPECTED_MATCHES[file_name]
    assert (frame["is_buying_organisation"] == frame["buying_organisation"].notna()).all()


def test_every_declared_override_is_met_in_a_real_file_and_is_needed():
    met = {layout for _, layout, _, _ in EXPECTED.values()} - {INFERRED}
    assert met == {layout.name for layout in OVERRIDES}
    # without its override, each file would be read with coarser or no expense fields
    for file_name in ("odileeds_gateshead_2016-04.csv", "odileeds_harrogate_2016-02.csv"):
        header = parsed(file_name).header
        assert match_override(header) is not None
    harrogate_inferred = parse_spend(
        SPEND_SAMPLES / "odileeds_harrogate_2016-02.csv", catalogue=None
    )  # the override still applies: it is chosen by header names, not by file
    assert harrogate_inferred.layout == "service_label_capital_revenue_narrative"


def test_sniff_spend_tells_spend_files_from_other_csvs():
    for file_name in EXPECTED:
        assert sniff_spend(SPEND_SAMPLES / file_name), file_name
    assert sniff_spend(SPEND_SAMPLES / SUPPLIER_TOTALS)
    others = [p for p in SPEND_SAMPLES.parent.rglob("*.csv") if p.parent != SPEND_SAMPLES]
    assert others and not any(sniff_spend(p) for p in others)


# ----------------------------------------------------------------------------- totals


def decimal_total(file_name: str, amount_column: int) -> tuple[int, Decimal]:
    """Rows and sum of one amount column, read straight from the raw records with Decimal."""
    header_line = EXPECTED[file_name][2]
    total, n = Decimal(0), 0
    for record in raw_records(file_name)[header_line:]:
        if not has_word(record) or record[0] == "Total" or not record[amount_column].strip():
            continue
        cell = record[amount_column].strip().replace(",", "")
        value = Decimal(cell.rstrip("-"))
        total += -value if cell.endswith("-") else value
        n += 1
    return n, total


@pytest.mark.parametrize(
    ("file_name", "amount_column", "expected"),
    [
        ("hyndburn_2017-03_spend_over_250.csv", 6, Decimal("568545.31")),  # cp437
        ("odileeds_bradford_2018-08.csv", 6, Decimal("42952802.53")),  # cp1252
        ("hyndburn_2023-05_spend_over_250.csv", 6, Decimal("1214631.73")),  # UTF-8 with BOM
        ("hyndburn_2024-09_spend_over_250.csv", 7, Decimal("10570719.46")),  # trailing minus
        ("lambeth_2012-06_invoices_over_500.csv", 4, Decimal("40292334.84")),  # preamble
        ("devon_DCCSpendingOver500_201112.csv", 5, Decimal("21142890.565")),  # cp1252, 6.8E-13
        ("odileeds_harrogate_2016-02.csv", 9, Decimal("1951097.84")),  # cp437
        ("odileeds_sheffield_2012-10.csv", 6, Decimal("138433428.36")),  # 'Invoiced Value'
        ("oxford_expenditure-over-500-jan-mar-2014.csv", 6, Decimal("13413467.98")),
        ("trafford_purchase_cards_2026-27.csv", 6, Decimal("494906.66")),  # LGA schema
    ],
)
def test_total_amount_equals_the_sum_of_the_raw_cells(file_name, amount_column, expected):
    n, total = decimal_total(file_name, amount_column)
    assert n == EXPECTED[file_name][3]
    assert total.quantize(Decimal("0.001")) == expected.quantize(Decimal("0.001"))
    assert parsed(file_name).frame["amount_gbp"].sum() == pytest.approx(float(total), abs=0.005)


def test_lambeth_total_row_is_skipped_and_reconciles():
    result = parsed("lambeth_2012-06_invoices_over_500.csv")
    assert result.published_total == 40292334.84
    assert result.frame["amount_gbp"].sum() == pytest.approx(result.published_total, abs=0.005)
    assert len(result.preamble) == 9 and result.preamble[0].startswith("Lambeth Invoices Over")
    assert result.sources["threshold"] == "£500: from the catalogue"
    # the catalogue states the threshold; without it, the preamble does
    alone = parse_spend(
        SPEND_SAMPLES / "lambeth_2012-06_invoices_over_500.csv", catalogue=None, body="Lambeth"
    )
    assert (alone.frame["threshold_gbp"] == 500).all()
    assert "read from the preamble 'Invoice Threshold Nett Amt" in alone.sources["threshold"]


# ----------------------------------------------------------------------------- known rows


def test_espo_row_in_devon_2015():
    row = row_at("devon_DCCSpendingOver500_201508.csv", 2016)
    assert row["supplier_name"] == "EASTERN SHIRES PURCHASING ORGNSN"
    assert row["buying_organisation"] == "ESPO" and row["is_buying_organisation"]
    assert row["amount_gbp"] == 939.26
    assert row["payment_date"] == pd.Timestamp("2015-08-03")
    assert row["transaction_id"] == "EXCHEQ32299225"


def test_espo_row_in_devon_2018_drops_float_residue():
    row = row_at("devon_DCCSpendingOver500_201808.csv", 3897)  # '481.00000000000006'
    assert row["buying_organisation"] == "ESPO"
    assert row["amount_gbp"] == 481.0
    assert row["payment_date"] == pd.Timestamp("2018-08-17")  # '2018-08-17 00:00:00'


def test_nepo_row_in_darlington():
    row = row_at("odileeds_darlington_2021-07.csv", 1693)
    assert row["supplier_name"] == "NEPO NORTH EAST PROCUREMENT ORGANISATION"
    assert row["buying_organisation"] == "NEPO"
    assert row["amount_gbp"] == 44616.00
    assert row["payment_date"] == pd.Timestamp("2021-06-03")
    assert row["expense_type"] == "Memberships"


def test_ypo_rows_under_several_spellings():
    cases = [
        ("odileeds_calderdale_2015-08.csv", 3886, "YPO Direct Debit", 36.00, "2015-08-07"),
        (
            "devon_DCCSpendingOver500_201112.csv",
            471,
            "YORKSHIRE PURCHASING ORGANISATN",
            488.53,
            "2011-12-05",
        ),
        (
            "odileeds_gateshead_2016-04.csv",
            1630,
            "YORKSHIRE PURCHASING ORG'ATION",
            408.75,
            "2016-04-06",
        ),
        (
            "hyndburn_2023-05_spend_over_250.csv",
            252,
            "Yorkshire Purchasing Organisation",
            287.65,
            "2023-05-16",
        ),
        ("odileeds_harrogate_2016-02.csv", 921, "YORKSHIRE PURCHASING", 362.20, "2016-02-15"),
        ("odileeds_salford_2017-02.csv", 140, "Yorkshire Purchasing", 426.96, "2017-02-06"),
    ]
    for file_name, line, supplier, amount, day in cases:
        row = row_at(file_name, line)
        assert (row["supplier_name"], row["buying_organisation"]) == (supplier, "YPO"), file_name
        assert row["amount_gbp"] == amount, file_name
        assert row["payment_date"] == pd.Timestamp(day), file_name


def test_kent_commercial_services_but_not_kent_county_council_itself():
    kcs = row_at("devon_DCCSpendingOver500_201508.csv", 5437)
    assert kcs["supplier_name"] == "KENT COUNTY COUNCIL (KCS)"
    assert kcs["buying_organisation"] == "Kent Commercial Services"
    assert kcs["amount_gbp"] == 277439.3
    council = row_at("devon_DCCSpendingOver500_201508.csv", 5419)
    assert council["supplier_name"] == "KENT COUNTY COUNCIL"
    assert not council["is_buying_organisation"]


def test_cp437_pound_sign_and_cp1252_quote_are_decoded():
    assert "Net Amount(£)" in parsed("hyndburn_2017-03_spend_over_250.csv").header
    harrogate = row_at("odileeds_harrogate_2016-02.csv", 1013)
    assert harrogate["expense_type"] == "Fixed Assets less than £5k"
    bradford = row_at("odileeds_bradford_2018-08.csv", 1376)
    assert bradford["expense_type"] == "Children\u2019s Services"


def test_amount_forms():
    lambeth = parsed("lambeth_2012-06_invoices_over_500.csv")
    first = row_at("lambeth_2012-06_invoices_over_500.csv", 11)  # quoted "1,534.24"
    assert (first["supplier_name"], first["amount_gbp"]) == ("170 Community Project", 1534.24)
    assert first["payment_date"] == pd.Timestamp("2012-06-08")
    assert row_at("lambeth_2012-06_invoices_over_500.csv", 19)["amount_gbp"] == 900.0  # unquoted
    assert lambeth.frame["amount_gbp"].min() >= 500
    credit = row_at("hyndburn_2024-09_spend_over_250.csv", 398)  # "161,413.00-"
    assert credit["amount_gbp"] == -161413.0
    edf = row_at("hyndburn_2023-05_spend_over_250.csv", 398)  # "-3,623.66"
    assert (edf["supplier_name"], edf["amount_gbp"]) == ("Edf Energy", -3623.66)
    assert row_at("devon_DCCSpendingOver500_201112.csv", 482)["amount_gbp"] == 0.0  # 6.82121E-13
    assert row_at("devon_DCCSpendingOver500_201112.csv", 1069)["amount_gbp"] == 638.875


def test_dates_in_every_written_form():
    assert row_at("odileeds_leeds_2011-05.csv", 2)["payment_date"] == pd.Timestamp("2011-05-26")
    hyndburn = row_at("hyndburn_2023-05_spend_over_250.csv", 3)  # '14 Apr 2023', a card row
    assert hyndburn["payment_date"] == pd.Timestamp("2023-04-14")
    devon = parsed("devon_DCCSpendingOver500_202509.csv").frame
    assert devon["payment_date"].min() == pd.Timestamp("2025-09-01")


def test_multi_line_records_keep_their_first_line():
    row = row_at("hyndburn_2024-09_spend_over_250.csv", 353)
    assert row["supplier_name"] == "Bytes Software Services Ltd"
    assert row["amount_gbp"] == 26792.71
    assert row["description"].startswith("20 x Arcserve UDP Cloud Hybrid")
    assert "\n26 x Arcserve" in row["description"]
    assert row_at("hyndburn_2024-09_spend_over_250.csv", 355)["supplier_name"] == (
        "Lancashire County Council"
    )


def test_purchase_card_rows():
    card_file = parsed("odileeds_calderdale_2015-08-card.csv").frame
    assert card_file["is_purchase_card"].all()
    invoices = parsed("odileeds_calderdale_2015-08.csv").frame
    assert not invoices["is_purchase_card"].any()
    h2023 = parsed("hyndburn_2023-05_spend_over_250.csv").frame
    cards = h2023[h2023["is_purchase_card"]]
    assert len(cards) == 7 and cards["transaction_id"].str.startswith("P-CARD").all()
    assert (cards["payment_date"] < pd.Timestamp("2023-05-01")).sum() == 5  # 2 dated 11 May
    h2024 = parsed("hyndburn_2024-09_spend_over_250.csv").frame
    cards = h2024[h2024["is_purchase_card"]]
    assert len(cards) == 8 and (cards["supplier_name"] == "Barclaycard").all()
    assert (cards["payment_date"] == pd.Timestamp("2024-08-14")).all()


def test_blank_rows_and_preambles_are_skipped():
    assert parsed("devon_DCCSpendingOver500_201112.csv").blank_lines_skipped == 1323
    h2023 = parsed("hyndburn_2023-05_spend_over_250.csv")
    assert h2023.preamble == [",,,,,,,,,,,,"] and h2023.blank_lines_skipped == 5


# ----------------------------------------------------------------------------- rejections


def test_supplier_totals_file_is_rejected_with_a_clear_message():
    with pytest.raises(SupplierTotalsError) as info:
        parse_spend(SPEND_SAMPLES / SUPPLIER_TOTALS)
    message = str(info.value)
    assert SUPPLIER_TOTALS in message
    assert "['Supplier Name', 'Sum of Invoice Nett Amount']" in message
    assert "not transactions" in message
    assert isinstance(info.value, UnsupportedLayoutError)


def test_unknown_layout_lists_its_columns(tmp_path):
    # SYNTHETIC: a made-up layout, written here; no council publishes these columns.
    path = tmp_path / "synthetic_unknown_layout.csv"
    path.write_text(
        "Spend report for testing,,\n,,\nWidget,Colour,Quantity\nsprocket,blue,3\n",
        encoding="utf-8",
    )
    with pytest.raises(UnsupportedLayoutError) as info:
        parse_spend(path, body="Synthetic Council")
    message = str(info.value)
    assert "synthetic_unknown_layout.csv" in message
    assert "line 3" in message and "['Widget', 'Colour', 'Quantity']" in message
    assert "no header row found" in message and not isinstance(info.value, SupplierTotalsError)


def test_fields_are_chosen_by_header_names_not_file_name(tmp_path):
    # a real file under another name reads the same
    copy = tmp_path / "renamed.csv"
    shutil.copyfile(SPEND_SAMPLES / "hyndburn_2017-03_spend_over_250.csv", copy)
    again = parse_spend(copy, catalogue=None, body="X")
    assert {f: c.header for f, c in again.choices.items()} == {
        f: c.header for f, c in parsed("hyndburn_2017-03_spend_over_250.csv").choices.items()
    }
    assert again.frame["amount_gbp"].sum() == pytest.approx(568545.31)


def corrupt(tmp_path: Path, file_name: str, line: int, old: bytes, new: bytes) -> Path:
    lines = (SPEND_SAMPLES / file_name).read_bytes().split(b"\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / f"corrupted_{file_name}"
    path.write_bytes(b"\n".join(lines))
    return path


def test_corrupted_amount_names_file_line_and_column(tmp_path):
    # a copy of the real cp437 Hyndburn 2017 file with one amount spoilt on line 5
    path = corrupt(tmp_path, "hyndburn_2017-03_spend_over_250.csv", 5, b"1035.44", b"10x5.44")
    with pytest.raises(ParseError) as info:
        parse_spend(path, body="Hyndburn Borough Council")
    message = str(info.value)
    assert "corrupted_hyndburn_2017-03_spend_over_250.csv" in message
    assert "row 5" in message and "line 5" in message and "column G" in message
    assert "'10x5.44'" in message and "'Net Amount(£)'" in message
    assert info.value.location.row == 5 and info.value.location.column == "G"


def test_corrupted_date_names_file_line_and_column(tmp_path):
    path = corrupt(tmp_path, "odileeds_salford_2017-02.csv", 140, b"2017-02-06", b"2017-02-31")
    with pytest.raises(ParseError) as info:
        parse_spend(path)
    message = str(info.value)
    assert "line 140" in message and "column B" in message and "'Date of Payment'" in message


def test_empty_amount_is_an_error(tmp_path):
    path = corrupt(tmp_path, "odileeds_salford_2017-02.csv", 3, b",5000.00,Safe", b",,Safe")
    with pytest.raises(ParseError, match=r"row 3, column F: amount '' in column 'Net' is empty"):
        parse_spend(path)


def test_contradicting_amount_basis_is_an_error():
    with pytest.raises(ParseError, match="says net, but the argument says gross"):
        parse_spend(SPEND_SAMPLES / "odileeds_salford_2017-02.csv", amount_basis="gross")


def test_unknown_publisher_without_a_body_column_is_an_error(tmp_path):
    copy = tmp_path / "northtyneside_copy.csv"
    shutil.copyfile(SPEND_SAMPLES / "hyndburn_2017-03_spend_over_250.csv", copy)
    with pytest.raises(ParseError, match="publisher is not known"):
        parse_spend(copy, catalogue=None)
    salford = parse_spend(SPEND_SAMPLES / "odileeds_salford_2017-02.csv", catalogue=None)
    assert (salford.frame["body"] == "Salford City Council").all()  # from 'Authority Name'
    assert salford.frame["threshold_gbp"].isna().all()
    # every payment date in February 2017: the period is read from the dates, and says so
    assert (salford.frame["period"] == "2017-02").all()
    assert salford.sources["period"] == "2017-02: every payment date falls in that month"
    hyndburn = parse_spend(
        SPEND_SAMPLES / "hyndburn_2017-03_spend_over_250.csv", catalogue=None, body="H"
    )
    assert (hyndburn.frame["threshold_gbp"] == 250).all()  # 'spend_over_250' in the name
    assert "from the file name" in hyndburn.sources["threshold"]


# ----------------------------------------------------------------------------- units


def test_encoding_detection_on_synthetic_bytes():
    # SYNTHETIC byte strings, one per rule
    assert detect_encoding(b"\xef\xbb\xbfName,Amount\n") == "utf-8-sig"
    assert detect_encoding("Name,Amount (£)\n".encode()) == "utf-8"
    assert detect_encoding(b"Name,Net Amount(\x9c)\nA,\x9c12.00\n") == "cp437"
    assert detect_encoding(b"Name,Note\nA,man\x9cuvre\n") == "cp1252"  # 0x9C inside a word
    assert detect_encoding(b"Name,Note\nA,\x9c5 \x93quoted\x94\n") == "cp1252"  # cp1252 quotes
    assert detect_encoding(b"Name\nCaf\xe9\n") == "cp1252"


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1534.24", 1534.24),
        ("1,534.24", 1534.24),
        (" £1,534.24 ", 1534.24),
        ("(12.00)", -12.0),
        ("-12", -12.0),
        ("-£12.50", -12.5),
        ("161,413.00-", -161413.0),
        ("6.82121E-13", 0.0),
        ("481.00000000000006", 481.0),
        ("638.875", 638.875),
        ("1,234.00 CR", -1234.0),
        ("12.50 DR", 12.5),
        ("", None),
    ],
)
def test_parse_amount(cell, value):
    assert parse_amount(cell) == value


@pytest.mark.parametrize(
    "cell", ["TBC", "1,53,4.00", "12.3.4", "£", "1 234.00", "12-3", "CR", "12 CRX"]
)
def test_parse_amount_rejects(cell):
    with pytest.raises(ValueError):
        parse_amount(cell)


def test_schema_rejects_bad_frames_naming_file_line_and_column():
    frame = parsed("odileeds_salford_2017-02.csv").frame.copy()
    frame.loc[0, "amount_basis"] = "vat"
    frame.loc[1, "buying_organisation"] = "Not A Buying Organisation"
    frame.loc[1, "is_buying_organisation"] = True
    frame.loc[2, "payment_date"] = datetime(1999, 12, 31, 10, 30)
    with pytest.raises(ValidationFailed) as info:
        validate_spend_transactions(frame, "odileeds_salford_2017-02.csv")
    failures = "\n".join(info.value.failures)
    assert "file 'odileeds_salford_2017-02.csv', line 2: amount_basis fails" in failures
    assert "line 3: buying_organisation fails" in failures
    assert "line 4, column B: payment_date fails" in failures
    assert "date has a time of day" in failures


# ----------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_every_file_sums_to_its_raw_amount_cells(file_name):
    """The parser's total equals the Decimal sum of the chosen amount column's raw cells."""
    result = parsed(file_name)
    column = result.choices["amount"].index
    n, total = decimal_total(file_name, column)
    assert n == EXPECTED[file_name][3]
    assert result.frame["amount_gbp"].sum() == pytest.approx(float(total), abs=0.005)
    if result.published_total is not None:
        assert float(total) == pytest.approx(result.published_total, abs=0.005)


def test_the_parse_report_says_what_was_chosen_and_why():
    report = parsed("trafford_purchase_cards_2026-27.csv").report()
    assert report[0] == "read as csv, utf-8; header on line 1; fields inferred:"
    text = "\n".join(report)
    assert "amount            column G 'Amount' (alias; 2,024 of 2,024 values are amounts" in text
    assert "period_date       column C 'EffectiveDate'" in text
    assert "period            2026-04, 2026-05: per line, from the file's 'EffectiveDate'" in text
    assert "body              'Trafford Metropolitan Borough Council': from the catalogue" in text
    assert len(report) <= 20
    lambeth = "\n".join(parsed("lambeth_2012-06_invoices_over_500.csv").report())
    assert "header on line 10 after a 9-line preamble" in lambeth
    assert "published total  £40,292,334.84 on line 3167: equals the sum of the lines" in lambeth
    gateshead = parsed("odileeds_gateshead_2016-04.csv").report()[0]
    assert "fields declared by override 'cipfa_subjective_transno'" in gateshead
    oxford = "\n".join(parsed("oxford_expenditure-over-500-jan-mar-2014.csv").report())
    assert "1 stray note line(s) (3861)" in oxford
    sheffield = "\n".join(parsed("odileeds_sheffield_2012-10.csv").report())
    assert "last record (line 12621) has 9 of the header's 11 fields" in sheffield


def test_darlington_july_2021_recomputed_from_the_raw_file():
    """The mart's asserted figures, at the parser: 1,753 lines, £8,902,244.28 in all, 13 lines
    and £56,935.71 to YPO and NEPO (payee spellings found with grep; sums with Decimal)."""
    buying = {"YORKSHIRE PURCHASING ORGANISATION", "NEPO NORTH EAST PROCUREMENT ORGANISATION"}
    records = raw_records("odileeds_darlington_2021-07.csv")[1:]
    total = sum((Decimal(r[7]) for r in records), Decimal(0))
    bought = sum((Decimal(r[7]) for r in records if r[4] in buying), Decimal(0))
    assert (len(records), total, bought) == (1753, Decimal("8902244.28"), Decimal("56935.71"))
    frame = parsed("odileeds_darlington_2021-07.csv").frame
    assert frame["amount_gbp"].sum() == pytest.approx(8_902_244.28, abs=0.005)
    paid = frame[frame["is_buying_organisation"]]
    assert len(paid) == 13 and paid["amount_gbp"].sum() == pytest.approx(56_935.71, abs=0.005)
    assert set(paid["supplier_name"]) == buying
