"""The buying-organisation list and matcher (sources.spend.buying_organisations).

Real payees taken from the bundled spend files (read here with the csv module, not through the
parser): every spelling of a buying organisation found by grepping the files is matched to its
canonical name, and every real look-alike ('LANDSCAPE ...', 'PLANSCAPE', 'PAYPOINT', 'CCS MEDIA',
'NPOWER (ELECTRIC) YPO CONTRACT', ...) is not. No bundled file has a 'SCAPE GARDENING',
'SCAPE CONSTRUCTION' or 'CROWN COMMERCIAL SERVICE' payee, so those (and other spellings) are
tested as SYNTHETIC strings, labelled as such.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from sources.spend.buying_organisations import (
    BUYING_ORGANISATIONS_CSV,
    classify,
    load_buying_organisations,
    normalise_supplier,
)
from sources.spend.catalogue import SPEND_SAMPLES

# file: (encoding, supplier-name column index, header line)
SUPPLIER_COLUMN = {
    "devon_DCCSpendingOver500_201112.csv": ("cp1252", 6, 1),
    "devon_DCCSpendingOver500_201508.csv": ("utf-8", 6, 1),
    "devon_DCCSpendingOver500_201808.csv": ("utf-8-sig", 6, 1),
    "devon_DCCSpendingOver500_202509.csv": ("utf-8-sig", 5, 1),
    "hyndburn_2017-03_spend_over_250.csv": ("cp437", 4, 1),
    "hyndburn_2023-05_spend_over_250.csv": ("utf-8-sig", 4, 2),
    "hyndburn_2024-09_spend_over_250.csv": ("utf-8", 5, 1),
    "lambeth_2011-01_supplier_totals_over_500.csv": ("utf-8", 0, 1),
    "lambeth_2012-06_invoices_over_500.csv": ("utf-8", 2, 10),
    "odileeds_bradford_2018-08.csv": ("cp1252", 8, 1),
    "odileeds_calderdale_2015-08-card.csv": ("utf-8", 4, 1),
    "odileeds_calderdale_2015-08.csv": ("utf-8", 6, 1),
    "odileeds_darlington_2021-07.csv": ("utf-8", 4, 1),
    "odileeds_gateshead_2016-04.csv": ("utf-8", 6, 1),
    "odileeds_harrogate_2016-02.csv": ("cp437", 7, 1),
    "odileeds_leeds_2011-05.csv": ("utf-8", 11, 1),
    "odileeds_northtyneside_2014-09_i.csv": ("utf-8", 3, 1),
    "odileeds_salford_2017-02.csv": ("utf-8", 6, 1),
}

# Every buying-organisation payee spelling in the bundled files (grep -i for ypo, yorkshire
# purch, eastern shires, espo, nepo, north east procurement, scape, crown commercial, kcs,
# nhs suppl, lhc, fusion, pro5, consortium, purchasing, procurement, buying).
REAL_MATCHES = {
    "devon_DCCSpendingOver500_201112.csv": {
        "YORKSHIRE PURCHASING ORGANISATN": "YPO",
        "KENT COUNTY COUNCIL (KCS)": "Kent Commercial Services",
    },
    "devon_DCCSpendingOver500_201508.csv": {
        "YORKSHIRE PURCHASING ORGANISATN": "YPO",
        "EASTERN SHIRES PURCHASING ORGNSN": "ESPO",
        "KENT COUNTY COUNCIL (KCS)": "Kent Commercial Services",
    },
    "devon_DCCSpendingOver500_201808.csv": {
        "YORKSHIRE PURCHASING ORGANISATN": "YPO",
        "EASTERN SHIRES PURCHASING ORGNSN": "ESPO",
    },
    "hyndburn_2023-05_spend_over_250.csv": {"Yorkshire Purchasing Organisation": "YPO"},
    "odileeds_bradford_2018-08.csv": {
        "Yorkshire Purchasing Organization": "YPO",
        "NHS SUPPLIES": "NHS Supply Chain",
    },
    "odileeds_calderdale_2015-08.csv": {"YPO Direct Debit": "YPO"},
    "odileeds_darlington_2021-07.csv": {
        "YORKSHIRE PURCHASING ORGANISATION": "YPO",
        "NEPO NORTH EAST PROCUREMENT ORGANISATION": "NEPO",
    },
    "odileeds_gateshead_2016-04.csv": {"YORKSHIRE PURCHASING ORG'ATION": "YPO"},
    "odileeds_harrogate_2016-02.csv": {"YORKSHIRE PURCHASING": "YPO"},
    "odileeds_leeds_2011-05.csv": {"Yorkshire Purchasing Organisation": "YPO"},
    "odileeds_northtyneside_2014-09_i.csv": {"YORKSHIRE PURCHASING ORGANISATION": "YPO"},
    "odileeds_salford_2017-02.csv": {"Yorkshire Purchasing": "YPO"},
}

# Real payees that look like buying organisations and are not (file, payee as published).
REAL_LOOKALIKES = [
    ("devon_DCCSpendingOver500_201508.csv", "LANDSCAPE CONSTRUCTION & DESIGN"),
    ("devon_DCCSpendingOver500_201508.csv", "PLANSCAPE"),
    ("devon_DCCSpendingOver500_201808.csv", "PLANDSCAPE T/A CHIC FLOWER DESGN"),
    ("odileeds_darlington_2021-07.csv", "TOWNSCAPE PRODUCTS LIMITED"),
    ("devon_DCCSpendingOver500_201808.csv", "ACTIVE ESCAPE ADVENTURE LTD"),
    ("odileeds_northtyneside_2014-09_i.csv", "TGP LANDSCAPE ARCHITECTS (NORTH) LTD"),
    ("odileeds_gateshead_2016-04.csv", "PAYPOINT PLC"),
    ("odileeds_salford_2017-02.csv", "Paypoint Plc"),
    ("odileeds_northtyneside_2014-09_i.csv", "PAYPOINT NETWORKS LTD"),
    ("devon_DCCSpendingOver500_201808.csv", "WAYPOINTS PLYMOUTH/WAYPOINTS CRE"),
    ("odileeds_bradford_2018-08.csv", "NPOWER (ELECTRIC) YPO CONTRACT"),
    ("devon_DCCSpendingOver500_201508.csv", "LHC ARCHITECTURE URBANISM SAFETY"),
    ("odileeds_gateshead_2016-04.csv", "CCS MEDIA LTD"),
    ("odileeds_leeds_2011-05.csv", "Ccs Media Ltd"),
    ("odileeds_bradford_2018-08.csv", "CBC COMPUTER SYSTEMS LTD"),
    ("odileeds_gateshead_2016-04.csv", "GATESHEAD CBC LTD"),
    ("odileeds_salford_2017-02.csv", "Nepro Limited"),
    ("odileeds_darlington_2021-07.csv", "BLOOM PROCUREMENT SERVICES LTD"),
    ("odileeds_darlington_2021-07.csv", "CRYSTAL PURCHASING LIMITED / ICL UK SALES LTD"),
    ("devon_DCCSpendingOver500_201508.csv", "KENT COUNTY COUNCIL"),
    ("hyndburn_2023-05_spend_over_250.csv", "Crown Oil Ltd"),
    ("hyndburn_2023-05_spend_over_250.csv", "Proman Supply Chain Ltd"),
    ("lambeth_2012-06_invoices_over_500.csv", "Crownwise Ltd"),
    ("odileeds_calderdale_2015-08.csv", "Royal Bank of Scotland-Purchasing Cards"),
    ("odileeds_leeds_2011-05.csv", "Northern Housing Consortium"),
    ("odileeds_gateshead_2016-04.csv", "ORBIS PROTECT LTD"),
    ("devon_DCCSpendingOver500_201508.csv", "FUSION INDEPENDENCE"),
    ("devon_DCCSpendingOver500_201112.csv", "MAUDESPORT"),
]

# SYNTHETIC strings (not from any file): look-alikes that must not match ...
SYNTHETIC_LOOKALIKES = [
    "SCAPE GARDENING",
    "SCAPE GARDENING LTD",
    "Scape Gardens & Landscapes",
    "LANDSCAPE SCAPE SERVICES",
    "LANDSCAPES NORTH LTD",
    "ESCAPE ROOMS LIMITED",
    "TYPO DESIGN STUDIO",
    "TYPOGRAPHY SERVICES",
    "ESPOIR CAFE",
    "NEPOTIS LTD",
    "CCS",
    "CCS MEDIA LIMITED",
    "CROWN PAINTS",
    "ENERGY BUYING SOLUTIONS LTD",
    "PRECISION LASER LTD",
    "LASER ENGRAVING LTD",
    "LHC",
    "LHC DESIGN",
    "NHS TRUST SUPPLIES FUND",
    "FUSION HOUSING",
    "PROCUREMENT SERVICES LTD",
    "BRITISH GAS (YPO FRAMEWORK)",
]
# ... and spellings that must match their organisation.
SYNTHETIC_MATCHES = {
    "SCAPE CONSTRUCTION": "Scape",
    "Scape Group Ltd": "Scape",
    "SCAPE PROCURE LIMITED": "Scape",
    "CROWN COMMERCIAL SERVICE": "Crown Commercial Service",
    "Crown Commercial Services": "Crown Commercial Service",
    "GOVERNMENT PROCUREMENT SERVICE": "Crown Commercial Service",
    "OGC Buying.Solutions": "Crown Commercial Service",
    "YPO": "YPO",
    "ypo direct debit": "YPO",
    "ESPO": "ESPO",
    "E.S.P.O.": None,  # dotted initials normalise to 'E S P O': deliberately not matched
    "NORTH EASTERN PURCHASING ORGANISATION": "NEPO",
    "Procurement for Housing Ltd": "Procurement for Housing",
    "LHC Procurement Group": "LHC",
    "London Housing Consortium": "LHC",
    "NHS Supply Chain": "NHS Supply Chain",
    "CENTRAL BUYING CONSORTIUM": "Central Buying Consortium",
    "Pro5": "Pro5",
    "FUSION21 LTD": "Fusion21",
    "Fusion 21": "Fusion21",
    "KENT COMMERCIAL SERVICES": "Kent Commercial Services",
    "LASER ENERGY BUYING GROUP": "Kent Commercial Services",
}


def suppliers(file_name: str) -> set[str]:
    encoding, column, header_line = SUPPLIER_COLUMN[file_name]
    text = (SPEND_SAMPLES / file_name).read_bytes().decode(encoding)
    records = list(csv.reader(io.StringIO(text, newline="")))[header_line:]
    return {r[column].strip() for r in records if len(r) > column and r[column].strip()}


@pytest.mark.parametrize("file_name", sorted(SUPPLIER_COLUMN))
def test_real_payees_matched_exactly_as_listed(file_name):
    found = {s: classify(s) for s in suppliers(file_name)}
    matched = {s: org for s, org in found.items() if org is not None}
    assert matched == REAL_MATCHES.get(file_name, {})


@pytest.mark.parametrize(("file_name", "payee"), REAL_LOOKALIKES)
def test_real_lookalikes_are_not_buying_organisations(file_name, payee):
    assert payee in suppliers(file_name)
    assert classify(payee) is None


@pytest.mark.parametrize("payee", SYNTHETIC_LOOKALIKES)
def test_synthetic_lookalikes_are_not_buying_organisations(payee):
    assert classify(payee) is None


@pytest.mark.parametrize(("payee", "organisation"), sorted(SYNTHETIC_MATCHES.items()))
def test_synthetic_spellings(payee, organisation):
    assert classify(payee) == organisation


def test_word_boundaries_and_exclusions():
    assert normalise_supplier("Yorkshire Purchasing Org'ation") == "YORKSHIRE PURCHASING ORGATION"
    assert normalise_supplier("KENT COUNTY COUNCIL (KCS)") == "KENT COUNTY COUNCIL KCS"
    assert classify("SCAPE") == "Scape"
    assert classify("SCAPE GARDENING") is None  # excluded explicitly
    assert classify("YPO") == "YPO" and classify("NPOWER YPO CONTRACT") is None
    assert classify(None) is None and classify("  ") is None


def test_the_list_itself():
    organisations = load_buying_organisations()
    names = [org.canonical_name for org in organisations]
    assert len(names) == len(set(names))
    for expected in [
        "YPO",
        "ESPO",
        "NEPO",
        "Crown Commercial Service",
        "Scape",
        "Procurement for Housing",
        "LHC",
        "NHS Supply Chain",
        "Central Buying Consortium",
        "Pro5",
        "Fusion21",
        "Kent Commercial Services",
    ]:
        assert expected in names
    for org in organisations:
        assert org.basis, f"{org.canonical_name}: no basis given"
        assert org.type
    with BUYING_ORGANISATIONS_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["pattern_kind"] for r in rows} == {"alias", "exclude"}
    for row in rows:
        re.compile(row["pattern"])
        if row["pattern_kind"] == "exclude":
            assert row["evidence"], f"exclusion {row['pattern']!r} without its reason"
