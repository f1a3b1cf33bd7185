"""Short-break bookings and the weekly sessions of day support."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.html import format_html

from carers.models import Room
from placements.models import Arrangement, DaySession
from sharedlives.forms import DateInput, Form, ModelForm


class BookingForm(Form):
    """The nights of one short break. placements.services.book_short_break
    checks the room, the household's places and the carer's terms."""

    room = forms.ModelChoiceField(queryset=Room.objects.none(), label="Room", empty_label="Choose a room")
    arrives_on = forms.DateField(label="Arrives on", widget=DateInput())
    leaves_on = forms.DateField(
        label="Goes home on", widget=DateInput(), help_text="The nights booked run up to this day."
    )
    notes = forms.CharField(label="Notes", max_length=200, required=False)

    def __init__(self, *args, arrangement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(carer_id=arrangement.carer_id)
        # Help text is shown as HTML (crispy marks it safe): the name is escaped.
        self.fields["room"].help_text = format_html("{}'s rooms.", arrangement.carer.name)

    def clean(self):
        cleaned = super().clean()
        arrives, leaves = cleaned.get("arrives_on"), cleaned.get("leaves_on")
        if arrives and leaves and leaves <= arrives:
            self.add_error("leaves_on", "The day they go home must be after the day they arrive.")
        return cleaned


class DaySessionForm(ModelForm):
    class Meta:
        model = DaySession
        fields = ["weekday", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The session must end after it starts.")
        return cleaned


DaySessionFormSet = inlineformset_factory(
    Arrangement, DaySession, form=DaySessionForm, extra=1, can_delete=True
)
