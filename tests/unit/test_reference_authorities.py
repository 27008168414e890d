"""The register of legal bodies (sources.reference.authorities) on the bundled real files.

The headline: every E-code in every bundled revenue-outturn workbook (the catalogue: RS for
every year, and the RO2 2008-09 detail form) resolves to exactly one legal body for that
workbook's financial year. With the mySociety register and the 2009 crosswalk alone, 154
E-codes (police, fire, waste, transport, national park authorities, combined authorities and
the 2019-2023 unitaries, which mySociety holds without an E-code) do not; the bundled supplement
closes the gap, and every fact in it is checked here against the RS row its basis cites.

Then: the 2009 crosswalk (named cases), end-date normalisation, the E-code pair the publisher
swapped after 2016-17, the transport authority that became WMCA, and the error that names
every E-code it cannot resolve. Workbooks are parsed once per session (lru_cache).
"""

from __future__ import annotations

import csv
import functools
import re

import pandas as pd
import pytest

from sources.catalogue import BUNDLED_CATALOGUE, load_catalogue
from sources.errors import ParseError, SourceError, UnsupportedLayoutError
from sources.reference.authorities import (
    BUNDLED_CROSSWALK,
    BUNDLED_REGISTER,
    BUNDLED_SUPPLEMENT,
    UnresolvedEcodes,
    bundled_register,
    ecode_assignments,
    parse_register,
    resolve_ecodes,
    split_list,
)
from sources.revenue_outturn.la_data import parse_workbook as parse_outturn

SAMPLES = BUNDLED_CATALOGUE.parent
CATALOGUE = load_catalogue()
FILES = [r.file_name for r in CATALOGUE]
# The 16 RS files and RO2 2008-09, which the counts below were taken from; the detail forms
# bundled since are resolved by the same tests, and add no E-code of their own.
COUNTED = [
    r.file_name
    for r in CATALOGUE
    if r.form == "RS" or (r.form, r.financial_year) == ("RO2", "2008-09")
]
FOOTNOTE = re.compile(r"\s*\([a-z]\)$")
# ONS codes the RS workbooks publish that are not the body's GSS code: the London region code
# on the GLA's row in 2014-15, North Yorkshire County Council's in 2015-16, and WMCA's code on
# the 2015-16 row of the transport authority it replaced (published after WMCA was created).
PUBLISHER_ONS_SLIPS = {("E5100", "E12000007"), ("E2721", "E10000022"), ("E6346", "E47000007")}
# The same 2015-16 row carries WMCA's name.
PUBLISHED_UNDER_SUCCESSOR_NAME = {("ECODE-E6346", "2015-16")}


@functools.cache
def _rs_ids(file_name: str) -> tuple[str, pd.DataFrame]:
    """(financial year, one row per published E-code: name, class, ONS code, sheet row)."""
    release = next(r for r in CATALOGUE if r.file_name == file_name)
    parsed = parse_outturn(SAMPLES / file_name, release=release.release)
    ids = parsed.values.drop_duplicates("ecode")[
        ["ecode", "authority_name", "authority_class", "ons_code", "source_row"]
    ].reset_index(drop=True)
    return parsed.financial_year, ids


@functools.cache
def _register_without_supplement() -> pd.DataFrame:
    return parse_register(BUNDLED_REGISTER, BUNDLED_CROSSWALK, path_supplement=None)


@functools.cache
def _resolved() -> pd.DataFrame:
    """Every published E-code of every bundled RS file with the body it resolves to."""
    register = bundled_register()
    frames = []
    for name in FILES:
        year, ids = _rs_ids(name)
        mapping = resolve_ecodes(register, ids["ecode"], year, source=name)
        frames.append(ids.assign(file=name, financial_year=year, body_id=ids["ecode"].map(mapping)))
    return pd.concat(frames, ignore_index=True)


def _supplement_rows() -> list[dict]:
    with BUNDLED_SUPPLEMENT.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- the headline: E-code resolution over every bundled RS workbook ----------------------------


@pytest.mark.parametrize("file_name", FILES)
def test_every_ecode_resolves_to_exactly_one_body(file_name):
    register = bundled_register()
    year, ids = _rs_ids(file_name)
    mapping = resolve_ecodes(register, ids["ecode"], year, source=file_name)
    assert set(mapping) == set(ids["ecode"])
    # RS lists every authority; a detail form only those with that service (RO2 2012-13: 371)
    form = next(r.form for r in CATALOGUE if r.file_name == file_name)
    assert len(mapping) == len(ids) > (400 if form == "RS" else 300)


