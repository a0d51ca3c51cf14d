from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg import idempotency, markdown, permissions
from wg.auth.models import Person
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.form_flow import saving
from wg.formatting import format_date, participant_name
from wg.pledge import bp, queries
from wg.pledge import services as pledge
from wg.pledge.forms import (
    CommitmentForm,
    FocalPointForm,
    ImplementationForm,
    LinkActionForm,
    SignatureForm,
    WithdrawForm,
)
from wg.pledge.models import CommitmentImplementation, PledgeCommitment

# Several forms of one kind on a page carry a prefix (unique field ids for their labels); their
# CSRF token is the page's plain `csrf_token`, which CSRFProtect checks on every POST.
PREFIXED = {"csrf": False}

CSV_HEADER = ("code", "participant", "kind", "region_code", "region", "signed", "signed_on",
              "signatory", "signatory_title", "instrument_reference", "instrument_url",
              "recorded_by", "recorded_at")


def _signature_form(form=None, participant=None):
    form = form or SignatureForm()
    if not form.is_submitted():
        signature = participant.pledge_signature if participant is not None else None
        if signature is not None:
            for field in ("signed_on", "signatory_name", "signatory_title",
                          "instrument_reference", "instrument_url"):
                getattr(form, field).data = getattr(signature, field)
        form.version.data = signature.version if signature is not None else 0
    if not form.idempotency_key.data:
        form.idempotency_key.data = idempotency.new_key()
    return form


def _record_signature(participant, form):
    """Run the service for a submitted signature form; (saved, stale) or a ValidationError."""
    return pledge.sign(
        participant, current_user, signed_on=form.signed_on.data,
        signatory_name=form.signatory_name.data, signatory_title=form.signatory_title.data,
        instrument_url=form.instrument_url.data,
        instrument_reference=form.instrument_reference.data, now=utcnow(),
        expected_version=form.version.data, reason=form.reason.data,
        key=form.idempotency_key.data)


def _signed_message(participant, signature):
    return _("%(name)s signed the Coalition Pledge on %(date)s.",
             name=participant_name(participant),
             date=format_date(signature.signed_on, "long_date"))


@bp.route("/pledge", methods=["GET", "POST"])
def index():
    """The Pledge, its campaign, and (coordinators) the form recording a new signature."""
    permissions.require_pledge_view(current_user)
    campaign = queries.campaign()
    form, stale, status = None, None, 200
    if permissions.can_record_signature(current_user):
        form = SignatureForm()
        form.participant.choices = [("", "—")] + [(p.code, participant_name(p))
                                                  for p in campaign.unsigned]
        if request.method == "POST" and not form.participant.data:
            form.validate_on_submit()
            form.participant.errors = list(form.participant.errors) + [
                _("Choose the participant that signed.")]
            status = 422
        elif request.method == "POST":
            participant = permissions.participant_for_signature(current_user,
                                                                form.participant.data)
            if form.validate_on_submit():
                with saving(form) as done:
                    done.result = _record_signature(participant, form)
                if done.already_done:
                    flash(_("This signature was already recorded; nothing new was added."),
                          "info")
                if done.saved and done.result is not None:
                    flash(_signed_message(participant, done.result), "success")
                if done.saved or done.already_done:
                    return redirect(url_for("pledge.index"))
                stale, status = done.stale, done.status
            else:
                status = 422
        form = _signature_form(form)
    elif request.method == "POST":
        permissions.require_coordinator(current_user)
    items = queries.commitments()
    return render_template("pledge/index.html", campaign=campaign, commitments=items,
                           form=form, stale=stale,
                           display=pledge.commitment_display_text), status


@bp.route("/pledge/signatures.csv")
def signatures_csv():
    permissions.require_pledge_view(current_user)
    body = queries.signatures_csv(CSV_HEADER, bom=request.args.get("excel") != "0")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="pledge-signatures.csv"'})


@bp.route("/pledge/implementation")
def implementation():
    permissions.require_pledge_view(current_user)
    now = utcnow()
    signatories, items, records = queries.implementation_rows()
    rollup = queries.rollup(signatories, items, records)
    from wg.pledge import regions

    region_rows = sorted(rollup.by_region.items(), key=lambda kv: regions.region_sort_key(kv[0]))
    return render_template(
        "pledge/implementation.html", rollup=rollup, commitments=items,
        signatories=signatories, region_rows=region_rows, region_name=regions.region_name,
        due=queries.not_reviewed(signatories, items, records, now.date()),
        cutoff=queries.year_before(now.date()), display=pledge.commitment_display_text)


