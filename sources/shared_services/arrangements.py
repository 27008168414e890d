"""Shared-service arrangements between councils -> ``raw.shared_service_arrangements`` (one row
per arrangement x partner; columns in sources.shared_services.schema).

Three layouts are read; each partner is resolved to its legal body through the register
(``sources.reference.resolve``: names, alternative names, GSS codes, E-codes), and a partner
that resolves to no body (or to several) is an error naming it.

1. **The canonical contract** (form ``canonical``), one row per arrangement x partner, UTF-8,
   a header with these columns:

   - ``arrangement_id`` (required): the arrangement's id, the same on each partner's row;
   - ``arrangement_title`` (required): what is shared, as published;
   - ``service_category``: one of SERVICE_CATEGORIES (blank: classified from the title);
   - ``partner`` (required): the partner council as published (name, or blank when
     ``partner_code`` is given); ``partner_code``: GSS code, E-code or register body_id;
     ``partner_class``: L, MD, UA, SC or SD, checked against the register where given;
   - ``is_lead_partner``: true / false / blank (blank = not stated);
   - ``start_date``, ``end_date``: 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or 'c.YYYY' (approximate);
   - ``status``: one of STATUSES (in_place, ending, ended, reported, agreed, proposed,
     considering, postponed, unknown);
   - ``reported_savings_gbp``: savings the arrangement reports, £ (on one partner's row or the
     same on each); ``reported_savings_period``: 'a year', '2 years', ..., blank =
     unspecified;
   - ``source_url`` (required), ``source_date`` (the date of the page, any of the date forms),
     ``note``.

2. **The joint-management list** bundled from the project material
   (``joint_management_arrangements.csv``, form ``joint_management``): one row per arrangement,
   ``arrangement_id, councils ('; '-joined), council_types ('; '-joined: SD, SC, UA, ...),
   arrangement, start_or_event_date, status_as_reported, savings_reported, source_url,
   source_date, evidence``; dates, statuses and savings in words ('(c.2008)', 'in place (2009
   report)', 'about GBP 90,000 a year since April 2008').

3. **The LGA shared-services map** (form ``lga_map``). No copy of the map's data (Google Fusion
   Tables, 2012-13, and the later spreadsheets) is available to this project, so its column
   names could not be checked. The loader reads one row per arrangement under the column names
   in LGA_MAP_COLUMNS (each with the alternative spellings listed; a file whose header lacks the
   partner and service columns is rejected): partners in one cell separated by ';' or ',' or
   ' and ', the lead council in its own column (added to the partners if absent). Adjust
   LGA_MAP_COLUMNS when a real copy is found; the tests use a small SYNTHETIC file only.

Rules applied to every layout:

- ``service_category`` from the description where not given (CATEGORY_KEYWORDS; 'other' when
  nothing matches);
- ``status`` from the words as published (STATUS_RULES, first match wins);
- **active years** (the years the sources show the arrangement operating): in_place / ending:
  from the start year (else the evidence year) to the evidence year (the year of the page or
  report saying it exists) - not beyond, since nothing says it continued; ended: start year to
  end year (the start year alone when the end is not given); reported (an event reported without
  a current status): its start year; agreed (approved, not yet started when reported) /
  proposed / considering / postponed / unknown: none;
- **neighbours**: partners in one county (a shire district's county; a county or unitary is its
  own area; London boroughs share Greater London; a metropolitan district its combined
  authority where it has one) are 'same_county'; otherwise 'cross_county_same_region' or
  'cross_region'. Adjacency is not available (no boundary data is bundled).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sources.catalogue import SAMPLES_DIR
from sources.csv_table import CsvTable, read_header
from sources.errors import SourceError, UnsupportedLayoutError
from sources.reference.resolve import AuthorityResolver, UnresolvedAuthority
from sources.shared_services.schema import (
    SERVICE_CATEGORIES,
    STATUSES,
    arrangements_frame,
)

SAMPLES = SAMPLES_DIR / "shared_services"
BUNDLED_JOINT_MANAGEMENT = SAMPLES / "joint_management_arrangements.csv"

JOINT_MANAGEMENT_COLUMNS = [
    "arrangement_id",
    "councils",
    "council_types",
    "arrangement",
    "start_or_event_date",
    "status_as_reported",
    "savings_reported",
    "source_url",
    "source_date",
    "evidence",
]
CANONICAL_REQUIRED = ["arrangement_id", "arrangement_title", "partner", "source_url"]
CANONICAL_OPTIONAL = [
    "service_category",
    "partner_code",
    "partner_class",
    "is_lead_partner",
    "start_date",
    "end_date",
    "status",
    "reported_savings_gbp",
    "reported_savings_period",
    "source_date",
    "note",
]
# LGA map layout (ASSUMED, see module doc): our field -> accepted header spellings.
LGA_MAP_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("Shared service", "Partnership name", "Name of shared service", "Title"),
    "partners": ("Partner councils", "Partners", "Councils involved", "Authorities involved"),
    "lead": ("Lead council", "Lead authority", "Lead"),
    "service": ("Service type", "Service area", "Service", "Category"),
    "start": ("Start date", "Date started", "Start"),
    "end": ("End date", "Date ended", "End"),
    "status": ("Status", "Stage"),
    "savings": ("Savings (£)", "Savings", "Annual savings (£)", "Efficiency savings (£)"),
    "savings_period": ("Savings period",),
    "source": ("Source", "Link", "URL", "More information"),
    "region": ("Region",),
}
LGA_MAP_REQUIRED = ("title", "partners", "service")

CATEGORY_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    (
        "management",
        (
            "chief exec",
            "management team",
            "shared management",
            "senior management",
            "senior manager",
            "senior officer",
            "head of paid service",
            "joint management",
            "strategic director",
        ),
    ),
    ("revenues_and_benefits", ("revenues", "benefits", "council tax", "business rates")),
    ("legal", ("legal", "solicitor")),
    ("procurement", ("procurement", "purchasing", "buying")),
    (
        "building_control_and_regulatory",
        (
            "building control",
            "regulatory",
            "environmental health",
            "licensing",
            "trading standards",
            "planning",
        ),
    ),
    ("environment_waste_and_transport", ("waste", "refuse", "recycling", "transport", "parking")),
    ("ict", ("ict", " it ", "information technology", "digital")),
    ("back_office", ("back office", "hr", "human resources", "payroll", "finance", "audit")),
]
# (pattern on the status words, status) - first match wins.
STATUS_RULES: list[tuple[str, str]] = [
    (r"\bdissolved\b|\bended\b|\bterminated\b|\bceased\b|\bwound up\b", "ended"),
    (r"minded to'? end|\bto end\b|notice to end", "ending"),
    (r"\bpostponed\b", "postponed"),
    (r"\bconsidering\b|under consideration|\btalks\b", "considering"),
    (r"\bpropos|approved in principle|\bplanned\b", "proposed"),
    (r"\bapproved\b|\bagreed\b", "agreed"),
    (r"\bin place\b|\boperational\b|\blive\b|\bin operation\b|\bestablished\b", "in_place"),
    (r"as reported", "reported"),
]
CANONICAL_STATUSES = {s: s for s in STATUSES} | {"in place": "in_place"}

DATE_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
DATE_MONTH = re.compile(r"\b(\d{4})-(\d{2})\b(?!-\d)")
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
MONEY = re.compile(r"(?:GBP|£)\s*([\d,]+(?:\.\d+)?)\s*(m|bn|million|billion|k)?\b", re.I)
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class ParsedDate:
    as_published: str | None
    date: dt.date | None
    year: int | None
    precision: str | None


def parse_date_text(text: str | None) -> ParsedDate:
    """'2008-04-01' (day), '2010-08' (month), '2007' (year), '(c.2011)' / '(2012)' (approximate
    year); '(before 2009)', '(date not in excerpt)' -> no date."""
    raw = (text or "").strip() or None
    if raw is None:
        return ParsedDate(None, None, None, None)
    t = raw.casefold()
    if "before" in t:
        return ParsedDate(raw, None, None, None)
    approximate = "c." in t or t.startswith("(") or "circa" in t or "about" in t
    if m := DATE_DAY.search(t):
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return ParsedDate(raw, d, d.year, "day")
    if (m := DATE_MONTH.search(t)) and 1 <= int(m.group(2)) <= 12:
        return ParsedDate(
            raw, dt.date(int(m.group(1)), int(m.group(2)), 1), int(m.group(1)), "month"
        )
    years = YEAR.findall(t)
    if years:
        year = int(years[0])
        return ParsedDate(raw, None, year, "approximate year" if approximate else "year")
    return ParsedDate(raw, None, None, None)


def evidence_year(source_date: str | None, status_text: str | None = None) -> int | None:
    """The year of the page or report that shows the arrangement: the source date's first
    year; else a '(YYYY report)' in the status words."""
    parsed = parse_date_text(source_date)
    if parsed.year is not None:
        return parsed.year
    m = re.search(r"\b((?:19|20)\d{2}) report\b", status_text or "")
    return int(m.group(1)) if m else None


def classify_status(text: str | None) -> str:
    t = (text or "").casefold()
    for pattern, status in STATUS_RULES:
        if re.search(pattern, t):
            return status
    return "unknown"


def classify_service(text: str | None) -> str:
    t = f" {(text or '').casefold()} "
    for category, words in CATEGORY_KEYWORDS:
        if any(w in t for w in words):
            return category
    return "other"


@dataclass(frozen=True)
class Savings:
    gbp: float | None
    period: str | None
    qualifier: str | None
    as_published: str | None


def parse_savings(text: str | None) -> Savings:
    """'about GBP 90,000 a year ...' -> (90000, 'a year', 'about');
    'GBP 913,000 in the last two years (estimate ...)' -> (913000, '2 years', 'estimate');
    'more than GBP 6m a year' -> (6000000, 'a year', 'more than')."""
    raw = (text or "").strip() or None
    if raw is None:
        return Savings(None, None, None, None)
    m = MONEY.search(raw)
    if not m:
        raise SourceError(f"savings {raw!r} state no amount in GBP")
    amount = float(m.group(1).replace(",", ""))
    scale = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}
    amount *= scale.get((m.group(2) or "").casefold(), 1.0)
    t = raw.casefold()
    period = "unspecified"
    if re.search(r"\ba year\b|per year|per annum|\bannual|\ba yr\b", t):
        period = "a year"
    elif p := re.search(r"(?:last|over|in)\s+(?:the\s+)?(?:last\s+)?(\w+)\s+years", t):
        n = WORD_NUMBERS.get(p.group(1), p.group(1))
        period = f"{n} years"
    qualifiers = [
        q for q in ("about", "more than", "over", "nearly", "up to", "estimate") if q in t
    ]
    return Savings(amount, period, "; ".join(qualifiers) or None, raw)


def active_years(
    status: str, start_year: int | None, end_year: int | None, evidence: int | None
) -> tuple[int | None, int | None]:
    """The years the sources show an arrangement operating (module doc)."""
    if status in ("in_place", "ending"):
        first = start_year if start_year is not None else evidence
        last = evidence if evidence is not None else start_year
        if first is None or last is None:
            return None, None
        return min(first, last), max(first, last)
    if status == "ended":
        if start_year is None:
            return (end_year, end_year) if end_year is not None else (None, None)
        return (
            start_year,
            end_year if end_year is not None and end_year >= start_year else start_year,
        )
    if status == "reported":
        year = start_year if start_year is not None else evidence
        return (year, year) if year is not None else (None, None)
    return None, None


def upper_tier_area(body) -> str:
    """A partner's county or upper-tier area (module doc)."""
    cls = body.authority_class
    if cls == "SD" and isinstance(body.county_body_id, str) and body.county_body_id:
        return body.county_body_id
    if cls == "L":
        return "GREATER-LONDON"
    if cls == "MD" and isinstance(body.combined_authority_body_id, str):
        return body.combined_authority_body_id
    return body.body_id


