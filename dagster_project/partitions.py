"""Financial-year partitions: every year of the bundled catalogue (one partition may hold
several editions of its year, e.g. 2017-18 final and revised)."""

from dagster import StaticPartitionsDefinition

from sources.catalogue import BUNDLED_CATALOGUE, financial_years, load_catalogue

financial_year_partitions = StaticPartitionsDefinition(
    financial_years(load_catalogue(BUNDLED_CATALOGUE))
)
