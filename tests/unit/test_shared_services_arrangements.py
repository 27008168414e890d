"""Shared-service arrangements (sources.shared_services): the real bundled joint-management list,
partner resolution through the register, the neighbour test, and the other two layouts."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from sources.errors import SourceError, UnsupportedLayoutError, ValidationFailed
from sources.reference.authorities import bundled_register
from sources.reference.resolve import AuthorityResolver, UnresolvedAuthority, name_key
from sources.shared_services.arrangements import (
    BUNDLED_JOINT_MANAGEMENT,
    active_years,
    classify_status,
    detect_form,
    load_canonical,
    load_joint_management,
    load_lga_map,
    parse_date_text,
    parse_savings,
)
from sources.shared_services.schema import validate_arrangements


@functools.lru_cache(maxsize=1)
def resolver() -> AuthorityResolver:
    return AuthorityResolver(bundled_register())


@functools.lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    return load_joint_management(BUNDLED_JOINT_MANAGEMENT, resolver())


def bundled() -> pd.DataFrame:
    return _bundled().copy()


def test_the_real_list_fifteen_arrangements_thirty_four_partners():
    df = bundled()
    validate_arrangements(df)
    assert df["arrangement_id"].nunique() == 15
    assert len(df) == 34
    assert set(df["service_category"]) == {"management"}
    assert set(df["dataset"]) == {"joint_management_arrangements"}
    assert df["source_url"].str.startswith("https://").all()


def test_partners_resolve_to_legal_bodies():
    df = bundled()
    partners = df.groupby("arrangement_id")["body_id"].apply(list).to_dict()
    assert partners["JM-01"] == ["SUF", "WAV"]  # both abolished in 2019 (East Suffolk)
    assert partners["JM-05"] == ["LUT", "BRE", "SHO"]
    assert partners["JM-12"] == ["SFK", "BAB", "MSU"]
    assert partners["JM-13"] == ["WSX", "ESX"]
    # the hand-added council types agree with the register
    assert (df["partner_class_as_published"].notna()).all()


def test_neighbours_same_county_or_not():
    geo = bundled().drop_duplicates("arrangement_id").set_index("arrangement_id")
    g = geo["partnership_geography"].to_dict()
    assert g["JM-01"] == "same_county"  # two Suffolk districts
    assert g["JM-11"] == "same_county"  # Essex and one of its districts
    assert g["JM-13"] == "cross_county_same_region"  # West and East Sussex
    assert g["JM-03"] == "cross_region"  # Breckland (Norfolk) and South Holland (Lincolnshire)
    assert g["JM-09"] == "cross_region"  # Cherwell (South East), South Northants (E Midlands)
    counts = geo["partnership_geography"].value_counts().to_dict()
    assert counts == {"same_county": 10, "cross_region": 4, "cross_county_same_region": 1}


def test_dates_statuses_and_active_years():
    a = bundled().drop_duplicates("arrangement_id").set_index("arrangement_id")
    assert a.loc["JM-01", ["start_year", "start_precision", "evidence_year"]].tolist() == [
        2008,
        "day",
        2009,
    ]
    assert a.loc["JM-01", ["active_from_year", "active_to_year"]].tolist() == [2008, 2009]
    assert a.loc["JM-06", ["active_from_year", "active_to_year"]].tolist() == [2007, 2020]
    assert a.loc["JM-07", "active_to_year"] == 2023
    assert a["status"].to_dict() == {
        "JM-01": "in_place", "JM-02": "in_place", "JM-03": "in_place", "JM-04": "proposed",
        "JM-05": "proposed", "JM-06": "in_place", "JM-07": "in_place", "JM-08": "in_place",
        "JM-09": "ending", "JM-10": "considering", "JM-11": "ended", "JM-12": "reported",
        "JM-13": "agreed", "JM-14": "postponed", "JM-15": "in_place",
    }  # fmt: skip
    # never operated, or no year known: no active years
    for aid in ("JM-04", "JM-05", "JM-10", "JM-13", "JM-14", "JM-08"):
        assert pd.isna(a.loc[aid, "active_from_year"]), aid


def test_reported_savings_as_published():
    a = bundled().drop_duplicates("arrangement_id").set_index("arrangement_id")
    with_savings = a.dropna(subset=["reported_savings_gbp"])
    assert with_savings["reported_savings_gbp"].to_dict() == {
        "JM-01": 90_000.0,
        "JM-02": 913_000.0,
        "JM-06": 6_000_000.0,
        "JM-08": 300_000.0,
    }
    assert with_savings["reported_savings_period"].to_dict() == {
        "JM-01": "a year",
        "JM-02": "2 years",
        "JM-06": "a year",
        "JM-08": "unspecified",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2008-04-01", (2008, "day")),
        ("2010-08", (2010, "month")),
        ("2007", (2007, "year")),
        ("(c.2017)", (2017, "approximate year")),
        ("(before 2009)", (None, None)),
        ("(date not in excerpt)", (None, None)),
        ("2013-01 (proposal)", (2013, "month")),
    ],
)
def test_parse_date_text(text, expected):
    parsed = parse_date_text(text)
    assert (parsed.year, parsed.precision) == expected


def test_parse_savings_and_status_words():
    s = parse_savings("more than GBP 6m a year across both councils")
    assert (s.gbp, s.period, s.qualifier) == (6e6, "a year", "more than")
    with pytest.raises(SourceError, match="no amount"):
        parse_savings("substantial savings")
    assert classify_status("dissolved after four years of operation") == "ended"
    assert classify_status("approved in principle; final proposals to councils") == "proposed"
    assert classify_status("nothing known") == "unknown"
    assert active_years("ended", 2008, None, 2017) == (2008, 2008)
    assert active_years("proposed", 2012, None, 2012) == (None, None)


def test_an_unresolved_partner_is_an_error_naming_it(tmp_path):
    path = tmp_path / "jm.csv"
    text = BUNDLED_JOINT_MANAGEMENT.read_text(encoding="utf-8")
    path.write_text(text.replace("Waveney DC", "Wavenley DC"), encoding="utf-8")
    with pytest.raises(UnresolvedAuthority, match="'Wavenley DC'.*row 2.*JM-01|JM-01.*Wavenley DC"):
        load_joint_management(path, resolver())


def test_a_partner_class_that_contradicts_the_register_is_an_error(tmp_path):
    path = tmp_path / "jm.csv"
    text = BUNDLED_JOINT_MANAGEMENT.read_text(encoding="utf-8")
    path.write_text(text.replace("UA;SD;SD", "SC;SD;SD"), encoding="utf-8")
    with pytest.raises(UnresolvedAuthority, match="Luton BC.*class UA.*'SC'"):
        load_joint_management(path, resolver())


def test_resolver_keys_and_codes():
    r = resolver()
    assert name_key("Bath & North East Somerset Council") == "bath and north east somerset"
    assert r.resolve("Suffolk CC") == "SFK"
    assert r.resolve(code="E07000223") == "ADU"
    assert r.resolve(code="E3831", financial_year="2008-09") == "ADU"
    with pytest.raises(UnresolvedAuthority, match="E3831.*needs a financial year"):
        r.resolve(code="E3831")


def test_canonical_contract_synthetic(tmp_path):
    # SYNTHETIC: a made-up arrangement in the canonical contract's layout
    path = tmp_path / "canonical.csv"
    path.write_text(
        "arrangement_id,arrangement_title,service_category,partner,partner_code,is_lead_partner,"
        "start_date,status,reported_savings_gbp,reported_savings_period,source_url\n"
        "X-1,shared legal service,legal,Adur DC,,true,2015-04,in_place,50000,a year,"
        "https://example.org/x1\n"
        "X-1,shared legal service,,,E07000229,false,,,,,https://example.org/x1\n",
        encoding="utf-8",
    )
    assert detect_form(path) == "canonical"
    df = load_canonical(path, resolver())
    validate_arrangements(df)
    assert list(df["body_id"]) == ["ADU", "WOT"]
    assert df["is_lead_partner"].tolist() == [True, False]
    assert df["partnership_geography"].unique().tolist() == ["same_county"]
    assert df["reported_savings_gbp"].tolist() == [50000.0, 50000.0]
    assert df["active_from_year"].tolist() == [2015, 2015]


def test_canonical_conflicting_savings_are_refused(tmp_path):
    path = tmp_path / "canonical.csv"
    path.write_text(
        "arrangement_id,arrangement_title,partner,reported_savings_gbp,source_url\n"
        "X-1,shared legal service,Adur DC,1,https://example.org/x1\n"
        "X-1,shared legal service,Worthing BC,2,https://example.org/x1\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="row 3, column D.*different savings"):
        load_canonical(path, resolver())


def test_lga_map_layout_synthetic(tmp_path):
    # SYNTHETIC: the LGA map's real column names could not be checked (no copy is available);
    # this file uses the assumed column map, and its rows are made up.
    path = tmp_path / "lga_map_synthetic.csv"
    path.write_text(
        "Shared service,Lead council,Partner councils,Service type,Start date,Status,"
        "Savings (£),Source\n"
        "Revs and bens partnership,Breckland DC,South Holland DC,Revenues and benefits,2011,"
        'Operational,"120,000",https://example.org/lga1\n'
        'Waste contract,Mid Suffolk,"Babergh; Suffolk CC",Waste collection,,,,'
        "https://example.org/lga2\n",
        encoding="utf-8",
    )
    assert detect_form(path) == "lga_map"
    df = load_lga_map(path, resolver())
    validate_arrangements(df)
    first = df[df["arrangement_id"].str.endswith(":2")]
    assert first["body_id"].tolist() == ["BRE", "SHO"]
    assert first["is_lead_partner"].tolist() == [True, False]
    assert set(first["service_category"]) == {"revenues_and_benefits"}
    assert set(first["reported_savings_gbp"]) == {120000.0}
    second = df[df["arrangement_id"].str.endswith(":3")]
    assert second["body_id"].tolist() == ["MSU", "BAB", "SFK"]
    assert set(second["service_category"]) == {"environment_waste_and_transport"}
    assert set(second["partnership_geography"]) == {"same_county"}


def test_lga_map_without_partner_column_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Shared service,Service type\nx,y\n", encoding="utf-8")
    with pytest.raises(UnsupportedLayoutError, match="partners"):
        detect_form(path)


def test_schema_rejections_name_arrangement_and_partner():
    df = bundled()
    df.loc[0, "status"] = "thriving"
    df.loc[2, "reported_savings_gbp"] = 1.0  # JM-02's two rows now disagree
    df.loc[4, "partners_in_arrangement"] = 3
    with pytest.raises(ValidationFailed) as err:
        validate_arrangements(df)
    text = "\n".join(err.value.failures)
    assert "arrangement JM-01, partner 'Suffolk Coastal DC'), column status" in text
    assert "reported savings differ" in text
    assert "partners_in_arrangement does not match" in text


def test_schema_rejects_a_partner_twice():
    df = bundled()
    dup = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationFailed, match="appears twice"):
        validate_arrangements(dup)
