"""Read a council spend CSV into the tidy contract of ``raw.spend_transactions``.

Steps, each of which names the file, line and column when it fails:

1. **Encoding.** A UTF-8 byte-order mark -> 'utf-8-sig'; else valid UTF-8 -> 'utf-8'; else,
   when the byte 0x9C appears, is never followed by a letter (cp1252 reads 0x9C as 'œ', which
   sits inside words) and no cp1252 punctuation byte (curly quotes, dashes) appears -> 'cp437'
   (DOS code page, 0x9C = '£': Hyndburn 2017's header 'Net Amount(\\x9c)', Harrogate 2016's
   'Fixed Assets less than \\x9c5k'); else 'cp1252' (Bradford's 0x92 right quote, Devon 2011's
   0xFA); 'cp437' as the last resort for bytes that cp1252 leaves undefined.
2. **Header row.** The first record, within a layout's ``max_preamble_lines``, whose column names
   carry all of one layout's required fields; records above it are the preamble (Lambeth's
   9-line report header, Hyndburn's empty first row).
3. **Layout.** ``sources.spend.layouts.best_match``; none -> ``UnsupportedLayoutError`` listing
   the file's columns; a supplier-totals layout -> ``SupplierTotalsError`` (see below).
4. **Rows.** Blank records (no letter or digit in any cell) are skipped; a published total row
   (where the layout declares one) is skipped and kept in ``published_total``; every other
   record is one tidy row. ``source_row`` is the 1-based line of the file on which the record
   starts (records may span lines when a quoted cell holds a line break).

Supplier-totals files (Lambeth, January 2011: one total per supplier) are **rejected** rather
than mapped: they have no payment dates or transactions, so they cannot share the grain of
``raw.spend_transactions``; ``SupplierTotalsError`` says so and names the file's columns. The
catalogue marks them ``is_supplier_totals`` so a loader can skip them deliberately.

The publisher, GSS code, period, threshold and (when the header does not say) VAT basis come
from the caller, else from the bundled catalogue (looked up by sha256), else from the file
(a body-name column; a threshold stated in the preamble). The amount basis a header states
('Net Amount', 'Invoice Nett Amount', 'net of VAT') wins; a contradicting catalogue or argument
is an error.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.spend.buying_organisations import classify
from sources.spend.catalogue import SPEND_CATALOGUE, SpendFile, lookup
from sources.spend.layouts import (
    AMOUNT_BASES,
    LAYOUTS,
    AmountRules,
    Layout,
    LayoutMatch,
    best_match,
    nearest,
)

TIDY_COLUMNS = [
    "body",
    "body_gss_code",
    "period",
    "payment_date",
    "amount_gbp",
    "amount_basis",
    "supplier_name",
    "expense_area",
    "expense_type",
    "description",
    "transaction_id",
    "is_purchase_card",
    "threshold_gbp",
    "is_buying_organisation",
    "buying_organisation",
    "layout",
    "source_file",
    "source_sha256",
    "source_row",
]
TEXT_FIELDS = ("supplier_name", "expense_area", "expense_type", "description", "transaction_id")
HEADER_SCAN = max(layout.max_preamble_lines for layout in LAYOUTS) + 1
_CP1252_PUNCTUATION = set(b"\x80\x82\x84\x85\x8b\x91\x92\x93\x94\x95\x96\x97\x9b")
_CP1252_UNDEFINED = set(b"\x81\x8d\x8f\x90\x9d")
_WORD = re.compile(r"[^\W_]")


class SupplierTotalsError(UnsupportedLayoutError):
    """The file publishes one total per supplier, not transactions: not loaded (by design)."""


@dataclass
class ParsedSpend:
    """A parsed spend file: the tidy frame and what was learnt reading it."""

    frame: pd.DataFrame
    layout: Layout
    encoding: str
    header_line: int  # 1-based line of the header row
    header: list[str]
    preamble: list[str]  # the records above the header, cells joined by ','
    columns: dict[str, str]  # tidy column -> the file's column letter it was read from
    published_total: float | None = None  # a total row's amount, where the layout has one
    blank_lines_skipped: int = 0
    catalogue_entry: SpendFile | None = None
    notes: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        """One line for a log or the CLI: layout, encoding, rows, total, buying organisations."""
        f = self.frame
        name = f["source_file"].iloc[0] if len(f) else "(empty)"
        bought = f.loc[f["is_buying_organisation"], "amount_gbp"].sum()
        return (
            f"{name}: spend layout {self.layout.name!r}, {self.encoding}, header line "
            f"{self.header_line}: {len(f)} transaction lines, total £{f['amount_gbp'].sum():,.2f} "
            f"({f['amount_basis'].iloc[0] if len(f) else 'unknown'}), "
            f"{int(f['is_buying_organisation'].sum())} to buying organisations "
            f"(£{bought:,.2f}), {int(f['is_purchase_card'].sum())} purchase-card lines"
        )


# --------------------------------------------------------------------------- encoding


def detect_encoding(raw: bytes) -> str:
    """'utf-8-sig' | 'utf-8' | 'cp437' | 'cp1252' for the bytes of a spend CSV (see module doc)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _pound_is_0x9c(raw):
        return "cp437"
    if set(raw) & _CP1252_UNDEFINED:  # bytes cp1252 leaves undefined: only cp437 reads them
        return "cp437"
    return "cp1252"


