"""The forms on a page that came back with errors, for the error summary at the top of the page.

base.html asks `forms_with_errors()` for every WTForms form in the template's context that
failed validation, in the order the context holds them, and lists each error with a link to its
field (the summary, the aria-invalid fields and their messages are in _macros/forms.html).
"""

from jinja2 import pass_context
from wtforms import Form
from wtforms.fields import HiddenField

HIDDEN_TYPES = {"CSRFTokenField", "HiddenField"}


@pass_context
def forms_with_errors(context):
    """[(form, [(field or None, message)])] for each form in the context with errors."""
    found, seen = [], set()
    for value in context.get_all().values():
        if not isinstance(value, Form) or id(value) in seen or not value.errors:
            continue
        seen.add(id(value))
        entries = []
        for field in value:
            hidden = field.type in HIDDEN_TYPES or isinstance(field, HiddenField)
            messages = field.errors if isinstance(field.errors, list | tuple) else []
            entries += [(None if hidden else field, message) for message in messages]
        entries += [(None, message) for message in value.form_errors]
        if entries:
            found.append((value, entries))
    return found


def error_id(field):
    """The id of the element that shows a field's error messages (aria-describedby points to it)."""
    return f"{field.id}-error"


def field_aria(field, *described_by):
    """aria attributes for rendering a field: described by the given ids (help text) and, when it
    has errors, invalid and described by its messages too. {} when there is nothing to say."""
    ids = [i for i in described_by if i]
    attrs = {}
    if field.errors:
        ids.append(error_id(field))
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return attrs


def register(app):
    app.jinja_env.globals.update(forms_with_errors=forms_with_errors, field_error_id=error_id,
                                 field_aria=field_aria)
