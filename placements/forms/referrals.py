"""Forms for referrals: the list's filters, the referral itself with the
stays or sessions wanted, and the small forms of the referral page (an
answer to a proposal, an introduction planned or recorded)."""

from django import forms
from django.core.validators import MinValueValidator
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.forms import inlineformset_factory
from django.utils import timezone

from people.models import Person
from placements import services
from placements.models import (
    CLOSED_REFERRAL_STAGES,
    OPEN_REFERRAL_STAGES,
    Answer,
    Introduction,
    IntroductionKind,
    IntroductionStatus,
    Referral,
    ReferralStage,
    WantedSession,
    WantedStay,
)
from sharedlives.choices import ArrangementKind
from sharedlives.forms import DateInput, Form, ModelForm, StaffChoiceField, VersionedModelForm
from sharedlives.shortcuts import scheme_staff, staff_choices
from sharedlives.validators import validate_not_in_future
from sharedlives.widgets import LongSelect
from sharedlives.workflow import WorkflowRefused

# Shared Lives in England supports adults from the age of 16.
MINIMUM_AGE = 16
OPEN, CLOSED, ALL, MINE = "open", "closed", "all", "mine"


class TimeInput(forms.TimeInput):
    """The browser's own time picker."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class ReferralFilterForm(Form):
    q = forms.CharField(label="Search", required=False, help_text="The person's name.")
    stage = forms.ChoiceField(
        choices=[(OPEN, "Open (being worked on)"), (CLOSED, "Closed")]
        + ReferralStage.choices
        + [(ALL, "All")],
        required=False,
        initial=OPEN,
    )
    kind = forms.ChoiceField(
        label="Kind of arrangement", choices=[("", "Any kind")] + ArrangementKind.choices, required=False
    )
    coordinator = forms.ChoiceField(required=False, widget=LongSelect)

    def __init__(self, *args, scheme, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["coordinator"].choices = [("", "Anyone"), (MINE, "Mine"), *staff_choices(scheme)]

    def _data(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "stage": OPEN, "kind": "", "coordinator": ""}
        return self.cleaned_data

    def filter_by_kind_and_coordinator(self, queryset):
        data = self._data()
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["coordinator"] == MINE:
            queryset = queryset.filter(coordinator=self.user)
        elif data["coordinator"]:
            queryset = queryset.filter(coordinator_id=data["coordinator"])
        return queryset

    def filter(self, queryset):
        data = self._data()
        queryset = self.filter_by_kind_and_coordinator(queryset)
        if data["q"]:
            queryset = queryset.filter(person__in=Person.objects.search(data["q"]).values("pk"))
        stage = data["stage"] or OPEN
        if stage == OPEN:
            return queryset.filter(stage__in=OPEN_REFERRAL_STAGES)
        if stage == CLOSED:
            return queryset.filter(stage__in=CLOSED_REFERRAL_STAGES)
        if stage == ALL:
            return queryset
        return queryset.filter(stage=stage)

    def query_without_stage(self) -> str:
        """The filters other than the stage, for the links of the counts."""
        data = self._data()
        query = [f"{name}={data[name]}" for name in ("kind", "coordinator") if data[name]]
        return "&".join(query)


def _money(field):
    field.validators.append(MinValueValidator(0))
    field.widget.attrs.update(min="0", step="0.01")


class ReferralForm(VersionedModelForm):
    """A referral's facts. Its stage is not here: it moves only through
    ``placements.services.move_referral``."""

    FIELDSETS = [
        ("The referral", ["person", "kind", "received_on", "coordinator"]),
        (
            "Who referred",
            ["source", "referrer_name", "referrer_organisation", "referrer_phone", "referrer_email"],
        ),
        ("When it is wanted", ["wanted_from", "wanted_until"]),
        ("Needs and risks", ["needs_summary", "risks", "assessment_visit_on", "max_distance_miles"]),
        ("Who pays", ["funder", "indicative_allocation", "agreed_amount"]),
        ("Notes", ["notes"]),
    ]

    class Meta:
        model = Referral
        field_classes = {"coordinator": StaffChoiceField}
        fields = [
            "person",
            "kind",
            "received_on",
            "coordinator",
            "source",
            "referrer_name",
            "referrer_organisation",
            "referrer_phone",
            "referrer_email",
            "wanted_from",
            "wanted_until",
            "needs_summary",
            "risks",
            "assessment_visit_on",
            "max_distance_miles",
            "funder",
            "indicative_allocation",
            "agreed_amount",
            "notes",
        ]
        widgets = {
            "received_on": DateInput(),
            "wanted_from": DateInput(),
            "wanted_until": DateInput(),
            "assessment_visit_on": DateInput(),
            "needs_summary": forms.Textarea(attrs={"rows": 4}),
            "risks": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": "Short breaks: give the stays wanted below. Day support: give the days and hours.",
            "wanted_from": "For live-in and the other kinds: when the person would like it to start.",
            "risks": "From the risk assessment, and how they are managed. Write “none known” if none.",
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["person"].queryset = Person.objects.filter(scheme=scheme)
        else:
            # A referral stays with the person it was made for.
            del self.fields["person"]
        self.fields["coordinator"].queryset = scheme_staff(scheme)
        self.fields["funder"].label = "Who pays"
        _money(self.fields["indicative_allocation"])
        _money(self.fields["agreed_amount"])
        self.fields["max_distance_miles"].validators.append(MinValueValidator(1))
        self.fields["max_distance_miles"].widget.attrs.update(min="1", max="500")

    def fieldsets(self):
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        validate_not_in_future(received_on)
        return received_on

    def clean_assessment_visit_on(self):
        visit = self.cleaned_data["assessment_visit_on"]
        validate_not_in_future(visit)
        return visit

    def clean_max_distance_miles(self):
        miles = self.cleaned_data["max_distance_miles"]
        if miles is not None and miles > 500:
            raise forms.ValidationError("Give a distance of 500 miles or less.")
        return miles

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person") if "person" in self.fields else self.instance.person
        received_on, kind = cleaned.get("received_on"), cleaned.get("kind")
        if person and received_on and person.age_on(received_on) < MINIMUM_AGE:
            where = "person" if "person" in self.fields else "received_on"
            self.add_error(
                where,
                f"{person} was {person.age_on(received_on)} on {received_on:%-d %b %Y}: "
                f"Shared Lives supports people aged {MINIMUM_AGE} or over.",
            )
        start, until = cleaned.get("wanted_from"), cleaned.get("wanted_until")
        if start and until and until < start:
            self.add_error("wanted_until", "The end date must be on or after the date it is wanted from.")
        visit = cleaned.get("assessment_visit_on")
        if visit and received_on and visit < received_on:
            self.add_error(
                "assessment_visit_on", "The assessment visit cannot be before the referral came in."
            )
        if self.instance.pk is not None and self.instance.is_open and kind and kind != self.instance.kind:
            others = Referral.objects.open().filter(person=person, kind=kind).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "kind",
                    f"{person} already has an open referral for {ArrangementKind(kind).label.lower()}.",
                )
        return cleaned


class WantedStayForm(ModelForm):
    """A stay wanted, as the day they arrive and the day they go home."""

    arrives_on = forms.DateField(label="Arrives on", widget=DateInput())
    leaves_on = forms.DateField(label="Goes home on", widget=DateInput())

    class Meta:
        model = WantedStay
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        dates = self.instance.dates
        if dates:
            self.initial.setdefault("arrives_on", dates.lower)
            self.initial.setdefault("leaves_on", dates.upper)

    def clean(self):
        cleaned = super().clean()
        arrives, leaves = cleaned.get("arrives_on"), cleaned.get("leaves_on")
        if arrives and leaves:
            if leaves <= arrives:
                self.add_error("leaves_on", "The day they go home must be after the day they arrive.")
            else:
                self.instance.dates = DateRange(arrives, leaves, "[)")
        return cleaned


class WantedSessionForm(ModelForm):
    class Meta:
        model = WantedSession
        fields = ["weekday", "starts_at", "ends_at"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The session must end after it starts.")
        return cleaned


WantedStayFormSet = inlineformset_factory(
    Referral, WantedStay, form=WantedStayForm, fields=[], extra=1, can_delete=True
)
WantedSessionFormSet = inlineformset_factory(
    Referral, WantedSession, form=WantedSessionForm, extra=1, can_delete=True
)


def wanted_formsets(data, referral) -> list:
    return [
        WantedStayFormSet(data, instance=referral, prefix="stays"),
        WantedSessionFormSet(data, instance=referral, prefix="sessions"),
    ]


def receive_with_wanted_dates(form: ReferralForm, formsets: list, membership) -> bool:
    """Record a new referral (through ``services.receive_referral``) and the
    stays or sessions wanted, all or nothing. A refusal is put on the form."""
    try:
        with transaction.atomic():
            services.receive_referral(referral=form.save(commit=False), membership=membership)
            for formset in formsets:
                formset.save()
    except WorkflowRefused as refused:
        form.instance.pk = None
        for reason in refused.reasons:
            form.add_error("kind", reason)
        return False
    return True


def save_with_wanted_dates(form: ReferralForm, formsets: list) -> bool:
    """Save an edited referral and its stays or sessions as one change, unless
    someone else saved the referral since it was opened."""
    with transaction.atomic():
        if not form.save_versioned():
            return False
        for formset in formsets:
            formset.save()
    return True


# --- The referral page's own small forms ---


class AnswerForm(Form):
    """The person's or the carer's answer to a proposal."""

    answer = forms.ChoiceField(choices=Answer.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for “not interested”.",
    )
    answered_on = forms.DateField(label="Answered on", widget=DateInput())

    def __init__(self, *args, side, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        self.fields["answered_on"].initial = timezone.localdate()

    def clean_answered_on(self):
        answered_on = self.cleaned_data["answered_on"]
        validate_not_in_future(answered_on)
        return answered_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == Answer.NOT_INTERESTED and not cleaned.get("reason", "").strip():
            who = "the person" if self.side == "person" else "the carer"
            self.add_error("reason", f"Say why {who} is not interested.")
        return cleaned


class PlanIntroductionForm(ModelForm):
    class Meta:
        model = Introduction
        fields = ["kind", "planned_for", "notes"]
        labels = {"kind": "Kind of visit"}
        widgets = {"planned_for": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = IntroductionKind.choices


class RecordIntroductionForm(Form):
    """A planned visit: held (and how it went for each of them) or cancelled."""

    status = forms.ChoiceField(
        label="What happened",
        choices=[
            (IntroductionStatus.HELD, "It was held"),
            (IntroductionStatus.CANCELLED, "It was cancelled"),
        ],
        widget=forms.RadioSelect,
    )
    for_person = forms.CharField(
        label="How it went for the person",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="In their words if you can.",
    )
    for_carer = forms.CharField(
        label="How it went for the carer", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == IntroductionStatus.HELD:
            if not cleaned.get("for_person", "").strip():
                self.add_error("for_person", "Say how the visit went for the person.")
            if not cleaned.get("for_carer", "").strip():
                self.add_error("for_carer", "Say how the visit went for the carer.")
        return cleaned