def test_register_and_crosswalk_alone_leave_154_ecodes_unresolved():
    register = _register_without_supplement()
    unresolved: set[str] = set()
    occurrences = 0
    for name in COUNTED:
        year, ids = _rs_ids(name)
        with pytest.raises(UnresolvedEcodes) as err:
            resolve_ecodes(register, ids["ecode"], year, source=name)
        assert not err.value.ambiguous
        unresolved |= set(err.value.unresolved)
        occurrences += len(err.value.unresolved)
    assert len(unresolved) == 154
    assert occurrences == 1497  # 1481 in the 16 RS files, 16 in RO2 2008-09
    # what the supplement supplies is exactly what was missing
    assert unresolved == {row["ecode"] for row in _supplement_rows()}


def test_resolved_class_matches_the_published_class():
    resolved = _resolved()
    classes = bundled_register().set_index("body_id")["authority_class"]
    published = resolved["authority_class"]
    assert (resolved["body_id"].map(classes) == published).all()
    assert len(resolved[resolved["file"].isin(COUNTED)]) == 7104 + 405  # RS, RO2 2008-09
    # every body of the register appears in some bundled RS file, except four combined
    # authorities created after 2023-24
    never_seen = set(bundled_register()["body_id"]) - set(resolved["body_id"])
    assert never_seen == {"EMCA", "GLCA", "HYCA", "YNYC"}


def test_published_ons_codes_are_gss_codes_of_the_resolved_body():
    resolved = _resolved().dropna(subset=["ons_code"])
    register = bundled_register().set_index("body_id")
    slips = set()
    for row in resolved.itertuples(index=False):
        body = register.loc[row.body_id]
        known = {body["gss_code"], *split_list(body["former_gss_codes"])}
        if row.ons_code not in known:
            slips.add((row.ecode, row.ons_code))
    assert slips == PUBLISHER_ONS_SLIPS


# --- the supplement: every fact checked against the RS rows it cites -----------------------------


def test_supplement_rows_agree_with_the_rs_workbooks():
    resolved = _resolved()
    register = bundled_register().set_index("body_id")
    bundled_years = sorted(set(resolved["financial_year"]))
    rows = _supplement_rows()
    assert len(rows) == 157
    for row in rows:
        ec, body_id = row["ecode"], row["body_id"]
        mine = resolved[(resolved["ecode"] == ec) & (resolved["body_id"] == body_id)]
        expected = [y for y in bundled_years if row["first_seen"] <= y <= row["last_seen"]]
        assert sorted(set(mine["financial_year"])) == expected, (ec, body_id)
        body = register.loc[body_id]
        assert (mine["authority_class"] == body["authority_class"]).all(), (ec, body_id)
        if body_id.startswith("ECODE-"):
            names = {body["official_name"], *split_list(body["alt_names"])}
            own = [
                (body_id, y) not in PUBLISHED_UNDER_SUCCESSOR_NAME for y in mine["financial_year"]
            ]
            published = {FOOTNOTE.sub("", n) for n in mine.loc[own, "authority_name"]}
            assert published <= names, (ec, published - names)
            gss = {body["gss_code"], *split_list(body["former_gss_codes"])}
            assert set(mine.loc[own, "ons_code"].dropna()) <= gss, ec


def test_supplement_basis_cites_real_rows():
    """Each 'RS <year> (<file>) row <n>' in a basis is a row of that file with that E-code."""
    cite = re.compile(r"RS (\d{4}-\d{2}) \(([^)]+)\) row (\d+)")
    checked = 0
    for row in _supplement_rows():
        refs = cite.findall(row["basis"])
        assert refs, row["ecode"]
        for year, file_name, sheet_row in refs:
            file_year, ids = _rs_ids(file_name)
            assert file_year == year
            at = ids[ids["source_row"] == int(sheet_row)]
            assert list(at["ecode"]) == [row["ecode"]], (row["ecode"], file_name, sheet_row)
            checked += 1
    assert checked >= 157


# --- the register itself ----------------------------------------------------------------------


def test_register_counts_and_sources():
    register = bundled_register()
    assert len(register) == 555
    assert register["body_id"].is_unique
    assert register["source"].value_counts().to_dict() == {
        "mysociety": 357,
        "supplement": 131,
        "crosswalk_2009": 44,
        "mysociety+supplement": 23,
    }
    assert (register["nation"] == "England").all()
    # every English body of the mySociety file is kept (380 rows)
    assert register["source"].str.startswith("mysociety").sum() == 380


