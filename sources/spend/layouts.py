"""The declared column maps of councils' spend files: one ``Layout`` per publisher layout.

A file's layout is chosen by its header row alone: the header's column names are normalised
(Unicode NFKC, case-folded, all whitespace removed, trailing ':' ignored, a byte-order mark
dropped) and a layout matches when every one of its *required* fields has one of its aliases
among them. When several layouts match, the one with the most required fields (the most
specific) wins; ties go to the earlier entry. Nothing here knows a file or council name: a
council that changes its layout changes which entry matches, and a new publisher layout is a new
entry in ``LAYOUTS``, not new code.

Canonical fields (keys of ``Layout.columns``) that reach the tidy frame:

- ``payment_date``, ``amount``, ``supplier_name``, ``expense_area`` (the organisational unit:
  directorate or service), ``expense_type`` (what the money was spent on: subjective or
  expenditure category), ``description`` (free-text narrative), ``transaction_id``;
- ``body_name``: the publisher's name as written in the file, used only when neither the
  catalogue nor the caller names the publisher.

Other fields (``merchant_category``, ``gross_amount``, ``vat_amount``, ``invoice_line``, ...)
only help recognise a layout.

The header-row rule: the header is the first line, within the first ``max_preamble_lines + 1``
records, on which a layout's required fields all appear; records above it are the preamble
(report titles and parameters such as Lambeth's 9-line report header, or Hyndburn's empty first
row of commas). A layout may declare a pattern that reads the publishing threshold from the
preamble, and a rule that recognises a published total row (skipped, and kept as a check).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

AMOUNT_BASES = ("net", "gross", "unknown")
KINDS = ("transactions", "supplier_totals")

# Date formats seen in the files (strptime). The ODI Leeds '_clean' copies rewrote dates to ISO;
# the councils' originals mostly use dd/mm/yyyy, so layouts known from cleaned copies accept both.
ISO = "%Y-%m-%d"
UK = "%d/%m/%Y"
ISO_TIME = "%Y-%m-%d %H:%M:%S"  # Devon 2018: '2018-08-01 00:00:00'
DAY_MON_YY = "%d-%b-%y"  # Leeds 2011: '26-May-11'
DAY_MONTH_YEAR = "%d %b %Y"  # Hyndburn 2023: '16 May 2023'


@dataclass(frozen=True)
class AmountRules:
    """How a layout writes money. The defaults accept every form seen in the real files:
    '1534.24', '1,534.24' (quoted or not), '£1,534.24', '-12.00', '(12.00)', '161,413.00-'
    (trailing minus, Hyndburn 2024) and '6.82121E-13' (Excel residue, Devon 2011)."""

    thousands_separator: str = ","
    decimal_point: str = "."
    currency_symbols: tuple[str, ...] = ("£",)
    negative_forms: frozenset[str] = frozenset({"leading", "trailing", "parentheses"})
    allow_exponent: bool = True
    # Drop binary-float residue of spreadsheet exports ('481.00000000000006' -> 481.0,
    # '6.82121E-13' -> 0.0, Devon) but keep genuine sub-penny values ('638.875', Devon 2011).
    round_digits: int | None = 6


@dataclass(frozen=True)
class Layout:
    """One publisher layout: which header names map to which canonical field, and how to read them.

    ``columns`` maps a canonical field to its header aliases in order of preference (the first
    alias present wins). ``card_rows`` are (field, regex) pairs marking purchase-card rows inside
    an ordinary payments file; ``total_row`` is a (field, regex) pair recognising a published
    total line. ``preamble_threshold`` is a regex whose group ``gbp`` reads the threshold from
    the preamble.
    """

    name: str
    description: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    date_formats: tuple[str, ...] = (UK, ISO)
    amount_basis: str = "unknown"  # from the amount column's own name
    amount_rules: AmountRules = field(default_factory=AmountRules)
    kind: str = "transactions"
    is_purchase_card: bool = False
    card_rows: tuple[tuple[str, str], ...] = ()
    total_row: tuple[str, str] | None = None
    preamble_threshold: str | None = None
    max_preamble_lines: int = 20
    date_meaning: str = "payment date"

    def __post_init__(self) -> None:
        if self.amount_basis not in AMOUNT_BASES:
            raise ValueError(f"layout {self.name}: amount_basis {self.amount_basis!r}")
        if self.kind not in KINDS:
            raise ValueError(f"layout {self.name}: kind {self.kind!r}")
        missing = [f for f in self.required if f not in self.columns]
        if missing:
            raise ValueError(f"layout {self.name}: required fields without aliases: {missing}")
        if self.kind == "transactions":
            for needed in ("payment_date", "amount"):
                if needed not in self.required:
                    raise ValueError(f"layout {self.name}: {needed} must be required")
        for fld, _ in self.card_rows + ((self.total_row,) if self.total_row else ()):
            if fld not in self.columns:
                raise ValueError(f"layout {self.name}: rule on undeclared field {fld!r}")


def normalise_header(name: str) -> str:
    """'Name:  ' -> 'name'; 'Net Amount (£)' -> 'netamount(£)'; '\\ufeffBody' -> 'body'."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip()
    text = text.rstrip(": ").casefold()
    return re.sub(r"\s+", "", text)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        name="transparency_code_payments",
        description=(
            "The DCLG/LGA recommended 'spend over £500' schema: Body, Body Name / Name of Body, "
            "Date, Transaction Number, [Invoice Number], Amount, Supplier Name, Supplier ID, VAT "
            "registration, Expense Area, Expense Type, Expense Code, ... 'Amount' does not say "
            "net or gross (the catalogue may, from the publisher's notes). Seen in Devon's own "
            "files (2011-2025, header case varies) and Calderdale's invoice payments."
        ),
        columns={
            "body_name": ("Name of Body", "Body Name"),
            "payment_date": ("Date", "Payment Date"),
            "transaction_id": ("Transaction Number", "Transaction No"),
            "amount": ("Amount",),
            "supplier_name": ("Supplier Name",),
            "supplier_id": ("Supplier ID",),
            "expense_area": ("Expense Area",),
            "expense_type": ("Expense Type",),
            "description": ("Extended Description",),
        },
        required=(
            "body_name",
            "payment_date",
            "transaction_id",
            "amount",
            "supplier_name",
            "expense_area",
            "expense_type",
        ),
        date_formats=(UK, ISO_TIME, ISO),
    ),
    Layout(
        name="transparency_code_purchase_card",
        description=(
            "Government Procurement Card transactions in the Transparency Code schema: Body, "
            "Body Name, Transaction Date, Transaction number, Supplier Name (the merchant), Net "
            "Amount, Merchant Category, Merchant Category Group, Expense Area, Expense Type, "
            "Expense Code. Every row is a card transaction; card files are published without a "
            "value threshold. Seen in Calderdale's card file."
        ),
        columns={
            "body_name": ("Body Name",),
            "payment_date": ("Transaction Date",),
            "transaction_id": ("Transaction Number",),
            "amount": ("Net Amount",),
            "supplier_name": ("Supplier Name", "Merchant Name"),
            "merchant_category": ("Merchant Category",),
            "expense_area": ("Expense Area",),
            "expense_type": ("Expense Type",),
        },
        required=(
            "body_name",
            "payment_date",
            "transaction_id",
            "amount",
            "supplier_name",
            "merchant_category",
            "expense_area",
            "expense_type",
        ),
        date_formats=(ISO, UK),
        amount_basis="net",
        is_purchase_card=True,
        date_meaning="card transaction date",
    ),
    Layout(
        name="service_label_detailed_expenditure",
        description=(
            "The 2010-11 'spending data' schema with service and expenditure labels: Body, Body "
            "name, Service label, Service division label, Expenditure category, Detailed "
            "expenditure type, Detailed expenditure code, Date paid, Transaction number, Net "
            "amount, Capital or revenue, Supplier name. Seen in Leeds (2011)."
        ),
        columns={
            "body_name": ("Body name",),
            "expense_area": ("Service label",),
            "expenditure_category": ("Expenditure category",),
            "expense_type": ("Detailed expenditure type",),
            "payment_date": ("Date paid",),
            "transaction_id": ("Transaction number",),
            "amount": ("Net amount",),
            "supplier_name": ("Supplier name",),
        },
        required=(
            "expense_area",
            "expenditure_category",
            "expense_type",
            "payment_date",
            "transaction_id",
            "amount",
            "supplier_name",
        ),
        date_formats=(DAY_MON_YY, UK, ISO),
        amount_basis="net",
    ),
    Layout(
        name="service_code_expenditure_category",
        description=(
            "Service Code, Service Label, Expenditure code, Expenditure category, Payment date, "
            "Transaction Number, Net Amount, Supplier Number, Supplier Name: the service label "
            "is the directorate, the expenditure category the detailed spend type. Seen in "
            "Bradford (2018)."
        ),
        columns={
            "service_code": ("Service Code",),
            "expense_area": ("Service Label",),
            "expenditure_code": ("Expenditure code",),
            "expense_type": ("Expenditure category",),
            "payment_date": ("Payment date",),
            "transaction_id": ("Transaction Number",),
            "amount": ("Net Amount",),
            "supplier_id": ("Supplier Number",),
            "supplier_name": ("Supplier Name",),
        },
        required=(
            "service_code",
            "expense_area",
            "expenditure_code",
            "expense_type",
            "payment_date",
            "transaction_id",
            "amount",
            "supplier_id",
            "supplier_name",
        ),
        date_formats=(ISO, UK),
        amount_basis="net",
    ),
    Layout(
        name="service_label_capital_revenue_narrative",
        description=(
            "Body Name, Expenditure Category, Capital/ Revenue, Service Label, Service Code, "
            "Expenditure Code, Payment date, Supplier Name, Transaction No., Net Amount, "
            "Narrative. Despite their names, 'Service Code' and 'Expenditure Code' hold labels "
            "(e.g. 'Arboriculture', 'Non Qualification Training'); 'Expenditure Category' is the "
            "CIPFA subjective group. Seen in Harrogate (2016)."
        ),
        columns={
            "body_name": ("Body Name",),
            "subjective_group": ("Expenditure Category",),
            "capital_revenue": ("Capital/ Revenue", "Capital/Revenue"),
            "expense_area": ("Service Label",),
            "service": ("Service Code",),
            "expense_type": ("Expenditure Code",),
            "payment_date": ("Payment date",),
            "supplier_name": ("Supplier Name",),
            "transaction_id": ("Transaction No.",),
            "amount": ("Net Amount",),
            "description": ("Narrative",),
        },
        required=(
            "subjective_group",
            "capital_revenue",
            "expense_area",
            "service",
            "expense_type",
            "payment_date",
            "supplier_name",
            "transaction_id",
            "amount",
        ),
        date_formats=(ISO, UK),
        amount_basis="net",
    ),
    Layout(
        name="sercop_payment",
        description=(
            "Payment Date, Transaction Number, Amount, Supplier Name, Supplier ID, "
            "Organisational Unit, SeRCOP Expenditure Category / Code, SeRCOP Detailed "
            "Expenditure Type / Code, Capital/Revenue, Classification. 'Amount' does not say net "
            "or gross. Seen in North Tyneside (2014, invoice payments)."
        ),
        columns={
            "payment_date": ("Payment Date",),
            "transaction_id": ("Transaction Number",),
            "amount": ("Amount",),
            "supplier_name": ("Supplier Name",),
            "expense_area": ("Organisational Unit",),
            "sercop_category": ("SeRCOP Expenditure Category",),
            "expense_type": ("SeRCOP Detailed Expenditure Type",),
        },
        required=(
            "payment_date",
            "transaction_id",
            "amount",
            "supplier_name",
            "expense_area",
            "sercop_category",
            "expense_type",
        ),
        date_formats=(ISO, UK),
    ),
    Layout(
        name="cipfa_subjective_transno",
        description=(
            "Strgrpcc(T) (strategic group = directorate), Cipfsubj(T) (CIPFA subjective group), "
            "Cipfsubs(T) (CIPFA subjective subgroup), TransNo, Sequence no (line of the "
            "transaction), Period (financial period, e.g. 201601 = April of 2016-17), Supplier "
            "ID(T) (holds the supplier's name), Amount, Updated (the date column; taken as the "
            "payment date). Seen in Gateshead (2016)."
        ),
        columns={
            "expense_area": ("Strgrpcc(T)",),
            "subjective_group": ("Cipfsubj(T)",),
            "expense_type": ("Cipfsubs(T)",),
            "transaction_id": ("TransNo",),
            "sequence_no": ("Sequence no",),
            "period_code": ("Period",),
            "supplier_name": ("Supplier ID(T)",),
            "amount": ("Amount",),
            "payment_date": ("Updated",),
        },
        required=(
            "expense_area",
            "subjective_group",
            "expense_type",
            "transaction_id",
            "sequence_no",
            "period_code",
            "supplier_name",
            "amount",
            "payment_date",
        ),
        date_formats=(ISO, UK),
        date_meaning="'Updated' date (the only date published)",
    ),
    Layout(
        name="gross_vat_net",
        description=(
            "Authority Name, Date of Payment, SAP Document Number, Gross, VAT, Net, Supplier "
            "Name, Directorate, G/L description. Gross, VAT and net are all published; the tidy "
            "amount is Net. Seen in Salford (2017)."
        ),
        columns={
            "body_name": ("Authority Name",),
            "payment_date": ("Date of Payment",),
            "transaction_id": ("SAP Document Number",),
            "gross_amount": ("Gross",),
            "vat_amount": ("VAT",),
            "amount": ("Net",),
            "supplier_name": ("Supplier Name",),
            "expense_area": ("Directorate",),
            "expense_type": ("G/L description.", "G/L description"),
        },
        required=(
            "payment_date",
            "transaction_id",
            "gross_amount",
            "vat_amount",
            "amount",
            "supplier_name",
            "expense_area",
            "expense_type",
        ),
        date_formats=(ISO, UK),
        amount_basis="net",
    ),
    Layout(
        name="invoice_line_net_of_vat",
        description=(
            "[two unnamed columns], Directotate (sic), Service, Supplier, Transaction Number, "
            "Transaction Date, Invoice Line Value (net of VAT), Account, Bal Sheet Level 1, Bal "
            "Sheet Level 2. One row per invoice line; transaction dates may precede the month "
            "of publication. Seen in Darlington (2021)."
        ),
        columns={
            "expense_area": ("Directorate", "Directotate"),
            "service": ("Service",),
            "supplier_name": ("Supplier",),
            "transaction_id": ("Transaction Number",),
            "payment_date": ("Transaction Date",),
            "amount": ("Invoice Line Value (net of VAT)",),
            "expense_type": ("Account",),
        },
        required=(
            "expense_area",
            "service",
            "supplier_name",
            "transaction_id",
            "payment_date",
            "amount",
            "expense_type",
        ),
        date_formats=(ISO, UK),
        amount_basis="net",
        date_meaning="transaction date",
    ),
    Layout(
        name="cost_centre_account_detail",
        description=(
            "Service Cost Centre, Account Detail, Description, HBC ref no, Name, Payment date, "
            "Net Amount (£) ('Net Amount(£)' in 2017 with the pound sign as byte 0x9C, code page "
            "437). Purchase-card rows carry 'P-CARD ...' in the reference column. Seen in "
            "Hyndburn (2017, 2023)."
        ),
        columns={
            "expense_area": ("Service Cost Centre",),
            "expense_type": ("Account Detail",),
            "description": ("Description",),
            "transaction_id": ("HBC ref no",),
            "supplier_name": ("Name",),
            "payment_date": ("Payment date",),
            "amount": ("Net Amount (£)", "Net Amount"),
        },
        required=(
            "expense_area",
            "expense_type",
            "description",
            "transaction_id",
            "supplier_name",
            "payment_date",
            "amount",
        ),
        date_formats=(UK, DAY_MONTH_YEAR, ISO),
        amount_basis="net",
        card_rows=(("transaction_id", r"^\s*P-?CARD\b"),),
    ),
    Layout(
        name="department_service_amount_paid",
        description=(
            "Department Area, Service Area, Description, Line (invoice line number: one invoice "
            "spans several rows), HBC Ref No., 'Name:  ', Payment Date, Amount Paid (net or gross "
            "not stated; credits written with a trailing minus, '161,413.00-'). Itemised "
            "Barclaycard rows are purchase-card transactions. Seen in Hyndburn (2024)."
        ),
        columns={
            "expense_area": ("Department Area",),
            "service": ("Service Area",),
            "description": ("Description",),
            "invoice_line": ("Line",),
            "transaction_id": ("HBC Ref No.", "HBC Ref No"),
            "supplier_name": ("Name",),
            "payment_date": ("Payment Date",),
            "amount": ("Amount Paid",),
        },
        required=(
            "expense_area",
            "service",
            "description",
            "invoice_line",
            "transaction_id",
            "supplier_name",
            "payment_date",
            "amount",
        ),
        date_formats=(UK, ISO),
        card_rows=(("supplier_name", r"^\s*Barclaycard\s*$"),),
    ),
    Layout(
        name="invoice_report_nett",
        description=(
            "'Invoices Over Specified Nett Amount' report export: a preamble (title, Report "
            "Date, Parameters including 'Invoice Threshold Nett Amt: 500'), then Body, "
            "Department, Supplier Name, Invoice Creation Date, Invoice Nett Amount, Subj "
            "Description, and a closing 'Total' row (the published sum, kept as a check). The "
            "date is the invoice creation date. Seen in Lambeth (2012)."
        ),
        columns={
            "body_name": ("Body",),
            "expense_area": ("Department",),
            "supplier_name": ("Supplier Name",),
            "payment_date": ("Invoice Creation Date",),
            "amount": ("Invoice Nett Amount",),
            "expense_type": ("Subj Description",),
        },
        required=(
            "body_name",
            "expense_area",
            "supplier_name",
            "payment_date",
            "amount",
            "expense_type",
        ),
        date_formats=(UK,),
        amount_basis="net",
        total_row=("body_name", r"^\s*Total\s*$"),
        preamble_threshold=r"Threshold[^0-9]*(?P<gbp>\d+)",
        date_meaning="invoice creation date",
    ),
    Layout(
        name="supplier_totals",
        description=(
            "Supplier Name, Sum of Invoice Nett Amount: one total per supplier for the period, "
            "not transactions (the early 2011 publishing style). Recognised so that it is "
            "rejected with a clear message rather than read as transactions. Seen in Lambeth "
            "(January 2011)."
        ),
        columns={
            "supplier_name": ("Supplier Name",),
            "amount": ("Sum of Invoice Nett Amount", "Sum of Amount"),
        },
        required=("supplier_name", "amount"),
        amount_basis="net",
        kind="supplier_totals",
    ),
)


