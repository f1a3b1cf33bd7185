"""Forms for payments: a new run, an adjustment, nights away, and the
period of the allocation report. The services in placements.payment_runs
check the rules that need the records; these check what was typed."""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import Q

from carers.models import Carer
from placements.models import AbsenceReason, PaymentLine
from placements.payment_runs import MONTH, WEEK
from sharedlives.forms import DateInput, Form

LENGTHS = [(MONTH, "A calendar month"), (WEEK, "A week, from a Monday")]


class PaymentRunForm(Form):
    length = forms.ChoiceField(label="Period", choices=LENGTHS, widget=forms.RadioSelect, initial=MONTH)
    day = forms.DateField(
        label="Starting",
        widget=DateInput(),
        help_text="For a month, any day in it; for a week, the Monday it starts.",
        error_messages={"required": "Enter a day in the month, or the Monday the week starts."},
    )

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("day")
        if day and cleaned.get("length") == WEEK and day.weekday() != 0:
            monday = day - datetime.timedelta(days=day.weekday())
            self.add_error(
                "day",
                f"{day:%-d %b %Y} is a {day:%A}: a week's run starts on a Monday "
                f"(that week's was {monday:%-d %b %Y}).",
            )
        return cleaned


class MoneyField(forms.DecimalField):
    """Pounds and pence; a minus sign takes money off."""

    def __init__(self, label, **kwargs):
        super().__init__(
            label=label, max_digits=10, decimal_places=2, required=False, initial=Decimal("0.00"), **kwargs
        )

    def clean(self, value):
        return super().clean(value) or Decimal("0.00")


class AdjustmentForm(Form):
    line = forms.ModelChoiceField(
        label="Line it corrects",
        queryset=PaymentLine.objects.none(),
        required=False,
        empty_label="None: an adjustment of its own",
    )
    carer = forms.ModelChoiceField(label="Carer", queryset=Carer.objects.none(), required=False)
    care_payment = MoneyField("Care payment, £", help_text="Use a minus sign to take money off: -25.00.")
    rent = MoneyField("Rent, £")
    household_contribution = MoneyField("Household contribution, £")
    reason = forms.CharField(
        label="Why the adjustment is made",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the adjustment is made."},
    )

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        lines = run.lines.select_related("carer", "person").order_by("carer__last_name", "carer_id", "id")
        self.fields["line"].queryset = lines
        self.fields["line"].label_from_instance = lambda line: (
            f"Line {line.pk}: {line.carer.name}"
            + (f", {line.person.name}" if line.person_id else "")
            + f": {line.description} (£{line.total})"
        )
        # The carers with an arrangement during the run's period.
        self.fields["carer"].queryset = (
            Carer.objects.filter(
                Q(arrangements__end_date__isnull=True) | Q(arrangements__end_date__gt=run.period.lower),
                scheme_id=run.scheme_id,
                arrangements__start_date__lt=run.period.upper,
            )
            .distinct()
            .order_by("last_name", "first_name", "id")
        )
        self.fields["carer"].help_text = "Needed when the adjustment corrects no line."

    def clean(self):
        cleaned = super().clean()
        line, carer = cleaned.get("line"), cleaned.get("carer")
        if line is None and carer is None and not self.has_error("carer"):
            self.add_error("carer", "Choose the carer, or the line it corrects.")
        if line is not None and carer is not None and line.carer_id != carer.pk:
            self.add_error("carer", f"That line is for {line.carer.name}: choose them, or leave this blank.")
        if line is not None:
            cleaned["carer"] = line.carer
        amounts = [cleaned.get(name) for name in ("care_payment", "rent", "household_contribution")]
        if all(amount is not None for amount in amounts) and not any(amounts):
            self.add_error("care_payment", "Give the amount to add (or, with a minus sign, to take off).")
        return cleaned


class AbsenceForm(Form):
    reason = forms.ChoiceField(
        label="Why they are away",
        choices=[("", "Choose a reason")] + AbsenceReason.choices,
        error_messages={"required": "Choose why they are away."},
    )
    first_night = forms.DateField(
        label="First night away",
        widget=DateInput(),
        error_messages={"required": "Enter the first night they are away."},
    )
    back_on = forms.DateField(
        label="Back on",
        widget=DateInput(),
        help_text="The day they come back; their nights away run up to it.",
        error_messages={"required": "Enter the day they come back."},
    )
    note = forms.CharField(label="Note", max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        first, back = cleaned.get("first_night"), cleaned.get("back_on")
        if first and back and back <= first:
            self.add_error("back_on", "The day they come back must be after the first night away.")
        return cleaned


class AllocationPeriodForm(Form):
    starts_on = forms.DateField(label="From", widget=DateInput())
    ends_on = forms.DateField(label="To", widget=DateInput(), help_text="The last day, included.")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("starts_on"), cleaned.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", "The last day must be on or after the first.")
        if first and last and (last - first).days > 3660:
            self.add_error("ends_on", "Choose ten years or less.")
        return cleaned
