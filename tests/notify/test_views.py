from tests import factories
from tests.conftest import CSRFClient
from wg.auth.services import find_person_by_email
from wg.extensions import db
from wg.notify import services as notify
from wg.notify.models import NotificationPreference, OutboxMessage, OutboxState


def test_outbox_page_filters_and_retry(app, login, now):
    with app.app_context():
        c = factories.coalition()
        notify.enqueue(key="a", kind="welcome", recipient="a@example.org", subject="Welcome A",
                       body_text="x", now=now)
        failed = notify.enqueue(key="b", kind="digest", recipient="b@example.org", subject="Digest B",
                                body_text="y", now=now)
        failed.state, failed.last_error, failed.attempts = OutboxState.failed, "550 no such user", 1
        db.session.commit()
        failed_id = failed.id
        coordinator, member = c["people"]["coordinator"].email, c["people"]["member"].email
    web = login(coordinator)
    page = web.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert "Digest B" in page and "Welcome A" not in page and "550 no such user" in page
    assert "No mail server is configured" in page
    page = web.get("/admin/outbox?kind=welcome&q=a@ex").get_data(as_text=True)
    assert "Welcome A" in page and "Digest B" not in page
    assert web.post(f"/admin/outbox/{failed_id}/retry", {}, form_page="/admin/outbox").status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMessage, failed_id).state is OutboxState.queued
    assert "deliver-outbox" in web.get("/admin/jobs").get_data(as_text=True)
    with app.app_context():
        find_person_by_email(coordinator).language = "es"
        db.session.commit()
    jobs_page = web.get("/admin/jobs").get_data(as_text=True)  # described in the person's language
    assert "Enviar los correos en cola" in jobs_page and "Send queued e-mail" not in jobs_page
    member_web = CSRFClient(app.test_client())
    member_web.post("/login", {"email": member, "password": factories.PASSWORD})
    assert member_web.get("/admin/outbox").status_code == 403
    assert member_web.get("/admin/jobs").status_code == 403


def test_preferences_page(app, login):
    with app.app_context():
        person = factories.person()
        db.session.commit()
        email, person_id = person.email, person.id
    web = login(email)
    page = web.post("/profile/notifications", {"meeting_reminders": "y", "first_reminder_hours": "24",
                                               "second_reminder_hours": "48", "pre_reads": "y"},
                    ).get_data(as_text=True)
    assert "The second reminder must come after the first" in page
    response = web.post("/profile/notifications", {"meeting_reminders": "y", "first_reminder_hours": "48",
                                                   "second_reminder_hours": "2"})
    assert response.status_code == 302
    with app.app_context():
        prefs = db.session.get(NotificationPreference, person_id)
        assert (prefs.first_reminder_hours, prefs.second_reminder_hours) == (48, 2)
        assert prefs.meeting_reminders and not prefs.update_requests and not prefs.pre_reads
