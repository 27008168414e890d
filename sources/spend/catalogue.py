"""The catalogue of bundled spend files: what each file is, who published it, on what basis.

``samples/spend_over_500/catalogue.csv`` has one row per file: publisher, GSS code, council type,
period (YYYY-MM), threshold (£), amount basis (net / gross / unknown, and the evidence for it),
purchase-card and supplier-totals flags, sha256, the public copy it came from, original URL and
licence. Entries are looked up by the file's sha256, so a file renamed by the landing zone
(content-addressed) still finds its row. ``spend_releases`` gives the same rows as catalogue
releases (dataset 'spend') so spend files land, and are recorded in the manifest, like any other.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sources.catalogue import Release
from sources.errors import SourceError
from sources.spend.layouts import AMOUNT_BASES

SPEND_SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "spend_over_500"
SPEND_CATALOGUE = SPEND_SAMPLES / "catalogue.csv"
COLUMNS = (
    "file_name",
    "publisher_name",
    "publisher_gss_code",
    "council_type",
    "period",
    "threshold_gbp",
    "amount_basis",
    "amount_basis_evidence",
    "is_purchase_card",
    "is_supplier_totals",
    "sha256",
    "copy_of",
    "original_url",
    "licence",
    "licence_basis",
    "notes",
)
_BOOL = {"true": True, "false": False}


@dataclass(frozen=True)
class SpendFile:
    """One catalogued spend file."""

    file_name: str
    publisher_name: str
    publisher_gss_code: str | None
    council_type: str
    period: str  # YYYY-MM, or '' for a file covering several months
    threshold_gbp: int
    amount_basis: str
    amount_basis_evidence: str
    is_purchase_card: bool
    is_supplier_totals: bool
    sha256: str
    copy_of: str
    original_url: str | None
    licence: str
    licence_basis: str
    notes: str
    path: Path


def _flag(path: Path, n: int, name: str, value: str) -> bool:
    try:
        return _BOOL[value.strip().lower()]
    except KeyError:
        raise SourceError(
            f"catalogue {path}, row {n}, column {name}: {value!r} is not true or false"
        ) from None


def load_spend_catalogue(path: Path = SPEND_CATALOGUE) -> list[SpendFile]:
    """Every row of a spend catalogue; the files sit beside it."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"spend catalogue {path} does not exist")
    entries = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise SourceError(f"spend catalogue {path}: missing columns {absent}")
        for n, row in enumerate(reader, start=2):
            if row["amount_basis"] not in AMOUNT_BASES:
                raise SourceError(
                    f"spend catalogue {path}, row {n}, column amount_basis: "
                    f"{row['amount_basis']!r} is not one of {', '.join(AMOUNT_BASES)}"
                )
            if row["period"] and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", row["period"]):
                raise SourceError(
                    f"spend catalogue {path}, row {n}, column period: {row['period']!r} is not "
                    "a month (YYYY-MM); leave it blank for a file covering several months"
                )
            try:
                threshold = int(row["threshold_gbp"])
            except ValueError:
                raise SourceError(
                    f"spend catalogue {path}, row {n}, column threshold_gbp: "
                    f"{row['threshold_gbp']!r} is not a whole number of pounds"
                ) from None
            entries.append(
                SpendFile(
                    file_name=row["file_name"],
                    publisher_name=row["publisher_name"],
                    publisher_gss_code=row["publisher_gss_code"] or None,
                    council_type=row["council_type"],
                    period=row["period"],
                    threshold_gbp=threshold,
                    amount_basis=row["amount_basis"],
                    amount_basis_evidence=row["amount_basis_evidence"],
                    is_purchase_card=_flag(path, n, "is_purchase_card", row["is_purchase_card"]),
                    is_supplier_totals=_flag(
                        path, n, "is_supplier_totals", row["is_supplier_totals"]
                    ),
                    sha256=row["sha256"].lower(),
                    copy_of=row["copy_of"],
                    original_url=row["original_url"] or None,
                    licence=row["licence"],
                    licence_basis=row["licence_basis"],
                    notes=row["notes"],
                    path=path.parent / row["file_name"],
                )
            )
    return entries


@functools.lru_cache(maxsize=8)
def _by_sha256(path: Path) -> dict[str, SpendFile]:
    return {entry.sha256: entry for entry in load_spend_catalogue(path)}


def lookup(sha256: str, catalogue: Path = SPEND_CATALOGUE) -> SpendFile | None:
    """The catalogue row of the file with this content hash, or None."""
    return _by_sha256(Path(catalogue).resolve()).get(sha256.lower())


DATASET = "spend"


def financial_year_of(period: str | None) -> str:
    """'2011-12' (December 2011) -> '2011-12'; '2015-04' -> '2015-16'; '' -> ''."""
    if not period:
        return ""
    year, month = (int(part) for part in period.split("-"))
    start = year if month >= 4 else year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def spend_releases(path: Path = SPEND_CATALOGUE) -> list[Release]:
    """The spend catalogue's rows as releases of dataset 'spend' (form: 'payments',
    'purchase_cards' or 'supplier_totals'), for the landing zone and its manifest. ``url`` is
    left empty: the bundled copies are not byte-identical to the councils' originals (the ODI
    Leeds copies are cleaned), so even ``LGF_SOURCE=live`` reads the bundled copy; a mirror
    serves them under their file names."""
    releases = []
    for entry in load_spend_catalogue(path):
        form = (
            "supplier_totals"
            if entry.is_supplier_totals
            else "purchase_cards"
            if entry.is_purchase_card
            else "payments"
        )
        releases.append(
            Release(
                file_name=entry.file_name,
                dataset=DATASET,
                form=form,
                financial_year=financial_year_of(entry.period),
                release="final",
                release_date=None,
                release_note=entry.notes,
                publisher=entry.publisher_name,
                publisher_page=entry.original_url or "",
                copy_of=entry.copy_of,
                licence=entry.licence,
                path=entry.path,
            )
        )
    return releases