def partnership_geography(resolver: AuthorityResolver, body_ids: list[str]) -> str:
    """'same_county', 'cross_county_same_region', 'cross_region' or 'single_council'."""
    bodies = [resolver.body(b) for b in dict.fromkeys(body_ids)]
    if len(bodies) < 2:
        return "single_council"
    if len({upper_tier_area(b) for b in bodies}) == 1:
        return "same_county"
    regions = {b.region for b in bodies}
    return (
        "cross_county_same_region" if len(regions) == 1 and None not in regions else "cross_region"
    )


def _split_partners(text: str) -> list[str]:
    parts = re.split(r";|,|\band\b(?=\s+[A-Z])", text)
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Arrangement:
    """One arrangement as read, before it is written as partner rows."""

    arrangement_id: str
    title: str
    category: str
    description: str | None
    partners: list[
        tuple[str, str | None, str | None, bool | None, int]
    ]  # name, code, class, lead, row
    start: ParsedDate
    end: ParsedDate
    status: str
    status_as_published: str | None
    savings: Savings
    source_url: str
    source_date: str | None
    evidence: str | None
    dataset: str
    source_file: str
    source_row: int


def _rows(arrangements: list[_Arrangement], resolver: AuthorityResolver) -> pd.DataFrame:
    rows: list[dict] = []
    problems: list[str] = []
    for a in arrangements:
        on = a.start.date or (dt.date(a.start.year, 7, 1) if a.start.year else None)
        body_ids = []
        for name, code, cls, _lead, n in a.partners:
            where = f"file {a.source_file!r}, row {n}, arrangement {a.arrangement_id}"
            try:
                body_ids.append(
                    resolver.resolve(name, code, on=on, authority_class=cls or None, where=where)
                )
            except UnresolvedAuthority as exc:
                problems.append(str(exc))
                body_ids.append(None)
        if None in body_ids:
            continue
        if len(set(body_ids)) != len(body_ids):
            problems.append(
                f"file {a.source_file!r}, row {a.source_row}, arrangement {a.arrangement_id}: "
                "two partners resolve to the same body"
            )
            continue
        geography = partnership_geography(resolver, body_ids)
        ev = evidence_year(a.source_date, a.status_as_published)
        first, last = active_years(a.status, a.start.year, a.end.year, ev)
        for (name, code, cls, lead, n), body_id in zip(a.partners, body_ids, strict=True):
            rows.append(
                {
                    "arrangement_id": a.arrangement_id,
                    "arrangement_title": a.title,
                    "service_category": a.category,
                    "service_description": a.description,
                    "partner_as_published": name or code,
                    "partner_code_as_published": code or None,
                    "partner_class_as_published": cls or None,
                    "body_id": body_id,
                    "is_lead_partner": lead,
                    "partners_in_arrangement": len(body_ids),
                    "upper_tier_area": upper_tier_area(resolver.body(body_id)),
                    "partnership_geography": geography,
                    "start_as_published": a.start.as_published,
                    "start_date": a.start.date,
                    "start_year": a.start.year,
                    "start_precision": a.start.precision,
                    "end_as_published": a.end.as_published,
                    "end_year": a.end.year,
                    "evidence_year": ev,
                    "status": a.status,
                    "status_as_published": a.status_as_published,
                    "active_from_year": first,
                    "active_to_year": last,
                    "reported_savings_gbp": a.savings.gbp,
                    "reported_savings_period": a.savings.period,
                    "reported_savings_qualifier": a.savings.qualifier,
                    "reported_savings_as_published": a.savings.as_published,
                    "source_url": a.source_url,
                    "source_date_as_published": a.source_date,
                    "evidence": a.evidence,
                    "dataset": a.dataset,
                    "source_file": a.source_file,
                    "source_row": n,
                }
            )
    if problems:
        raise UnresolvedAuthority(
            f"{len(problems)} partner(s) did not resolve to one legal body:\n  "
            + "\n  ".join(problems),
            "; ".join(problems),
        )
    return arrangements_frame(rows)


