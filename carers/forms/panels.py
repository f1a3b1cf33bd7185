"""Forms for the approval pipeline and for panel meetings."""

from django import forms

from carers.models import Carer, CarerStatus, PanelMeeting, Recommendation
from sharedlives.forms import DateInput, Form, ModelForm, StaffChoiceField
from sharedlives.shortcuts import scheme_staff


class PipelineFilterForm(Form):
    coordinator = StaffChoiceField(queryset=None, required=False, empty_label="Anyone")

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = scheme_staff(scheme)

    @property
    def chosen_coordinator(self):
        """The coordinator chosen, or None for anyone (and for a bad choice,
        which the form reports next to the field)."""
        return self.cleaned_data.get("coordinator") if self.is_valid() else None


class PanelMeetingForm(ModelForm):
    class Meta:
        model = PanelMeeting
        fields = ["date", "location", "chair", "members", "notes"]
        widgets = {
            "date": DateInput(),
            "members": forms.Textarea(attrs={"rows": 5}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"members": "Panel members"}

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.scheme = scheme

    def clean_date(self):
        # The scheme is not a field of the form, so the model's unique
        # constraint on (scheme, date) is not checked by the form itself.
        date = self.cleaned_data["date"]
        taken = PanelMeeting.objects.filter(scheme=self.instance.scheme, date=date).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(self.date_taken_message(date))
        return date

    @staticmethod
    def date_taken_message(date) -> str:
        return f"There is already a panel meeting on {date:%-d %b %Y}. Choose another date, or edit that one."


class AddApplicantForm(Form):
    carer = forms.ModelChoiceField(
        queryset=None,
        label="Applicant ready for panel",
        empty_label="Choose an applicant",
        error_messages={"required": "Choose the applicant to add to the agenda."},
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["carer"]
        # Any household of the scheme is accepted, so that one moved on since
        # the page was opened is refused by the workflow, with its reason;
        # the list offers only those ready for panel.
        field.queryset = Carer.objects.filter(scheme=scheme)
        ready = Carer.objects.filter(scheme=scheme, status=CarerStatus.READY_FOR_PANEL).order_by(
            "last_name", "first_name", "id"
        )
        field.widget.choices = [("", field.empty_label)] + [(carer.pk, carer.name) for carer in ready]

    @property
    def has_applicants(self) -> bool:
        return len(self.fields["carer"].widget.choices) > 1


class RecommendationForm(Form):
    recommendation = forms.ChoiceField(
        label="The panel's recommendation",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the panel's recommendation."},
    )
    reasons = forms.CharField(
        label="The panel's reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the panel's reasons."},
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Needed for "approve with conditions".',
    )

    def clean(self):
        cleaned = super().clean()
        wants_conditions = cleaned.get("recommendation") == Recommendation.APPROVE_WITH_CONDITIONS
        if wants_conditions and not cleaned.get("conditions"):
            self.add_error("conditions", 'Say what the conditions are: "approve with conditions" needs them.')
        return cleaned
