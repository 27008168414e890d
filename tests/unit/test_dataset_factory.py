"""The one load recipe (dagster_project.datasets) on a synthetic dataset: a pandera failure is a
failed blocking check naming the row and column, the table is not written, and an unchanged
file is not reloaded. The rows here are synthetic (made up for the test), not published data."""

import duckdb
import pandas as pd
from dagster import AssetCheckKey, DagsterInstance, materialize

from dagster_project.contracts import CONTRACT_CHECK
from dagster_project.datasets import DatasetSpec, dataset_asset, reading
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import Release
from sources.reference.schema import validate_population

ROWS = [
    {
        "gss_code": "E06000001",
        "area_name": "Hartlepool",
        "geography": "UA",
        "mid_year": 2020,
        "population": 93_000,
        "edition": "synthetic",
        "source_file": "synthetic.csv",
        "source_sheet": None,
        "source_row": 2,
        "source_column": "C",
    }
]


def spec(path, rows) -> DatasetSpec:
    release = Release(
        file_name=path.name,
        dataset="synthetic_population",
        form="synthetic",
        financial_year="",
        release="final",
        release_date=None,
        release_note="",
        publisher="",
        publisher_page="",
        copy_of="",
        licence="",
        path=path,
    )

    def build(landed, settings, log):
        ((release, file),) = landed
        with reading(release, file):
            return {"population": validate_population(pd.DataFrame(rows), file.path.name)}

    return DatasetSpec(
        name="synthetic_population",
        group="reference",
        tables={"population": "synthetic"},
        releases=lambda settings: [release],
        build=build,
    )


def run(tmp_path, rows):
    source = tmp_path / "synthetic.csv"
    source.write_text("synthetic\n")
    asset = dataset_asset(spec(source, rows))
    resource = WarehouseResource(data_dir=str(tmp_path / "data"))
    return materialize(
        [asset],
        resources={"warehouse": resource},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    ), resource.settings


def test_a_broken_contract_is_a_failed_blocking_check_and_nothing_is_written(tmp_path):
    bad = [{**ROWS[0], "gss_code": "X123", "population": -5}]
    result, settings = run(tmp_path, bad)
    assert not result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.asset_check_key == AssetCheckKey(raw_asset_key("population"), CONTRACT_CHECK)
    assert not evaluation.passed
    failures = evaluation.metadata["failures"].value
    assert "row 2" in failures and "gss_code" in failures and "population" in failures
    assert evaluation.metadata["failure_count"].value == 2
    con = duckdb.connect(str(settings.work_db))
    try:
        assert not con.execute(
            "select count(*) from information_schema.tables where table_name = 'population'"
        ).fetchone()[0]
    finally:
        con.close()


def test_a_good_load_passes_its_check_and_is_not_redone(tmp_path):
    result, settings = run(tmp_path, ROWS)
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["validated_rows"].value == 1
    (mat,) = result.asset_materializations_for_node("synthetic_population")
    assert mat.metadata["lgf/changed"].value == 1
    again, _ = run(tmp_path, ROWS)
    (mat,) = again.asset_materializations_for_node("synthetic_population")
    assert mat.metadata["lgf/changed"].value == 0
