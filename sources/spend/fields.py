"""Which column of a council spend file holds which canonical field: one vocabulary, confirmed by
what the columns hold.

What belongs here: the aliases of each canonical field (the Transparency Code's field names, the
LGA / Open Data Communities spend schema -- ``OrganisationLabel``, ``BeneficiaryName``,
``PaymentDate``, ``Amount``, ... -- and the variants councils use), the content tests (dates
parse as dates, amounts as money, a supplier column holds text), and ``infer_fields``, which
picks one column per field and keeps the evidence for the parse report.

A header name is compared after ``normalise_header`` (Unicode NFKC, case folded, everything but
letters and digits removed: 'Net Amount (£)', 'net_amount' and 'NetAmount' are all
'netamount'). For each field the candidates are, in order: the field's exact aliases (in their
order of preference), then headers that merely *contain* one of the field's words (lower
preference, with words that mark another field -- 'code', 'type', 'vat' ... -- ruled out per
field). The first candidate whose content passes the field's test wins; a candidate that fails
is kept in the evidence ("'Supplier ID': 0 of 5,671 values hold a letter"). The payment date may
also be found by content alone (a column with no date-like name whose values are all dates,
such as Gateshead's 'Updated'); the amount never is (codes and counts parse as money too).

Nothing here knows a council or a file name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# --------------------------------------------------------------------------- normalising


def normalise_header(name: str) -> str:
    """'Net Amount (£)' -> 'netamount'; 'paid_date' -> 'paiddate'; '\\ufeffBody' -> 'body'."""
    text = unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "").casefold()
    return re.sub(r"[^0-9a-z]", "", text)


def header_words(name: str) -> list[str]:
    """'IrrecoverableVATAmount' -> ['irrecoverable', 'vat', 'amount'];
    'Invoice Line Value (net of VAT)' -> ['invoice', 'line', 'value', 'net', 'of', 'vat']."""
    text = unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "")
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", text)
    return [p.casefold() for p in parts]


# --------------------------------------------------------------------------- cell tests

DATE_FORMATS = (
    "%Y-%m-%d",  # ISO (the ODI Leeds cleaned copies, the LGA schema)
    "%d/%m/%Y",  # the councils' usual form
    "%Y-%m-%d %H:%M:%S",  # Devon 2018, spreadsheet exports
    "%d-%b-%y",  # Leeds 2011: '26-May-11'
    "%d %b %Y",  # Hyndburn 2023: '16 May 2023'
    "%d-%b-%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d %B %Y",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
# Day-first only: councils in England write 03/08/2015 for 3 August. A column that reads only
# month-first is not taken as a date (it is refused, not silently swapped).
DATE_YEARS = (2000, 2100)


def parse_date(cell: str, formats: list[str]) -> datetime | None:
    """The date a cell holds under the first of ``formats`` that reads it (the list is reordered
    so the format that worked is tried first next time), or None."""
    text = cell.strip()
    if not text:
        return None
    for k, fmt in enumerate(formats):
        try:
            when = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not DATE_YEARS[0] <= when.year < DATE_YEARS[1]:
            return None
        if k:
            formats.insert(0, formats.pop(k))
        return when
    return None


_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][-+]?\d+)?$")


def parse_amount(cell: str) -> float | None:
    """'1,534.24' -> 1534.24; '£1,534.24'; '(12.00)' -> -12.0; '161,413.00-' -> -161413.0;
    '12.00 CR' -> -12.0;
    '-12' -> -12.0; '' -> None; anything else -> ValueError. Binary-float residue of spreadsheet
    exports is dropped ('481.00000000000006' -> 481.0, '6.82121E-13' -> 0.0) but genuine
    sub-penny values are kept ('638.875')."""
    text = cell.strip().replace("\u00a0", " ")
    if not text:
        return None
    negative = False
    suffix = re.search(r"\s*\b(CR|DR)$", text, flags=re.IGNORECASE)
    if suffix:  # ledger exports: '1,234.00 CR' is a credit, '1,234.00 DR' a debit
        negative, text = suffix.group(1).upper() == "CR", text[: suffix.start()].strip()
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.endswith("-"):
        negative, text = not negative, text[:-1].strip()
    for _ in range(2):  # '-£12', '£-12'
        if text[:1] in ("-", "+"):
            negative, text = (not negative if text[0] == "-" else negative), text[1:].strip()
        if text.startswith("£"):
            text = text[1:].strip()
    if not text or not any(ch.isdigit() for ch in text) or not _NUMBER.match(text):
        raise ValueError(f"{cell!r} is not an amount")
    value = round(float(text.replace(",", "")), 6)
    return (-value if negative else value) + 0.0  # no negative zero


@functools.lru_cache(maxsize=1 << 16)
def _is_money(cell: str) -> bool:
    try:
        return parse_amount(cell) is not None
    except ValueError:
        return False


_LETTER = re.compile(r"[^\W\d_]")
_GSS = re.compile(r"^E\d{8}$")


def _is_text(cell: str) -> bool:
    return bool(_LETTER.search(cell))


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: its aliases (normalised header names, in order of preference), the
    words a header may merely contain, the words that rule a header out, and its content test."""

    name: str
    aliases: tuple[str, ...]
    words: tuple[str, ...] = ()
    not_words: tuple[str, ...] = ()
    content: str = "any"  # 'date' | 'money' | 'text' | 'any'
    min_share: float = 0.9  # share of non-empty values that must pass the test
    meaning: str = ""


