import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories as f
from wg.actions.models import ActionItem, ActionStatus, ProgressLog
from wg.extensions import db


@pytest.fixture()
def chair_web(app, login):
    with app.app_context():
        w = f.coalition()
        g = w["groups"]["SWG1.1"]
        ids = [f.action(g, f"Action {i}", due_date=date(2030, 1, 1)).id for i in range(3)]
        f.action(w["groups"]["SWG3.2"], "Elsewhere")
        db.session.commit()
        web = login(w["people"]["chair"])
    return web, ids


def _sheet(web):
    r = web.get("/actions/bulk/swg1-1/open-actions.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.get_data().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs; uploads accept it
    return list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))


def _upload(web, rows, apply=False, content=None):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    data = {"file": (io.BytesIO(out.getvalue().encode()), "sheet.csv")}
    if apply:
        data = {"content": out.getvalue(), "apply": "1"}
    return web.post("/actions/bulk/swg1-1", data, content_type="multipart/form-data")


def _log_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(ProgressLog.id)))


def test_preview_then_apply_all_rows(app, chair_web):
    web, ids = chair_web
    rows = _sheet(web)
    assert [int(r["id"]) for r in rows] == ids  # only this group's open actions
    rows[0].update(new_status="in_progress", new_progress="40", note="Started")
    rows[1].update(new_status="done", new_progress="100", note="")
    preview = _upload(web, rows)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Open 0% → In progress 40%" in page
    assert "Apply 2 changes" in page and _log_count(app) == 0  # preview writes nothing
    r = _upload(web, rows, apply=True)
    assert r.status_code == 302 and _log_count(app) == 2
    with app.app_context():
        assert db.session.get(ActionItem, ids[1]).status is ActionStatus.done


def test_one_bad_row_applies_nothing(app, chair_web):
    web, ids = chair_web
    rows = _sheet(web)
    rows[0].update(new_status="in_progress", new_progress="40")
    rows[1].update(new_status="finished", new_progress="150")
    rows[2].update(new_status="blocked", new_progress="10", note="")
    page = _upload(web, rows).get_data(as_text=True)
    assert "Unknown status" in page and "from 0 to 100" in page and "becomes blocked" in page
    assert "Apply" not in page
    r = _upload(web, rows, apply=True)
    assert r.status_code == 422 and _log_count(app) == 0


def test_stale_row_is_refused(app, chair_web):
    web, ids = chair_web
    rows = _sheet(web)
    # Someone records progress after the sheet was downloaded.
    ok = web.post(f"/actions/{ids[0]}/progress", {"status": "in_progress", "progress": "20",
                                                 "version": "1"}, form_page=f"/actions/{ids[0]}")
    assert ok.status_code == 302
    rows[0].update(new_status="in_progress", new_progress="50")
    rows[1].update(new_status="in_progress", new_progress="50")
    page = _upload(web, rows).get_data(as_text=True)
    assert "Made from version 1" in page
    r = _upload(web, rows, apply=True)
    assert r.status_code == 422 and _log_count(app) == 1


def test_foreign_rows_and_bad_files_answer_4xx(app, chair_web):
    web, ids = chair_web
    rows = _sheet(web)
    with app.app_context():
        elsewhere = db.session.scalar(select(ActionItem.id).where(ActionItem.title == "Elsewhere"))
    rows[0].update(id=str(elsewhere), new_status="done", new_progress="100")
    page = _upload(web, rows).get_data(as_text=True)
    assert "No action" in page
    r = web.post("/actions/bulk/swg1-1", {"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "missing column" in r.get_data(as_text=True)
    r = web.post("/actions/bulk/swg1-1", {"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "UTF-8" in r.get_data(as_text=True)
