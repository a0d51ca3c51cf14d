"""Webhook pages: who may subscribe to what, the secret shown once, version-checked buttons,
deliveries visible to the subscriber and coordinators, history of every change."""

import re

from sqlalchemy import func, select

from tests import factories
from tests.conftest import CSRFClient
from wg.extensions import db
from wg.webhooks.models import WebhookDelivery, WebhookSubscription


def _coalition(app):
    with app.app_context():
        c = factories.coalition()
        ids = {code: g.id for code, g in c["groups"].items()}
        db.session.remove()
    return ids


def _login(app, email):
    web = CSRFClient(app.test_client())
    assert web.post("/login", {"email": email, "password": "correct-horse-battery"}) \
        .status_code == 302
    return web


def _key(html):
    return re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)


def test_chair_subscribes_sees_secret_once_and_manages_it(app):
    groups = _coalition(app)
    web = _login(app, "chair@example.org")
    form = web.get("/webhooks/new").get_data(as_text=True)
    assert "SWG1.1" in form and "SWG2.1" not in form and "All groups" not in form
    data = {"url": "https://observatory.example.org/hooks", "description": "Observatory",
            "group": str(groups["SWG1.1"]), "events": ["action.created", "action.progress"],
            "key": _key(form)}
    page = web.post("/webhooks/new", data, form_page="/webhooks/new")
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    secret = re.search(r'id="webhook-secret">(whsec_[^<]+)<', html).group(1)
    with app.app_context():
        sub = db.session.scalar(select(WebhookSubscription))
        sub_id, owner_id = sub.id, sub.owner_id
        assert sub.secret == secret and sub.event_list == ["action.created", "action.progress"]
    # The same form submitted again records nothing new.
    again = web.post("/webhooks/new", data, form_page="/webhooks/new")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/webhooks/{sub_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 1
    detail = web.get(f"/webhooks/{sub_id}").get_data(as_text=True)
    assert secret not in detail and "Observatory" in detail
    assert web.get("/webhooks").status_code == 200

    # Pause from the page (version 1), then a stale button from the old page: 409.
    assert web.post(f"/webhooks/{sub_id}/pause", {"version": "1"},
                    form_page=f"/webhooks/{sub_id}").status_code == 302
    stale = web.post(f"/webhooks/{sub_id}/resume", {"version": "1"},
                     form_page=f"/webhooks/{sub_id}")
    assert stale.status_code == 409 and "Someone else changed this" in stale.get_data(
        as_text=True)
    assert web.post(f"/webhooks/{sub_id}/resume", {"version": "2"},
                    form_page=f"/webhooks/{sub_id}").status_code == 302

    # A test ping is queued once, however often the same button is pressed.
    ping_page = web.get(f"/webhooks/{sub_id}").get_data(as_text=True)
    ping_key = re.search(r'name="key" value="([^"]+)"', ping_page).group(1)
    for _ in range(2):
        assert web.post(f"/webhooks/{sub_id}/ping", {"version": "3", "key": ping_key},
                        form_page=f"/webhooks/{sub_id}").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
    assert "ping" in web.get(f"/webhooks/{sub_id}").get_data(as_text=True)

    # Edit with the current version.
    edit = web.post(f"/webhooks/{sub_id}/edit",
                    {"url": "https://observatory.example.org/v2", "description": "Obs",
                     "events": ["action.progress"], "version": "3"},
                    form_page=f"/webhooks/{sub_id}/edit")
    assert edit.status_code == 302
    history = web.get(f"/history/person/{owner_id}").get_data(as_text=True)
    for verb in ("Webhook created", "Webhook paused", "Webhook resumed", "Webhook updated"):
        assert verb in history
    assert web.post(f"/webhooks/{sub_id}/delete", {"version": "4"},
                    form_page=f"/webhooks/{sub_id}").status_code == 302
    with app.app_context():
        assert db.session.get(WebhookSubscription, sub_id) is None
        from wg.history import services as history_services

        verbs = [e.verb for e in history_services.entries_for("webhook", sub_id)]
        assert verbs == ["webhook_created", "webhook_paused", "webhook_resumed",
                         "webhook_updated", "webhook_deleted"]


def test_who_may_subscribe_and_see(app):
    groups = _coalition(app)
    chair = _login(app, "chair@example.org")
    form = chair.get("/webhooks/new").get_data(as_text=True)
    # A chair may not subscribe to another group, nor to all groups.
    for group in (str(groups["SWG2.1"]), ""):
        refused = chair.post("/webhooks/new", {
            "url": "https://x.example.org/h", "group": group, "events": ["action.created"],
            "key": _key(form)}, form_page="/webhooks/new")
        assert refused.status_code == 422
        assert "only to the groups you chair" in refused.get_data(as_text=True)
    bad = chair.post("/webhooks/new", {"url": "ftp://x.example.org/h",
                                       "group": str(groups["SWG1.1"]),
                                       "events": ["action.created"], "key": _key(form)},
                     form_page="/webhooks/new")
    assert bad.status_code == 422 and "must start with https://" in bad.get_data(as_text=True)
    ok = chair.post("/webhooks/new", {"url": "https://x.example.org/h",
                                      "group": str(groups["SWG1.1"]),
                                      "events": ["action.created"], "key": _key(form)},
                    form_page="/webhooks/new")
    assert ok.status_code == 201, (ok.headers.get("Location"), ok.get_data(as_text=True)[:300])
    with app.app_context():
        sub_id = db.session.scalar(select(WebhookSubscription.id))

    member = _login(app, "member@example.org")
    assert member.get("/webhooks").status_code == 403
    assert member.get("/webhooks/new").status_code == 403
    assert member.get(f"/webhooks/{sub_id}").status_code == 403
    assert member.post(f"/webhooks/{sub_id}/delete", {"version": "1"},
                       form_page="/profile").status_code == 403
    assert member.get("/webhooks/99999").status_code == 404

    coordinator = _login(app, "coordinator@example.org")
    listing = coordinator.get("/webhooks").get_data(as_text=True)
    assert "Cha Chair" in listing and "x.example.org" in listing
    assert coordinator.get(f"/webhooks/{sub_id}").status_code == 200
    assert "All groups" in coordinator.get("/webhooks/new").get_data(as_text=True)