def _n(*names: str) -> tuple[str, ...]:
    return tuple(normalise_header(n) for n in names)


# The order of FIELDS is the order fields are chosen in: a column taken by one field is not
# offered to a later one.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "amount",
        _n(
            "Net Amount",
            "Nett Amount",
            "Net",
            "Net Value",
            "Invoice Nett Amount",
            "Invoice Net Amount",
            "Invoice Line Value (net of VAT)",
            "Amount excluding VAT",
            "Amount ex VAT",
            "Amount",
            "Amount Paid",
            "Paid Amount",
            "Payment Amount",
            "Transaction Amount",
            "Invoiced Value",
            "Invoice Value",
            "Invoice Amount",
            "Line Amount",
            "Value",
            "Total",
            "Expenditure",
            "Spend",
            "Gross Amount",
            "Gross",
        ),
        words=("amount", "value", "net", "nett", "paid", "spend"),
        not_words=("code", "id", "number", "no", "date", "type", "category"),
        content="money",
        min_share=0.95,
        meaning="the amount paid",
    ),
    FieldSpec(
        "payment_date",
        _n(
            "Payment Date",
            "Date Paid",
            "Paid Date",
            "Date of Payment",
            "Date",
            "Transaction Date",
            "Trans Date",
            "Invoice Payment Date",
            "Payment Run Date",
            "Cheque Date",
            "Posting Date",
            "Posted Date",
            "GL Date",
            "Document Date",
            "Invoice Date",
            "Invoice Creation Date",
            "Processed Date",
        ),
        words=("date", "paid"),
        not_words=("effective", "period", "updated", "created", "approval"),
        content="date",
        min_share=0.95,
        meaning="the date of the payment (or of the invoice or transaction, as named)",
    ),
    FieldSpec(
        "body_name",
        _n(
            "Name of Body",
            "Body Name",
            "Organisation Label",
            "Organisation Name",
            "Authority Name",
            "Council Name",
            "Local Authority",
            "Body",
            "Authority",
            "Organisation",
            "Council",
        ),
        content="body",
        meaning="the publisher's name as written in the file",
    ),
    FieldSpec(
        "body_code",
        _n(
            "Organisation Code",
            "Organisation GSS Code",
            "Authority Code",
            "Local Authority Code",
            "Council Code",
            "GSS Code",
            "ONS Code",
            "Body",
        ),
        content="gss",
        meaning="the publisher's GSS code (E + 8 digits), where the file gives one",
    ),
    FieldSpec(
        "supplier_name",
        _n(
            "Supplier Name",
            "Beneficiary Name",
            "Payee Name",
            "Vendor Name",
            "Merchant Name",
            "Creditor Name",
            "Supplier",
            "Beneficiary",
            "Payee",
            "Vendor",
            "Merchant",
            "Creditor",
            "Paid To",
            "Name",
        ),
        words=("supplier", "beneficiary", "payee", "vendor", "merchant", "creditor"),
        not_words=("category", "type", "group", "code", "vat", "number", "no"),
        content="text",
        min_share=0.5,
        meaning="who was paid (redacted names kept as published)",
    ),
    FieldSpec(
        "expense_area",
        _n(
            "Expense Area",
            "Directorate",
            "Directotate",
            "Department",
            "Department Area",
            "Organisational Unit",
            "Organisation Unit",
            "Service Label",
            "Service Area",
            "Service",
            "Service Division",
            "Business Unit Description",
            "Business Unit",
            "Service Cost Centre",
            "Cost Centre Description",
            "Cost Centre Name",
            "Cost Centre",
            "Portfolio",
            "Division",
        ),
        words=("directorate", "department", "service", "unit", "division", "portfolio"),
        not_words=("code", "number", "no", "id"),
        content="text",
        min_share=0.5,
        meaning="the organisational unit (directorate or service)",
    ),
    FieldSpec(
        "expense_type",
        _n(
            "Expense Type",
            "Detailed Expenditure Type",
            "SeRCOP Detailed Expenditure Type",
            "Expenditure Type",
            "Expense Code Description",
            "Expenditure Code Description",
            "Account Detail",
            "Account Description",
            "Account",
            "Subjective Description",
            "Subj Description",
            "G/L description",
            "Category Internal Name",
            "Expenditure Category",
            "SeRCOP Expenditure Category",
            "Expense Category",
            "Spend Category",
            "Purchase Category",
            "Category",
            "Merchant Category",
        ),
        words=("expense", "expenditure", "category", "subjective", "account"),
        not_words=("code", "number", "no", "id", "area", "group"),
        content="text",
        min_share=0.5,
        meaning="what the money was spent on",
    ),
    FieldSpec(
        "description",
        _n(
            "Description",
            "Extended Description",
            "Narrative",
            "Purpose",
            "Transaction Description",
            "Item Description",
            "Line Description",
            "Details",
            "Purpose of Spend",
        ),
        words=("description", "narrative", "purpose"),
        not_words=("code", "classification", "category", "expense", "expenditure", "account"),
        content="any",
        meaning="the published narrative",
    ),
    FieldSpec(
        "transaction_id",
        _n(
            "Transaction Number",
            "Transaction No",
            "Transaction ID",
            "Transaction Reference",
            "Trans No",
            "TransNo",
            "SAP Document Number",
            "Document Number",
            "Document No",
            "Payment Reference",
            "Payment Number",
            "Invoice Number",
            "Invoice No",
            "Invoice Reference",
            "HBC ref no",
            "Reference Number",
            "Reference",
            "Ref No",
            "Ref",
        ),
        words=("transaction", "trans", "document", "ref", "reference", "invoice"),
        not_words=("date", "amount", "value", "description", "type", "card"),
        content="any",
        meaning="the transaction or invoice reference",
    ),
    FieldSpec(
        "period_date",
        _n("Effective Date", "Period Ending", "Month Ending", "Period End Date"),
        content="date",
        min_share=0.95,
        meaning="the month the line was published for (the LGA schema's EffectiveDate)",
    ),
    FieldSpec(
        "card_flag",
        _n("Card Transaction", "Purchase Card", "Procurement Card", "GPC", "Card"),
        content="any",
        meaning="marks purchase-card transactions",
    ),
    FieldSpec(
        "merchant_category",
        _n("Merchant Category Code", "Merchant Category", "MCC"),
        content="any",
        meaning="merchant category (only card transactions carry one)",
    ),
)
FIELD_BY_NAME = {spec.name: spec for spec in FIELDS}
TIDY_TEXT_FIELDS = (
    "supplier_name",
    "expense_area",
    "expense_type",
    "description",
    "transaction_id",
)
REQUIRED = ("amount", "payment_date")

