"""The Dagster code location loads, and its asset graph is wired as the design says."""

import json

from dagster import AssetKey

from dagster_project.dbt_project import dbt_project
from dagster_project.definitions import defs
from dagster_project.keys import raw_asset_key
from dagster_project.partitions import financial_year_partitions


def test_definitions_load_with_the_expected_graph():
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert {
        raw_asset_key("revenue_outturn"),
        AssetKey(["marts", "fct_net_current_expenditure"]),
        AssetKey(["audit", "marts"]),
        AssetKey(["published", "warehouse"]),
    } <= keys
    # raw -> dbt -> audit -> publish
    fct = AssetKey(["marts", "fct_net_current_expenditure"])
    assert fct in graph.get(AssetKey(["audit", "marts"])).parent_keys
    assert (
        AssetKey(["audit", "marts"]) in graph.get(AssetKey(["published", "warehouse"])).parent_keys
    )
    assert financial_year_partitions.get_partition_keys()[0] == "2007-08"
    keys = financial_year_partitions.get_partition_keys()
    assert keys[-1] == "2025-26" and len(keys) == 19  # 2007-08 to 2025-26
    assert "2013-14" in keys  # not bundled, but a mirror or live source may have it


def test_every_dbt_source_has_its_python_asset():
    manifest = json.loads(dbt_project.manifest_path.read_text())
    graph = defs.resolve_asset_graph()
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    sources = [s for s in manifest["sources"].values()]
    assert sources
    for source in sources:
        assert raw_asset_key(source["name"]) in materializable, source["unique_id"]


def test_every_dbt_model_column_is_described():
    manifest = json.loads(dbt_project.manifest_path.read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        assert node["description"].strip(), node["unique_id"]
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['unique_id']}.{name}"
