"""Resources, built in one place from the typed settings (warehouse.settings)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from sources.catalogue import Release, releases_with
from warehouse.settings import Settings


class WarehouseResource(ConfigurableResource):
    """Where the pipeline keeps its files, which catalogue it loads, where files come from."""

    data_dir: str
    catalogue: str = ""  # a user's catalogue replacing the bundled one for its datasets
    source: str = "samples"  # samples | live | a mirror directory | a mirror base URL
    keep_releases: int = 3  # publications kept for rollback

    @property
    def settings(self) -> Settings:
        return Settings(
            data_dir=Path(self.data_dir),
            catalogue=Path(self.catalogue) if self.catalogue else None,
            source=self.source,
            keep_releases=self.keep_releases,
        )

    def releases(self, dataset: str, financial_year: str | None = None) -> list[Release]:
        return [
            r
            for r in releases_with(self.settings.catalogue)
            if r.dataset == dataset
            and (financial_year is None or r.financial_year == financial_year)
        ]


def build_resources(settings: Settings | None = None) -> dict:
    from dagster_project.dbt_project import dbt_resource

    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(
            data_dir=str(settings.data_dir),
            catalogue=str(settings.catalogue or ""),
            source=settings.source,
            keep_releases=settings.keep_releases,
        ),
        "dbt": dbt_resource(settings),
    }
