"""Forms for arrangements: planning one (and editing it), starting and
ending it. The status is never a field: starting and ending are steps of
their own (placements.services), with their guards."""

import datetime

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q

from carers.models import Carer, CarerStatus, Room
from people.models import Person
from placements.capacity import LEGAL_MAXIMUM, describe_full_nights, nights
from placements.models import (
    STAYING_KINDS,
    Arrangement,
    ArrangementStatus,
    EndReason,
    PaymentRate,
    RateKind,
)
from placements.services import OPEN_ENDED_HORIZON
from sharedlives.choices import ArrangementKind
from sharedlives.forms import DateInput, Form, VersionedModelForm

K = ArrangementKind

# The rates an arrangement of each kind may be paid by. A stay from
# hospital or in an emergency is paid weekly or by the night, as agreed.
RATE_KINDS = {
    K.LIVE_IN: (RateKind.LIVE_IN_WEEKLY,),
    K.SHORT_BREAKS: (RateKind.SHORT_BREAK_NIGHTLY,),
    K.DAY_SUPPORT: (RateKind.DAY_SUPPORT_SESSION,),
    K.HOME_FROM_HOSPITAL: (RateKind.LIVE_IN_WEEKLY, RateKind.SHORT_BREAK_NIGHTLY),
    K.EMERGENCY: (RateKind.LIVE_IN_WEEKLY, RateKind.SHORT_BREAK_NIGHTLY),
}


def _or_list(labels) -> str:
    labels = [str(label).lower() for label in labels]
    return " or ".join(labels)


class ArrangementForm(VersionedModelForm):
    """Plan an arrangement, or change one. Once it has started, who it is
    for, the carer and the kind are fixed (an arrangement with someone else
    is a new arrangement). ``referral``: the referral it is made from, which
    fixes the person and the kind and offers the carers proposed for it."""

    class Meta:
        model = Arrangement
        fields = [
            "person",
            "carer",
            "kind",
            "start_date",
            "end_date",
            "room",
            "payment_rate",
            "agreement_recorded_on",
            "licence_recorded_on",
            "weekly_rent",
            "notes",
        ]
        labels = {"start_date": "Planned start date", "end_date": "Planned end date"}
        help_texts = {
            "start_date": "The day the person is due to move in or the support to begin. "
            "The actual date is confirmed when the arrangement is started.",
            "end_date": "Leave blank if it has no planned end.",
            "payment_rate": "The scheme's rates for this kind of arrangement (managed in admin).",
            "room": "Live-in and other stays: the person's room. "
            "Short breaks choose a room for each booking.",
        }
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "agreement_recorded_on": DateInput(),
            "licence_recorded_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scheme, referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral or self.instance.referral
        self.started = self.instance.pk is not None and self.instance.status != ArrangementStatus.PLANNED
        fields = self.fields
        fields["person"].queryset = Person.objects.filter(scheme=scheme)
        fields["carer"].queryset = self._carers(scheme)
        fields["carer"].label_from_instance = lambda carer: f"{carer.name} ({carer.get_status_display()})"
        fields["room"].queryset = (
            Room.objects.filter(carer__scheme=scheme)
            .select_related("carer")
            .order_by("carer__last_name", "carer__first_name", "carer_id", "name")
        )
        fields["room"].label_from_instance = lambda room: f"{room.carer.name}: {room.name}"
        fields["room"].empty_label = "No room (not a stay)"
        fields["payment_rate"].queryset = PaymentRate.objects.filter(scheme=scheme)
        fields["payment_rate"].label_from_instance = lambda rate: f"{rate.name} ({rate.get_kind_display()})"
        fields["payment_rate"].empty_label = "Not yet agreed"
        fields["weekly_rent"].validators.append(MinValueValidator(0))
        fields["weekly_rent"].widget.attrs["min"] = 0
        fields["weekly_rent"].help_text = "Live-in only: from the licence agreement."
        if self.started:
            fields["start_date"].label = "Start date"
            fields["start_date"].help_text = "The day it started."
        if self.instance.status == ArrangementStatus.ENDED:
            fields["end_date"].label = "End date"
            fields["end_date"].help_text = "The day it ended."
        fixed = []
        if self.started:
            fixed = ["person", "carer", "kind"]
        elif self.referral is not None:
            fixed = ["person", "kind"]
        for name in fixed:
            fields[name].disabled = True
            fields[name].help_text = (
                "Fixed once the arrangement has started."
                if self.started
                else "From the referral this arrangement is made for."
            )
        if self.referral is not None and not self.started:
            fields["carer"].help_text = "The carers proposed for this referral."

    def _carers(self, scheme):
        carers = Carer.objects.filter(scheme=scheme)
        if self.referral is None or self.started:
            return carers
        proposed = Q(proposals__referral=self.referral)
        if self.instance.carer_id:
            proposed |= Q(pk=self.instance.carer_id)
        return carers.filter(proposed).distinct()

    # --- validation -------------------------------------------------------

    def _post_clean(self):
        # Django's check of the live-in exclusion constraint reads ``kind``
        # from its condition even when ``kind`` is left out for having an
        # error, and fails. With that error the form saves nothing anyway.
        if "kind" in self._errors:
            return
        super()._post_clean()

    def clean(self):
        cleaned = super().clean()
        self._check_referral()
        carer, kind = cleaned.get("carer"), cleaned.get("kind")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            # Here as well as in the database: an upside-down date range makes
            # the live-in overlap check fail, which would report a clash that
            # is not there.
            self.add_error("end_date", "The end date must be on or after the start date.")
        if self.instance.status == ArrangementStatus.ENDED and "end_date" in cleaned and not end:
            self.add_error("end_date", "Enter the date the arrangement ended.")
        if carer:
            self._check_carer(carer)
        if kind:
            self._check_kind_details(cleaned, kind, carer)
        if self.started:
            self._check_agreements(cleaned, kind)
        if carer and kind in STAYING_KINDS and start and not self.errors:
            self._check_capacity(carer, start, end)
        return cleaned

    def _check_referral(self):
        referral = self.referral
        if referral is None or self.instance.pk:
            return
        if not referral.is_open:
            self.add_error(
                None,
                f"This referral is closed ({referral.get_stage_display().lower()}), "
                "so an arrangement cannot be made from it.",
            )
        elif Arrangement.objects.filter(referral=referral).exists():
            self.add_error(None, "An arrangement has already been made from this referral.")

    def _check_carer(self, carer):
        changed = self.instance.carer_id != carer.pk
        if changed and carer.status != CarerStatus.APPROVED:
            self.add_error(
                "carer",
                f"{carer.name} is not an approved carer ({carer.get_status_display().lower()}), "
                "so an arrangement cannot be planned with them.",
            )
        if changed and self.instance.pk and self.instance.bookings.exists():
            self.add_error(
                "carer",
                f"This arrangement has short breaks booked with {self.instance.carer.name}: "
                "plan a new arrangement with the other carer instead.",
            )

    def _check_kind_details(self, cleaned, kind, carer):
        room, rate = cleaned.get("room"), cleaned.get("payment_rate")
        if room is not None:
            if kind not in STAYING_KINDS:
                self.add_error(
                    "room",
                    "Only live-in and other stays have a room here; "
                    "short breaks choose a room for each booking.",
                )
            elif carer and room.carer_id != carer.pk:
                self.add_error(
                    "room",
                    f"{room.name} is one of {room.carer.name}'s rooms: choose one of {carer.name}'s.",
                )
        if rate is not None and rate.kind not in RATE_KINDS[kind]:
            self.add_error(
                "payment_rate",
                f"{rate.name} is a {rate.get_kind_display().lower()}; "
                f"{K(kind).label.lower()} is paid by a "
                f"{_or_list(RateKind(k).label for k in RATE_KINDS[kind])}.",
            )
        if kind != K.LIVE_IN:
            for name in ("licence_recorded_on", "weekly_rent"):
                if cleaned.get(name) is not None:
                    self.add_error(name, "Only a live-in arrangement has a licence agreement and rent.")
        if (
            kind != K.SHORT_BREAKS
            and self.instance.pk
            and self.instance.kind == K.SHORT_BREAKS
            and self.instance.bookings.booked().exists()
        ):
            self.add_error("kind", "This arrangement has short breaks booked: cancel them first.")

    def _check_agreements(self, cleaned, kind):
        """A started arrangement keeps its agreements (as the database insists)."""
        if "agreement_recorded_on" in cleaned and not cleaned.get("agreement_recorded_on"):
            self.add_error("agreement_recorded_on", "Record the date the arrangement agreement was signed.")
        if kind == K.LIVE_IN:
            if "licence_recorded_on" in cleaned and not cleaned.get("licence_recorded_on"):
                self.add_error("licence_recorded_on", "A live-in arrangement needs its licence agreement.")
            if "weekly_rent" in cleaned and cleaned.get("weekly_rent") is None:
                self.add_error("weekly_rent", "A live-in arrangement needs its weekly rent.")

    def _check_capacity(self, carer, start, end):
        """The database refuses a stay that takes the household over its
        number; say so next to the dates first. Where no terms are in force
        the database allows the legal maximum (starting checks the terms)."""
        last = (end - datetime.timedelta(days=1)) if end else start + OPEN_ENDED_HORIZON
        exclude = self.instance if self.instance.pk else None
        full = []
        for night in nights(carer, start, max(last, start), exclude_arrangement=exclude):
            allowed = night.allowed or LEGAL_MAXIMUM
            if night.people + 1 > allowed:
                night.allowed = allowed
                full.append(night)
        if full:
            self.add_error("start_date", describe_full_nights(carer, full))


