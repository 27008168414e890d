"""A job over the reference loads for the multi-process executor test: a module-level
function, so that each step's child process can rebuild it (Dagster's `reconstructable`)."""

from dagster import AssetSelection, Definitions, define_asset_job, multiprocess_executor


def reference_job():
    from dagster_project.definitions import defs
    from dagster_project.resources import build_resources

    job = define_asset_job(
        "reference_multiprocess",
        selection=AssetSelection.groups("reference"),
        executor_def=multiprocess_executor.configured({"max_concurrent": 2}),
    )
    # Settings come from the environment (LGF_DATA_DIR), which the child processes inherit.
    return Definitions(
        assets=list(defs.assets), jobs=[job], resources=build_resources()
    ).resolve_job_def("reference_multiprocess")
