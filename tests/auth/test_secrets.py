"""Issue 10 findings 10 and 11: set-password links are never stored or shown; reset requests
do the same work whether or not the address has an account."""

from sqlalchemy import event, select

from tests import factories as f
from wg.auth import services as auth
from wg.extensions import db
from wg.notify import services as notify
from wg.notify.mail import SMTPSettings
from wg.notify.models import OutboxMessage

PLACEHOLDER = "[link sent by e-mail, not shown]"


def test_outbox_never_shows_the_link_and_the_delivered_link_works(app, login, smtp_server, now):
    with app.app_context():
        w = f.coalition()
        person = f.person("New Person", "new@example.org", password=None)
        auth.send_password_link(person, now=now, base_url="http://tracker.example",
                                welcome=True)
        db.session.commit()
        message_id = db.session.scalar(select(OutboxMessage.id))
        stored = db.session.get(OutboxMessage, message_id)
        assert "/set-password/" not in stored.body_text and PLACEHOLDER in stored.body_text
        assert "/set-password/" not in (stored.extras or "")
        coordinator = w["people"]["coordinator"].email
    web = login(coordinator)
    for path in ("/admin/outbox", f"/admin/outbox/{message_id}"):
        html = web.get(path).get_data(as_text=True)
        assert "/set-password/" not in html
    assert PLACEHOLDER in web.get(f"/admin/outbox/{message_id}").get_data(as_text=True)

    with app.app_context():
        counts = notify.deliver_outbox(now=now, settings=SMTPSettings(
            host="127.0.0.1", port=smtp_server.port, starttls=False))
        assert counts["sent"] == 1
    body = smtp_server.messages[0].get_payload(decode=True).decode()
    assert PLACEHOLDER not in body
    link = body.split("http://tracker.example")[1].split()[0]
    assert link.startswith("/set-password/")
    # the delivered link works: the person sets a password and is logged in
    from tests.conftest import CSRFClient

    fresh = CSRFClient(app.test_client())
    r = fresh.post(link, {"password": "a good long password", "confirm": "a good long password"})
    assert r.status_code == 302
    assert fresh.get("/profile").status_code == 200


def _statements(app, fn):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0].upper() + " " + (
            statement.split()[2] if statement.upper().startswith(("INSERT", "DELETE")) else ""))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_reset_request_does_the_same_work_for_unknown_addresses(ctx, now):
    f.person(email="known@example.org")
    inactive = f.person(email="inactive@example.org")
    auth.set_active(inactive, False)
    db.session.commit()
    runs = {}
    for i, email in enumerate(["known@example.org", "unknown@example.org",
                               "inactive@example.org"]):
        def go(email=email, i=i):
            auth.request_password_reset(email, now=now.replace(second=i),
                                        base_url="http://x")
        runs[email] = _statements(ctx, go)
        db.session.commit()
    known, unknown, inactive_run = runs.values()
    assert any(s.startswith("INSERT") for s in unknown)
    # same statements; only the end of the savepoint differs (RELEASE vs ROLLBACK TO)
    def shape(statements):
        return [s for s in statements if not s.startswith(("RELEASE", "ROLLBACK"))]
    assert shape(known) == shape(unknown) == shape(inactive_run)
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [
        "known@example.org"]
