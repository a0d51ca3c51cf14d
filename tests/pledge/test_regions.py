"""UN M49 regions of participants, named in the reader's language from CLDR."""

import pycountry
from babel import Locale

from wg.participants.models import Participant, ParticipantKind
from wg.pledge import regions


def _country(alpha2):
    return Participant(code="X", name="X", kind=ParticipantKind.country, alpha2=alpha2)


def test_m49_regions_of_the_core_countries():
    expected = {"AU": ("009", "053"), "BE": ("150", "155"), "CA": ("019", "021"),
                "DO": ("019", "419"), "GH": ("002", "202"), "IN": ("142", "034"),
                "IT": ("150", "039"), "MX": ("019", "419"), "NL": ("150", "155"),
                "AE": ("142", "145"), "GB": ("150", "154"), "EG": ("002", "015"),
                "CN": ("142", "030"), "KZ": ("142", "143"), "FJ": ("009", "054"),
                "UA": ("150", "151"), "TH": ("142", "035"), "US": ("019", "021")}
    for alpha2, (region, sub) in expected.items():
        p = _country(alpha2)
        assert (regions.region_of(p), regions.subregion_of(p)) == (region, sub), alpha2


def test_every_iso_country_but_antarctica_has_a_region():
    missing = [c.alpha_2 for c in pycountry.countries
               if regions.region_of(_country(c.alpha_2)) == regions.UNKNOWN]
    assert missing == ["AQ"]  # M49 puts Antarctica in no region
    assert regions.region_of(_country(None)) == regions.UNKNOWN


def test_organizations_have_their_own_row_and_names_are_translated(app):
    org = Participant(code="UNODC", name="UNODC", kind=ParticipantKind.organization)
    assert regions.region_of(org) == regions.ORGANIZATIONS
    assert regions.region_name("019", Locale("fr")) == "Amériques"
    assert regions.region_name("150", Locale("zh")) == "欧洲"
    assert regions.region_name("002", Locale("en")) == "Africa"
    with app.test_request_context():
        assert regions.region_name(regions.ORGANIZATIONS) == "International organizations"
    assert sorted(["ORG", "150", "002"], key=regions.region_sort_key) == ["002", "150", "ORG"]
