"""Declared overrides: the few publisher layouts whose headers mislead the field vocabulary.

Every other spend file is read by inference (``sources.spend.fields``). An override is used when
all of its required header names appear in a file's header (names compared as
``fields.normalise_header`` does); it fixes which column is which field, and each choice is still
confirmed by content (an override whose amount column holds no money is refused like any file).
An override is the exception, written with the reason the vocabulary cannot be trusted for it;
nothing here knows a file or council name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sources.spend.fields import normalise_header

AMOUNT_BASES = ("net", "gross", "unknown")
INFERRED = "inferred"  # the layout name of a file read by inference


@dataclass(frozen=True)
class Layout:
    """A publisher layout whose names mislead: canonical field -> its header aliases."""

    name: str
    description: str  # why the vocabulary would read it wrongly
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]

    def positions(self, header: Sequence[str]) -> dict[str, int]:
        """Field -> 0-based column for the fields whose aliases appear (first occurrence)."""
        index: dict[str, int] = {}
        for i, cell in enumerate(header):
            key = normalise_header(cell)
            if key and key not in index:
                index[key] = i
        out: dict[str, int] = {}
        for fld, aliases in self.columns.items():
            for alias in aliases:
                i = index.get(normalise_header(alias))
                if i is not None:
                    out[fld] = i
                    break
        return out

    def matches(self, header: Sequence[str]) -> bool:
        return all(f in self.positions(header) for f in self.required)


OVERRIDES: tuple[Layout, ...] = (
    Layout(
        name="cipfa_subjective_transno",
        description=(
            "Strgrpcc(T) (strategic group = directorate), Cipfsubj(T) (CIPFA subjective group), "
            "Cipfsubs(T) (CIPFA subjective subgroup), TransNo, Sequence no, Period (a financial "
            "period code, 201601 = April of 2016-17), Supplier ID(T) (holds the supplier's "
            "*name*), Amount, Updated (the only date; taken as the payment date). The system "
            "field names say nothing the vocabulary can read. Seen in Gateshead (2016)."
        ),
        columns={
            "expense_area": ("Strgrpcc(T)",),
            "expense_type": ("Cipfsubs(T)",),
            "transaction_id": ("TransNo",),
            "supplier_name": ("Supplier ID(T)",),
            "amount": ("Amount",),
            "payment_date": ("Updated",),
            "subjective_group": ("Cipfsubj(T)",),
            "sequence_no": ("Sequence no",),
            "period_code": ("Period",),
        },
        required=(
            "subjective_group",
            "sequence_no",
            "period_code",
            "expense_area",
            "expense_type",
            "transaction_id",
            "supplier_name",
            "amount",
            "payment_date",
        ),
    ),
    Layout(
        name="service_label_capital_revenue_narrative",
        description=(
            "Body Name, Expenditure Category, Capital/ Revenue, Service Label, Service Code, "
            "Expenditure Code, Payment date, Supplier Name, Transaction No., Net Amount, "
            "Narrative. Despite their names, 'Expenditure Code' holds the detailed expense type "
            "(e.g. 'Non Qualification Training') and 'Expenditure Category' only the CIPFA "
            "subjective group, so the vocabulary would take the coarser column. Seen in "
            "Harrogate (2016)."
        ),
        columns={
            "body_name": ("Body Name",),
            "expense_area": ("Service Label",),
            "expense_type": ("Expenditure Code",),
            "payment_date": ("Payment date",),
            "supplier_name": ("Supplier Name",),
            "transaction_id": ("Transaction No.",),
            "amount": ("Net Amount",),
            "description": ("Narrative",),
            "subjective_group": ("Expenditure Category",),
            "capital_revenue": ("Capital/ Revenue", "Capital/Revenue"),
            "service": ("Service Code",),
        },
        required=(
            "subjective_group",
            "capital_revenue",
            "service",
            "expense_area",
            "expense_type",
            "payment_date",
            "supplier_name",
            "transaction_id",
            "amount",
        ),
    ),
)
LAYOUT_NAMES = (INFERRED, *(layout.name for layout in OVERRIDES))


def match_override(header: Sequence[str]) -> Layout | None:
    """The override whose required names all appear in ``header`` (the most specific), or None."""
    matching = [layout for layout in OVERRIDES if layout.matches(header)]
    if not matching:
        return None
    return max(matching, key=lambda layout: len(layout.required))
