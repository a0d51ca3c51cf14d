"""Incremental sync: cursors plus updated_since miss nothing while another writer works."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests import factories
from wg.actions import services as actions
from wg.actions.models import ActionItem
from wg.extensions import db
from wg.groups.models import Group


def test_cursor_sync_with_updated_since_misses_nothing_under_concurrent_writes(api, world, app):
    start = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    clock = iter(start + timedelta(minutes=i) for i in range(10_000))
    with app.app_context():
        group = db.session.get(Group, world["groups"]["SWG1.1"])
        for i in range(60):
            factories.action(group, title=f"Action {i}", now=next(clock))
        db.session.commit()

    def writer(step):
        """Another system: one new action and progress on two existing ones per page read."""
        with app.app_context():
            group = db.session.get(Group, world["groups"]["SWG1.1"])
            factories.action(group, title=f"Late {step}", now=next(clock))
            ids = db.session.scalars(select(ActionItem.id).order_by(ActionItem.id)).all()
            for action_id in (ids[(step * 7) % len(ids)], ids[(step * 13 + 1) % len(ids)]):
                action = db.session.get(ActionItem, action_id)
                actions.record_progress(action, None, "in_progress",
                                        min(100, action.progress + 5), "", None, next(clock))
            db.session.commit()

    client = api("member")
    seen = {}  # id -> version last seen
    since = None
    step = 0
    pages = 0
    for _round in range(20):
        base = "/api/v1/actions?group=swg1-1&limit=9"
        if since:
            base += "&updated_since=" + since.replace("+", "%2B")
        url = base
        new_in_round = 0
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            pages += 1
            for item in body["items"]:
                if seen.get(item["id"]) != item["version"]:
                    new_in_round += 1
                seen[item["id"]] = item["version"]
                since = max(since or item["updated_at"], item["updated_at"])
            if body["next"]:
                assert f'cursor={body["next"]}' in response.headers["Link"]
                url = base + "&cursor=" + body["next"]
            else:
                url = None
            if step < 15:
                writer(step)
                step += 1
        if step >= 15 and new_in_round == 0:
            break
    assert pages > 10 and step == 15
    with app.app_context():
        truth = dict(db.session.execute(select(ActionItem.id, ActionItem.version)).all())
    assert seen == truth


def test_limit_is_bounded_and_cursor_pages_do_not_overlap(api, world, app):
    with app.app_context():
        group = db.session.get(Group, world["groups"]["SWG1.1"])
        for i in range(7):
            factories.action(group, title=f"A{i}")
        db.session.commit()
    client = api("coordinator")
    first = client.get("/api/v1/participants?limit=3").get_json()
    second = client.get("/api/v1/participants?limit=3&cursor=" + first["next"]).get_json()
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    assert client.get("/api/v1/actions?limit=501").status_code == 422
    assert client.get("/api/v1/actions?limit=0").status_code == 422
    assert len(client.get("/api/v1/actions").get_json()["items"]) == 8
