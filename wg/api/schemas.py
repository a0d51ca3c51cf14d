"""Marshmallow schemas of the API: what each resource looks like, and what writes accept."""

from marshmallow import EXCLUDE, Schema, fields, validate

STATUS_VALUES = ["open", "in_progress", "blocked", "done", "dropped"]


# A TLP 2.0 label as a write accepts it: "AMBER_STRICT" or as TLP writes it, "TLP:AMBER+STRICT".
SENSITIVITY_VALUES = ["CLEAR", "GREEN", "AMBER", "AMBER_STRICT", "RED", "TLP:CLEAR", "TLP:GREEN",
                      "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]


def _label_in(description="The TLP 2.0 label; omitted or null keeps the current one (TLP:GREEN "
                          "for a new item). TLP:AMBER+STRICT needs a participant (yours "
                          "becomes its owner)."):
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(SENSITIVITY_VALUES),
                         metadata={"description": description})


def _tlp(obj, attribute):
    from wg.sensitivity import DEFAULT, Sensitivity

    return (Sensitivity.parse(getattr(obj, attribute, None)) or DEFAULT).tlp


class _Out(Schema):
    class Meta:
        ordered = True


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


def _enum_value(attr):
    return fields.Function(lambda obj: getattr(getattr(obj, attr), "value", None),
                           metadata={"type": "string"})


class ProblemSchema(_Out):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    current = fields.Dict()


class GroupSchema(_Out):
    id = fields.Integer()
    code = fields.String()
    slug = fields.String()
    title = fields.String()
    description = fields.String()
    parent_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()
    children = fields.List(fields.Nested(lambda: GroupSchema()), dump_default=list)


class GroupTreeSchema(_Out):
    items = fields.List(fields.Nested(GroupSchema))


class ParticipantSchema(_Out):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = _enum_value("kind")
    is_core = fields.Boolean()
    joined_date = fields.Date(allow_none=True)
    pledge_signed_date = fields.Date(allow_none=True)


class PersonSchema(_Out):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    participant_id = fields.Integer()
    timezone = fields.String()
    language = fields.String()
    is_active = fields.Boolean(attribute="is_active_account")
    is_coordinator = fields.Boolean()


class SeriesSchema(_Out):
    id = fields.Integer()
    group_id = fields.Integer()
    title = fields.String()
    rule_kind = _enum_value("rule_kind")
    week = fields.Integer(allow_none=True)
    weekday = fields.Integer(allow_none=True)
    month_day = fields.Integer(allow_none=True)
    start_time = fields.Time()
    timezone = fields.String()
    duration_minutes = fields.Integer()
    place = fields.String()
    video_url = fields.String()
    first_date = fields.Date()
    last_date = fields.Date(allow_none=True)


class MeetingSchema(_Out):
    id = fields.Integer()
    group_id = fields.Integer()
    series_id = fields.Integer(allow_none=True)
    title = fields.String()
    start_at = fields.AwareDateTime()
    duration_minutes = fields.Integer()
    timezone = fields.String()
    place = fields.String()
    video_url = fields.String()
    status = _enum_value("status")
    # The TLP 2.0 label, e.g. "TLP:AMBER" (wg.sensitivity).
    sensitivity = fields.Function(lambda o: _tlp(o, "sensitivity"))
    minutes_sensitivity = fields.Function(lambda o: _tlp(o, "minutes_sensitivity"))
    cancel_reason = fields.String()
    agenda_published_at = fields.AwareDateTime(allow_none=True)
    minutes_published_at = fields.AwareDateTime(allow_none=True)


class AgendaItemSchema(_Out):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    presenter = fields.String()
    minutes_allotted = fields.Integer(allow_none=True)
    link = fields.String()
    notes = fields.String()
    is_done = fields.Boolean()


class DecisionSchema(_Out):
    id = fields.Integer()
    position = fields.Integer()
    text = fields.String()
    created_at = fields.AwareDateTime()
    # The register's numbering (wg.decisions): e.g. SWG1.1-2026/3.
    reference = fields.String()
    year = fields.Integer()
    number = fields.Integer()
    decided_on = fields.Date()
    status = fields.Function(lambda d: d.status.value)
    # The TLP 2.0 label, e.g. "TLP:AMBER" (wg.sensitivity).
    sensitivity = fields.Function(lambda o: _tlp(o, "sensitivity"))
    supersedes_id = fields.Integer(allow_none=True)


class AttendanceSchema(_Out):
    person_ids = fields.List(fields.Integer())
    participant_ids = fields.List(fields.Integer())
    recorded_at = fields.AwareDateTime(allow_none=True)


class MeetingDetailSchema(MeetingSchema):
    agenda = fields.List(fields.Nested(AgendaItemSchema))
    attendance = fields.Nested(AttendanceSchema)
    minutes_md = fields.String(allow_none=True)
    minutes_html = fields.String(allow_none=True)
    decisions = fields.List(fields.Nested(DecisionSchema))
    my_rsvp = fields.String(allow_none=True)


class ProgressEntrySchema(_Out):
    id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    note = fields.String()
    old_status = _enum_value("old_status")
    new_status = _enum_value("new_status")
    old_progress = fields.Integer()
    new_progress = fields.Integer()
    version = fields.Integer()


class ActionSchema(_Out):
    id = fields.Integer()
    group_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    owner_id = fields.Integer(allow_none=True)
    participants = fields.Function(lambda a: [p.code for p in a.participants],
                                   metadata={"type": "array", "items": {"type": "string"}})
    due_date = fields.Date()
    weight = fields.Integer()
    status = _enum_value("status")
    # The TLP 2.0 label, e.g. "TLP:AMBER" (wg.sensitivity).
    sensitivity = fields.Function(lambda o: _tlp(o, "sensitivity"))
    progress = fields.Integer()
    version = fields.Integer()
    origin_meeting_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    last_progress_at = fields.AwareDateTime(allow_none=True)