def _url(table: CsvTable, rec: dict, n: int, column: str) -> str:
    url = rec.get(column, "")
    if not url.startswith(("http://", "https://")):
        raise table.error(f"{url!r} is not an http(s) address", n, column)
    return url


def _savings(table: CsvTable, rec: dict, n: int, column: str) -> Savings:
    try:
        return parse_savings(rec.get(column))
    except SourceError as exc:
        raise table.error(str(exc), n, column) from None


def load_joint_management(
    path: Path = BUNDLED_JOINT_MANAGEMENT, resolver: AuthorityResolver | None = None
) -> pd.DataFrame:
    """The bundled joint chief-executive / shared-management list (layout 2 of the module doc)."""
    resolver = resolver or _bundled_resolver()
    table = CsvTable(Path(path), JOINT_MANAGEMENT_COLUMNS, layout="joint-management list")
    arrangements = []
    seen = set()
    for n, rec in table.records():
        aid = rec["arrangement_id"]
        if not aid or aid in seen:
            raise table.error(f"arrangement id {aid!r} is blank or repeated", n, "arrangement_id")
        seen.add(aid)
        names = [c.strip() for c in rec["councils"].split(";") if c.strip()]
        types = [t.strip() for t in rec["council_types"].split(";") if t.strip()]
        if not names:
            raise table.error("no councils named", n, "councils")
        if types and len(types) != len(names):
            raise table.error(
                f"{len(types)} council types for {len(names)} councils", n, "council_types"
            )
        types = types or [None] * len(names)
        arrangements.append(
            _Arrangement(
                arrangement_id=aid,
                title=rec["arrangement"],
                category=classify_service(rec["arrangement"]),
                description=rec["arrangement"],
                partners=[(name, None, t, None, n) for name, t in zip(names, types, strict=True)],
                start=parse_date_text(rec["start_or_event_date"]),
                end=parse_date_text(None),
                status=classify_status(rec["status_as_reported"]),
                status_as_published=rec["status_as_reported"] or None,
                savings=_savings(table, rec, n, "savings_reported"),
                source_url=_url(table, rec, n, "source_url"),
                source_date=rec["source_date"] or None,
                evidence=rec["evidence"] or None,
                dataset="joint_management_arrangements",
                source_file=table.name,
                source_row=n,
            )
        )
    return _rows(arrangements, resolver)


