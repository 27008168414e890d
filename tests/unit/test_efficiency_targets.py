"""The efficiency target rules (sources.efficiency.targets) and the dbt seed generated from them:
the rule lives in one place, and the seed must equal what the module computes."""

from __future__ import annotations

import csv

import pytest

from sources.efficiency import targets as t
from sources.efficiency.headline import bundled_records


def test_csr07_compounds_three_percent_on_the_2007_08_baseline_exactly():
    assert t.cumulative_target_pct(t.CSR07, "2008-09") == pytest.approx(3.0, abs=1e-12)
    assert t.cumulative_target_pct(t.CSR07, "2009-10") == pytest.approx(6.09, abs=1e-12)
    assert t.cumulative_target_pct(t.CSR07, "2010-11", include_extra=False) == pytest.approx(
        9.2727, abs=1e-12
    )
    # as published: 3%, 6.1%, 9.3%
    published = [
        round(t.cumulative_target_pct(t.CSR07, fy, include_extra=False), 1) for fy in t.CSR07_YEARS
    ]
    assert published == [3.0, 6.1, 9.3]
    # plus 1% more in 2010-11 (Budget 2009): 10.3% as the Leicestershire page says
    assert t.cumulative_target_pct(t.CSR07, "2010-11") == pytest.approx(10.2727, abs=1e-12)
    assert round(t.cumulative_target_pct(t.CSR07, "2010-11"), 1) == 10.3


def test_sr04_is_two_and_a_half_percent_a_year_not_compounded_half_cashable():
    assert [t.cumulative_target_pct(t.SR04, fy) for fy in t.SR04_YEARS] == [2.5, 5.0, 7.5]
    assert t.cumulative_target_pct(t.SR04, "2004-05") is None  # gains count, no target
    assert t.cashable_min_share(t.SR04) == 0.5
    assert t.cashable_min_share(t.CSR07) == 1.0
    assert t.BASELINE_YEAR == {t.SR04: "2004-05", t.CSR07: "2007-08"}


def test_target_of_a_baseline():
    # Hampshire: GBP 43.7m by 2007-08 is 7.5% of its 2004-05 outturn (about GBP 582.7m)
    assert t.target_gbp(t.SR04, "2007-08", 582_666_666.67) == pytest.approx(43.7e6)
    # Leicestershire: GBP 8.9m in 2008-09 is 3% of its 2007-08 baseline
    assert t.target_gbp(t.CSR07, "2008-09", 8.9e6 / 0.03) == pytest.approx(8.9e6)
    assert t.target_gbp(t.CSR07, "2011-12", 1e9) is None
    assert t.annual_target_pct(t.CSR07, "2010-11") == pytest.approx(10.2727 - 6.09)


def test_unknown_regime_is_an_error():
    with pytest.raises(Exception, match="regime"):
        t.cashable_min_share("CSR10")


def test_the_dbt_seed_equals_what_the_module_computes():
    with t.SEED_PATH.open(newline="", encoding="utf-8") as fh:
        committed = list(csv.reader(fh))
    assert committed == t.seed_lines(), (
        "dbt/seeds/efficiency_targets.csv is stale: run `python -m sources.efficiency.targets`"
    )
    assert len(committed) == 1 + 6


def test_the_published_csr07_note_agrees_with_the_rule():
    note = next(r.note for r in bundled_records() if r.record_id == "AES-11")
    assert "3%/6.1%/9.3%" in note and "10.3%" in note
    sr04 = next(r.note for r in bundled_records() if r.record_id == "AES-01")
    assert "2.5% a year" in sr04 and "at least half cashable" in sr04
