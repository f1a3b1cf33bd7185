"""The legal hold on a person's or a household's records: while it is on,
the retention command (``anonymise_expired``) keeps every record, however
long ago the relationship ended. Only the registered manager sets or clears
it, with the reason, on the record's edit page; the history shows who did."""

from django.core.exceptions import ValidationError

LEGAL_HOLD_FIELDS = ["legal_hold", "legal_hold_reason"]


class LegalHoldMixin:
    """For a model form of a Person or a Carer that lists LEGAL_HOLD_FIELDS:
    the fields stay for the registered manager (``may_hold=True``) and are
    taken away for everyone else, so nobody else can change the hold."""

    def __init__(self, *args, may_hold: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_hold:
            for name in LEGAL_HOLD_FIELDS:
                self.fields.pop(name, None)
            return
        self.fields["legal_hold"].label = "Legal hold: keep every record past the retention period"
        self.fields["legal_hold_reason"].label = "Why the records must be kept"
        self.fields["legal_hold_reason"].help_text = (
            "For example: a court case, an insurance claim, or a safeguarding inquiry. "
            "Cleared when the hold is taken off (the history keeps it)."
        )

    def clean(self):
        cleaned = super().clean()
        if "legal_hold" not in self.fields:
            return cleaned
        reason = (cleaned.get("legal_hold_reason") or "").strip()
        if cleaned.get("legal_hold") and not reason:
            self.add_error(
                "legal_hold_reason", ValidationError("Say why the records must be kept.", code="required")
            )
        if not cleaned.get("legal_hold"):
            cleaned["legal_hold_reason"] = ""
        return cleaned
