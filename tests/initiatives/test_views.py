"""Initiative pages: list filters, create with errors kept, link, and who may edit."""

from tests import factories


def _world(app):
    with app.app_context():
        c = factories.coalition()
        from tests.conftest import NOW
        from wg.data.seed import seed_initiatives

        seed_initiatives(NOW)
        a = factories.action(c["groups"]["SWG1.1"], title="Map the labs")
        from wg.extensions import db

        db.session.commit()
        return {k: p.email for k, p in c["people"].items()}, c["groups"]["WG1"].id, a.id


def test_list_filters_and_roles(app, login):
    emails, wg1, _ = _world(app)
    outsider = login(emails["outsider"])
    page = outsider.get("/initiatives/?group=wg2").get_data(as_text=True)
    assert "Helping others build early-warning systems" in page
    assert "Detecting synthetic drug production sites" not in page
    assert "Access to life-saving medication" in outsider.get(
        "/initiatives/?lead=ARE").get_data(as_text=True)
    assert "2 initiatives." in outsider.get("/initiatives/?group=wg2&status=active").get_data(
        as_text=True)
    assert outsider.get("/initiatives/new").status_code == 403
    assert outsider.get("/initiatives/1/edit").status_code == 403


def test_lead_creates_keeps_input_on_error_and_links(app, login):
    emails, wg1, action_id = _world(app)
    lead = login(emails["lead"])
    bad = lead.post("/initiatives/new", {"title": "Labs", "group_id": str(wg1),
                                         "start_date": "2026-01-01", "end_date": "2025-01-01",
                                         "status": "active", "goal_md": "Kept *text*",
                                         "idempotency_key": "init-key-001"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Kept *text*" in html
    assert "The end date cannot be before the start date." in html
    from tests.factories import participant
    with app.app_context():
        mex = participant("MEX").id
    good = lead.post("/initiatives/new", {"title": "Labs", "group_id": str(wg1),
                                          "lead_ids": [str(mex)], "start_date": "2026-01-01",
                                          "status": "active", "idempotency_key": "init-key-002"})
    assert good.status_code == 302
    path = good.headers["Location"]
    # A number that names no action (or none the lead may see) is told beside the field.
    unknown = lead.post(path + "/actions", {"action_number": "99999999", "version": "1",
                                            "idempotency_key": "link-key-0000"}, form_page=path)
    assert unknown.status_code == 422
    assert "There is no action number 99999999 that you may link here." in unknown.get_data(
        as_text=True)
    linked = lead.post(path + "/actions", {"action_number": str(action_id), "version": "1",
                                           "idempotency_key": "link-key-0001"}, form_page=path)
    assert linked.status_code == 302
    page = lead.get(path).get_data(as_text=True)
    assert "Map the labs" in page and "How is this computed?" in page
    assert "Part of initiative" in lead.get(f"/actions/{action_id}").get_data(as_text=True)


def test_list_pages_past_fifty(app, login):
    emails, wg1, _ = _world(app)
    with app.app_context():
        from datetime import date

        from tests.conftest import NOW
        from tests.factories import participant
        from wg.extensions import db
        from wg.initiatives import services as initiatives

        mex = participant("MEX").id
        for n in range(50):
            initiatives.create_initiative(None, initiatives.InitiativeInput(
                title=f"Extra {n:02d}", group_id=wg1, lead_ids=[mex],
                start_date=date(2020, 1, 1)), NOW)
        db.session.commit()
    web = login(emails["member"])
    first = web.get("/initiatives/").get_data(as_text=True)
    second = web.get("/initiatives/?page=2").get_data(as_text=True)
    assert "61 initiatives." in first and first.count("data-initiative=") == 50
    assert second.count("data-initiative=") == 11 and "Extra 49" in second


def test_list_card_follows_its_figures_and_title_at_once(app, login):
    """The list's cards are kept as rendered HTML: a linked action's progress, a new title and
    another language show on the next view."""
    import re
    from datetime import UTC, datetime

    from wg.actions import services as actions
    from wg.actions.models import ActionItem
    from wg.auth.models import Person
    from wg.extensions import db
    from wg.initiatives import services as initiatives
    from wg.initiatives.models import Initiative

    emails, _wg1, action_id = _world(app)
    lead = login(emails["lead"])
    with app.app_context():
        target = db.session.scalar(db.select(Initiative).where(
            Initiative.group_id == _wg1).order_by(Initiative.id))
        target_id, title = target.id, target.title
        actor = db.session.scalar(db.select(Person).where(Person.email == emails["lead"]))
        initiatives.link_action(target, actor, db.session.get(ActionItem, action_id),
                                datetime.now(UTC))
        db.session.commit()

    def card():
        page = lead.get("/initiatives/?group=wg1").get_data(as_text=True)
        return re.search(rf'<li class="card mb-2" data-initiative="{target_id}">(.*?)</li>',
                         page, re.S).group(1)

    assert 'data-figure="percent">0.0%' in card()
    card()  # kept
    with app.app_context():
        chair = db.session.scalar(db.select(Person).where(Person.email == emails["chair"]))
        actions.record_progress(db.session.get(ActionItem, action_id), chair, "in_progress", 40,
                                "", None, datetime.now(UTC))
        db.session.commit()
    assert 'data-figure="percent">40.0%' in card()
    with app.app_context():
        db.session.get(Initiative, target_id).title = title + " (renamed)"
        db.session.commit()
    assert "(renamed)" in card()
    with app.app_context():
        db.session.scalar(db.select(Person).where(Person.email == emails["lead"])).language = "fr"
        db.session.commit()
    assert "40,0" in card()


def test_one_submit_names_every_problem(app, login):
    emails, wg1, _ = _world(app)
    lead = login(emails["lead"])
    empty = lead.post("/initiatives/new", {"title": "", "group_id": str(wg1), "start_date": "",
                                           "status": "active"}, form_page="/initiatives/new")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422
    for message in ("A title is required.", "A start date is required.",
                    "Name at least one leading country or organization."):
        assert message in html, message
    from tests.factories import participant
    with app.app_context():
        mex = participant("MEX").id
    created = lead.post("/initiatives/new", {"title": "Labs", "group_id": str(wg1),
                                             "lead_ids": [str(mex)], "start_date": "2026-01-01",
                                             "status": "active"}, form_page="/initiatives/new")
    path = created.headers["Location"]
    edit = lead.post(path + "/edit", {"title": "", "group_id": str(wg1), "lead_ids": [str(mex)],
                                      "start_date": "2026-01-01", "end_date": "2025-01-01",
                                      "status": "active", "version": "1"},
                     form_page=path + "/edit")
    html = edit.get_data(as_text=True)
    assert edit.status_code == 422 and "A title is required." in html
    assert "The end date cannot be before the start date." in html
