"""Financial-year partitions: dynamic, one per financial year the catalogue has a revenue
outturn release for (a partition may hold several editions of its year). They are kept in the
instance: `lgf refresh` and the new-release sensor add the years of the catalogue in use, so
there is never a partition without a file."""

from dagster import DynamicPartitionsDefinition

financial_year_partitions = DynamicPartitionsDefinition(name="financial_year")


def sync_partitions(instance, years: list[str]) -> list[str]:
    """Add the catalogue's years missing from the instance; drop partitions no catalogue
    release backs any more. Returns the years added."""
    name = financial_year_partitions.name
    have = set(instance.get_dynamic_partitions(name))
    added = sorted(set(years) - have)
    if added:
        instance.add_dynamic_partitions(name, added)
    for gone in sorted(have - set(years)):
        instance.delete_dynamic_partition(name, gone)
    return added
