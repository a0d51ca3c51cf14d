"""Sensitivity labels (Traffic Light Protocol 2.0) on meetings, minutes, decisions and actions.

The labels and their help texts live here; who may see a labelled item and which channels it
may leave by are rules of wg.permissions (can_see_sensitivity, may_leave_by).

Default: TLP:GREEN. The tracker is members-only and TLP:GREEN means "within the community",
which is exactly who signs in here; TLP:CLEAR (public) has to be chosen on purpose.
"""

import enum

# Lazy, but named `pgettext` so that pybabel's default keywords extract the context too.
from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column


class Sensitivity(enum.Enum):
    clear = "CLEAR"
    green = "GREEN"
    amber = "AMBER"
    amber_strict = "AMBER_STRICT"
    red = "RED"

    @property
    def tlp(self):
        """The label as TLP 2.0 writes it (never translated): 'TLP:AMBER+STRICT'."""
        return "TLP:" + self.value.replace("_", "+")

    @property
    def help(self):
        return HELP[self.value]

    @property
    def css(self):
        return "tlp-" + self.value.lower().replace("_", "-")

    @property
    def confidential(self):
        """AMBER, AMBER+STRICT and RED: calendar programs get CLASS:CONFIDENTIAL."""
        return self in (Sensitivity.amber, Sensitivity.amber_strict, Sensitivity.red)

    @classmethod
    def parse(cls, value):
        """A label from 'RED', 'TLP:AMBER+STRICT', 'amber_strict' …; None when unknown."""
        if isinstance(value, cls):
            return value
        text = str(value or "").strip().upper().removeprefix("TLP:").replace("+", "_")
        try:
            return cls(text)
        except ValueError:
            return None


DEFAULT = Sensitivity.green

HELP = {
    "CLEAR": _l("TLP:CLEAR – may be shared publicly, without restriction."),
    "GREEN": _l("TLP:GREEN – for the coalition community: every signed-in member may know it."),
    "AMBER": _l("TLP:AMBER – only for those who take part in this group, on a need-to-know basis."),
    "AMBER_STRICT": _l("TLP:AMBER+STRICT – only for the people of your own participant "
                       "(country or organization); coordinators see it to administer it."),
    "RED": _l("TLP:RED – not to be passed on: read only here, by those who may see the item; "
              "never sent by e-mail, calendar feed or webhook."),
}


def choices():
    """(value, 'TLP:… – help') pairs for a select."""
    return [(s.value, s.help) for s in Sensitivity]


def label_column():
    return mapped_column(Enum(Sensitivity, name="sensitivity", native_enum=False, length=20,
                              values_callable=lambda e: [m.value for m in e]),
                         default=DEFAULT, server_default=DEFAULT.value)


def participant_column() -> Mapped[int | None]:
    """Whose people see an AMBER+STRICT item: the participant of whoever set the label."""
    return mapped_column(ForeignKey("participants.id"), nullable=True)


def clean_label(errors, actor, raw, current=None, current_participant_id=None):
    """The label a form or API asked for, checked: (label, sensitivity_participant_id).

    `raw` None or "" keeps `current` (DEFAULT for a new item). Setting AMBER+STRICT makes the
    actor's participant its owner; keeping it keeps the owner; other labels have none.
    A bad value or a label the actor may not set goes into `errors['sensitivity']`.
    """
    from flask_babel import gettext as _

    from wg.permissions import can_set_sensitivity

    current = Sensitivity.parse(current) or DEFAULT
    if raw in (None, ""):
        return current, current_participant_id
    label = Sensitivity.parse(raw)
    if label is None:
        errors["sensitivity"] = _("Choose one of the TLP labels offered.")
        return current, current_participant_id
    if label is not Sensitivity.amber_strict:
        return label, None
    if label is current and current_participant_id is not None:
        return label, current_participant_id
    if not can_set_sensitivity(actor, label):
        errors["sensitivity"] = _("TLP:AMBER+STRICT keeps an item to one participant's "
                                  "people; you belong to no participant, so choose another "
                                  "label.")
        return current, current_participant_id
    return label, actor.participant_id


def sensitivity_field(label=None, description=None):
    """The select of a label, each option with what it means (for forms)."""
    from wtforms import SelectField

    return SelectField(label or _l("Sensitivity (TLP)"), choices=choices,
                       default=DEFAULT.value, validate_choice=False,
                       description=description or _l(
                           "Who may see this item and where it may go; TLP:RED items never "
                           "leave the tracker by e-mail, calendar feed or webhook."))