def test_end_dates_are_the_last_day_in_existence():
    register = bundled_register().set_index("body_id")
    # published as the successor's vesting day (1 April 2023) -> 31 March 2023
    assert register.loc["ALL", "end_date_as_published"] == pd.Timestamp("2023-04-01")
    assert register.loc["ALL", "end_date"] == pd.Timestamp("2023-03-31")
    assert register.loc["SWT", "end_date"] == pd.Timestamp("2023-03-31")
    assert register.loc["NTH", "end_date"] == pd.Timestamp("2021-03-31")
    # published as the last day already -> unchanged
    assert register.loc["BKM", "end_date"] == pd.Timestamp("2020-03-31")
    assert register.loc["DOR", "end_date"] == pd.Timestamp("2019-03-31")
    # every replaced body ends the day before its earliest successor starts, or earlier
    for body_id, body in register[register["replaced_by"].notna()].iterrows():
        starts = [register.loc[s, "start_date"] for s in split_list(body["replaced_by"])]
        starts = [s for s in starts if not pd.isna(s)]
        if starts:
            assert body["end_date"] < min(starts), body_id


def test_alt_names_come_from_the_mysociety_name_lookup():
    register = bundled_register().set_index("body_id")
    assert "Cornwall UA" in split_list(register.loc["CON", "alt_names"])
    assert "Somerset West & Taunton" in split_list(register.loc["SWT", "alt_names"])


# --- the 2009 crosswalk -----------------------------------------------------------------------


def test_cornwall_predecessors_become_cornwall_council():
    register = bundled_register().set_index("body_id")
    con = register.loc["CON"]
    assert (con["ecode"], con["gss_code"]) == ("E0801", "E06000052")
    assert con["start_date"] == pd.Timestamp("2009-04-01")
    preds = register[register["replaced_by"] == "CON"]
    assert sorted(preds["official_name"]) == [
        "Caradon",
        "Carrick",
        "Cornwall",
        "Kerrier",
        "North Cornwall",
        "Penwith",
        "Restormel",
    ]
    assert (preds["end_date"] == pd.Timestamp("2009-03-31")).all()
    caradon = register.loc["ECODE-E0831"]
    assert (caradon["authority_class"], caradon["authority_type"]) == ("SD", "NMD")
    assert caradon["county_body_id"] == "ECODE-E0820"
    assert caradon["region"] == "South West"


def test_bedfordshire_and_cheshire_county_councils_split_in_two():
    register = bundled_register().set_index("body_id")
    beds, ches = register.loc["ECODE-E0221"], register.loc["ECODE-E0621"]
    successors = {b: register.loc[b, "official_name"] for b in split_list(beds["replaced_by"])}
    assert sorted(successors.values()) == [
        "Bedford Borough Council",
        "Central Bedfordshire Council",
    ]
    names = sorted(register.loc[b, "nice_name"] for b in split_list(ches["replaced_by"]))
    assert names == ["Cheshire East", "Cheshire West and Chester"]
    # Crewe & Nantwich went to Cheshire East only; Chester to Cheshire West and Chester only
    crewe, chester = register.loc["ECODE-E0633"], register.loc["ECODE-E0631"]
    assert register.loc[crewe["replaced_by"], "ecode"] == "E0603"
    assert register.loc[chester["replaced_by"], "ecode"] == "E0604"
    assert crewe["county_body_id"] == "ECODE-E0621"


def test_crosswalk_predecessors_resolve_before_and_not_after_april_2009():
    register = bundled_register()
    assert resolve_ecodes(register, ["E1336", "E3921"], "2008-09") == {
        "E1336": "ECODE-E1336",  # Sedgefield
        "E3921": "ECODE-E3921",  # Wiltshire County Council
    }
    assert resolve_ecodes(register, ["E1302", "E3902"], "2009-10") == {
        "E1302": "DUR",
        "E3902": "WIL",
    }
    with pytest.raises(UnresolvedEcodes) as err:
        resolve_ecodes(register, ["E1336"], "2009-10")
    assert err.value.unresolved == ["E1336"]


def test_every_crosswalk_predecessor_is_published_in_2008_09_as_written():
    year, ids = _rs_ids("RS_2008-09_data_by_LA.xls")
    published = ids.set_index("ecode")
    with BUNDLED_CROSSWALK.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 46 and len({r["predecessor_ecode"] for r in rows}) == 44
    assert len({r["successor_ecode"] for r in rows}) == 9
    for r in rows:
        ec = r["predecessor_ecode"]
        assert published.loc[ec, "authority_name"] == r["predecessor_name_2008_09"]
        assert published.loc[ec, "authority_class"] == r["predecessor_class_2008_09"]
    _, ids_2009 = _rs_ids("RS_2009-10_data_by_LA.xls")
    assert not set(ids_2009["ecode"]) & {r["predecessor_ecode"] for r in rows}
    assert {r["successor_ecode"] for r in rows} <= set(ids_2009["ecode"])