# --------------------------------------------------------------------------- inference


@dataclass(frozen=True)
class Choice:
    """The column chosen for one field, and why."""

    field: str
    index: int  # 0-based column
    header: str
    how: str  # 'alias', 'word', 'content' or 'declared'
    evidence: str  # e.g. '5,671 of 5,671 values are dates (%d/%m/%Y)'


@dataclass
class Inference:
    """The columns chosen for each field, with the candidates rejected on the way."""

    choices: dict[str, Choice] = field(default_factory=dict)
    rejected: dict[str, list[str]] = field(default_factory=dict)

    def positions(self) -> dict[str, int]:
        return {f: c.index for f, c in self.choices.items()}


def _content_test(spec: FieldSpec, values: Sequence[str]) -> tuple[bool, str]:
    """Whether a column's values pass a field's test, and the evidence in words."""
    filled = [v for v in values if v.strip()]
    if not filled:
        return False, "holds no values"
    n = len(filled)
    if spec.content == "money":
        good = sum(_is_money(v) for v in filled)
        what = "are amounts of money"
    elif spec.content == "date":
        formats = list(DATE_FORMATS)
        used: dict[str, int] = {}
        good = 0
        memo: dict[str, str | None] = {}
        for v in filled:
            if v not in memo:
                memo[v] = formats[0] if parse_date(v, formats) is not None else None
            if memo[v] is not None:
                good += 1
                used[memo[v]] = used.get(memo[v], 0) + 1
        shown = ", ".join(sorted(used, key=used.get, reverse=True)[:2])
        what = f"are dates ({shown})" if shown else "are dates"
    elif spec.content == "text":
        good = sum(_is_text(v) for v in filled)
        what = "hold a letter"
    elif spec.content == "gss":
        good = sum(bool(_GSS.match(v.strip())) for v in filled)
        codes = {v.strip() for v in filled}
        ok = good == n and len(codes) == 1
        return ok, f"{good:,} of {n:,} values are GSS codes, {len(codes)} distinct"
    elif spec.content == "body":
        texts = [v.strip() for v in filled if _is_text(v) and not v.strip().startswith("http")]
        top = max((texts.count(t) for t in set(texts[:200])), default=0) if texts else 0
        sample = texts[:500]
        top = max((sample.count(t) for t in set(sample)), default=0)
        share = top / len(sample) if sample else 0.0
        ok = bool(sample) and len(texts) >= 0.9 * n and share >= 0.9
        return ok, f"{len(texts):,} of {n:,} values are names, one name on {share:.0%}"
    else:
        return True, f"{n:,} values"
    share = good / n
    return share >= spec.min_share, f"{good:,} of {n:,} values {what}"


