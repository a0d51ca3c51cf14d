"""The permission rules, and a sweep proving every private endpoint refuses anonymous people."""

import re

import pytest

from tests import factories
from wg import permissions
from wg.extensions import db


def test_predicates_follow_the_role_table(ctx):
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    swg11, swg12, swg32, wg1, wg3 = g["SWG1.1"], g["SWG1.2"], g["SWG3.2"], g["WG1"], g["WG3"]

    assert permissions.can_view_group(p["member"], swg11)
    assert permissions.can_view_group(p["member"], wg1)  # their own line of effort
    assert not permissions.can_view_group(p["member"], swg32)
    assert not permissions.can_view_group(p["member"], swg12)
    assert not permissions.can_manage_group(p["member"], swg11)

    assert permissions.can_manage_group(p["chair"], swg11)
    assert not permissions.can_manage_group(p["chair"], swg12)
    assert not permissions.can_view_group(p["chair"], swg32)

    assert permissions.can_view_group(p["lead"], swg11) and permissions.can_view_group(p["lead"], swg12)
    assert not permissions.can_view_group(p["lead"], wg3)
    assert not permissions.can_manage_group(p["lead"], swg11)
    assert permissions.can_view_rollups(p["lead"], wg1)
    assert not permissions.can_view_rollups(p["lead"], wg3)
    assert not permissions.can_view_rollups(p["member"], swg11)

    assert permissions.can_view_group(p["coordinator"], swg32)
    assert permissions.can_view_rollups(p["coordinator"], wg3)
    assert permissions.can_administer(p["coordinator"])
    assert not permissions.can_manage_group(p["coordinator"], swg11)
    assert not permissions.can_administer(p["chair"])

    for group in g.values():
        assert not permissions.can_view_group(p["outsider"], group)


def test_visible_group_ids(ctx):
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    assert permissions.visible_group_ids(p["coordinator"]) is None
    assert permissions.visible_group_ids(p["member"]) == {g["SWG1.1"].id, g["WG1"].id}
    assert permissions.visible_group_ids(p["lead"]) == {g["WG1"].id, g["SWG1.1"].id, g["SWG1.2"].id}
    assert permissions.visible_group_ids(p["outsider"]) == set()


def _fill(rule):
    """A URL for the rule with harmless values for its arguments."""
    values = {}
    for arg in rule.arguments:
        conv = rule._converters[arg]
        values[arg] = 1 if type(conv).__name__ == "IntegerConverter" else "x"
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), path)
    return path


def test_every_private_endpoint_refuses_anonymous(app, web):
    """Anonymous requests to every private route are sent to the login page (or 401 for JSON).

    Unsafe methods carry a valid CSRF token, so it is the login rule that answers, not CSRF.
    """
    token = web.token("/login")
    checked = posts = 0
    for rule in app.url_map.iter_rules():
        if permissions.is_public_endpoint(rule.endpoint):
            continue
        path = _fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = web.client.open(path, method=method, data=data)
            assert response.status_code in (302, 401), (rule.endpoint, method,
                                                        response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], rule.endpoint
            checked += 1
            posts += method != "GET"
    assert checked > 20 and posts > 10


def test_public_list_is_short_and_exists(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    public = [e for e in permissions.PUBLIC_ENDPOINTS if e in endpoints]
    assert "core.healthz" in public and "auth.login" in public
    # 10 before single sign-on (start and return answer without a session) and the language
    # switcher (the login page has it); every entry must name a real endpoint.
    assert len(permissions.PUBLIC_ENDPOINTS) <= 12
    assert sorted(public) == sorted(permissions.PUBLIC_ENDPOINTS)


PAGES = {
    # path template -> who gets 200; everyone else logged in gets 403
    "/groups/swg1-1": {"coordinator", "lead", "chair", "member"},
    "/groups/wg1": {"coordinator", "lead", "chair", "member"},
    "/groups/swg3-2": {"coordinator", "other_member"},
    "/groups/wg3": {"coordinator", "other_member"},
    "/admin/people": {"coordinator"},
    "/admin/roles": {"coordinator"},
    "/admin/groups": {"coordinator"},
    "/admin/participants": {"coordinator"},
    "/pledge": {"coordinator", "lead", "chair", "member", "other_member", "outsider"},
    "/pledge/implementation": {"coordinator", "lead", "chair", "member", "other_member",
                               "outsider"},
    "/participants/MEX/pledge": {"coordinator", "lead", "chair", "member", "other_member",
                                 "outsider"},
    "/pledge/commitments/1/edit": {"coordinator"},
    "/admin/outbox": {"coordinator"},
    "/admin/jobs": {"coordinator"},
    "/profile/notifications": {"coordinator", "lead", "chair", "member", "other_member", "outsider"},
    "/structure": {"coordinator", "lead", "chair", "member", "other_member", "outsider"},
    "/participants": {"coordinator", "lead", "chair", "member", "other_member", "outsider"},
    "/": {"coordinator", "lead", "chair", "member", "other_member", "outsider"},
}
ROLES = ["coordinator", "lead", "chair", "member", "other_member", "outsider"]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, login, role):
    with app.app_context():
        c = factories.coalition()
        email = c["people"][role].email
    web = login(email)
    for path, allowed in PAGES.items():
        status = web.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)
    assert web.get("/groups/does-not-exist").status_code == 404


def test_member_cannot_change_another_groups_things(app, login):
    with app.app_context():
        c = factories.coalition()
        member = c["people"]["member"].email
        group_id = c["groups"]["SWG3.2"].id
    web = login(member)
    response = web.post(f"/admin/groups/{group_id}/edit",
                        {"code": "SWG3.2", "title": "Hijacked", "parent": "WG3"}, form_page="/")
    assert response.status_code == 403
    with app.app_context():
        from wg.groups.models import Group

        assert db.session.get(Group, group_id).title != "Hijacked"
