"""``raw.authorities``: the register of legal bodies, and E-code resolution.

One row per legal body, keyed by ``body_id``: the mySociety ``local-authority-code`` (England
only), or ``ECODE-<E-code>`` for a body the mySociety register does not hold. Three inputs:

1. the mySociety register ``uk_local_authorities.csv`` (names, GSS codes past and present,
   E-code, type, start and end dates, replaced-by, county, region), with alternative names from
   its ``lookup_name_to_registry.csv``;
2. the 2009 crosswalk ``reorganisation_2009_ecode_crosswalk.csv``: the 44 predecessor E-codes
   of the 1 April 2009 unitary changes (absent from mySociety) become bodies ``ECODE-Ennnn``
   ending 2009-03-31 and replaced by their successor unitaries (Bedfordshire and Cheshire county
   councils by two each);
3. the E-code supplement ``ecode_supplement.csv`` (bundled, hand-checked, one row per E-code and
   body, a ``basis`` column citing the RS workbook row each fact was read from): E-codes for
   register bodies that lack one (the 2019-2023 unitaries, combined authorities), two former
   E-codes, an E-code pair the publisher swapped after 2016-17, and the bodies the register does
   not hold at all (police, fire, waste, transport, national park and regional park
   authorities) with their names, class and ONS code as published.

Conventions:

- Dates are the first and last day in existence. mySociety writes an end date either as the
  last day (2019-03-31) or as the successor's vesting day (2023-04-01); ``end_date`` is
  normalised to the day before the earliest successor's start when the published date is not
  earlier than that start, otherwise a published 1 April becomes 31 March. The published value
  stays in ``end_date_as_published``. mySociety start dates are kept as published; for many
  long-standing councils they are dates of the register entry (Leeds: 2005-06-08), not of
  creation, and blank means unknown.
- ``alt_names``, ``former_gss_codes``, ``replaced_by`` and ``former_ecodes`` are '|'-joined
  lists (``split_list`` reads them). A former E-code may carry the financial years it applies
  to: ``'E0534 (..2007-08)'``, ``'E6354 (2016-17..2016-17)'``; ``ecode_first_year`` limits the
  current E-code in the same way.
- ``authority_class`` is the RS class (L, MD, UA, SC, SD, O) implied by the type: London
  boroughs and the City of London L, metropolitan districts MD, unitaries UA, counties SC,
  non-metropolitan districts SD, everything else O (checked against every bundled RS file).
- ``region`` comes from the register; where it is blank (bodies abolished 2019-2021) and for
  the 2009 predecessors it is taken from the successor.

A body is *valid for a financial year* when it exists on the last day of that year (31 March):
the outturn return for a year is made by the body in existence at its end, which reports any
part-year of a predecessor. ``resolve_ecodes`` uses that rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from sources.catalogue import SAMPLES_DIR
from sources.errors import Location, ParseError, SourceError, UnsupportedLayoutError, column_letter

REFERENCE_DIR = SAMPLES_DIR / "reference"
BUNDLED_REGISTER = REFERENCE_DIR / "uk_local_authorities.csv"
BUNDLED_CROSSWALK = REFERENCE_DIR / "reorganisation_2009_ecode_crosswalk.csv"
BUNDLED_NAMES = REFERENCE_DIR / "lookup_name_to_registry.csv"
BUNDLED_SUPPLEMENT = REFERENCE_DIR / "ecode_supplement.csv"

NATION = "England"
ECODE = re.compile(r"^E\d{4}$")
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
FORMER_ECODE = re.compile(r"^(E\d{4})(?: \((\d{4}-\d{2})?\.\.(\d{4}-\d{2})?\))?$")
SEPARATOR = "|"

# mySociety local-authority-type -> RS class. Types of bodies outside the register (supplement)
# and of the 2009 predecessors are listed too.
TYPE_TO_CLASS = {
    "LBO": "L",
    "CC": "L",  # City of London: class L in every RS file
    "MD": "MD",
    "UA": "UA",
    "CTY": "SC",
    "NMD": "SD",
    "SRA": "O",  # Greater London Authority
    "COMB": "O",
    "PA": "O",
    "PCC": "O",
    "FRA": "O",
    "WDA": "O",
    "PTA": "O",
    "NPA": "O",
    "RPA": "O",
}
SUPPLEMENT_TYPE_NAMES = {
    "PA": "Police authority",
    "PCC": "Police and crime commissioner",
    "FRA": "Fire and rescue authority",
    "WDA": "Waste disposal authority",
    "PTA": "Passenger or integrated transport authority",
    "NPA": "National park authority",
    "RPA": "Regional park authority",
}
CLASS_TO_PREDECESSOR_TYPE = {"SC": ("CTY", "County"), "SD": ("NMD", "Non-metropolitan district")}

SOURCES = ("mysociety", "mysociety+supplement", "crosswalk_2009", "supplement")

COLUMNS = [
    "body_id",
    "official_name",
    "nice_name",
    "alt_names",
    "gss_code",
    "former_gss_codes",
    "ecode",
    "ecode_first_year",
    "former_ecodes",
    "authority_type",
    "authority_type_name",
    "authority_class",
    "start_date",
    "end_date",
    "end_date_as_published",
    "replaced_by",
    "region",
    "county_body_id",
    "combined_authority_body_id",
    "nation",
    "source",
    "source_file",
    "source_row",
]
DATE_COLUMNS = ["start_date", "end_date", "end_date_as_published"]

REGISTER_COLUMNS = [
    "local-authority-code",
    "official-name",
    "nice-name",
    "gss-code",
    "start-date",
    "end-date",
    "replaced-by",
    "nation",
    "region",
    "local-authority-type",
    "local-authority-type-name",
    "county-la",
    "combined-authority",
    "former-gss-codes",
    "ecode",
]
CROSSWALK_COLUMNS = [
    "predecessor_ecode",
    "predecessor_name_2008_09",
    "predecessor_class_2008_09",
    "successor_ecode",
    "successor_name_2010_11",
    "successor_ons_code_2014_15",
    "effective_date",
]
SUPPLEMENT_COLUMNS = [
    "ecode",
    "body_id",
    "ecode_role",
    "ecode_first_year",
    "ecode_last_year",
    "official_name",
    "alt_names",
    "authority_type",
    "authority_class",
    "gss_code",
    "former_gss_codes",
    "start_date",
    "end_date",
    "replaced_by",
    "first_seen",
    "last_seen",
    "basis",
]


class UnresolvedEcodes(SourceError):
    """E-codes that resolve to no body, or to more than one, for a financial year."""

    def __init__(self, message: str, unresolved: list[str], ambiguous: dict[str, list[str]]):
        self.unresolved = unresolved
        self.ambiguous = ambiguous
        super().__init__(message)


def split_list(value) -> list[str]:
    """A '|'-joined cell as a list ('' or None -> [])."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    return [v for v in str(value).split(SEPARATOR) if v]


