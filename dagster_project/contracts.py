"""Pandera validation of a raw asset as a blocking asset check: the check's result carries the
failures (file, sheet, row, column, value) as metadata, and a failed contract stops the load and
everything downstream (publishing included)."""

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

CONTRACT_CHECK = "pandera_contract"
MAX_ROWS_SHOWN = 50


def contract_spec(key: AssetKey) -> AssetCheckSpec:
    return AssetCheckSpec(
        CONTRACT_CHECK,
        asset=key,
        blocking=True,
        description=f"raw.{key.path[-1]} matches its pandera model (its one contract)",
    )


def passed(key: AssetKey, rows: int | None = None, note: str = "") -> AssetCheckResult:
    meta = {"validated_rows": rows} if rows is not None else {}
    if note:
        meta["note"] = note
    return AssetCheckResult(asset_key=key, check_name=CONTRACT_CHECK, passed=True, metadata=meta)


def failed(key: AssetKey, exc) -> AssetCheckResult:
    failures = list(getattr(exc, "failures", []) or [str(exc)])
    table = "\n".join(f"- {line}" for line in failures[:MAX_ROWS_SHOWN])
    if len(failures) > MAX_ROWS_SHOWN:
        table += f"\n- ... and {len(failures) - MAX_ROWS_SHOWN} more"
    return AssetCheckResult(
        asset_key=key,
        check_name=CONTRACT_CHECK,
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "dataset": str(getattr(exc, "dataset", "")),
            "failure_count": len(failures),
            "failures": MetadataValue.md(table),
        },
    )


class ContractBroken(Exception):
    """Carries a ValidationFailed out of a load so the asset can report it as a check."""

    def __init__(self, error: Exception, message: str = ""):
        super().__init__(message or str(error))
        self.error = error


@contextmanager
def validating() -> Iterator[None]:
    """Wrap the pandera step of a load: its ValidationFailed leaves as ContractBroken."""
    from sources.errors import ValidationFailed

    try:
        yield
    except ValidationFailed as exc:
        raise ContractBroken(exc) from exc


def report(keys: list[AssetKey], exc: ContractBroken) -> Iterator[AssetCheckResult]:
    for key in keys:
        yield failed(key, exc.error)


def guarded(keys: list[AssetKey], results) -> Iterator:
    """Run a load's results through the contract check of `keys`: each MaterializeResult of one
    of them carries a passed check; a ValidationFailed (or ContractBroken) from the load yields
    the failed checks, then fails the step with its message."""
    from dagster import MaterializeResult

    from sources.errors import SourceError, ValidationFailed

    try:
        for result in results:
            key = result.asset_key or (keys[0] if len(keys) == 1 else None)
            if isinstance(result, MaterializeResult) and key in keys and not result.check_results:
                rows = (result.metadata or {}).get("rows")
                result = result._replace(check_results=[passed(key, getattr(rows, "value", rows))])
            yield result
    except (ValidationFailed, ContractBroken) as exc:
        broken = exc if isinstance(exc, ContractBroken) else ContractBroken(exc)
        yield from report(keys, broken)
        raise SourceError(str(broken)) from broken.error
