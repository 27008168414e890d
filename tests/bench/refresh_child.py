"""One refresh in a child process, for the benchmark: prints ``STAGE <name>`` as each stage
starts so the parent can time the stages and sample their peak memory.

Settings come from the environment (LGF_DATA_DIR, LGF_CATALOGUE); years from the arguments.
"""

from __future__ import annotations

import sys

STAGES = (
    ("loading revenue outturn", "load revenue outturn (parse, validate, raw load)"),
    ("loading reference", "load reference and other sources"),
    ("building the warehouse", "dbt build"),
    ("auditing", "audit (Great Expectations) and publish"),
    ("done", "done"),
)


def say(message: str) -> None:
    for start, stage in STAGES:
        if start in message:
            print(f"STAGE {stage}", flush=True)
            return


def main(argv: list[str]) -> int:
    print("STAGE import and definitions", flush=True)
    from dagster_project.pipeline import run_refresh
    from warehouse.settings import Settings

    run_refresh(Settings.from_env(), years=argv or None, say=say, log_level="CRITICAL")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