def _join(values: Iterable[str]) -> str | None:
    values = list(dict.fromkeys(v for v in values if v))
    return SEPARATOR.join(values) if values else None


class _Csv:
    """A small CSV reader that knows where each cell came from."""

    def __init__(self, path: Path, required: list[str]):
        self.path = Path(path)
        if not self.path.exists():
            raise ParseError("file does not exist", Location(str(self.path)))
        with self.path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                self.header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise UnsupportedLayoutError(f"{self.path.name}: the file is empty") from None
            self.rows = [(n, row) for n, row in enumerate(reader, start=2) if any(row)]
        missing = [c for c in required if c not in self.header]
        if missing:
            raise UnsupportedLayoutError(
                f"{self.path.name}: header row lacks column(s) {', '.join(missing)}; "
                f"found {', '.join(self.header)}"
            )
        self.index = {name: i for i, name in enumerate(self.header)}

    def records(self):
        for n, row in self.rows:
            yield (
                n,
                {name: (row[i].strip() if i < len(row) else "") for name, i in self.index.items()},
            )

    def location(self, row: int, column: str) -> Location:
        return Location(self.path.name, row=row, column=column_letter(self.index[column]))

    def date(self, value: str, row: int, column: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ParseError(
                f"{column} {value!r} is not a date (YYYY-MM-DD)", self.location(row, column)
            ) from None

    def financial_year(self, value: str, row: int, column: str) -> str | None:
        if not value:
            return None
        if not _valid_financial_year(value):
            raise ParseError(
                f"{column} {value!r} is not a financial year like '2016-17'",
                self.location(row, column),
            )
        return value


def _valid_financial_year(value: str) -> bool:
    m = FINANCIAL_YEAR.match(value or "")
    return bool(m) and (int(m.group(1)) + 1) % 100 == int(m.group(2))


def _year_end(financial_year: str) -> dt.date:
    return dt.date(int(financial_year[:4]) + 1, 3, 31)


def _alt_names(path: Path | None) -> dict[str, list[str]]:
    if path is None:
        return {}
    table = _Csv(path, ["la-name", "local-authority-code"])
    names: dict[str, list[str]] = {}
    for _, rec in table.records():
        names.setdefault(rec["local-authority-code"], []).append(rec["la-name"])
    return names


def _distinct_names(names: Iterable[str], exclude: Iterable[str]) -> str | None:
    seen = {n.casefold() for n in exclude if n}
    kept = []
    for n in names:
        if n and n.casefold() not in seen:
            seen.add(n.casefold())
            kept.append(n)
    return _join(kept)


def parse_register(
    path_register: str | Path = BUNDLED_REGISTER,
    path_crosswalk: str | Path = BUNDLED_CROSSWALK,
    *,
    path_names: str | Path | None = BUNDLED_NAMES,
    path_supplement: str | Path | None = BUNDLED_SUPPLEMENT,
) -> pd.DataFrame:
    """The register of legal bodies (``raw.authorities``), one row per body; see module doc.

    ``path_names=None`` leaves ``alt_names`` to the crosswalk and supplement; ``path_supplement
    =None`` gives the register and crosswalk alone (E-codes of bodies mySociety lacks then do
    not resolve).
    """
    register = _Csv(Path(path_register), REGISTER_COLUMNS)
    alt = _alt_names(Path(path_names) if path_names is not None else None)
    bodies: dict[str, dict] = {}
    for n, rec in register.records():
        if rec["nation"] != NATION:
            continue
        code = rec["local-authority-code"]
        if code in bodies:
            raise ParseError(
                f"local-authority-code {code!r} appears twice",
                register.location(n, "local-authority-code"),
            )
        typ = rec["local-authority-type"]
        end = register.date(rec["end-date"], n, "end-date")
        bodies[code] = {
            "body_id": code,
            "official_name": rec["official-name"],
            "nice_name": rec["nice-name"] or rec["official-name"],
            "alt_names": _distinct_names(
                alt.get(code, []), [rec["official-name"], rec["nice-name"]]
            ),
            "gss_code": rec["gss-code"] or None,
            "former_gss_codes": _join(rec["former-gss-codes"].split(",")),
            "ecode": rec["ecode"] or None,
            "ecode_first_year": None,
            "former_ecodes": None,
            "authority_type": typ,
            "authority_type_name": rec["local-authority-type-name"] or None,
            "authority_class": TYPE_TO_CLASS.get(typ),
            "start_date": register.date(rec["start-date"], n, "start-date"),
            "end_date": end,
            "end_date_as_published": end,
            "replaced_by": _join(rec["replaced-by"].split(",")),
            "region": rec["region"] or None,
            "county_body_id": rec["county-la"] or None,
            "combined_authority_body_id": rec["combined-authority"] or None,
            "nation": NATION,
            "source": "mysociety",
            "source_file": register.path.name,
            "source_row": n,
        }

    _add_crosswalk(bodies, _Csv(Path(path_crosswalk), CROSSWALK_COLUMNS))
    if path_supplement is not None:
        _add_supplement(bodies, _Csv(Path(path_supplement), SUPPLEMENT_COLUMNS))
    _normalise_end_dates(bodies)
    _fill_regions(bodies)

    frame = pd.DataFrame(list(bodies.values()), columns=COLUMNS)
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col])
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame.sort_values("body_id", kind="stable").reset_index(drop=True)