@dataclass(frozen=True)
class LayoutMatch:
    """How one layout fits one header row: positions of its fields, and what is missing."""

    layout: Layout
    positions: Mapping[str, int]  # canonical field -> 0-based column index
    missing: tuple[str, ...]  # required fields with no alias in the header

    @property
    def complete(self) -> bool:
        return not self.missing


def fit(layout: Layout, header: Sequence[str]) -> LayoutMatch:
    """Where each of ``layout``'s fields sits in ``header`` (first occurrence of a name wins)."""
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = normalise_header(cell)
        if key and key not in index:
            index[key] = i
    positions: dict[str, int] = {}
    for fld, aliases in layout.columns.items():
        for alias in aliases:
            i = index.get(normalise_header(alias))
            if i is not None:
                positions[fld] = i
                break
    missing = tuple(f for f in layout.required if f not in positions)
    return LayoutMatch(layout, positions, missing)


def best_match(header: Sequence[str], layouts: Sequence[Layout] = LAYOUTS) -> LayoutMatch | None:
    """The most specific layout whose required fields all appear in ``header``, or None."""
    complete = [m for m in (fit(layout, header) for layout in layouts) if m.complete]
    if not complete:
        return None
    # max() keeps the first of equals, so ties go to the earlier declared layout.
    return max(complete, key=lambda m: len(m.layout.required))


def nearest(header: Sequence[str], layouts: Sequence[Layout] = LAYOUTS) -> LayoutMatch:
    """The layout missing the fewest required fields (for error messages)."""
    fits = [fit(layout, header) for layout in layouts]
    return min(fits, key=lambda m: (len(m.missing) / len(m.layout.required), len(m.missing)))
