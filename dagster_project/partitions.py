"""Financial-year partitions: every year from 2007-08 (the first RS 'data by LA' workbook) to
2025-26 or the latest bundled year, so releases found later (lgf discover, a mirror, a user's
catalogue) have a partition. A partition may hold several editions of its year."""

from dagster import StaticPartitionsDefinition

from sources.catalogue import BUNDLED_CATALOGUE, financial_years, load_catalogue

FIRST_YEAR = 2007
LAST_YEAR = max(2025, *(int(y[:4]) for y in financial_years(load_catalogue(BUNDLED_CATALOGUE))))

financial_year_partitions = StaticPartitionsDefinition(
    [f"{y}-{(y + 1) % 100:02d}" for y in range(FIRST_YEAR, LAST_YEAR + 1)]
)
