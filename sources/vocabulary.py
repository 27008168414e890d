"""The shared vocabularies of the raw contracts, declared once: every pandera model (and any
parser) takes them from here. Markers of not-available cells are sources.workbook's (MARKERS,
BRACKETED); release ranks are sources.catalogue's (RELEASE_RANK)."""

FINANCIAL_YEAR = r"^\d{4}-\d{2}$"
"""'2017-18': the first calendar year and the last two digits of the next."""

COUNCIL_CLASSES = ("L", "MD", "UA", "SC", "SD")
"""London borough, metropolitan district, unitary, shire county, shire district."""

AUTHORITY_CLASSES = [*COUNCIL_CLASSES, "O"]
"""Council classes and O: other authorities (fire, police, parks, waste, transport...)."""

RELEASES = ["provisional", "final", "revised"]
"""The vintages of a statistical release, oldest first."""

REVENUE_OUTTURN_FORMS = ["RS", "RSX", "RA", "RO1", "RO2", "RO3", "RO4", "RO5", "RO6"]
"""The revenue outturn returns: summary (RS, RSX), revenue account (RA) and the detail forms."""