@bp.route("/pledge/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
def edit_commitment(commitment_id):
    commitment = permissions.commitment_for_edit(current_user, commitment_id)
    form = CommitmentForm(obj=commitment if request.method == "GET" else None)
    stale, status = None, 200
    if form.validate_on_submit():
        with saving(form) as done:
            pledge.edit_commitment(commitment, current_user, text=form.text.data, now=utcnow(),
                                   expected_version=form.version.data)
        if done.saved:
            flash(_("Commitment %(num)s is saved.", num=commitment.number), "success")
            return redirect(url_for("pledge.index"))
        stale, status = done.stale, done.status
    elif form.is_submitted():
        status = 422
    if request.method == "GET" or stale:
        form.version.data = commitment.version
    return render_template("pledge/commitment_form.html", form=form, commitment=commitment,
                           stale=stale), status


# One participant's Pledge record


def _commitment(number):
    commitment = db.session.scalar(select(PledgeCommitment).where(
        PledgeCommitment.number == number))
    if commitment is None:
        abort(404)
    return commitment


def _implementation_form(number, record):
    form = ImplementationForm(formdata=None, prefix=f"c{number}", meta=PREFIXED)
    if record is not None:
        form.status.data = record.status.value
        form.evidence_md.data = record.evidence_md
        form.evidence_links.data = record.evidence_links
        form.last_reviewed_on.data = record.last_reviewed_on
    form.version.data = record.version if record is not None else 0
    form.idempotency_key.data = idempotency.new_key()
    return form


def _participant_page(participant, *, signature_form=None, open_number=None, open_form=None,
                      link_form=None, withdraw_form=None, stale=None, status=200):
    """The page, with a failed form (`open_form` or `link_form` of commitment `open_number`,
    `withdraw_form`) shown open with its messages; base.html lists them in the error summary."""
    items = queries.commitments()
    from wg.actions.models import ActionItem

    records = {r.commitment_id: r for r in db.session.scalars(
        select(CommitmentImplementation).where(
            CommitmentImplementation.participant_id == participant.id)
        .options(selectinload(CommitmentImplementation.actions).selectinload(ActionItem.group)))}
    forms = {}
    editable = permissions.can_update_implementation(current_user, participant)
    for c in items:
        if open_number == c.number and open_form is not None:
            forms[c.id] = open_form
        elif editable:
            forms[c.id] = _implementation_form(c.number, records.get(c.id))
    people = []
    if permissions.can_manage_focal_points(current_user):
        people = db.session.scalars(select(Person).where(
            Person.participant_id == participant.id, Person.is_active_account.is_(True))
            .order_by(Person.name)).all()
    signature_form = signature_form or (_signature_form(participant=participant)
                                        if permissions.can_record_signature(current_user)
                                        else None)
    signature = participant.pledge_signature
    if signature_form is not None and signature is not None:
        signature_form.submit.label.text = _("Save the correction")
    return render_template(
        "pledge/participant.html", participant=participant, signature=signature,
        trail=queries.signature_trail(signature) if signature is not None else None,
        commitments=items, records=records,
        forms=forms, open_number=open_number, stale=stale, signature_form=signature_form,
        withdraw_form=withdraw_form or WithdrawForm(formdata=None, prefix="withdraw",
                                                    meta=PREFIXED),
        open_form=open_form, link_form=link_form,
        error_field_ids={"action_id": f"link-{open_number}"} if link_form is not None else {},
        focal_points=pledge.focal_points_of(participant), people=people,
        display=pledge.commitment_display_text,
        evidence_html={cid: Markup(markdown.render(r.evidence_md))  # sanitized by nh3
                       for cid, r in records.items() if r.evidence_md},
        today=utcnow().date()), status


@bp.route("/participants/<code>/pledge")
def participant(code):
    participant = permissions.participant_for_pledge(current_user, code)
    return _participant_page(participant)


@bp.route("/participants/<code>/pledge/signature", methods=["POST"])
def record_signature(code):
    participant = permissions.participant_for_signature(current_user, code)
    form = SignatureForm()
    correcting = participant.pledge_signature is not None
    if form.validate_on_submit():
        with saving(form) as done:
            done.result = _record_signature(participant, form)
        if done.already_done:
            flash(_("This signature was already recorded; nothing new was added."), "info")
        elif done.saved and done.result is None:
            flash(_("Nothing changed."), "info")
        elif done.saved and correcting:
            flash(_("The signature of %(name)s is corrected; signed on %(date)s.",
                    name=participant_name(participant),
                    date=format_date(done.result.signed_on, "long_date")), "success")
        elif done.saved:
            flash(_signed_message(participant, done.result), "success")
        elif done.stale:
            db.session.expire(participant)
            return _participant_page(participant, signature_form=_signature_form(form),
                                     stale=done.stale, status=409)
        if done.saved or done.already_done:
            return redirect(url_for("pledge.participant", code=participant.code))
    return _participant_page(participant, signature_form=_signature_form(form), status=422)


@bp.route("/participants/<code>/pledge/withdraw", methods=["POST"])
def withdraw(code):
    participant = permissions.participant_for_signature(current_user, code)
    form = WithdrawForm(prefix="withdraw", meta=PREFIXED)
    if form.validate_on_submit():
        with saving(form) as done:
            pledge.withdraw(participant, current_user, reason=form.reason.data, now=utcnow(),
                            expected_version=form.version.data)
        if done.stale:
            return _participant_page(participant, stale=done.stale, status=409)
        if done.saved:
            flash(_("The signature of %(name)s is removed.", name=participant_name(participant)),
                  "success")
            return redirect(url_for("pledge.participant", code=participant.code))
    return _participant_page(participant, withdraw_form=form, status=422)


@bp.route("/participants/<code>/pledge/commitments/<int:number>", methods=["POST"])
def update_implementation(code, number):
    participant = permissions.participant_for_implementation(current_user, code)
    commitment = _commitment(number)
    form = ImplementationForm(prefix=f"c{number}", meta=PREFIXED)
    if form.validate_on_submit():
        with saving(form) as done:
            done.result = pledge.update_implementation(
                participant, commitment, current_user, status=form.status.data,
                evidence_md=form.evidence_md.data, evidence_links=form.evidence_links.data,
                last_reviewed_on=form.last_reviewed_on.data, now=utcnow(),
                expected_version=form.version.data, key=form.idempotency_key.data)
        if done.stale or done.invalid:
            if done.stale:
                current = pledge.implementation_of(participant, commitment)
                form.version.data = current.version if current is not None else 0
            return _participant_page(participant, open_number=number, open_form=form,
                                     stale=done.stale, status=done.status)
        if done.already_done:
            flash(_("This update was already recorded; nothing new was added."), "info")
        elif done.result is None:
            flash(_("Nothing changed."), "info")
        else:
            flash(_("Commitment %(num)s of %(name)s: %(status)s.", num=number,
                    name=participant_name(participant), status=done.result.status.label),
                  "success")
        return redirect(url_for("pledge.participant", code=participant.code,
                                _anchor=f"c{number}"))
    return _participant_page(participant, open_number=number, open_form=form, status=422)


def _record_for_actions(code, number):
    participant = permissions.participant_for_implementation(current_user, code)
    commitment = _commitment(number)
    record = pledge.implementation_of(participant, commitment)
    return participant, record


@bp.route("/participants/<code>/pledge/commitments/<int:number>/actions", methods=["POST"])
def link_action(code, number):
    participant, record = _record_for_actions(code, number)
    form = LinkActionForm()
    back = redirect(url_for("pledge.participant", code=participant.code, _anchor=f"c{number}"))
    if record is None:
        flash(_("Save the commitment's status first, then link actions."), "danger")
        return back
    refused = None
    if form.validate_on_submit():
        from wg.actions.models import ActionItem

        action = db.session.get(ActionItem, form.action_id.data)
        if action is None or not permissions.can_view_actions(current_user, action.group):
            refused = _("There is no action %(num)s that you can see.", num=form.action_id.data)
    if refused or form.errors:
        if refused:
            form.action_id.errors = list(form.action_id.errors) + [refused]
        return _participant_page(participant, open_number=number, link_form=form, status=422)
    if pledge.link_action(record, current_user, action, now=utcnow()):
        db.session.commit()
        flash(_("Action “%(title)s” is linked.", title=action.title), "success")
    return back


@bp.route("/participants/<code>/pledge/commitments/<int:number>/actions/<int:action_id>/unlink",
          methods=["POST"])
def unlink_action(code, number, action_id):
    participant, record = _record_for_actions(code, number)
    from wg.actions.models import ActionItem

    action = db.session.get(ActionItem, action_id)
    if record is not None and action is not None:  # CSRF: checked app-wide (CSRFProtect)
        if pledge.unlink_action(record, current_user, action, now=utcnow()):
            db.session.commit()
            flash(_("Action “%(title)s” is no longer linked.", title=action.title), "success")
    return redirect(url_for("pledge.participant", code=participant.code, _anchor=f"c{number}"))


@bp.route("/participants/<code>/focal-points", methods=["POST"])
def grant_focal_point(code):
    participant = permissions.participant_for_focal_points(current_user, code)
    form = FocalPointForm()
    person = (db.session.get(Person, form.person_id.data)
              if form.validate_on_submit() and form.person_id.data else None)
    if person is None:
        flash(_("Choose a person."), "danger")
    else:
        try:
            row = pledge.grant_focal_point(person, participant, current_user, now=utcnow())
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            db.session.commit()
            if row is not None:
                flash(_("%(person)s is now a focal point of %(name)s.", person=person.name,
                        name=participant_name(participant)), "success")
    return redirect(request.form.get("back") == "admin"
                    and url_for("admin.participant_form", participant_id=participant.id)
                    or url_for("pledge.participant", code=participant.code, _anchor="focal"))


@bp.route("/participants/<code>/focal-points/<int:person_id>/revoke", methods=["POST"])
def revoke_focal_point(code, person_id):
    participant = permissions.participant_for_focal_points(current_user, code)
    person = db.session.get(Person, person_id)
    if person is not None and pledge.revoke_focal_point(person, participant, current_user,
                                                        now=utcnow()):
        db.session.commit()
        flash(_("%(person)s is no longer a focal point of %(name)s.", person=person.name,
                name=participant_name(participant)), "success")
    return redirect(request.form.get("back") == "admin"
                    and url_for("admin.participant_form", participant_id=participant.id)
                    or url_for("pledge.participant", code=participant.code, _anchor="focal"))