def _add_crosswalk(bodies: dict[str, dict], table: _Csv) -> None:
    """2009 predecessors: one body per predecessor E-code, replaced by its successor(s)."""
    by_ecode = {b["ecode"]: b for b in bodies.values() if b["ecode"]}
    preds: dict[str, dict] = {}
    for n, rec in table.records():
        pred, succ = rec["predecessor_ecode"], rec["successor_ecode"]
        for col in ("predecessor_ecode", "successor_ecode"):
            if not ECODE.match(rec[col]):
                raise ParseError(f"{col} {rec[col]!r} is not an E-code", table.location(n, col))
        if pred in by_ecode:
            raise ParseError(
                f"predecessor {pred} is already the E-code of register body "
                f"{by_ecode[pred]['body_id']}",
                table.location(n, "predecessor_ecode"),
            )
        successor = by_ecode.get(succ)
        if successor is None:
            raise ParseError(
                f"successor E-code {succ} ({rec['successor_name_2010_11']}) is not the E-code of "
                "any body in the register",
                table.location(n, "successor_ecode"),
            )
        ons = rec["successor_ons_code_2014_15"]
        known = {successor["gss_code"], *split_list(successor["former_gss_codes"])}
        if ons and ons not in known:
            raise ParseError(
                f"successor ONS code {ons} is not a GSS code of register body "
                f"{successor['body_id']} ({', '.join(sorted(filter(None, known)))})",
                table.location(n, "successor_ons_code_2014_15"),
            )
        effective = table.date(rec["effective_date"], n, "effective_date")
        if effective is None:
            raise ParseError("effective_date is blank", table.location(n, "effective_date"))
        cls = rec["predecessor_class_2008_09"]
        if cls not in CLASS_TO_PREDECESSOR_TYPE:
            raise ParseError(
                f"predecessor class {cls!r} is not SC or SD",
                table.location(n, "predecessor_class_2008_09"),
            )
        body = preds.get(pred)
        if body is None:
            typ, typ_name = CLASS_TO_PREDECESSOR_TYPE[cls]
            body = preds[pred] = {
                "body_id": f"ECODE-{pred}",
                "official_name": rec["predecessor_name_2008_09"],
                "nice_name": rec["predecessor_name_2008_09"],
                "alt_names": None,
                "gss_code": None,
                "former_gss_codes": None,
                "ecode": pred,
                "ecode_first_year": None,
                "former_ecodes": None,
                "authority_type": typ,
                "authority_type_name": typ_name,
                "authority_class": cls,
                "start_date": None,
                "end_date": effective - dt.timedelta(days=1),
                "end_date_as_published": None,
                "replaced_by": None,
                "region": None,
                "county_body_id": None,
                "combined_authority_body_id": None,
                "nation": NATION,
                "source": "crosswalk_2009",
                "source_file": table.path.name,
                "source_row": n,
                "_successor_ecodes": [],
            }
        elif body["end_date"] != effective - dt.timedelta(days=1):
            raise ParseError(
                f"predecessor {pred} has two different effective dates",
                table.location(n, "effective_date"),
            )
        body["replaced_by"] = _join([*split_list(body["replaced_by"]), successor["body_id"]])
        body["_successor_ecodes"].append(succ)

    # A district's county is the county predecessor replaced by the same successor.
    counties = {
        succ: b["body_id"]
        for b in preds.values()
        if b["authority_class"] == "SC"
        for succ in b["_successor_ecodes"]
    }
    for b in preds.values():
        if b["authority_class"] == "SD":
            b["county_body_id"] = counties.get(b["_successor_ecodes"][0])
        del b["_successor_ecodes"]
        bodies[b["body_id"]] = b


