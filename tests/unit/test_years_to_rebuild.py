"""Which financial years a build may rebuild alone (dagster_project.pipeline.years_to_rebuild):
only when nothing but revenue outturn editions changed since the last publication."""

from dagster_project.pipeline import years_to_rebuild

RO = ["load_log", "revenue_outturn", "revenue_outturn_totals"]


def state(**years):
    return {"revenue_outturn_years": {y.replace("_", "-"): d for y, d in years.items()}}


def test_the_years_whose_editions_changed():
    last = state(**{"2022_23": "a", "2023_24": "b"})
    now = state(**{"2022_23": "a", "2023_24": "c"})
    assert years_to_rebuild(now, last, RO) == ["2023-24"]


def test_a_new_year_is_rebuilt_alone():
    last = state(**{"2022_23": "a"})
    now = state(**{"2022_23": "a", "2023_24": "b"})
    assert years_to_rebuild(now, last, RO) == ["2023-24"]


def test_everything_when_another_table_changed_a_year_went_or_no_record():
    last = state(**{"2022_23": "a", "2023_24": "b"})
    now = state(**{"2022_23": "a", "2023_24": "c"})
    assert years_to_rebuild(now, last, [*RO, "authorities"]) is None  # body ids may move
    assert years_to_rebuild(state(**{"2023_24": "c"}), last, RO) is None  # 2022-23 is gone
    assert years_to_rebuild(now, {}, RO) is None  # published before years were recorded
    assert years_to_rebuild(now, last, []) is None
    assert years_to_rebuild(last, last, RO) is None  # nothing differs: build as asked
