"""How the Pledge's history entries read (added to the shared label tables of wg.history)."""

from flask_babel import lazy_gettext as _l

from wg.history import services as history

history.FIELD_LABELS.update({
    "signed_on": _l("signed on"), "signatory_name": _l("signatory"),
    "signatory_title": _l("signatory's title"), "instrument_url": _l("instrument link"),
    "instrument_reference": _l("instrument reference"), "evidence_md": _l("evidence"),
    "evidence_links": _l("evidence links"), "last_reviewed_on": _l("last reviewed"),
    "action_ids": _l("linked actions"), "commitment": _l("commitment"),
})
history.VERB_LABELS.update({
    "signed": _l("signed the Pledge"), "signature_corrected": _l("signature corrected"),
    "withdrawn": _l("signature removed"),
})
history.OBJECT_TYPE_LABELS.update({
    "pledge_signature": _l("Pledge signature"), "pledge_commitment": _l("Pledge commitment"),
    "implementation": _l("commitment implementation"), "focal_point": _l("focal point"),
})