def _pound_is_0x9c(raw: bytes) -> bool:
    """0x9C is '£' in code page 437/850 and 'œ' in cp1252. Read as '£' when every 0x9C stands
    where a pound sign does (not between letters, as 'œ' would) and no byte typical of cp1252's
    punctuation (curly quotes, dashes, ellipsis, euro) appears."""
    if b"\x9c" not in raw or set(raw) & _CP1252_PUNCTUATION:
        return False
    for m in re.finditer(rb"\x9c", raw):
        after = raw[m.end() : m.end() + 1]
        if after.isalpha():
            return False
    return True


# --------------------------------------------------------------------------- cells


_NUMBER_PLAIN = r"\d+(?:{dp}\d*)?|{dp}\d+"
_NUMBER_GROUPED = r"\d{{1,3}}(?:{ts}\d{{3}})+(?:{dp}\d*)?"


@functools.lru_cache(maxsize=32)
def _number_pattern(rules: AmountRules) -> re.Pattern[str]:
    dp, ts = re.escape(rules.decimal_point), re.escape(rules.thousands_separator)
    body = f"(?:{_NUMBER_GROUPED.format(ts=ts, dp=dp)}|{_NUMBER_PLAIN.format(dp=dp)})"
    exponent = r"(?:[eE][-+]?\d+)?" if rules.allow_exponent else ""
    return re.compile(rf"^{body}{exponent}$")


DEFAULT_AMOUNT_RULES = AmountRules()


def parse_amount(cell: str, rules: AmountRules = DEFAULT_AMOUNT_RULES) -> float | None:
    """'1,534.24' -> 1534.24; '£1,534.24'; '(12.00)' -> -12.0; '161,413.00-' -> -161413.0;
    '-12' -> -12.0; '' -> None; anything else -> ValueError."""
    text = cell.strip().replace("\u00a0", " ")
    if not text:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")") and "parentheses" in rules.negative_forms:
        negative, text = True, text[1:-1].strip()
    if text.endswith("-") and "trailing" in rules.negative_forms:
        negative, text = not negative, text[:-1].strip()
    for _ in range(2):  # '-£12', '£-12'
        if text[:1] in ("-", "+") and "leading" in rules.negative_forms:
            negative, text = (not negative if text[0] == "-" else negative), text[1:].strip()
        for symbol in rules.currency_symbols:
            if text.startswith(symbol):
                text = text[len(symbol) :].strip()
    if not _number_pattern(rules).match(text):
        raise ValueError(f"{cell!r} is not an amount")
    value = float(text.replace(rules.thousands_separator, "").replace(rules.decimal_point, "."))
    if rules.round_digits is not None:
        value = round(value, rules.round_digits)
    value = -value if negative else value
    return value + 0.0  # no negative zero


def _blank(cells: Sequence[str]) -> bool:
    return not any(_WORD.search(c) for c in cells)


# --------------------------------------------------------------------------- reading