def _candidates(spec: FieldSpec, header: Sequence[str], taken: set[int]) -> list[tuple[int, str]]:
    keys = [normalise_header(h) for h in header]
    out: list[tuple[int, str]] = []
    seen: set[int] = set()
    for alias in spec.aliases:
        for i, key in enumerate(keys):
            if key == alias and i not in taken and i not in seen:
                out.append((i, "alias"))
                seen.add(i)
    if spec.words:
        for i, h in enumerate(header):
            if i in taken or i in seen or not keys[i]:
                continue
            words = set(header_words(h))
            if spec.content == "money" and is_vat_column(h):
                continue
            if words & set(spec.words) and not words & set(spec.not_words):
                out.append((i, "word"))
                seen.add(i)
    return out


_VAT_QUALIFIERS = frozenset({"inc", "incl", "including", "ex", "exc", "excl", "excluding", "of"})


def is_vat_column(name: str) -> bool:
    """'VAT', 'VAT Amount', 'IrrecoverableVATAmount' hold the VAT; 'Amount inc VAT' and
    'Invoice Line Value (net of VAT)' hold an amount that names its VAT basis."""
    words = set(header_words(name))
    return "vat" in words and not words & _VAT_QUALIFIERS


def infer_fields(
    header: Sequence[str],
    column: Callable[[int], Sequence[str]],
    *,
    declared: dict[str, int] | None = None,
) -> Inference:
    """Choose a column for each field of FIELDS. ``column(i)`` gives the values of column i
    (the data rows under the header); ``declared`` fixes fields to columns (a layout override),
    each still confirmed by content."""
    result = Inference()
    taken: set[int] = set()
    for spec in FIELDS:
        if declared and spec.name in declared:
            i = declared[spec.name]
            ok, evidence = _content_test(spec, column(i))
            if not ok and spec.name in REQUIRED:
                result.rejected.setdefault(spec.name, []).append(
                    f"{header[i].strip()!r} (declared): {evidence}"
                )
                continue
            result.choices[spec.name] = Choice(
                spec.name, i, header[i].strip(), "declared", evidence
            )
            taken.add(i)
            continue
        if declared is not None and spec.name in TIDY_TEXT_FIELDS + ("body_name", "body_code"):
            continue  # an override maps its text fields itself
        for i, how in _candidates(spec, header, taken):
            ok, evidence = _content_test(spec, column(i))
            if ok:
                result.choices[spec.name] = Choice(spec.name, i, header[i].strip(), how, evidence)
                taken.add(i)
                break
            result.rejected.setdefault(spec.name, []).append(f"{header[i].strip()!r}: {evidence}")
    if "payment_date" not in result.choices:
        # A date column with no date-like name (Gateshead's 'Updated'): found by content alone.
        spec = FIELD_BY_NAME["payment_date"]
        for i, h in enumerate(header):
            if i in taken:
                continue
            ok, evidence = _content_test(spec, column(i))
            if ok:
                result.choices["payment_date"] = Choice(
                    "payment_date", i, h.strip(), "content", evidence
                )
                taken.add(i)
                break
    return result


