"""Errors that services raise and views turn into messages."""


class ValidationError(Exception):
    """Input that breaks a rule; `errors` maps a field name (or None) to a message."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = {None: errors}
        self.errors = dict(errors)
        super().__init__("; ".join(str(m) for m in self.errors.values()))

    def apply_to(self, form):
        """Copy the messages onto a WTForms form, beside their fields; return the rest."""
        rest = []
        for field, message in self.errors.items():
            if field and hasattr(form, field):
                getattr(form, field).errors = list(getattr(form, field).errors) + [message]
            else:
                rest.append(message)
        return rest
