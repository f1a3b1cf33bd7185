"""Recording an arrangement's review (with the actions it agrees) and a
monitoring visit. The services in placements.monitoring check the same
rules again and say why in words; these forms put the message next to the
field and keep what was typed."""

import datetime

from django import forms
from django.utils import timezone

from placements.models import Attendee, Involvement, MonitoringSettings
from placements.monitoring import VIEWS_NEEDED, AgreedAction, latest_next_review
from sharedlives.forms import DateInput, Form


def _text(label, rows=3, **kwargs):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ReviewForm(Form):
    """A review of an arrangement. The next review is proposed at the latest
    the scheme allows after today; left blank, it is that long after the
    day the review was held."""

    held_on = forms.DateField(
        label="Held on",
        widget=DateInput(),
        error_messages={"required": "Enter the date the review was held."},
    )
    attendees = forms.MultipleChoiceField(
        label="Who attended",
        choices=Attendee.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick everyone who attended the review."},
    )
    other_attendees = forms.CharField(
        label="Names of those who attended",
        max_length=300,
        required=False,
        help_text="For example: Sam (brother), Priya Shah (social worker).",
    )
    involvement = forms.ChoiceField(
        label="How the person took part",
        choices=Involvement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how the person took part."},
    )
    person_views = forms.CharField(
        label="The person's own views, in their own words",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Write what they said, as they said it. If they chose not to say anything, write "
        "“Did not wish to comment”: that is an answer, a blank is not.",
        error_messages={"required": VIEWS_NEEDED},
    )
    carer_views = _text("The carer's views")
    working = _text("What is working")
    not_working = _text("What is not working")
    outcomes = _text("Outcomes and goals", help_text="What the person wants to achieve, and how.")
    next_review_on = forms.DateField(label="Next review due on", widget=DateInput(), required=False)

    def __init__(self, *args, person, settings: MonitoringSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings
        self.fields["involvement"].label = f"How {person.name} took part"
        self.fields["person_views"].label = f"{person.name}'s own views, in their own words"
        today = timezone.localdate()
        months = settings.review_every_months
        self.fields["held_on"].initial = today
        self.fields["next_review_on"].initial = latest_next_review(today, settings)
        self.fields["next_review_on"].help_text = (
            f"No later than {months} month{'s' if months != 1 else ''} after the review. "
            "Leave blank for exactly that."
        )

    def clean_held_on(self) -> datetime.date:
        held = self.cleaned_data["held_on"]
        if held > timezone.localdate():
            raise forms.ValidationError(
                "A review is recorded once it has been held: this date is in the future."
            )
        return held

    def clean(self):
        cleaned = super().clean()
        held, following = cleaned.get("held_on"), cleaned.get("next_review_on")
        if held and following:
            latest = latest_next_review(held, self.settings)
            if following <= held:
                self.add_error("next_review_on", "The next review must be after this one.")
            elif following > latest:
                self.add_error("next_review_on", f"The next review must be no later than {latest:%-d %b %Y}.")
        return cleaned


class ActionForm(Form):
    """One action agreed at the review. A row left blank is ignored; a row
    begun needs all three."""

    what = forms.CharField(label="What", max_length=300, required=False)
    who = forms.CharField(label="Who", max_length=200, required=False, help_text="A name or a role.")
    due_on = forms.DateField(label="By when", widget=DateInput(), required=False)

    MISSING = {
        "what": "Say what is to be done.",
        "who": "Say who will do it.",
        "due_on": "Say by when it is to be done.",
    }

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in self.MISSING) or self.errors:
            for name, message in self.MISSING.items():
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def agreed(self) -> AgreedAction | None:
        """The action, or None for a row left blank."""
        data = self.cleaned_data
        if not data.get("what"):
            return None
        return AgreedAction(what=data["what"], who=data["who"], due_on=data["due_on"])


ActionFormSet = forms.formset_factory(ActionForm, extra=3)


class VisitForm(Form):
    """A monitoring visit that was held."""

    held_on = forms.DateField(
        label="Held on", widget=DateInput(), error_messages={"required": "Enter the date of the visit."}
    )
    saw_the_person = forms.TypedChoiceField(
        label="Did you see the person?",
        choices=[("yes", "Yes"), ("no", "No, only the carer")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Say whether you saw the person."},
    )
    notes = forms.CharField(
        label="How things are",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you saw and heard, and anything to follow up.",
        error_messages={"required": "Say how things are."},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["saw_the_person"].label = f"Did you see {person.name}?"

    def clean_held_on(self) -> datetime.date:
        held = self.cleaned_data["held_on"]
        if held > timezone.localdate():
            raise forms.ValidationError(
                "A visit is recorded once it has been held: this date is in the future."
            )
        return held
