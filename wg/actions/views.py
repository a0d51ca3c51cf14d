from dataclasses import dataclass

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from wg import idempotency, permissions
from wg.actions import bp, csvio
from wg.actions import queries as action_queries
from wg.actions import services as actions
from wg.actions.forms import STATUS_CHOICES, ActionForm, BulkUploadForm, ProgressForm
from wg.actions.models import ActionItem
from wg.auth.models import Person
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import (
    format_date,
    format_number,
    format_percent,
    participant_name,
    sorted_by_name,
)
from wg.listing import paginate, paginate_list
from wg.rollups.compute import EXPLAIN

LIST_OPTIONS = (selectinload(ActionItem.participants), selectinload(ActionItem.owner),
                selectinload(ActionItem.group))
# The actions list shows of an owner only the name (and links by id), and no description;
# every group is in the session already, so each row's group is found there without SQL.
LIST_OPTIONS_GROUPS_LOADED = (selectinload(ActionItem.participants),
                              selectinload(ActionItem.owner).load_only(Person.id, Person.name),
                              defer(ActionItem.description))


class _Memo(dict):
    """Values worked out once per page by `make(key)`: a list repeats the same few badges,
    dates, percentages and links on many rows, and each costs a translation or a URL build."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


class _Flags:
    """Stands for an action in the `flags` macro, which asks only whether it is overdue or
    stale."""

    def __init__(self, key):
        self.overdue, self.stale = key

    def is_overdue(self, today):
        return self.overdue

    def is_stale(self, now):
        return self.stale


@dataclass
class ListRow:
    """One action as the actions list shows it, both as a phone card and as a table row."""

    action: ActionItem
    url: str
    overdue: bool
    flags: str
    due: str
    due_label: str
    progress_label: str
    percent: str
    owner_url: str | None
    participants: list  # (participant, its name, the list filtered by it)

    @property
    def key(self):
        """Everything the row shows, as a phone card or a table row (for kept_block: the
        language and the site root are added there)."""
        a = self.action
        return (self.url, a.title, a.sensitivity, a.status, self.percent, self.due, self.overdue,
                self.flags, a.group.code, a.owner.name if a.owner else None, self.owner_url,
                tuple((p.code, name, url) for p, name, url in self.participants))


def _filter_links(sort_args, key):
    """A function giving the list's URL with `key`=value added to `sort_args`.

    One URL is built; the others are that URL with their value put in: `key` comes last in the
    query string when the list is not filtered by it already (url_for keeps the arguments'
    order), and the values (participant codes, person ids) are letters and digits, which URLs
    carry as they are. Anything else goes through url_for.
    """
    marker = "ZQXMARKQXZ"
    if key in sort_args:
        return lambda value: url_for("actions.index", **dict(sort_args, **{key: value}))
    head, _, tail = url_for("actions.index", **dict(sort_args, **{key: marker})).rpartition(marker)

    def link(value):
        text = str(value)
        if text.isascii() and text.isalnum():
            return head + text + tail
        return url_for("actions.index", **dict(sort_args, **{key: value}))

    return link


def list_rows(items, today, now, sort_args):
    """ListRows for the actions of a page, every repeated piece made once per page."""
    from flask import get_template_attribute

    flags_macro = get_template_attribute("actions/_macros.html", "flags")
    flags = _Memo(lambda key: flags_macro(_Flags(key), today, now))
    dates = _Memo(format_date)
    percents = _Memo(lambda progress: format_percent(progress / 100))
    participant_link = _filter_links(sort_args, "participant")
    names = _Memo(lambda p: (p, participant_name(p), participant_link(p.code)))
    owner_urls = _Memo(_filter_links(sort_args, "owner"))
    # As the template's _() writes them: the translation as markup, the values escaped.
    due_label = Markup(_("Due %(date)s"))
    progress_label = Markup(_("Progress of %(title)s"))
    # "/actions/<id>" for every row from one URL build.
    detail = url_for("actions.detail", action_id=0).rsplit("/", 1)[0] + "/"
    rows = []
    for a in items:
        overdue = a.is_overdue(today)
        due = dates[a.due_date]
        rows.append(ListRow(
            action=a, url=f"{detail}{a.id}", overdue=overdue,
            flags=flags[overdue, a.is_stale(now)], due=due,
            due_label=due_label % {"date": due},
            progress_label=progress_label % {"title": a.title},
            percent=percents[a.progress],
            owner_url=owner_urls[a.owner.id] if a.owner else None,
            participants=[names[p] for p in a.participants]))
    return rows


def list_badges():
    """The status badges and TLP labels of a list, each rendered once per page."""
    from flask import get_template_attribute

    status = get_template_attribute("actions/_macros.html", "status_badge")
    tlp = get_template_attribute("_tlp.html", "tlp_badge")
    return _Memo(status), _Memo(tlp)


def _status_options():
    """{status: the progress form's status options with it selected}, each made once a page."""
    from flask import get_template_attribute

    options = get_template_attribute("actions/_macros.html", "status_options")
    choices = [(value, str(label)) for value, label in STATUS_CHOICES]
    return _Memo(lambda status: options(status, choices))


def _safe_next(value, default):
    from wg.auth.services import safe_next_url

    return safe_next_url(value) or default


def _filters_or_error():
    """(filters, error messages) for the list and its CSV export."""
    try:
        filters = action_queries.parse_filters(
            request.args, lambda slug: permissions.group_for_actions(current_user, slug))
        return filters, []
    except ValidationError as exc:
        return action_queries.ActionFilters(), list(exc.errors.values())


@bp.route("/")
def index():
    now = utcnow()
    filters, problems = _filters_or_error()
    for message in problems:
        flash(_("%(problem)s That filter was ignored.", problem=message), "warning")
    visible = permissions.visible_action_group_ids(current_user)
    sort = action_queries.parse_list_sort(request.args)
    from wg.rollups.queries import all_groups

    # Every group in one statement, kept for the whole request: the rows' groups then come from
    # the session's identity map, not from another SELECT.
    every_group = all_groups()
    stmt = action_queries.list_query(filters, visible, now.date(), now, sort,
                                     person=current_user, groups=every_group).options(
        *LIST_OPTIONS_GROUPS_LOADED)
    page = paginate(stmt, per_page=current_app.config["PER_PAGE"])
    # Retired groups leave the filter list; ?group=<slug> still opens their actions.
    groups = [g for g in every_group if (visible is None or g.id in visible)
              and (g.is_active or g == filters.group)]
    cycle = None
    if filters.group is not None and filters.group.parent_id is not None and \
            permissions.can_manage_actions(current_user, filters.group):
        from wg.rollups.services import not_reported

        cycle = not_reported(filters.group, now)
    owner = db.session.get(Person, filters.owner_id) if filters.owner_id else None
    args = filters.as_args()
    status_badges, tlp_badges = list_badges()
    return render_template("actions/list.html", page=page, filters=filters, groups=groups,
                           owner=owner, args=args, sort=sort, today=now.date(), now=now,
                           explain=EXPLAIN, cycle=cycle, status_choices=STATUS_CHOICES,
                           rows=list_rows(page.items, now.date(), now,
                                          dict(args, **sort.as_args())),
                           status_badges=status_badges, tlp_badges=tlp_badges)


@bp.route("/export.csv")
def export():
    now = utcnow()
    try:
        # The export keeps its contract: every status unless the link names one.
        filters = action_queries.parse_filters(
            request.args, lambda slug: permissions.group_for_actions(current_user, slug),
            default_all=True)
    except ValidationError as exc:
        return Response(_("Bad filter: %(problems)s", problems="; ".join(exc.errors.values()))
                        + "\n", status=400,
                        mimetype="text/plain")
    visible = permissions.visible_action_group_ids(current_user)
    stmt = action_queries.list_query(filters, visible, now.date(), now,
                                     action_queries.parse_list_sort(request.args),
                                     person=current_user)
    name = "actions" + ("-" + filters.group.slug if filters.group else "") + ".csv"
    # The header is made here: the streamed body runs after the request's locale is gone.
    header = csvio.export_header(codes=request.args.get("headers") == "codes")
    return csvio.csv_response(stream_with_context(csvio.export_rows(stmt, now.date(), now, header)),
                              name, request.args)


@bp.route("/mine")
def mine():
    now = utcnow()
    include_closed = request.args.get("all") == "1"
    sort = action_queries.parse_list_sort(request.args, action_queries.MINE_SORTS)
    # Cards with a progress form each: twenty to a page keeps the page light on a phone.
    # The person's actions are found once (their ids, in order, kept while nothing they
    # depend on changes), then the page's actions are loaded by id.
    page = paginate_list(action_queries.my_action_ids(current_user, now.date(), include_closed,
                                                      sort), per_page=20)
    # The label rule again on the page's rows, whatever the kept list says.
    loaded = {a.id: a for a in db.session.scalars(
        select(ActionItem).where(ActionItem.id.in_(page.items),
                                 permissions.sensitivity_clause(current_user, ActionItem))
        .options(*LIST_OPTIONS))}
    page.items = [loaded[action_id] for action_id in page.items if action_id in loaded]
    args = dict({"all": 1} if include_closed else {}, **sort.as_args())
    status_badges, tlp_badges = list_badges()
    return render_template("actions/mine.html", page=page, today=now.date(), now=now,
                           include_closed=include_closed, sort=sort, args=args,
                           status_options=_status_options(),
                           status_badges=status_badges, tlp_badges=tlp_badges,
                           # Each card's form label, as the template's _() would write it.
                           card_formats={"update": Markup(_("Update %(title)s")),
                                         "number": Markup(_("Action %(number)s")),
                                         "due": Markup(_("due %(date)s")),
                                         "owner": Markup(_("owner %(name)s"))},
                           rows=list_rows(page.items, now.date(), now, {}),
                           new_key=idempotency.new_key)


def _progress_form(action, form=None):
    form = form or ProgressForm()
    if not form.is_submitted():
        form.status.data = action.status.value
        form.progress.data = action.progress
        form.version.data = action.version
    if not form.idempotency_key.data:
        form.idempotency_key.data = idempotency.new_key()
    return form


def _render_detail(action, form=None, stale=None, status=200):
    now = utcnow()
    logs = sorted(action.logs, key=lambda entry: entry.id, reverse=True)
    return render_template("actions/detail.html", action=action, logs=logs, today=now.date(),
                           now=now, form=_progress_form(action, form), stale=stale,
                           created=actions.creation_entry(action), explain=EXPLAIN,
                           sorted_participants=sorted_by_name(action.participants)), status


@bp.route("/<int:action_id>")
def detail(action_id):
    action = permissions.action_for_view(current_user, action_id)
    return _render_detail(action)


@bp.route("/<int:action_id>/progress", methods=["POST"])
def progress(action_id):
    action = permissions.action_for_update(current_user, action_id)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            actions.record_progress(action, current_user, form.status.data, form.progress.data,
                                    form.note.data, form.version.data or None, utcnow(),
                                    key=form.idempotency_key.data)
            db.session.commit()
            flash(_("Progress recorded on “%(title)s”: %(status)s, %(progress)s.",
                    title=action.title, status=action.status.label,
                    progress=format_percent(action.progress / 100)), "success")
            return redirect(_safe_next(form.next.data,
                                       url_for("actions.detail", action_id=action.id)))
        except idempotency.AlreadyDone as exc:
            db.session.rollback()
            flash(_("%(problem)s Nothing new was added.", problem=str(exc)), "info")
            return redirect(_safe_next(form.next.data,
                                       url_for("actions.detail", action_id=action.id)))
        except actions.StaleVersion as exc:
            db.session.rollback()
            db.session.refresh(action)
            form.version.data = action.version
            return _render_detail(action, form, stale=exc.describe(), status=409)
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    return _render_detail(action, form, status=422)


def _fill_choices(form, group):
    form.owner_id.choices = [("", _("— nobody —"))] + [
        (str(pid), name) for pid, name in actions.member_choices(group)]
    chosen = sorted_by_name(actions.participant_choices(group))
    form.participant_ids.choices = [(str(p.id), f"{participant_name(p)} ({p.code})")
                                    for p in chosen]
    # The checkbox picker shows countries and organizations under their own headings.
    form.participant_groups = [
        (heading, [(str(p.id), f"{participant_name(p)} ({p.code})")
                   for p in chosen if p.kind.value == kind])
        for kind, heading in (("country", _("Countries")), ("organization", _("Organizations")))]
    from wg.meetings.services import meeting_choices

    form.origin_meeting_id.choices = [("", _("— none —"))] + [
        (str(mid), label) for mid, label in meeting_choices(group, utcnow())]


def _input_from(form):
    return actions.ActionInput(
        title=form.title.data or "", description=form.description.data or "",
        owner_id=form.owner_id.data or None, participant_ids=form.participant_ids.data or [],
        due_date=form.due_date.data, weight=form.weight.data,
        status=form.status.data, progress=form.progress.data if form.progress.data is not None
        else 0, note=form.note.data or "", origin_meeting_id=form.origin_meeting_id.data or None,
        sensitivity=form.sensitivity.data or None)


@bp.route("/new/<slug>", methods=["GET", "POST"])
def new(slug):
    group = permissions.group_for_managing_actions(current_user, slug)
    form = ActionForm()
    _fill_choices(form, group)
    if request.method == "GET" and request.args.get("meeting", "").isdigit():
        form.origin_meeting_id.data = request.args["meeting"]  # "New action" from a meeting page
    if form.validate_on_submit():
        try:
            action = actions.create_action(group, current_user, _input_from(form), utcnow())
            db.session.commit()
            flash(_("Action “%(title)s” added to %(group)s.", title=action.title, group=group.code),
                  "success")
            return redirect(url_for("actions.detail", action_id=action.id))
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    status = 422 if form.is_submitted() else 200
    return render_template("actions/form.html", form=form, group=group, action=None), status


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
def edit(action_id):
    action = permissions.action_for_manage(current_user, action_id)
    group = action.group
    form = ActionForm(obj=None if request.method == "POST" else action)
    _fill_choices(form, group)
    if request.method == "GET":
        form.owner_id.data = str(action.owner_id or "")
        form.participant_ids.data = [str(p.id) for p in action.participants]
        form.version.data = action.version
        form.sensitivity.data = action.sensitivity.value
    stale = None
    if form.validate_on_submit():
        try:
            actions.update_action(action, current_user, _input_from(form),
                                  form.version.data or None, utcnow())
            db.session.commit()
            flash(_("Action updated."), "success")
            return redirect(url_for("actions.detail", action_id=action.id))
        except actions.StaleVersion as exc:
            db.session.rollback()
            db.session.refresh(action)
            stale = exc.describe()
            form.version.data = action.version
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    status = 409 if stale else (422 if form.is_submitted() else 200)
    return render_template("actions/form.html", form=form, group=group, action=action,
                           stale=stale), status


@bp.route("/bulk/<slug>/open-actions.csv")
def bulk_template(slug):
    group = permissions.group_for_managing_actions(current_user, slug)
    return csvio.csv_response(csvio.open_actions_csv(group, current_user), f"{group.slug}-open-actions.csv",
                              request.args)


@bp.route("/bulk/<slug>", methods=["GET", "POST"])
def bulk(slug):
    group = permissions.group_for_managing_actions(current_user, slug)
    form = BulkUploadForm()
    rows, error, code = None, None, 200
    if form.validate_on_submit():
        upload = request.files.get("file")
        text = form.content.data or ""
        if upload and upload.filename:
            data = upload.read(csvio.MAX_UPLOAD_BYTES + 1)
            if len(data) > csvio.MAX_UPLOAD_BYTES:
                text, error = "", _("The file is larger than %(size)s MB; split it into "
                                     "smaller files.",
                                     size=format_number(csvio.MAX_UPLOAD_BYTES // 1_000_000))
            else:
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text, error = "", _("The file must be a CSV saved as UTF-8.")
        if not text and not error:
            error = _("Choose a CSV file to upload.")
        if text and not error:
            try:
                rows = csvio.parse_bulk(text, group, current_user)
                form.content.data = text
            except ValidationError as exc:
                error = "; ".join(exc.errors.values())
        if rows is not None and request.form.get("apply") == "1":
            try:
                applied = csvio.apply_bulk(rows, current_user, utcnow(),
                                           key=form.idempotency_key.data)
                db.session.commit()
                flash(ngettext("%(num)d progress entry recorded in %(group)s.",
                               "%(num)d progress entries recorded in %(group)s.", applied,
                               group=group.code), "success")
                return redirect(url_for("actions.index", group=group.slug))
            except idempotency.AlreadyDone as exc:
                db.session.rollback()
                flash(_("%(problem)s Nothing new was added.", problem=str(exc)), "info")
                return redirect(url_for("actions.index", group=group.slug))
            except (ValidationError, actions.StaleVersion) as exc:
                db.session.rollback()
                error = _("Nothing was applied: %(problems)s", problems=(
                    exc.describe() if isinstance(exc, actions.StaleVersion)
                    else "; ".join(exc.errors.values())))
                rows = csvio.parse_bulk(text, group, current_user)
        code = 422 if error else 200
    elif form.is_submitted():
        abort(400)
    return render_template("actions/bulk.html", group=group, form=form, rows=rows,
                           error=error, new_key=idempotency.new_key), code