def amount_basis_of(header_name: str) -> str:
    """'net' / 'gross' / 'unknown' from the amount column's own name."""
    words = header_words(header_name)
    text = " ".join(words)
    if re.search(r"\bnett?\b|\bex(cl|cluding)? vat\b|net of vat", text):
        return "net"
    if re.search(r"\bgross\b|\binc(l|luding)? vat\b", text):
        return "gross"
    return "unknown"


def header_fields(cells: Sequence[str]) -> set[str]:
    """The fields whose exact aliases name a cell of this record."""
    keys = {normalise_header(c) for c in cells} - {""}
    return {spec.name for spec in FIELDS if keys & set(spec.aliases)}


def looks_like_header(cells: Sequence[str]) -> bool:
    """A spend header names an amount beside a date or a supplier, or three fields one of
    which is the amount or the date (an efficiency table's 'authority, value' is not one)."""
    found = header_fields(cells)
    if "amount" in found and found & {"payment_date", "supplier_name"}:
        return True
    return len(found) >= 3 and bool(found & {"amount", "payment_date"})


def is_supplier_totals_header(cells: Sequence[str]) -> bool:
    """'Supplier Name, Sum of Invoice Nett Amount': one total per supplier, not transactions."""
    keys = [normalise_header(c) for c in cells if c.strip()]
    return any(k.startswith(("sumof", "totalof")) for k in keys) and not any(
        "date" in k for k in keys
    )