def load_canonical(path: Path, resolver: AuthorityResolver | None = None) -> pd.DataFrame:
    """A file in the canonical contract (layout 1 of the module doc)."""
    resolver = resolver or _bundled_resolver()
    table = CsvTable(
        Path(path), CANONICAL_REQUIRED, CANONICAL_OPTIONAL, layout="shared-services contract"
    )
    grouped: dict[str, list[tuple[int, dict]]] = {}
    for n, rec in table.records():
        if not rec["arrangement_id"]:
            raise table.error("arrangement_id is blank", n, "arrangement_id")
        if not (rec["partner"] or rec.get("partner_code")):
            raise table.error("no partner name or code", n, "partner")
        grouped.setdefault(rec["arrangement_id"], []).append((n, rec))
    arrangements = []
    for aid, recs in grouped.items():
        n0, first = recs[0]
        for n, rec in recs[1:]:
            for col in (
                "arrangement_title",
                "service_category",
                "start_date",
                "end_date",
                "status",
            ):
                if rec.get(col, "") and rec.get(col, "") != first.get(col, ""):
                    raise table.error(
                        f"differs from row {n0} of arrangement {aid} ({first.get(col)!r})", n, col
                    )
        amounts = {}
        for n, rec in recs:
            amount = table.money(rec, n, "reported_savings_gbp")
            if amount is not None:
                amounts[n] = amount
        if len(set(amounts.values())) > 1:
            n = max(amounts)
            raise table.error(
                f"arrangement {aid} reports different savings on its rows: "
                + ", ".join(f"row {r}: {v:,.0f}" for r, v in amounts.items()),
                n,
                "reported_savings_gbp",
            )
        category = first.get("service_category", "")
        if category and category not in SERVICE_CATEGORIES:
            raise table.error(
                f"{category!r} is not one of {', '.join(SERVICE_CATEGORIES)}",
                n0,
                "service_category",
            )
        status_text = first.get("status", "")
        status = table.choice(first, n0, "status", CANONICAL_STATUSES) if status_text else "unknown"
        amount = next(iter(amounts.values()), None)
        period = next(
            (r.get("reported_savings_period") for _, r in recs if r.get("reported_savings_period")),
            None,
        )
        arrangements.append(
            _Arrangement(
                arrangement_id=aid,
                title=first["arrangement_title"],
                category=category or classify_service(first["arrangement_title"]),
                description=first["arrangement_title"],
                partners=[
                    (
                        rec["partner"],
                        rec.get("partner_code") or None,
                        rec.get("partner_class") or None,
                        table.flag(rec, n, "is_lead_partner"),
                        n,
                    )
                    for n, rec in recs
                ],
                start=parse_date_text(first.get("start_date")),
                end=parse_date_text(first.get("end_date")),
                status=status,
                status_as_published=status_text or None,
                savings=Savings(
                    amount,
                    (period or "unspecified") if amount is not None else None,
                    None,
                    f"{amount:,.0f}" if amount is not None else None,
                ),
                source_url=_url(table, first, n0, "source_url"),
                source_date=first.get("source_date") or None,
                evidence=first.get("note") or None,
                dataset="canonical",
                source_file=table.name,
                source_row=n0,
            )
        )
    return _rows(arrangements, resolver)