def _former(entry: str) -> tuple[str, str | None, str | None]:
    m = FORMER_ECODE.match(entry)
    if not m:
        raise ValueError(f"former E-code {entry!r} is not like 'E0534' or 'E0534 (..2007-08)'")
    return m.group(1), m.group(2), m.group(3)


def _add_supplement(bodies: dict[str, dict], table: _Csv) -> None:
    seen: set[tuple[str, str]] = set()
    for n, rec in table.records():
        ec, body_id, role = rec["ecode"], rec["body_id"], rec["ecode_role"]
        if not ECODE.match(ec):
            raise ParseError(f"ecode {ec!r} is not an E-code", table.location(n, "ecode"))
        if (ec, body_id) in seen:
            raise ParseError(f"{ec} -> {body_id} appears twice", table.location(n, "body_id"))
        seen.add((ec, body_id))
        if role not in ("current", "former"):
            raise ParseError(
                f"ecode_role {role!r} is not 'current' or 'former'",
                table.location(n, "ecode_role"),
            )
        if not rec["basis"]:
            raise ParseError("basis is blank: every fact needs one", table.location(n, "basis"))
        first = table.financial_year(rec["ecode_first_year"], n, "ecode_first_year")
        last = table.financial_year(rec["ecode_last_year"], n, "ecode_last_year")
        start = table.date(rec["start_date"], n, "start_date")
        end = table.date(rec["end_date"], n, "end_date")

        body = bodies.get(body_id)
        if body is None:
            if body_id != f"ECODE-{ec}":
                raise ParseError(
                    f"body_id {body_id!r} is neither a register body nor 'ECODE-{ec}'",
                    table.location(n, "body_id"),
                )
            typ, cls = rec["authority_type"], rec["authority_class"]
            if typ not in SUPPLEMENT_TYPE_NAMES:
                raise ParseError(
                    f"authority_type {typ!r} is not one of {', '.join(SUPPLEMENT_TYPE_NAMES)}",
                    table.location(n, "authority_type"),
                )
            if not rec["official_name"]:
                raise ParseError("official_name is blank", table.location(n, "official_name"))
            body = bodies[body_id] = {
                "body_id": body_id,
                "official_name": rec["official_name"],
                "nice_name": rec["official_name"],
                "alt_names": _distinct_names(split_list(rec["alt_names"]), [rec["official_name"]]),
                "gss_code": rec["gss_code"] or None,
                "former_gss_codes": _join(split_list(rec["former_gss_codes"])),
                "ecode": None,
                "ecode_first_year": None,
                "former_ecodes": None,
                "authority_type": typ,
                "authority_type_name": SUPPLEMENT_TYPE_NAMES[typ],
                "authority_class": cls or TYPE_TO_CLASS.get(typ),
                "start_date": start,
                "end_date": end,
                "end_date_as_published": end,
                "replaced_by": _join(split_list(rec["replaced_by"])),
                "region": None,
                "county_body_id": None,
                "combined_authority_body_id": None,
                "nation": NATION,
                "source": "supplement",
                "source_file": table.path.name,
                "source_row": n,
            }
        else:
            given = [
                c
                for c in ("official_name", "alt_names", "authority_type", "gss_code", "end_date")
                if rec[c]
            ]
            if given:
                raise ParseError(
                    f"{body_id} is a register body: the supplement may give its E-code and start "
                    f"date only, not {', '.join(given)}",
                    table.location(n, given[0]),
                )
            if start is not None:
                body["start_date"] = start
            if body["source"] == "mysociety":
                body["source"] = "mysociety+supplement"

        if role == "current":
            if body["ecode"] and body["ecode"] != ec:
                raise ParseError(
                    f"{body_id} already has E-code {body['ecode']}; give {ec} as 'former'",
                    table.location(n, "ecode_role"),
                )
            if last:
                raise ParseError(
                    "a current E-code has no last year", table.location(n, "ecode_last_year")
                )
            body["ecode"] = ec
            body["ecode_first_year"] = first
        else:
            span = f" ({first or ''}..{last or ''})" if (first or last) else ""
            body["former_ecodes"] = _join([*split_list(body["former_ecodes"]), f"{ec}{span}"])


