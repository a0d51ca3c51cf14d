"""Form validators shared by every feature."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length


class MaxLength(Length):
    """Refuse text longer than its column, saying the limit and what was typed; never cut it.

    Unlike WTForms' Length it sets no `maxlength` attribute on the input: browsers silently cut a
    pasted text to that length, and the person never learns that the end of it was dropped.
    """

    def __init__(self, max, message=None):
        super().__init__(max=max, message=message or _l(
            "At most %(max)d characters (you typed %(length)d)."))
        self.field_flags = {}
