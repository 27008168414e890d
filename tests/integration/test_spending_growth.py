"""mart_spending_growth checked against values computed by hand from the source files: the RS
workbook cell, the ONS YBGB quarters and the MYE 5 population, each read here directly."""

import csv
import statistics

import duckdb
import pytest
import python_calamine

from sources.catalogue import SAMPLES_DIR

RS_2019 = SAMPLES_DIR / "revenue_outturn" / "RS_2019-20_data_by_LA.xls"
YBGB = SAMPLES_DIR / "deflators" / "ons_ybgb_gdp_deflator_2022eq100.csv"
MYE = SAMPLES_DIR / "population" / "ukmidyearestimates20192020ladcodes.xls"


def rs_cell(name: str, line: str) -> float:
    rows = (
        python_calamine.CalamineWorkbook.from_path(str(RS_2019))
        .get_sheet_by_name("RS_LA_Data_2019-20")
        .to_python()
    )
    header = next(r for r in rows if "E-code" in r)
    col = header.index(line)
    name_col = header.index("Local authority")
    (row,) = [r for r in rows if str(r[name_col]).strip() == name]
    return float(row[col])


def ybgb_financial_year(start: int) -> float:
    quarters = {}
    with YBGB.open(newline="") as fh:
        for period, value in csv.reader(fh):
            quarters[period] = value
    keys = [f"{start} Q2", f"{start} Q3", f"{start} Q4", f"{start + 1} Q1"]
    return statistics.fmean(float(quarters[k]) for k in keys)


def mye_2019(gss: str) -> int:
    rows = (
        python_calamine.CalamineWorkbook.from_path(str(MYE)).get_sheet_by_name("MYE 5").to_python()
    )
    header = next(r for r in rows if "Code" in r)
    col = next(i for i, h in enumerate(header) if "mid-2019" in str(h))
    (row,) = [r for r in rows if r[0] == gss]
    return int(row[col])


@pytest.mark.parametrize(
    ("name", "gss", "body_id"),
    [("Leeds", "E08000035", "LDS"), ("Cornwall UA", "E06000052", "CON")],
)
def test_real_terms_and_per_head_match_a_hand_computation(built, name, gss, body_id):
    nominal = rs_cell(name, "Adult Social Care")
    factor = ybgb_financial_year(2023) / ybgb_financial_year(2019)
    population = mye_2019(gss)
    con = duckdb.connect(str(built.published_db), read_only=True)
    row = con.execute(
        """select nominal_gbp_thousands, real_gbp_thousands, population, nominal_per_head_gbp,
                  real_per_head_gbp
           from marts.mart_spending_growth
           where geography_basis = 'as_at_time' and body_id = ?
             and financial_year = '2019-20' and service_code = 'adult_social_care'""",
        [body_id],
    ).fetchone()
    con.close()
    assert row[0] == pytest.approx(nominal)
    assert row[1] == pytest.approx(nominal * factor, rel=1e-12)
    assert row[2] == population
    assert row[3] == pytest.approx(1000 * nominal / population)
    assert row[4] == pytest.approx(1000 * nominal * factor / population)


def test_restated_series_sum_predecessors(built):
    """Buckinghamshire UA before 2020 is its county council plus four districts."""
    con = duckdb.connect(str(built.published_db), read_only=True)
    restated = con.execute(
        """select nominal_gbp_thousands, bodies_combined, is_estimate
           from marts.mart_spending_growth
           where geography_basis = 'restated_current' and body_id = 'BUC'
             and financial_year = '2015-16' and service_code = 'total_service_expenditure'"""
    ).fetchone()
    parts = con.execute(
        """select sum(net_current_expenditure_gbp_thousands), count(*)
           from marts.fct_net_current_expenditure
           where financial_year = '2015-16' and service_code = 'total_service_expenditure'
             and ecode in ('E0421', 'E0431', 'E0432', 'E0434', 'E0435')"""
    ).fetchone()
    con.close()
    assert parts[1] == 5
    assert restated == (pytest.approx(parts[0]), 5, False)


