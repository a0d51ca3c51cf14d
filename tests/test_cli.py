"""The `flask wg` commands, run through Click's runner against the real database."""

from sqlalchemy import func, select

from wg.auth import services as auth
from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.participants.models import Participant


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["wg", *args], input=input)


def test_seed_is_idempotent_and_real(app):
    first = run(app, "seed")
    assert first.exit_code == 0 and "rows added" in first.output
    second = run(app, "seed")
    assert second.exit_code == 0 and "nothing to add" in second.output
    with app.app_context():
        groups = {g.code: g for g in db.session.scalars(select(Group))}
        assert sorted(groups) == ["SWG1.1", "SWG1.2", "SWG2.1", "SWG2.2", "SWG3.1", "SWG3.2",
                                  "SWG3.3", "WG1", "WG2", "WG3"]
        assert groups["SWG2.1"].parent.code == "WG2" and groups["SWG2.1"].slug == "swg2-1"
        assert groups["WG3"].title.startswith("Prevent and treat")
        core = db.session.scalars(select(Participant).where(Participant.is_core)).all()
        assert sorted(p.code for p in core) == sorted(
            ["AUS", "BEL", "CAN", "DOM", "GHA", "IND", "ITA", "MEX", "NLD", "ARE", "GBR"])
        assert {p.pledge_signed_date.isoformat() for p in core} == {"2024-09-24"}
        names = {p.code: p.name for p in db.session.scalars(select(Participant))}
        assert names["DOM"] == "Dominican Republic" and names["USA"] == "United States"
        assert "UNODC" in names and "INTERPOL" in names


def test_demo_small_scale(app):
    result = run(app, "demo", "--scale", "0.05")
    assert result.exit_code == 0, result.output
    assert "chair@example.org" in result.output and "coalition-demo" in result.output
    with app.app_context():
        people = db.session.scalar(select(func.count(Person.id)))
        assert people >= 80
        chair = auth.find_person_by_email("chair@example.org")
        assert auth.authenticate("chair@example.org", "coalition-demo", chair.created_at) is chair
        swg11 = auth.find_group("SWG1.1")
        chairs = db.session.scalars(select(Membership).where(
            Membership.group_id == swg11.id, Membership.role == Role.chair)).all()
        assert len(chairs) == 2
        zones = set(db.session.scalars(select(Person.timezone).where(Person.participant.has(code="MEX"))))
        assert zones and all(z.startswith("America/") for z in zones)
    again = run(app, "demo", "--scale", "0.05")
    assert again.exit_code == 0 and "already loaded" in again.output


def test_create_user_grant_and_revoke(app):
    run(app, "seed")
    result = run(app, "create-user", "Ana@Example.org", "--name", "Ana Ruiz", "--participant", "MEX",
                 "--coordinator", "--password-stdin", input="a very long password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = auth.find_person_by_email("ana@example.org")
        assert person.is_coordinator and person.participant.code == "MEX"
    assert run(app, "grant", "ana@example.org", "SWG1.1", "chair").exit_code == 0
    assert "already was" in run(app, "grant", "ANA@example.org", "swg1.1", "chair").output
    assert run(app, "revoke", "ana@example.org", "SWG1.1", "chair").exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_cli_errors_are_one_clear_line(app):
    run(app, "seed")
    cases = [
        (["create-user", "x@example.org", "--name", "X", "--participant", "NOPE", "--password-stdin"],
         "unknown participant"),
        (["create-user", "bad-email", "--name", "X", "--participant", "MEX", "--password-stdin"],
         "not a valid e-mail"),
        (["create-user", "x@example.org", "--name", "", "--participant", "MEX", "--password-stdin"],
         "Enter the person's name"),
        (["create-user", "x@example.org", "--name", "X", "--participant", "MEX", "--timezone", "Bad/Zone",
          "--password-stdin"], "time zone"),
        (["grant", "nobody@example.org", "SWG1.1", "member"], "no person"),
        (["grant", "x@example.org", "SWG9.9", "member"], "no group"),
    ]
    run(app, "create-user", "x@example.org", "--name", "X", "--participant", "MEX",
        "--password-stdin", input="a very long password\n")
    cases.append((["create-user", "X@example.org", "--name", "X", "--participant", "MEX",
                   "--password-stdin"], "already has this e-mail"))
    cases.append((["grant", "x@example.org", "SWG1.1", "boss"], "Unknown role"))
    cases.append((["grant", "x@example.org", "SWG1.1", "lead"], "Leads lead a working group"))
    cases.append((["revoke", "x@example.org", "SWG1.1", "chair"], "is not chair"))
    for args, expected in cases:
        result = run(app, *args, input="a very long password\n")
        assert result.exit_code == 1, (args, result.output)
        assert expected in result.output, (args, result.output)
        assert "Traceback" not in result.output
