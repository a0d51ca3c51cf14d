import logging

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from wg.core import bp
from wg.extensions import db
from wg.groups import services as groups

log = logging.getLogger(__name__)


@bp.route("/")
def home():
    return render_template("core/home.html", my_groups=groups.groups_of(current_user))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database does not answer")
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok")