def lga_map_header_map(header: list[str]) -> dict[str, str]:
    """{our field: the file's column} for an LGA map file; raises if a required one is absent."""
    found = {}
    folded = {h.casefold(): h for h in header}
    for field, spellings in LGA_MAP_COLUMNS.items():
        for s in spellings:
            if s.casefold() in folded:
                found[field] = folded[s.casefold()]
                break
    missing = [f for f in LGA_MAP_REQUIRED if f not in found]
    if missing:
        raise UnsupportedLayoutError(
            "not the (assumed) LGA shared-services map layout: no column for "
            + ", ".join(f"{f} ({' / '.join(LGA_MAP_COLUMNS[f])})" for f in missing)
        )
    return found


def load_lga_map(
    path: Path, resolver: AuthorityResolver | None = None, *, default_source_url: str = ""
) -> pd.DataFrame:
    """A file in the assumed LGA shared-services map layout (layout 3 of the module doc)."""
    resolver = resolver or _bundled_resolver()
    header = read_header(Path(path))
    fields = lga_map_header_map(header)
    table = CsvTable(Path(path), [fields[f] for f in LGA_MAP_REQUIRED], allow_extra=True)
    arrangements = []
    for n, rec in table.records():
        get = lambda f, rec=rec: rec.get(fields[f], "") if f in fields else ""  # noqa: E731
        partners = _split_partners(get("partners"))
        lead = get("lead").strip()
        if lead and lead.casefold() not in {p.casefold() for p in partners}:
            partners.insert(0, lead)
        if not partners:
            raise table.error("no partner councils named", n, fields["partners"])
        url = get("source") or default_source_url
        if not url.startswith(("http://", "https://")):
            raise table.error(
                f"{url!r} is not an http(s) address (and the catalogue gives none)",
                n,
                fields.get("source", fields["title"]),
            )
        savings_text = get("savings")
        try:
            savings = parse_savings(f"GBP {savings_text}" if savings_text else None)
        except SourceError as exc:
            raise table.error(str(exc), n, fields["savings"]) from None
        if savings.gbp is not None and get("savings_period"):
            savings = Savings(savings.gbp, get("savings_period"), None, savings_text)
        status_text = get("status")
        arrangements.append(
            _Arrangement(
                arrangement_id=f"LGA-{table.name}:{n}",
                title=get("title") or get("service"),
                category=classify_service(f"{get('service')} {get('title')}"),
                description=get("service") or None,
                partners=[
                    (p, None, None, (p.casefold() == lead.casefold()) if lead else None, n)
                    for p in partners
                ],
                start=parse_date_text(get("start")),
                end=parse_date_text(get("end")),
                status=classify_status(status_text) if status_text else "in_place",
                status_as_published=status_text or None,
                savings=savings,
                source_url=url,
                source_date=None,
                evidence=None,
                dataset="lga_shared_services_map",
                source_file=table.name,
                source_row=n,
            )
        )
    return _rows(arrangements, resolver)


def detect_form(path: Path) -> str:
    """'joint_management', 'canonical' or 'lga_map', from the header row."""
    header = read_header(Path(path))
    if set(JOINT_MANAGEMENT_COLUMNS) <= set(header):
        return "joint_management"
    if set(CANONICAL_REQUIRED) <= set(header):
        return "canonical"
    lga_map_header_map(header)  # raises when it is not that either
    return "lga_map"


LOADERS: dict[str, Callable[..., pd.DataFrame]] = {
    "joint_management": load_joint_management,
    "canonical": load_canonical,
    "lga_map": load_lga_map,
}


def load_arrangements(
    path: Path, form: str, resolver: AuthorityResolver, *, default_source_url: str = ""
) -> pd.DataFrame:
    """A file of any of the three layouts, by its catalogue form."""
    if form not in LOADERS:
        raise SourceError(f"{Path(path).name}: no shared-services loader for form {form!r}")
    if form == "lga_map":
        return load_lga_map(Path(path), resolver, default_source_url=default_source_url)
    return LOADERS[form](Path(path), resolver)


def _bundled_resolver() -> AuthorityResolver:
    from sources.reference.authorities import bundled_register

    return AuthorityResolver(bundled_register())