class ActionDetailSchema(ActionSchema):
    progress_entries = fields.List(fields.Nested(ProgressEntrySchema), attribute="logs")


class FiguresSchema(_Out):
    total = fields.Integer()
    n_open = fields.Integer()
    n_in_progress = fields.Integer()
    n_blocked = fields.Integer()
    n_done = fields.Integer()
    weight_sum = fields.Integer()
    weighted_sum = fields.Integer()
    overdue = fields.Integer()
    stale = fields.Integer()
    percent_complete = fields.Float(allow_none=True)


class TrendPointSchema(_Out):
    month = fields.Date(metadata={"description": "figures as they stood at the end of this month"})
    figures = fields.Nested(FiguresSchema)


class RollupSchema(_Out):
    label = fields.String()
    group_id = fields.Integer(allow_none=True)
    participant_code = fields.String(allow_none=True)
    figures = fields.Nested(FiguresSchema)
    trend = fields.List(fields.Nested(TrendPointSchema))
    children = fields.List(fields.Nested(lambda: RollupSchema()))


class HistoryEntrySchema(_Out):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_label = fields.String()
    token_id = fields.Integer(allow_none=True)
    object_type = fields.String()
    object_id = fields.Integer()
    parent_type = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    verb = fields.String()
    version = fields.Integer(allow_none=True)
    changes = fields.Function(lambda e: _changes_of(e), metadata={"type": "object"})
    reason = fields.String(allow_none=True)


def _changes_of(entry):
    from wg.history.services import changes_of

    return changes_of(entry)


def page_schema(name, item_schema):
    """A page of a list: the items and the opaque cursor of the next page (null at the end)."""
    return type(name, (_Out,), {
        "items": fields.List(fields.Nested(item_schema)),
        "next": fields.String(allow_none=True),
    })


GroupPage = page_schema("GroupPage", GroupSchema)
ParticipantPage = page_schema("ParticipantPage", ParticipantSchema)
PersonPage = page_schema("PersonPage", PersonSchema)
SeriesPage = page_schema("SeriesPage", SeriesSchema)
MeetingPage = page_schema("MeetingPage", MeetingSchema)
ActionPage = page_schema("ActionPage", ActionSchema)
HistoryPage = page_schema("HistoryPage", HistoryEntrySchema)


class PageArgs(_In):
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MeetingListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["scheduled", "held", "cancelled"]))
    start_from = fields.AwareDateTime(data_key="from")
    start_to = fields.AwareDateTime(data_key="to")


class ActionListArgs(PageArgs):
    group = fields.String(validate=validate.Length(max=40))
    status = fields.String(validate=validate.OneOf(STATUS_VALUES))
    owner = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    participant = fields.String(validate=validate.Length(max=16))
    overdue = fields.Boolean()
    stale = fields.Boolean()
    q = fields.String(validate=validate.Length(max=200))
    updated_since = fields.AwareDateTime()


class ProgressInSchema(_In):
    status = fields.String(required=True, validate=validate.OneOf(STATUS_VALUES))
    progress = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class ActionInSchema(_In):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    owner_id = fields.Integer(allow_none=True, load_default=None,
                              validate=validate.Range(min=1, max=2**31 - 1))
    participants = fields.List(fields.String(validate=validate.Length(max=16)), load_default=list,
                               validate=validate.Length(max=200))
    due_date = fields.Date(required=True)
    weight = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=20))
    origin_meeting_id = fields.Integer(allow_none=True, load_default=None,
                                       validate=validate.Range(min=1, max=2**31 - 1))
    sensitivity = _label_in()


class ActionCreateSchema(ActionInSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(STATUS_VALUES))
    progress = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class RsvpInSchema(_In):
    answer = fields.String(required=True, validate=validate.OneOf(["yes", "no", "maybe"]))


class RsvpSchema(_Out):
    meeting_id = fields.Integer()
    person_id = fields.Integer()
    answer = _enum_value("answer")
    answered_at = fields.AwareDateTime()


class AgendaItemInSchema(_In):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    presenter = fields.String(load_default="", validate=validate.Length(max=200))
    minutes_allotted = fields.Integer(allow_none=True, load_default=None, strict=True,
                                      validate=validate.Range(min=1, max=480))
    link = fields.String(load_default="", validate=validate.Length(max=500))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))
    is_done = fields.Boolean()


class AttendanceInSchema(_In):
    person_ids = fields.List(fields.Integer(strict=True,
                                            validate=validate.Range(min=1, max=2**31 - 1)),
                             required=True, validate=validate.Length(max=2000))
    participants = fields.List(fields.String(validate=validate.Length(max=16)),
                               load_default=list, validate=validate.Length(max=400),
                               metadata={"description": "codes of the countries and "
                                         "organizations represented (each attendee's own is "
                                         "added)"})


class MinutesInSchema(_In):
    minutes_md = fields.String(required=True, validate=validate.Length(max=100000))
    publish = fields.Boolean(load_default=False)


class DecisionInSchema(_In):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    sensitivity = _label_in()


class MeetingLabelsInSchema(_In):
    sensitivity = _label_in("The meeting's TLP 2.0 label; omitted or null keeps it.")
    minutes_sensitivity = _label_in("The minutes' own TLP 2.0 label; omitted or null keeps it.")


class DecisionLabelInSchema(_In):
    sensitivity = fields.String(required=True, validate=validate.OneOf(SENSITIVITY_VALUES),
                                metadata={"description": "The decision's TLP 2.0 label."})