def test_analyst_query_from_the_readme_runs(built):
    """The README's one-query answer: like-for-like real change per head, every current council."""
    readme = (SAMPLES_DIR.parent.parent / "README.md").read_text()
    sql = readme.split("<!-- analyst-query -->")[1].split("```sql")[1].split("```")[0]
    con = duckdb.connect(str(built.published_db), read_only=True)
    rows = con.execute(sql).fetchall()
    con.close()
    assert len(rows) == 317  # every current council: 33 L, 36 MD, 63 UA, 21 SC, 164 SD
    # Dorset and BCP cannot be restated before 2019-20: Christchurch's county services went to
    # BCP, and the bundled ONS edition has no population to weight that transfer (no value
    # rather than the old figure that gave the whole county to Dorset)
    unknown = {r[0] for r in rows if r[5] is None}
    assert unknown == {"Dorset Council", "Bournemouth, Christchurch and Poole Council"}


def test_incomplete_whole_area_has_no_value_or_growth(built):
    """Essex 2023-24: three districts made no return, so the whole area has no value and no
    growth (it read +4.7 % before), and says how many bodies are missing."""
    con = duckdb.connect(str(built.published_db), read_only=True)
    row = con.execute(
        """select nominal_gbp_thousands, yoy_change_pct, bodies_without_value, bodies_combined,
                  completeness_status
           from marts.mart_spending_growth
           where geography_basis = 'whole_area' and body_id = 'ESS'
             and financial_year = '2023-24' and service_code = 'net_current_expenditure'"""
    ).fetchone()
    prior = con.execute(
        """select nominal_gbp_thousands, completeness_status
           from marts.mart_spending_growth
           where geography_basis = 'whole_area' and body_id = 'ESS'
             and financial_year = '2022-23' and service_code = 'net_current_expenditure'"""
    ).fetchone()
    con.close()
    assert row[:4] == (None, None, 3, 13)
    assert row[4].startswith("incomplete: 3 of 13")
    assert prior[0] > 2_000_000 and prior[1] == "complete"


def test_dorset_county_reaches_bcp_through_the_christchurch_transfer(built):
    con = duckdb.connect(str(built.published_db), read_only=True)
    edges = con.execute(
        """select successor_body_id, weight, edge_source, transferred_area_gss_code
           from marts.bridge_reorganisations where predecessor_body_id = 'DOR'
           order by successor_body_id"""
    ).fetchall()
    con.close()
    assert [e[0] for e in edges] == ["BPC", "DST"]
    assert all(e[1] is None for e in edges)  # weight unknown: no Christchurch population
    assert edges[0][3] == "E07000048" and "Structural Changes" in edges[0][2]


def test_the_multi_year_csv_fills_2021_22_and_records_the_edition(built):
    """2021-22 has no bundled workbook: its service cells come from the multi-year CSV (read
    here directly), marked as such; years with a workbook keep it, since the bundled CSV
    revises none of their cells (2018-19 stays the provisional edition, Wiltshire's education
    outlier included)."""
    path = (
        SAMPLES_DIR
        / "revenue_outturn"
        / ("Revenue_Outturn_time_series_RS_services_subset_2017-18_to_2023-24.csv")
    )
    with path.open(newline="", encoding="utf-8-sig") as fh:
        (leeds,) = [
            r
            for r in csv.DictReader(fh)
            if r["ONS_code"] == "E08000035" and r["year_ending"] == "202203"
        ]
    con = duckdb.connect(str(built.published_db), read_only=True)
    row = con.execute(
        """select net_current_expenditure_gbp_thousands, edition_source, release, body_id
           from marts.fct_net_current_expenditure
           where financial_year = '2021-22' and ons_code = 'E08000035'
             and service_code = 'adult_social_care'"""
    ).fetchone()
    sources = dict(
        con.execute(
            """select financial_year, string_agg(distinct edition_source, '|')
               from marts.fct_net_current_expenditure group by 1"""
        ).fetchall()
    )
    wiltshire = con.execute(
        """select net_current_expenditure_gbp_thousands, release
           from marts.fct_net_current_expenditure
           where financial_year = '2018-19' and body_id = 'WIL' and service_code = 'education'"""
    ).fetchone()
    con.close()
    assert row == (float(leeds["RS_asc_net_exp"]), "multi-year CSV", "revised", "LDS")
    assert sources["2021-22"] == "multi-year CSV"
    assert all(v == "workbook" for y, v in sources.items() if y != "2021-22")
    assert wiltshire == (370_661.0, "provisional")