def _normalise_end_dates(bodies: dict[str, dict]) -> None:
    for b in bodies.values():
        published = b["end_date_as_published"]
        if published is None:
            continue
        starts = [
            bodies[s]["start_date"]
            for s in split_list(b["replaced_by"])
            if s in bodies and bodies[s]["start_date"] is not None
        ]
        if starts and min(starts) <= published:
            b["end_date"] = min(starts) - dt.timedelta(days=1)
        elif (published.month, published.day) == (4, 1):
            b["end_date"] = published - dt.timedelta(days=1)
        else:
            b["end_date"] = published


def _fill_regions(bodies: dict[str, dict]) -> None:
    for b in bodies.values():
        if b["region"] is None:
            for s in split_list(b["replaced_by"]):
                if s in bodies and bodies[s]["region"]:
                    b["region"] = bodies[s]["region"]
                    break


@functools.lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    return parse_register()


def bundled_register() -> pd.DataFrame:
    """The register built from the bundled files (parsed once per process; a copy)."""
    return _bundled().copy()


def ecode_assignments(register: pd.DataFrame) -> pd.DataFrame:
    """Every E-code -> body assignment: ecode, body_id, role, first_year, last_year.

    ``first_year`` / ``last_year`` (financial years, inclusive) bound the assignment where the
    register says so; None means open. The body's own start and end dates apply on top.
    """
    rows = []
    for b in register.itertuples(index=False):
        if isinstance(b.ecode, str) and b.ecode:
            first = b.ecode_first_year if isinstance(b.ecode_first_year, str) else None
            rows.append((b.ecode, b.body_id, "current", first, None))
        for entry in split_list(b.former_ecodes):
            ec, first, last = _former(entry)
            rows.append((ec, b.body_id, "former", first, last))
    return pd.DataFrame(rows, columns=["ecode", "body_id", "role", "first_year", "last_year"])