def _records(text: str, file: str) -> list[tuple[int, list[str]]]:
    """(1-based start line, cells) for every CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            out.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"not readable as CSV: {exc}", Location(file, row=start)) from None
    return out


def _find_header(records: list[tuple[int, list[str]]], file: str) -> tuple[int, LayoutMatch]:
    for i, (_line, cells) in enumerate(records[:HEADER_SCAN]):
        if _blank(cells):
            continue
        match = best_match(cells)
        if match is not None and i <= match.layout.max_preamble_lines:
            return i, match
    raise _unsupported(records, file)


def _unsupported(records: list[tuple[int, list[str]]], file: str) -> UnsupportedLayoutError:
    scanned = [(line, cells) for line, cells in records[:HEADER_SCAN] if not _blank(cells)]
    if not scanned:
        return UnsupportedLayoutError(f"file {file!r}: no header row found (the file is empty)")
    # The header is taken to be the widest of the first lines (the earliest of equals).
    line, cells = max(scanned, key=lambda r: sum(1 for c in r[1] if c.strip()))
    columns = [c.strip() for c in cells if c.strip()]
    near = nearest(cells)
    hint = ""
    if len(near.missing) < len(near.layout.required):
        aliases = [near.layout.columns[f][0] for f in near.missing]
        hint = f" Nearest layout {near.layout.name!r} lacks {aliases}."
    return UnsupportedLayoutError(
        f"file {file!r}: no declared spend layout matches its header (line {line}) with "
        f"columns {columns}.{hint} Known layouts: "
        f"{', '.join(layout.name for layout in LAYOUTS)}. Declare the publisher's layout in "
        "sources/spend/layouts.py."
    )


def sniff_layout(path: Path | str, max_bytes: int = 65536) -> Layout | None:
    """The spend layout of a file's header, from its first bytes, or None (cheap: for a
    dispatcher deciding which parser a CSV needs; supplier-totals layouts are returned too)."""
    with Path(path).open("rb") as fh:
        head = fh.read(max_bytes)
    text = head.decode(detect_encoding(head), errors="replace")
    lines = text.splitlines()[:HEADER_SCAN]
    try:
        records = list(csv.reader(lines))
    except csv.Error:
        return None
    for i, cells in enumerate(records):
        match = best_match(cells) if not _blank(cells) else None
        if match is not None and i <= match.layout.max_preamble_lines:
            return match.layout
    return None


# --------------------------------------------------------------------------- main


def parse_spend(
    path: Path | str,
    *,
    body: str | None = None,
    body_gss_code: str | None = None,
    period: str | None = None,
    threshold_gbp: int | None = None,
    amount_basis: str | None = None,
    is_purchase_card: bool | None = None,
    catalogue: Path | None = SPEND_CATALOGUE,
    source_name: str | None = None,
) -> ParsedSpend:
    """Parse one spend CSV into the tidy frame (one row per published transaction line).

    Keyword arguments override the catalogue row found by the file's sha256 (pass
    ``catalogue=None`` to ignore the catalogue). ``is_purchase_card=True`` marks every row as a
    card transaction; otherwise rows are card rows when the layout or its card-row rules say so.
    ``source_name`` is the name written to ``source_file`` (default: the path's file name; a
    landing zone may pass the original name).
    """
    path = Path(path)
    file = source_name or path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc}", Location(file)) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    entry = lookup(sha256, catalogue) if catalogue is not None else None

    encoding = detect_encoding(raw)
    records = _records(raw.decode(encoding), file)
    header_index, match = _find_header(records, file)
    layout = match.layout
    header_line, header = records[header_index]
    if layout.kind == "supplier_totals":
        columns = [c.strip() for c in header if c.strip()]
        raise SupplierTotalsError(
            f"file {file!r}: line {header_line} has columns {columns}, the layout "
            f"{layout.name!r}: one total per supplier for the period, not transactions. "
            "raw.spend_transactions holds published transactions only, so this file is not "
            "loaded (the catalogue marks such files is_supplier_totals)."
        )
    preamble_records = records[:header_index]
    preamble = [",".join(cells) for _, cells in preamble_records]

    # ---- file-level metadata: argument > catalogue > the file itself
    if amount_basis is not None and amount_basis not in AMOUNT_BASES:
        raise ValueError(f"amount_basis must be one of {AMOUNT_BASES}, got {amount_basis!r}")
    stated = amount_basis if amount_basis is not None else (entry.amount_basis if entry else None)
    basis = layout.amount_basis
    amount_header = header[match.positions["amount"]].strip()
    if basis == "unknown":
        basis = stated or "unknown"
    elif stated not in (None, "unknown", basis):
        raise ParseError(
            f"the amount column {amount_header!r} says {basis}, but the "
            f"{'argument' if amount_basis else 'catalogue'} says {stated}",
            Location(file, row=header_line, column=column_letter(match.positions["amount"])),
        )
    threshold = (
        threshold_gbp if threshold_gbp is not None else (entry.threshold_gbp if entry else None)
    )
    notes: list[str] = []
    if threshold is None and layout.preamble_threshold:
        for text in preamble:
            m = re.search(layout.preamble_threshold, text, flags=re.IGNORECASE)
            if m:
                threshold = int(m.group("gbp"))
                notes.append(f"threshold £{threshold} read from the preamble: {text.strip(',')!r}")
                break
    gss = (
        body_gss_code
        if body_gss_code is not None
        else (entry.publisher_gss_code if entry else None)
    )
    period = period if period is not None else (entry.period if entry else None)
    card_file = (
        is_purchase_card
        if is_purchase_card is not None
        else (entry.is_purchase_card if entry else False)
    )
    card_file = bool(card_file) or layout.is_purchase_card

    # ---- rows
    pos = match.positions
    letters = {f: column_letter(i) for f, i in pos.items()}
    names = {f: header[i].strip() for f, i in pos.items()}
    card_rules = [(f, re.compile(rx, re.IGNORECASE)) for f, rx in layout.card_rows if f in pos]
    total_rule = (
        (layout.total_row[0], re.compile(layout.total_row[1], re.IGNORECASE))
        if layout.total_row and layout.total_row[0] in pos
        else None
    )
    date_formats = list(layout.date_formats)
    out: dict[str, list] = {c: [] for c in TIDY_COLUMNS}
    text_values: dict[str, list] = {f: [] for f in TEXT_FIELDS}
    body_names: Counter[str] = Counter()
    published_total = None
    blank = 0

    def cell(cells: list[str], fld: str) -> str:
        i = pos.get(fld)
        return cells[i] if i is not None and i < len(cells) else ""

    for line, cells in records[header_index + 1 :]:
        if _blank(cells):
            blank += 1
            continue
        if total_rule and total_rule[1].search(cell(cells, total_rule[0])):
            try:
                published_total = parse_amount(cell(cells, "amount"), layout.amount_rules)
            except ValueError:
                published_total = None
            continue
        where = Location(file, row=line, column=letters["amount"])
        raw_amount = cell(cells, "amount")
        try:
            amount = parse_amount(raw_amount, layout.amount_rules)
            problem = "is empty"
        except ValueError:
            amount, problem = None, "is not an amount of money"
        if amount is None:
            raise ParseError(
                f"amount {raw_amount!r} in column {names['amount']!r} {problem} (line {line})",
                where,
            )
        raw_date = cell(cells, "payment_date")
        for k, fmt in enumerate(date_formats):
            try:
                when = datetime.strptime(raw_date.strip(), fmt)
            except ValueError:
                continue
            if k:  # try the format that worked first next time
                date_formats.insert(0, date_formats.pop(k))
            break
        else:
            raise ParseError(
                f"date {raw_date!r} in column {names['payment_date']!r} matches none of the "
                f"layout's formats {list(layout.date_formats)} (line {line})",
                Location(file, row=line, column=letters["payment_date"]),
            )
        for fld in TEXT_FIELDS:
            value = cell(cells, fld).strip()
            text_values[fld].append(value or None)
        if "body_name" in pos:
            name = cell(cells, "body_name").strip()
            if name:
                body_names[name] += 1
        out["payment_date"].append(when)
        out["amount_gbp"].append(amount)
        out["is_purchase_card"].append(
            card_file or any(rx.search(cell(cells, f)) for f, rx in card_rules)
        )
        out["source_row"].append(line)

    # ---- publisher
    if body is None:
        body = entry.publisher_name if entry else None
    if body is None and body_names:
        body = body_names.most_common(1)[0][0]
        notes.append(f"publisher taken from the file's {names['body_name']!r} column")
    if body is None:
        raise ParseError(
            "the publisher is not known: the file is not in the spend catalogue and has no "
            "body-name column; pass body= (lgf parse --body)",
            Location(file),
        )

    n = len(out["source_row"])
    suppliers = text_values["supplier_name"]
    matched = [classify(s) for s in suppliers]
    frame = pd.DataFrame(
        {
            "body": pd.Series([body] * n, dtype="object"),
            "body_gss_code": pd.Series([gss] * n, dtype="object"),
            "period": pd.Series([period] * n, dtype="object"),
            "payment_date": pd.to_datetime(pd.Series(out["payment_date"], dtype="object")),
            "amount_gbp": pd.Series(out["amount_gbp"], dtype="float64"),
            "amount_basis": pd.Series([basis] * n, dtype="object"),
            **{f: pd.Series(text_values[f], dtype="object") for f in TEXT_FIELDS},
            "is_purchase_card": pd.Series(out["is_purchase_card"], dtype="bool"),
            "threshold_gbp": pd.Series([threshold] * n, dtype="Int64"),
            "is_buying_organisation": pd.Series([m is not None for m in matched], dtype="bool"),
            "buying_organisation": pd.Series(matched, dtype="object"),
            "layout": pd.Series([layout.name] * n, dtype="object"),
            "source_file": pd.Series([file] * n, dtype="object"),
            "source_sha256": pd.Series([sha256] * n, dtype="object"),
            "source_row": pd.Series(out["source_row"], dtype="int64"),
        }
    )[TIDY_COLUMNS]
    if n:
        frame["payment_date"] = frame["payment_date"].astype("datetime64[ns]")
    else:
        frame["payment_date"] = pd.Series([], dtype="datetime64[ns]")
    columns = {
        "payment_date": letters["payment_date"],
        "amount_gbp": letters["amount"],
        **{f: letters[f] for f in TEXT_FIELDS if f in letters},
    }
    frame.attrs["source_columns"] = columns
    return ParsedSpend(
        frame=frame,
        layout=layout,
        encoding=encoding,
        header_line=header_line,
        header=[c for c in header],
        preamble=preamble,
        columns=columns,
        published_total=published_total,
        blank_lines_skipped=blank,
        catalogue_entry=entry,
        notes=notes,
    )
