"""One way for a view to run a service for a submitted form and tell what became of it.

    with saving(form) as done:
        done.result = services.edit_thing(thing, ..., expected_version=form.version.data)
    if done.saved:
        flash(...)
        return redirect(...)
    return render_template(..., stale=done.stale), done.status

The service call either commits (`saved`), or is rolled back and says why: the same request was
already acted on (`already_done`, idempotency key), the object changed since the form was opened
(`stale`, a history.StaleEdit with the changes made since, answered 409), or the input was refused
(`invalid`: each message is set beside its field, the others are flashed; answered 422). Nothing is
half-written: every refusal rolls the whole transaction back.
"""

from contextlib import contextmanager

from flask import flash

from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.idempotency import AlreadyDone


class Outcome:
    def __init__(self):
        self.result = None
        self.saved = False
        self.already_done = False
        self.stale = None
        self.invalid = False

    @property
    def status(self):
        """The HTTP status for showing the form again: 409 stale, 422 invalid, else 200."""
        return 409 if self.stale is not None else 422 if self.invalid else 200


@contextmanager
def saving(form):
    done = Outcome()
    try:
        yield done
    except AlreadyDone:
        db.session.rollback()
        done.already_done = True
    except StaleEdit as exc:
        db.session.rollback()
        done.stale = exc
    except ValidationError as exc:
        db.session.rollback()
        done.invalid = True
        for message in exc.apply_to(form):
            flash(message, "danger")
    else:
        db.session.commit()
        done.saved = True
