"""UN M49 regions and sub-regions of countries, named in the reader's language.

Babel ships CLDR's territory names (so "019" reads "Americas", "Amériques", "美洲") but not its
territory containment, so the containment below is the UN Statistics Division's M49 standard
(https://unstats.un.org/unsd/methodology/m49/), by ISO 3166 alpha-2 code. Organizations are
not in a region: they get their own row, ORGANIZATIONS.
"""

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _

ORGANIZATIONS = "ORG"
UNKNOWN = "ZZ"

# Regions in M49 order (code, sub-regions in M49 order).
REGIONS = {
    "002": ("015", "202"),  # Africa: Northern Africa, Sub-Saharan Africa
    "019": ("419", "021"),  # Americas: Latin America and the Caribbean, Northern America
    "142": ("143", "030", "035", "034", "145"),  # Asia: Central, Eastern, South-eastern, Southern, Western
    "150": ("151", "154", "039", "155"),  # Europe: Eastern, Northern, Southern, Western
    "009": ("053", "054", "057", "061"),  # Oceania: Australia and New Zealand, Melanesia, Micronesia, Polynesia
}

SUBREGION_COUNTRIES = {
    "015": "DZ EG LY MA SD TN EH",
    "202": "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW AO CM CF TD CG CD "
           "GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    "419": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
           "BZ CR SV GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    "021": "BM CA GL PM US",
    "143": "KZ KG TJ TM UZ",
    "030": "CN HK MO KP JP MN KR TW",
    "035": "BN KH ID LA MY MM PH SG TH TL VN",
    "034": "AF BD BT IN IR MV NP PK LK",
    "145": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    "151": "BY BG CZ HU PL MD RO RU SK UA",
    "154": "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",
    "039": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK",
    "155": "AT BE FR DE LI LU MC NL CH",
    "053": "AU CX CC HM NZ NF",
    "054": "FJ NC PG SB VU",
    "057": "GU KI MH FM NR MP PW UM",
    "061": "AS CK PF NU PN WS TK TO TV WF",
}

SUBREGION_OF = {alpha2: sub for sub, codes in SUBREGION_COUNTRIES.items()
                for alpha2 in codes.split()}
REGION_OF_SUBREGION = {sub: region for region, subs in REGIONS.items() for sub in subs}
ORDER = list(REGIONS) + [UNKNOWN, ORGANIZATIONS]


def subregion_of(participant):
    """The M49 sub-region code of a country participant; ORGANIZATIONS for organizations."""
    if participant.kind.value == "organization":
        return ORGANIZATIONS
    return SUBREGION_OF.get((participant.alpha2 or "").upper(), UNKNOWN)


def region_of(participant):
    """The M49 region code (002, 019, 142, 150, 009) of a country; ORGANIZATIONS otherwise."""
    sub = subregion_of(participant)
    if sub in (ORGANIZATIONS, UNKNOWN):
        return sub
    return REGION_OF_SUBREGION[sub]


def region_name(code, locale=None):
    """A region's (or sub-region's) name in the reader's language, from CLDR."""
    if code == ORGANIZATIONS:
        return _("International organizations")
    if code == UNKNOWN:
        return _("Other countries")
    locale = locale or get_locale() or Locale("en")
    return locale.territories.get(code) or Locale("en").territories.get(code, code)


def region_sort_key(code):
    return ORDER.index(code) if code in ORDER else len(ORDER)
