"""The multi-year revenue outturn CSV: wide to the long contract, and its England rows equal
the RS workbooks' own England rows year by year."""

import csv
import functools
from pathlib import Path

import pytest

from sources.catalogue import load_catalogue
from sources.errors import UnsupportedLayoutError
from sources.revenue_outturn.la_data import parse_workbook
from sources.revenue_outturn.timeseries import parse_timeseries

ROOT = Path(__file__).resolve().parents[2]
CSV = (
    ROOT
    / "sources/samples/revenue_outturn"
    / "Revenue_Outturn_time_series_RS_services_subset_2017-18_to_2023-24.csv"
)  # the bundled copy (provenance: sources/samples/revenue_outturn/timeseries_catalogue.csv)
VARIABLES = {
    r["variable"]: r["service_code"]
    for r in csv.DictReader((ROOT / "dbt/seeds/rs_timeseries_variables.csv").open())
}
LABEL_KEYS = {
    r["service_code"]: r["label_key"]
    for r in csv.DictReader((ROOT / "dbt/seeds/rs_service_lines.csv").open())
}


@functools.lru_cache(maxsize=1)
def parsed():
    return parse_timeseries(CSV)


def test_shape_years_and_keys():
    p = parsed()
    v = p.values
    assert p.form == "RS" and p.release == "revised"
    assert sorted(v["financial_year"].unique()) == [
        "2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"
    ]  # fmt: skip
    assert set(v["line_label"]) == set(VARIABLES)
    bodies = v.assign(key=v["ons_code"].fillna(v["ecode"])).groupby("financial_year")["key"]
    assert bodies.nunique().to_dict() == {
        "2017-18": 445, "2018-19": 444, "2019-20": 436, "2020-21": 432,
        "2021-22": 426, "2022-23": 426, "2023-24": 411,
    }  # fmt: skip
    assert not v.duplicated(["financial_year", "ons_code", "ecode", "line_label"]).any()
    # Lee Valley Regional Park Authority has an E-code where the GSS code would be.
    lee = v[v["ecode"] == "E6803"]
    assert set(lee["authority_name"]) == {"Lee Valley Regional Park Authority"}
    assert lee["ons_code"].isna().all()


def test_not_submitted_rows_are_kept_as_markers_never_zeros():
    v = parsed().values
    missing = v[v["value_marker"] == "not submitted"]
    assert missing["value_gbp_thousands"].isna().all()
    rows = missing.groupby("financial_year")["ons_code"].nunique().to_dict()
    assert rows == {"2022-23": 4, "2023-24": 14}
    assert "E07000008" in set(missing["ons_code"])  # Cambridge, 2023-24


def test_year_ending_and_class_from_the_gss_prefix():
    v = parsed().values
    hartlepool = v[(v["ons_code"] == "E06000001") & (v["financial_year"] == "2023-24")]
    assert set(hartlepool["authority_class"]) == {"UA"}
    edu = hartlepool[hartlepool["line_label"] == "RS_edu_net_exp"]["value_gbp_thousands"]
    assert edu.tolist() == [57518.0]


def current_editions():
    """The newest RS edition of each year the CSV covers (the CSV carries the latest figures:
    for 2017-18 the March 2019 revision, not the November 2018 final)."""
    rank = {"provisional": 1, "final": 2, "revised": 3}
    best = {}
    for r in sorted(load_catalogue(), key=lambda r: rank[r.release]):
        if r.form == "RS" and r.financial_year >= "2017-18":
            best[r.financial_year] = r  # later (higher-ranked) releases overwrite earlier ones
    return [best[y] for y in sorted(best)]


@pytest.mark.parametrize(
    "release", current_editions(), ids=lambda r: f"{r.financial_year}-{r.release}"
)
def test_england_rows_equal_the_rs_workbooks(release):
    england = parsed().totals
    england = england[
        (england["total_scope"] == "england")
        & (england["financial_year"] == release.financial_year)
    ].set_index("line_label")["value_gbp_thousands"]
    workbook = parse_workbook(release.path, release=release.release)
    wb_england = workbook.totals[
        (workbook.totals["total_scope"] == "england") & (workbook.totals["line_occurrence"] == 1)
    ]
    keys = (
        wb_england["line_label"].str.lower().str.replace(r"\s*\(total of line.*$", "", regex=True)
    )
    wb_values = dict(zip(keys.str.strip(), wb_england["value_gbp_thousands"], strict=True))
    compared = 0
    for variable, service in VARIABLES.items():
        key = LABEL_KEYS[service]
        if key not in wb_values:
            continue
        # The CSV carries whole thousands; the workbooks carry decimals in some years.
        assert england[variable] == pytest.approx(wb_values[key], abs=1.0), variable
        compared += 1
    assert compared == 14


def test_a_workbook_is_not_the_timeseries_layout(tmp_path):
    other = tmp_path / "spend.csv"
    other.write_text("Date,Supplier,Amount\n2024-01-01,ACME,10\n")  # synthetic
    with pytest.raises(UnsupportedLayoutError, match="year_ending"):
        parse_timeseries(other)