class ArrangementFilterForm(Form):
    q = forms.CharField(label="Search", required=False, help_text="The person's or the carer's name.")
    kind = forms.ChoiceField(choices=[("", "Any kind")] + K.choices, required=False)
    status = forms.ChoiceField(
        choices=[("", "Planned or current")] + ArrangementStatus.choices + [("all", "All")], required=False
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.open()
        data = self.cleaned_data
        if data["q"]:
            people = Person.objects.search(data["q"]).values("pk")
            carers = Carer.objects.search(data["q"]).values("pk")
            queryset = queryset.filter(Q(person__in=people) | Q(carer__in=carers))
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["status"] == "all":
            return queryset
        if data["status"]:
            return queryset.filter(status=data["status"])
        return queryset.open()


class StartForm(Form):
    start_date = forms.DateField(
        label="Start date",
        widget=DateInput(),
        help_text="The day the person moved in or the support began.",
    )


class EndForm(Form):
    end_date = forms.DateField(
        label="End date", widget=DateInput(), help_text="The last day of the arrangement."
    )
    reason = forms.ChoiceField(
        label="Why it is ending",
        choices=[("", "Choose a reason")] + EndReason.choices,
        help_text="If the person has died, CQC must be notified without delay.",
    )
    note = forms.CharField(
        label="About the ending",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened, and where the person is going if they are moving.",
    )

    def __init__(self, *args, arrangement, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrangement = arrangement
        self.fields["reason"].error_messages["required"] = "Choose why the arrangement is ending."
        self.fields["end_date"].error_messages["required"] = "Enter the date the arrangement ends."

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        start = self.arrangement.start_date
        if end < start:
            raise forms.ValidationError(
                f"The end date must be on or after the start date ({start:%-d %b %Y})."
            )
        return end
