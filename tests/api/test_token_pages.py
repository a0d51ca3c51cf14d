"""The token pages: create (shown once), revoke; coordinators list and revoke anyone's."""

import re

from wg.api.models import ApiToken
from wg.extensions import db


def test_create_show_once_use_and_revoke(login, app, world):
    web = login("chair@example.org")
    page = web.post("/profile/tokens", {"name": "Observatory sync", "scopes": "read write",
                                        "expires_in_days": "30"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = re.search(r'id="new-token">(wgp_[^<]+)<', html).group(1)
    assert "Observatory sync" in html
    again = web.get("/profile/tokens").get_data(as_text=True)
    assert secret not in again and secret[:12] in again
    api_client = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api_client.get("/api/v1/groups", headers=auth).status_code == 200
    with app.app_context():
        token = db.session.query(ApiToken).filter_by(name="Observatory sync").one()
        token_id, person_id = token.id, token.person_id
        assert token.scopes == "read write" and token.expires_at is not None
    assert web.post(f"/profile/tokens/{token_id}/revoke", form_page="/profile/tokens") \
        .status_code == 302
    assert api_client.get("/api/v1/groups", headers=auth).status_code == 401
    history = web.get(f"/history/person/{person_id}").get_data(as_text=True)
    assert "Observatory sync" in history
    assert "Token created" in history and "Token revoked" in history
    with app.app_context():
        from wg.history import services as history_services

        entries = history_services.entries_for("api_token", token_id)
        assert [e.verb for e in entries] == ["token_created", "token_revoked"]
        assert all(e.parent_type == "person" and e.parent_id == person_id for e in entries)
        # the person's own recorded fields stay untouched by token entries (replay contract)
        assert history_services.entries_for("person", person_id, include_children=False) == []


def test_form_errors_keep_what_was_typed(login, world):
    web = login("member@example.org")
    response = web.post("/profile/tokens", {"name": "", "scopes": "read write",
                                            "expires_in_days": "90"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the token a name" in html
    assert '<option selected value="read write">' in html


def test_people_revoke_only_their_own_and_coordinators_anyones(login, app, world):
    with app.app_context():
        chair_token = db.session.query(ApiToken).filter_by(name="chair sync").one().id
    member = login("member@example.org")
    assert member.post(f"/profile/tokens/{chair_token}/revoke",
                       form_page="/profile/tokens").status_code == 404
    assert member.get("/admin/tokens").status_code == 403
    from tests.conftest import CSRFClient

    coordinator = CSRFClient(app.test_client())
    assert coordinator.post("/login", {"email": "coordinator@example.org",
                                       "password": "correct-horse-battery"}).status_code == 302
    listing = coordinator.get("/admin/tokens").get_data(as_text=True)
    assert "Cha Chair" in listing and "chair sync" in listing
    assert world["secrets"]["chair"] not in listing
    assert coordinator.post(f"/admin/tokens/{chair_token}/revoke",
                            form_page="/admin/tokens").status_code == 302
    with app.app_context():
        assert db.session.get(ApiToken, chair_token).revoked_at is not None
