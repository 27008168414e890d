"""The blocking Great Expectations audit of the marts, between dbt and publish."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.resources import WarehouseResource
from warehouse.audit import run_audit
from warehouse.db import connect
from warehouse.suites import SUITES


class AuditFailed(Exception):
    """A mart broke its Great Expectations suite; nothing is published."""


@asset(
    key=AssetKey(["audit", "marts"]),
    deps=[AssetKey(name.split(".")) for name in SUITES],
    group_name="publish",
    description="Great Expectations suites run on every mart; any failure blocks publishing.",
    kinds={"great_expectations"},
)
def audited_marts(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    con = connect(settings.work_db, read_only=True)
    try:
        frames = {name: con.execute(f"select * from {name}").df() for name in SUITES}
    finally:
        con.close()
    failures, report = [], {}
    for name, expectations in SUITES.items():
        result = run_audit(
            frames[name],
            name,
            expectations,
            docs_dir=settings.work_dir / "audit" / name.split(".", 1)[-1],
        )
        report[name] = f"{result.evaluated - len(result.failures)}/{result.evaluated} passed"
        context.log.info(f"{name}: {report[name]}")
        if not result.success:
            failures.append(result.summary())
    if failures:
        raise AuditFailed("\n\n".join(failures))
    return MaterializeResult(metadata=report)
