"""Resolving an authority as a published source names it (a name, an E-code, a GSS code or a
register ``body_id``) to the one legal body of the register (``raw.authorities``).

Used by the loaders of sources that name councils in free text (efficiency statements, NI 179
returns, shared-service arrangements). The rules:

- A **code** wins over a name: a ``body_id`` of the register ('HAM'); a GSS code ('E10000014',
  current or former); an E-code ('E1721', resolved through
  ``sources.reference.authorities.resolve_ecodes`` for the financial year, so a code reused
  after a reorganisation finds the right body). If a name is given too, it must resolve to the
  same body (or to nothing): a name that denotes another body is an error.
- A **name** is matched on a key: lower case, '&' read as 'and', punctuation dropped,
  whitespace folded, then generic prefixes ('london borough of', 'city of', ...) and suffixes
  ('district council', 'borough council', 'county council', 'council', 'dc', 'bc', 'cc', 'ua',
  ...) removed, against every name the register holds for a body (official name, short name and
  the '|'-joined alternative names). 'Suffolk Coastal DC', 'Bath & North East Somerset' and
  'Plymouth City Council' each find one body.
- When a key matches several bodies, the tie is broken in this order: bodies valid on the date
  given (in existence that day); the class hint given ('SD', 'SC', 'UA', ...); an exact match of
  the whole name before prefixes and suffixes were removed ('Durham County Council' rather than
  the former 'Durham City Council'). Validity is only a tie-break: the register's start dates of
  long-standing councils are often dates of the register entry, not of creation.
- Anything that does not end with exactly one body raises ``UnresolvedAuthority`` (a
  ``sources.errors.SourceError``) naming the name or code as published, where it was read, and
  the candidates when there were several.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from sources.errors import SourceError
from sources.reference.authorities import UnresolvedEcodes, resolve_ecodes, split_list

BODY_ID = re.compile(r"^(?:[A-Z]{2,5}|ECODE-E\d{4})$")
GSS_CODE = re.compile(r"^E\d{8}$")
ECODE = re.compile(r"^E\d{4}$")
COUNCIL_CLASSES = ("L", "MD", "UA", "SC", "SD")

# Removed from the front / the end of a name, longest first.
PREFIXES = (
    "the council of the ",
    "london borough of ",
    "royal borough of ",
    "borough of ",
    "city and county of ",
    "city of ",
    "county of ",
    "the ",
)
SUFFIXES = (
    " metropolitan borough council",
    " metropolitan district council",
    " royal borough council",
    " borough council",
    " district council",
    " county council",
    " city council",
    " unitary authority",
    " council",
    " district",
    " county",
    " borough",
    " city",
    " mbc",
    " dc",
    " bc",
    " cc",
    " ua",
)


class UnresolvedAuthority(SourceError):
    """A name or code that denotes no body, or several, in the register."""

    def __init__(self, message: str, published: str, candidates: list[str] | None = None):
        self.published = published
        self.candidates = candidates or []
        super().__init__(message)


def normalise(name: str) -> str:
    """'Bath & North East Somerset' -> 'bath and north east somerset'."""
    text = str(name).casefold().replace("&", " and ")
    text = re.sub(r"[.,'’()\[\]\"]", " ", text)
    text = re.sub(r"[-/]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def name_key(name: str) -> str:
    """The matching key: normalised, generic prefixes and suffixes removed (repeatedly)."""
    key = normalise(name)
    changed = True
    while changed and key:
        changed = False
        for prefix in PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix) :], True
        for suffix in SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[: -len(suffix)], True
    return key.strip()


def _date(value) -> pd.Timestamp | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return pd.Timestamp(value)


class AuthorityResolver:
    """Resolves published names and codes to ``body_id`` through one register frame."""

    def __init__(self, register: pd.DataFrame):
        self.register = register.reset_index(drop=True)
        self.bodies = {row.body_id: row for row in self.register.itertuples(index=False)}
        self._by_key: dict[str, set[str]] = {}
        self._by_exact: dict[str, set[str]] = {}
        self._by_gss: dict[str, set[str]] = {}
        for row in self.register.itertuples(index=False):
            names = [row.official_name, row.nice_name, *split_list(row.alt_names)]
            for name in names:
                if isinstance(name, str) and name:
                    self._by_key.setdefault(name_key(name), set()).add(row.body_id)
                    self._by_exact.setdefault(normalise(name), set()).add(row.body_id)
            codes = [row.gss_code, *split_list(row.former_gss_codes)]
            for code in codes:
                if isinstance(code, str) and code:
                    self._by_gss.setdefault(code, set()).add(row.body_id)

    # -- public -----------------------------------------------------------------------------

    def resolve(
        self,
        name: str | None = None,
        code: str | None = None,
        *,
        on: dt.date | str | None = None,
        financial_year: str | None = None,
        authority_class: str | None = None,
        where: str = "",
    ) -> str:
        """The one ``body_id`` a published name and/or code denotes; see the module doc.

        ``on`` (a date) and ``financial_year`` ('2008-09') say when the source speaks of the
        body; an E-code needs a financial year. ``where`` (file, row) is put in any error.
        """
        name = (name or "").strip() or None
        code = (code or "").strip() or None
        if name is None and code is None:
            raise UnresolvedAuthority(f"{self._at(where)}no authority name or code given", "")
        when = _date(on)
        if when is None and financial_year:
            when = pd.Timestamp(int(financial_year[:4]) + 1, 3, 31)
        by_code = self._resolve_code(code, financial_year, where) if code else None
        if name is None:
            return by_code
        try:
            by_name = self._resolve_name(name, when, authority_class, where)
        except UnresolvedAuthority:
            if by_code is not None:
                return by_code  # the code decides; the name is a spelling the register lacks
            raise
        if by_code is not None and by_name != by_code:
            raise UnresolvedAuthority(
                f"{self._at(where)}authority name {name!r} denotes {by_name} "
                f"({self.bodies[by_name].official_name}) but code {code!r} denotes {by_code} "
                f"({self.bodies[by_code].official_name})",
                name,
                [by_name, by_code],
            )
        return by_name

    def resolve_many(
        self,
        names: Iterable[str],
        *,
        on: dt.date | str | None = None,
        classes: Iterable[str | None] | None = None,
        where: str = "",
    ) -> list[str]:
        """Several names at once; raises one error naming every name that did not resolve."""
        names = list(names)
        hints = list(classes) if classes is not None else [None] * len(names)
        resolved, problems, bad = [], [], []
        for name, hint in zip(names, hints, strict=True):
            try:
                resolved.append(self.resolve(name, on=on, authority_class=hint, where=""))
            except UnresolvedAuthority as exc:
                problems.append(str(exc))
                bad.append(name)
        if problems:
            raise UnresolvedAuthority(f"{self._at(where)}" + "; ".join(problems), "; ".join(bad))
        return resolved

    def body(self, body_id: str):
        return self.bodies[body_id]

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _at(where: str) -> str:
        return f"{where}: " if where else ""

    def _valid_on(self, body_id: str, when: pd.Timestamp) -> bool:
        b = self.bodies[body_id]
        start, end = b.start_date, b.end_date
        return (pd.isna(start) or start <= when) and (pd.isna(end) or end >= when)

    def _resolve_code(self, code: str, financial_year: str | None, where: str) -> str:
        if code in self.bodies and BODY_ID.match(code):
            return code
        if GSS_CODE.match(code):
            found = sorted(self._by_gss.get(code, set()))
            if len(found) == 1:
                return found[0]
            if not found:
                raise UnresolvedAuthority(
                    f"{self._at(where)}GSS code {code!r} is not a code of any body in the register",
                    code,
                )
            if financial_year:
                end = pd.Timestamp(int(financial_year[:4]) + 1, 3, 31)
                valid = [b for b in found if self._valid_on(b, end)]
                if len(valid) == 1:
                    return valid[0]
            raise UnresolvedAuthority(
                f"{self._at(where)}GSS code {code!r} is a code of several bodies: "
                + ", ".join(found),
                code,
                found,
            )
        if ECODE.match(code):
            if not financial_year:
                raise UnresolvedAuthority(
                    f"{self._at(where)}E-code {code!r} needs a financial year to resolve", code
                )
            try:
                return resolve_ecodes(self.register, [code], financial_year, source=where or None)[
                    code
                ]
            except UnresolvedEcodes as exc:
                raise UnresolvedAuthority(str(exc), code, exc.ambiguous.get(code, [])) from None
        raise UnresolvedAuthority(
            f"{self._at(where)}authority code {code!r} is not a register body_id, a GSS code "
            "(E + 8 digits) or an E-code (E + 4 digits)",
            code,
        )

    def _resolve_name(
        self, name: str, when: pd.Timestamp | None, authority_class: str | None, where: str
    ) -> str:
        key = name_key(name)
        found = sorted(self._by_key.get(key, set()))
        if not found:
            raise UnresolvedAuthority(
                f"{self._at(where)}authority {name!r} matches no body in the register "
                f"(matching key {key!r}); add the spelling to the register's alternative names "
                "or give the body's GSS code or E-code",
                name,
            )
        if len(found) > 1 and when is not None:
            valid = [b for b in found if self._valid_on(b, when)]
            found = valid or found
        if len(found) > 1 and authority_class:
            same = [b for b in found if self.bodies[b].authority_class == authority_class]
            found = same or found
        if len(found) > 1:
            exact = self._by_exact.get(normalise(name), set())
            same = [b for b in found if b in exact]
            found = same or found
        if len(found) > 1:
            listed = ", ".join(f"{b} ({self.bodies[b].official_name})" for b in found)
            raise UnresolvedAuthority(
                f"{self._at(where)}authority {name!r} matches several bodies: {listed}; give a "
                "GSS code or E-code",
                name,
                found,
            )
        body_id = found[0]
        if authority_class and self.bodies[body_id].authority_class != authority_class:
            raise UnresolvedAuthority(
                f"{self._at(where)}authority {name!r} resolves to {body_id} "
                f"({self.bodies[body_id].official_name}), class "
                f"{self.bodies[body_id].authority_class}, but the source gives class "
                f"{authority_class!r}",
                name,
                [body_id],
            )
        return body_id
