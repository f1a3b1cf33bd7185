"""The filters of the expiring checks page."""

from django import forms

from carers.models import CheckKind
from sharedlives.forms import Form
from sharedlives.shortcuts import staff_choices
from sharedlives.widgets import LongSelect

ANYONE, NOBODY = "", "none"
BOTH, LAPSED, SOON = "", "lapsed", "soon"


class ExpiringFilterForm(Form):
    """Always bound: a coordinator who has not chosen sees their own
    households' checks, the registered manager everyone's."""

    coordinator = forms.ChoiceField(required=False, widget=LongSelect)
    state = forms.ChoiceField(label="Lapsed or due soon", required=False)
    kind = forms.ChoiceField(
        label="Check or training", choices=[("", "Any kind")] + CheckKind.choices, required=False
    )

    def __init__(self, query, *, membership, warning_days: int):
        data = query.copy()
        if "coordinator" not in data and not membership.is_manager:
            data["coordinator"] = str(membership.user_id)
        super().__init__(data)
        self.fields["coordinator"].choices = [
            (ANYONE, "Anyone"),
            (NOBODY, "No coordinator yet"),
            *staff_choices(membership.scheme),
        ]
        self.fields["state"].choices = [
            (BOTH, "Both"),
            (LAPSED, "Lapsed"),
            (SOON, f"Due soon (in the next {warning_days} days)"),
        ]

    def filter(self, records, today):
        """``records`` as chosen; a choice that is not valid (reported next
        to its field) filters nothing."""
        self.is_valid()
        data = self.cleaned_data
        coordinator = data.get("coordinator", ANYONE)
        if coordinator == NOBODY:
            records = records.filter(carer__coordinator__isnull=True)
        elif coordinator:
            records = records.filter(carer__coordinator_id=coordinator)
        if data.get("state") == LAPSED:
            records = records.filter(lapses_on__lt=today)
        elif data.get("state") == SOON:
            records = records.filter(lapses_on__gte=today)
        if data.get("kind"):
            records = records.filter(kind=data["kind"])
        return records
