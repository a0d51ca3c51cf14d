"""Every text a form takes has a server-side limit that refuses (never cuts) longer text, and
no input carries a `maxlength` attribute that would make the browser cut a paste silently."""

import importlib
import inspect

import pytest
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.fields import HiddenField

from wg.validators import MaxLength

FEATURES = ["actions", "admin", "auth", "meetings", "notify", "webhooks"]


def _forms():
    for feature in FEATURES:
        try:
            module = importlib.import_module(f"wg.{feature}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                yield f"{feature}.{name}", cls


def _text_fields(cls):
    for klass in reversed(cls.__mro__):
        for name, unbound in vars(klass).items():
            field_class = getattr(unbound, "field_class", None)
            if (field_class and issubclass(field_class, StringField)
                    and not issubclass(field_class, (HiddenField, PasswordField))):
                validators = unbound.kwargs.get("validators") or (
                    unbound.args[1] if len(unbound.args) > 1 else [])
                yield name, validators


@pytest.mark.parametrize("name, cls", list(_forms()))
def test_text_fields_have_a_limit_and_no_maxlength_attribute(name, cls):
    for field, validators in _text_fields(cls):
        assert any(isinstance(v, MaxLength) for v in validators), f"{name}.{field}: no limit"
        # WTForms renders a validator's field_flags as attributes; maxlength cuts pastes.
        flags = [k for v in validators for k in getattr(v, "field_flags", {})]
        assert "maxlength" not in flags, f"{name}.{field} renders maxlength"


def test_max_length_says_the_limit_and_what_was_typed(app):
    from wtforms import Form

    class One(Form):
        title = StringField(validators=[MaxLength(5)])

    with app.test_request_context():
        form = One(data={"title": "abcdefg"})
        assert not form.validate()
        assert form.title.errors == ["At most 5 characters (you typed 7)."]
        assert form.title.data == "abcdefg"