def valid_for_year(register: pd.DataFrame, financial_year: str) -> pd.Series:
    """Boolean per body: in existence on 31 March at the end of ``financial_year``."""
    end = pd.Timestamp(_year_end(_checked_year(financial_year)))
    started = register["start_date"].isna() | (register["start_date"] <= end)
    not_ended = register["end_date"].isna() | (register["end_date"] >= end)
    return started & not_ended


def _checked_year(financial_year: str) -> str:
    if not _valid_financial_year(financial_year):
        raise ValueError(f"financial year {financial_year!r} is not like '2019-20'")
    return financial_year


def resolve_ecodes(
    register: pd.DataFrame,
    ecodes: Iterable[str],
    financial_year: str,
    *,
    names: Mapping[str, str] | None = None,
    source: str | None = None,
) -> dict[str, str]:
    """Map each published E-code to the one body it denotes in ``financial_year``.

    A candidate is a body the E-code is assigned to (current or former, within any year bounds)
    that is valid for the year (exists on its last day, 31 March). Exactly one candidate is
    required: raises ``UnresolvedEcodes`` (a ``SourceError``) naming every E-code with none and
    every E-code with several, with the published name from ``names`` where given and the
    ``source`` (file) in the message.
    """
    fy = _checked_year(financial_year)
    assignments = ecode_assignments(register)
    valid = dict(zip(register["body_id"], valid_for_year(register, fy), strict=True))
    candidates: dict[str, list[str]] = {}
    for a in assignments.itertuples(index=False):
        if a.first_year and fy < a.first_year:
            continue
        if a.last_year and fy > a.last_year:
            continue
        if valid.get(a.body_id):
            bodies = candidates.setdefault(a.ecode, [])
            if a.body_id not in bodies:
                bodies.append(a.body_id)

    resolved: dict[str, str] = {}
    unresolved: list[str] = []
    ambiguous: dict[str, list[str]] = {}
    for ec in dict.fromkeys(ecodes):
        found = candidates.get(ec, [])
        if len(found) == 1:
            resolved[ec] = found[0]
        elif not found:
            unresolved.append(ec)
        else:
            ambiguous[ec] = found
    if unresolved or ambiguous:
        names = names or {}

        def label(ec: str) -> str:
            return f"{ec} ({names[ec]})" if ec in names else ec

        parts = []
        if unresolved:
            parts.append(
                f"{len(unresolved)} E-code(s) resolve to no body valid in {fy}: "
                + ", ".join(label(ec) for ec in unresolved)
            )
        if ambiguous:
            parts.append(
                f"{len(ambiguous)} E-code(s) match more than one body valid in {fy}: "
                + "; ".join(f"{label(ec)} -> {', '.join(b)}" for ec, b in ambiguous.items())
            )
        where = f"{source}: " if source else ""
        raise UnresolvedEcodes(where + "; ".join(parts), unresolved, ambiguous)
    return resolved
