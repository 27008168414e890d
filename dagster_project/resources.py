"""Resources, built in one place from the typed settings (warehouse.settings)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from sources.catalogue import BUNDLED_CATALOGUE, Release, load_catalogue
from warehouse.settings import Settings


class WarehouseResource(ConfigurableResource):
    """Where the pipeline keeps its files, and which catalogue of releases it loads."""

    data_dir: str
    catalogue: str = str(BUNDLED_CATALOGUE)

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=Path(self.data_dir), catalogue=Path(self.catalogue))

    def releases(self, dataset: str, financial_year: str | None = None) -> list[Release]:
        return [
            r
            for r in load_catalogue(Path(self.catalogue))
            if r.dataset == dataset
            and (financial_year is None or r.financial_year == financial_year)
        ]


def build_resources(settings: Settings | None = None) -> dict:
    from dagster_project.dbt_project import dbt_resource

    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(
            data_dir=str(settings.data_dir),
            catalogue=str(settings.catalogue or BUNDLED_CATALOGUE),
        ),
        "dbt": dbt_resource(settings),
    }
