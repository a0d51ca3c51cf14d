from tests import factories
from wg.groups import services as groups
from wg.groups.models import Role


def test_structure_counts_members_and_countries(ctx):
    c = factories.coalition()
    g = c["groups"]
    extra = factories.person(participant_code="GHA")
    factories.membership(extra, g["SWG1.1"])
    factories.membership(extra, g["SWG1.1"], Role.chair)
    tree = groups.structure()
    assert [wg.group.code for wg in tree] == ["WG1", "WG2", "WG3"]
    wg1 = tree[0]
    assert [s.group.code for s in wg1.children] == ["SWG1.1", "SWG1.2"]
    swg11 = wg1.children[0]
    # chair (MEX), member (GHA), extra (GHA, member and chair) -> 3 people, 2 countries
    assert (swg11.member_count, swg11.country_count) == (3, 2)
    assert sorted(p.name for p in swg11.chairs) == sorted(["Cha Chair", extra.name])
    assert [p.name for p in wg1.leads] == ["Lee Lead"]


def test_roster_groups_members_by_participant(ctx):
    c = factories.coalition()
    g = c["groups"]
    for _ in range(2):
        factories.membership(factories.person(participant_code="GHA"), g["SWG1.1"])
    roster = groups.roster(g["SWG1.1"])
    assert [(p.code, n) for p, n in roster.by_participant] == [("GHA", 3), ("MEX", 1)]
    assert [p.name for p in roster.chairs] == ["Cha Chair"]
    assert [p.name for p in roster.leads] == ["Lee Lead"]
    assert roster.member_count == 4 and roster.country_count == 2
