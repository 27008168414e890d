"""Which payees are public buying organisations: the maintained list and the matcher.

The list is ``buying_organisations.csv``: one row per pattern, with the organisation's canonical
name and type, ``pattern_kind`` ('alias' or 'exclude'), the pattern, the ``evidence`` (where the
spelling was seen in the real files) and the ``basis`` (why the organisation counts as a public
buying organisation; given on the organisation's first row).

Matching works on a normalised supplier name: upper case, '&' -> ' AND ', apostrophes dropped
("ORG'ATION" -> 'ORGATION'), every other non-alphanumeric character -> space, spaces collapsed.
Each pattern is a regular expression that must match *whole words*: it may not touch a letter
or digit on either side. So 'SCAPE' never matches inside 'LANDSCAPE', 'ESCAPE', 'TOWNSCAPE' or
'PLANSCAPE', 'YPO' never inside 'PAYPOINT', 'TYPO...' or 'WAYPOINTS', 'NEPO' never inside
'NEPRO'. An organisation matches when one of its aliases matches and none of its exclusions
does; exclusions cover look-alikes that do contain the whole words, for instance
'NPOWER (ELECTRIC) YPO CONTRACT' (paid to npower under a YPO framework) or 'LHC ARCHITECTURE'.

Only payees are classified: a payment to a contractor *under* a buying organisation's framework
is not a payment to the buying organisation.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sources.errors import SourceError

BUYING_ORGANISATIONS_CSV = Path(__file__).with_name("buying_organisations.csv")
PATTERN_KINDS = ("alias", "exclude")


@dataclass(frozen=True)
class BuyingOrganisation:
    canonical_name: str
    type: str
    aliases: tuple[re.Pattern[str], ...]
    exclusions: tuple[re.Pattern[str], ...]
    basis: str

    def matches(self, normalised: str) -> bool:
        return any(p.search(normalised) for p in self.aliases) and not any(
            p.search(normalised) for p in self.exclusions
        )


def normalise_supplier(name: str) -> str:
    """'Yorkshire Purchasing Org'ation' -> 'YORKSHIRE PURCHASING ORGATION'."""
    text = name.upper().replace("&", " AND ")
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^A-Z0-9]+", " ", text)
    return text.strip()


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"(?<![A-Z0-9])(?:{pattern})(?![A-Z0-9])")
    except re.error as exc:
        raise SourceError(
            f"{where}: pattern {pattern!r} is not a regular expression: {exc}"
        ) from None


@functools.lru_cache(maxsize=4)
def load_buying_organisations(
    path: Path = BUYING_ORGANISATIONS_CSV,
) -> tuple[BuyingOrganisation, ...]:
    """The maintained list, in file order of first appearance."""
    order: list[str] = []
    rows: dict[str, dict] = {}
    with Path(path).open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            where = f"{Path(path).name}, row {n}"
            name = row["canonical_name"].strip()
            kind = row["pattern_kind"].strip()
            if not name or kind not in PATTERN_KINDS:
                raise SourceError(
                    f"{where}: needs a canonical_name and a pattern_kind in "
                    f"{PATTERN_KINDS}, got {name!r}, {kind!r}"
                )
            entry = rows.get(name)
            if entry is None:
                order.append(name)
                entry = rows[name] = {"type": row["type"], "alias": [], "exclude": [], "basis": ""}
            elif row["type"] != entry["type"]:
                raise SourceError(f"{where}: type {row['type']!r} differs from {entry['type']!r}")
            entry[kind].append(_compile(row["pattern"], where))
            if row.get("basis") and not entry["basis"]:
                entry["basis"] = row["basis"]
    organisations = []
    for name in order:
        entry = rows[name]
        if not entry["alias"]:
            raise SourceError(f"{Path(path).name}: {name!r} has exclusions but no alias")
        organisations.append(
            BuyingOrganisation(
                name, entry["type"], tuple(entry["alias"]), tuple(entry["exclude"]), entry["basis"]
            )
        )
    return tuple(organisations)


def canonical_names(path: Path = BUYING_ORGANISATIONS_CSV) -> list[str]:
    return [org.canonical_name for org in load_buying_organisations(path)]


@functools.lru_cache(maxsize=65536)
def _classify(normalised: str, path: Path) -> str | None:
    for org in load_buying_organisations(path):
        if org.matches(normalised):
            return org.canonical_name
    return None


def classify(supplier_name: str | None, path: Path = BUYING_ORGANISATIONS_CSV) -> str | None:
    """The canonical name of the buying organisation paid, or None ('SCAPE GARDENING' -> None)."""
    if supplier_name is None or not str(supplier_name).strip():
        return None
    return _classify(normalise_supplier(str(supplier_name)), Path(path))