# --- E-codes that moved -----------------------------------------------------------------------


def test_tees_valley_and_west_of_england_swap_ecodes_after_2016_17():
    register = bundled_register()
    assert resolve_ecodes(register, ["E6354", "E6355"], "2016-17") == {
        "E6354": "TVCA",
        "E6355": "WECA",
    }
    assert resolve_ecodes(register, ["E6354", "E6355"], "2017-18") == {
        "E6354": "WECA",
        "E6355": "TVCA",
    }


def test_west_midlands_transport_authority_then_wmca_under_one_ecode():
    register = bundled_register()
    assert resolve_ecodes(register, ["E6346"], "2015-16") == {"E6346": "ECODE-E6346"}
    assert resolve_ecodes(register, ["E6346"], "2016-17") == {"E6346": "WMCA"}
    ita = register.set_index("body_id").loc["ECODE-E6346"]
    assert ita["replaced_by"] == "WMCA" and ita["end_date"] == pd.Timestamp("2016-06-16")


def test_former_ecodes():
    register = bundled_register()
    assert resolve_ecodes(register, ["E0534"], "2007-08") == {"E0534": "HUN"}
    assert resolve_ecodes(register, ["E0551"], "2008-09") == {"E0551": "HUN"}
    assert resolve_ecodes(register, ["E6351", "E6357"], "2018-19")["E6351"] == "NECA"
    assert resolve_ecodes(register, ["E6357"], "2019-20") == {"E6357": "NECA"}
    assigned = ecode_assignments(register)
    hun = assigned[assigned["body_id"] == "HUN"].set_index("ecode")
    assert hun.loc["E0534", "role"] == "former" and hun.loc["E0534", "last_year"] == "2007-08"


def test_gmca_exists_in_2011_12_although_mysociety_says_2014():
    register = bundled_register()
    assert resolve_ecodes(register, ["E6348"], "2011-12") == {"E6348": "GMCA"}
    gmca = register.set_index("body_id").loc["GMCA"]
    assert gmca["start_date"] == pd.Timestamp("2011-04-01")
    assert gmca["source"] == "mysociety+supplement"


# --- errors -----------------------------------------------------------------------------------


def test_unresolved_error_names_every_code_and_the_file():
    register = bundled_register()
    with pytest.raises(SourceError) as err:
        resolve_ecodes(
            register,
            ["E0801", "E0831", "E9999", "E0831"],
            "2010-11",
            names={"E0831": "Caradon"},
            source="RS_2010-11.xls",
        )
    message = str(err.value)
    assert message.startswith("RS_2010-11.xls: 2 E-code(s) resolve to no body valid in 2010-11")
    assert "E0831 (Caradon)" in message and "E9999" in message
    assert "E0801" not in message
    assert err.value.unresolved == ["E0831", "E9999"]


def test_an_ecode_matching_two_bodies_is_an_error_naming_both():
    register = bundled_register()
    register.loc[register["body_id"] == "WECA", "ecode_first_year"] = None
    with pytest.raises(UnresolvedEcodes) as err:
        resolve_ecodes(register, ["E6354", "E6355"], "2016-17")
    assert err.value.ambiguous == {"E6354": ["TVCA", "WECA"]}
    assert "E6354 -> TVCA, WECA" in str(err.value)


def test_bad_financial_year_is_refused():
    with pytest.raises(ValueError, match="2019-21"):
        resolve_ecodes(bundled_register(), ["E0801"], "2019-21")


def test_crosswalk_successor_missing_from_register_is_a_parse_error(tmp_path):
    bad = tmp_path / "crosswalk.csv"
    text = BUNDLED_CROSSWALK.read_text(encoding="utf-8").replace(",E0801,", ",E0899,", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as err:
        parse_register(BUNDLED_REGISTER, bad)
    assert "crosswalk.csv" in str(err.value) and "E0899" in str(err.value)
    assert "row 15" in str(err.value) and "column D" in str(err.value)


def test_supplement_row_without_basis_is_refused(tmp_path):
    lines = BUNDLED_SUPPLEMENT.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    assert first.startswith("E0402,BUC,")
    bad = tmp_path / "supplement.csv"
    bad.write_text(header + "\n" + first[: first.index(',"RS')] + ",\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"supplement.csv', row 2, column Q: basis is blank"):
        parse_register(path_supplement=bad)


def test_register_without_required_columns_is_unsupported(tmp_path):
    bad = tmp_path / "register.csv"
    bad.write_text("code,name\nABC,Somewhere\n", encoding="utf-8")
    with pytest.raises(UnsupportedLayoutError, match="local-authority-code"):
        parse_register(bad, BUNDLED_CROSSWALK)
