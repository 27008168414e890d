"""The Great Expectations suites of the marts as blocking asset checks, between dbt and publish:
one check per audited mart, its failures (expectation, column, offending values) as metadata.
Any failed check stops the publish step (it depends on every audited mart)."""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from dagster_project.resources import WarehouseResource
from warehouse.suites import SUITES

AUDITED_MARTS = [AssetKey(name.split(".")) for name in SUITES]
CHECK_NAME = "great_expectations"


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            blocking=True,
            description=f"The Great Expectations suite of {'.'.join(key.path)}",
        )
        for key in AUDITED_MARTS
    ],
    can_subset=True,
    name="audit_marts",
)
def audit_marts(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    from warehouse.audit import read_for_audit, run_audit
    from warehouse.db import connect

    settings = warehouse.settings
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    con = connect(settings.work_db, read_only=True)
    try:
        for key in AUDITED_MARTS:
            if key not in selected:
                continue
            name = ".".join(key.path)
            # only the columns the suite reads, text as categorical (warehouse.audit)
            frame = read_for_audit(con, name, SUITES[name])
            docs = settings.work_dir / "audit" / name.split(".", 1)[-1]
            result = run_audit(frame, name, SUITES[name], docs_dir=docs)
            passed = result.evaluated - len(result.failures)
            context.log.info(f"{name}: {passed}/{result.evaluated} expectations passed")
            yield AssetCheckResult(
                asset_key=key,
                check_name=CHECK_NAME,
                passed=result.success,
                severity=AssetCheckSeverity.ERROR,
                metadata={
                    "rows": len(frame),
                    "expectations": result.evaluated,
                    "failed": len(result.failures),
                    "failures": MetadataValue.md(result.summary() if result.failures else "none"),
                    "data_docs": str(docs / "index.html"),
                },
            )
    finally:
        con.close()
