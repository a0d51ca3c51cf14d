"""The kept counts behind the structure page and the participants directory follow every
service that changes people and roles, and `check`/`rebuild` find and repair a drift."""

from sqlalchemy import update

from tests import factories
from wg.auth import services as auth
from wg.extensions import db
from wg.groups import counts
from wg.groups import services as groups
from wg.groups.models import Role
from wg.participants import services as participants


def _structure_counts():
    out = {}
    for wg in groups.structure():
        for s in [wg, *wg.children]:
            out[s.group.code] = (s.member_count, s.country_count)
    return out


def test_services_keep_the_counts_exact(ctx, now):
    swg = factories.group("SWG1.1")
    gha = factories.participant("GHA")
    mex = factories.participant("MEX")
    ana = auth.create_person(name="Ana", email="ana@example.org", participant=mex, now=now)
    kofi = auth.create_person(name="Kofi", email="kofi@example.org", participant=gha, now=now)
    auth.grant_role(ana, swg, Role.member, now=now)
    auth.grant_role(ana, swg, Role.chair, now=now)  # two roles, one member
    auth.grant_role(kofi, swg, Role.member, now=now)
    assert counts.check() == []
    assert _structure_counts()["SWG1.1"] == (2, 2)

    auth.update_person(ana, name="Ana", email="ana@example.org", participant=gha,
                       timezone="UTC", language="en", now=now)
    assert counts.check() == []
    assert _structure_counts()["SWG1.1"] == (2, 1)
    by_code = {r.participant.code: r for r in participants.directory()}
    assert by_code["GHA"].people == 2 and by_code["MEX"].people == 0
    assert by_code["GHA"].group_codes == ["SWG1.1"] and by_code["MEX"].group_codes == []

    auth.set_active(kofi, False, now=now)
    auth.revoke_role(ana, swg, Role.member, now=now)  # still a chair: still counted
    assert counts.check() == []
    assert _structure_counts()["SWG1.1"] == (1, 1)
    auth.revoke_role(ana, swg, Role.chair, now=now)
    auth.set_active(kofi, True, now=now)
    assert counts.check() == []
    assert _structure_counts()["SWG1.1"] == (1, 1)
    assert {r.participant.code: r.people for r in participants.directory()}["GHA"] == 2


def test_check_names_a_drift_and_rebuild_repairs_it(ctx, now):
    swg = factories.group("SWG1.1")
    person = factories.person(participant_code="GHA")
    factories.membership(person, swg)
    assert counts.check() == []
    db.session.execute(update(counts.GroupParticipantMembers).values(members=5))
    differences = counts.check()
    assert len(differences) == 1 and "group_participant_members" in differences[0]
    counts.rebuild()
    assert counts.check() == []
    assert _structure_counts()["SWG1.1"] == (1, 1)


def _roster_by_recount(group):
    """The unoptimized roster count: every active member or chair, by participant."""
    from sqlalchemy import func, select

    from wg.auth.models import Person
    from wg.participants.models import Participant

    return {code: n for code, n in db.session.execute(
        select(Participant.code, func.count(Person.id))
        .join(Person, Person.participant_id == Participant.id)
        .where(Person.id.in_(groups._member_ids(group))).group_by(Participant.id))}


def test_group_page_roster_reads_the_kept_counts(ctx, now):
    swg = factories.group("SWG1.1")
    gha, mex = factories.participant("GHA"), factories.participant("MEX")
    ana = auth.create_person(name="Ana", email="ana@example.org", participant=mex, now=now)
    kofi = auth.create_person(name="Kofi", email="kofi@example.org", participant=gha, now=now)
    ama = auth.create_person(name="Ama", email="ama@example.org", participant=gha, now=now)
    gone = auth.create_person(name="Gone", email="gone@example.org", participant=mex, now=now)
    for person in (ana, kofi, ama, gone):
        auth.grant_role(person, swg, Role.member, now=now)
    auth.grant_role(ana, swg, Role.chair, now=now)  # two roles, one member
    auth.set_active(gone, False, now=now)  # no longer counted
    roster = groups.roster(swg)
    assert [(p.code, n) for p, n in roster.by_participant] == [("GHA", 2), ("MEX", 1)]
    assert dict((p.code, n) for p, n in roster.by_participant) == _roster_by_recount(swg)
    assert (roster.member_count, roster.country_count) == (3, 2)
