from datetime import date

from tests import factories
from wg.participants import services as participants


def test_directory_filters(ctx):
    c = factories.coalition()
    factories.participant("UNODC", name="United Nations Office on Drugs and Crime")
    g = c["groups"]
    rows = participants.directory()
    by_code = {r.participant.code: r for r in rows}
    assert by_code["GHA"].group_codes == ["SWG1.1"] and by_code["GHA"].people == 1
    assert by_code["MEX"].participant.is_core
    assert {r.participant.code for r in participants.directory(kind="organization")} >= {"UNODC"}
    assert all(r.participant.kind.value == "country" for r in participants.directory(kind="country"))
    assert "USA" not in {r.participant.code for r in participants.directory(core=True)}
    assert {r.participant.code for r in participants.directory(pledge=False)} >= {"USA", "UNODC"}
    assert {r.participant.code for r in participants.directory(group=g["WG1"])} == {"MEX", "GHA", "GBR"}
    assert [r.participant.code for r in participants.directory(q="ghan")] == ["GHA"]


def test_country_names_come_from_pycountry(ctx):
    p = participants.create_participant(kind="country", code="bo", joined_date="2025-02-01")
    assert (p.code, p.name, p.alpha2) == ("BOL", "Bolivia", "BO")
    assert p.joined_date == date(2025, 2, 1)
