"""Reference datasets (the authority register, population, GDP deflators) as DatasetSpecs of
the one load recipe (dagster_project.datasets): what is specific to each is only its parsers
and pandera model. Parsers and schemas (pandas) are imported inside `build`: loading the code
location stays fast."""

from dagster_project.datasets import DatasetSpec, Landed, dataset_asset, reading
from dagster_project.resources import WarehouseResource
from sources.catalogue import releases_with
from sources.errors import SourceError


def catalogued(dataset: str):
    def releases(settings):
        return [r for r in releases_with(settings.catalogue) if r.dataset == dataset]

    return releases


def by_form(landed: Landed) -> dict[str, list]:
    out: dict[str, list] = {}
    for release, file in landed:
        out.setdefault(release.form, []).append((release, file))
    return out


def one(landed: Landed, form: str):
    files = by_form(landed).get(form, [])
    if len(files) != 1:
        raise SourceError(f"expected one {form} file in the catalogue, found {len(files)}")
    return files[0][1].path


def build_authorities(landed: Landed, settings, log) -> dict:
    from sources.reference.authorities import ecode_assignments, parse_register
    from sources.reference.schema import validate_authorities

    register = parse_register(
        one(landed, "mysociety_register"),
        one(landed, "crosswalk_2009"),
        path_names=one(landed, "mysociety_names"),
        path_supplement=one(landed, "ecode_supplement"),
    )
    register = validate_authorities(register)
    return {"authorities": register, "authority_ecodes": ecode_assignments(register)}


def by_parser(table: str, parsers: dict, validate):
    """A build that parses each file with the parser of its form and validates the union."""

    def build(landed: Landed, settings, log) -> dict:
        import pandas as pd

        unknown = sorted({release.form for release, _ in landed} - set(parsers))
        if unknown:
            raise SourceError(f"no parser for {table} files of form {', '.join(unknown)}")
        frames = []
        for release, file in landed:
            with reading(release, file):
                frames.append(parsers[release.form](file.path))
        return {table: validate(pd.concat(frames, ignore_index=True))}

    return build


def build_population(landed: Landed, settings, log) -> dict:
    from sources.reference.population import parse_mye5, parse_ons_api_v4
    from sources.reference.schema import validate_population

    parsers = {"ons_mye5": parse_mye5, "ons_api_v4": parse_ons_api_v4}
    return by_parser("population", parsers, validate_population)(landed, settings, log)


def build_gdp_deflator(landed: Landed, settings, log) -> dict:
    from sources.reference.deflator import parse_hmt_calendar_csv, parse_ons_timeseries_csv
    from sources.reference.schema import validate_gdp_deflator

    parsers = {"ons_ybgb": parse_ons_timeseries_csv, "hmt_calendar": parse_hmt_calendar_csv}
    return by_parser("gdp_deflator", parsers, validate_gdp_deflator)(landed, settings, log)


AUTHORITIES = DatasetSpec(
    name="raw_authorities",
    group="reference",
    tables={
        "authorities": "raw.authorities: legal bodies over time (mySociety register, the 2009 "
        "crosswalk and the hand-checked E-code supplement)",
        "authority_ecodes": "raw.authority_ecodes: which body each E-code denotes, by year",
    },
    releases=catalogued("authorities"),
    build=build_authorities,
    contracts=("authorities",),  # authority_ecodes is derived from the validated register
    metadata=lambda f: {"bodies": len(f["authorities"]), "ecodes": len(f["authority_ecodes"])},
)
POPULATION = DatasetSpec(
    name="raw_population",
    group="reference",
    tables={"population": "raw.population: ONS mid-year estimates by area and year, edition kept"},
    releases=catalogued("population"),
    build=build_population,
)
GDP_DEFLATOR = DatasetSpec(
    name="raw_gdp_deflator",
    group="reference",
    tables={
        "gdp_deflator": "raw.gdp_deflator: GDP deflators (ONS YBGB with derived financial "
        "years; HM Treasury calendar years), edition and base kept"
    },
    releases=catalogued("gdp_deflator"),
    build=build_gdp_deflator,
)

raw_authorities = dataset_asset(AUTHORITIES)
raw_population = dataset_asset(POPULATION)
raw_gdp_deflator = dataset_asset(GDP_DEFLATOR)

__all__ = ["WarehouseResource", "raw_authorities", "raw_gdp_deflator", "raw_population"]
