"""Forms for incidents, their CQC notifications, and compliments and
complaints. The steps (recording, closing, marking a notification sent) go
through placements.incidents, which checks the same rules again."""

from django import forms
from django.utils import timezone

from carers.models import Carer
from people.models import Person
from placements.incidents import INCIDENT_FIELDS
from placements.models import (
    ComplaintOutcome,
    Feedback,
    FeedbackKind,
    Incident,
    IncidentCategory,
    NotifiableEvent,
)
from sharedlives.forms import DateInput, Form, VersionedModelForm

STATUS_CHOICES = [("", "Open"), ("closed", "Closed"), ("all", "Open or closed")]


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _people_and_carers(form, scheme):
    fields = form.fields
    fields["person"].queryset = Person.objects.filter(scheme=scheme).order_by("last_name", "first_name")
    fields["person"].empty_label = "No one supported by the scheme"
    fields["carer"].queryset = Carer.objects.filter(scheme=scheme).order_by("last_name", "first_name")
    fields["carer"].label_from_instance = lambda carer: carer.name
    fields["carer"].empty_label = "No carer"


def _not_in_future(day, message):
    if day and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class IncidentForm(VersionedModelForm):
    notifiable_events = forms.MultipleChoiceField(
        label="Did any of these happen?",
        choices=NotifiableEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="CQC must be notified without delay of each one. A safeguarding concern is always "
        "treated as an allegation of abuse, and police involvement as a police matter.",
    )

    class Meta:
        model = Incident
        fields = list(INCIDENT_FIELDS)
        labels = {"category": "Kind of incident", "person": "The person", "carer": "Carer"}
        help_texts = {
            "occurred_at": "As near as you know.",
            "person": "The person it happened to or who was involved, if anyone.",
            "carer": "The carer involved, if any. With the person, this links the arrangement.",
        }
        widgets = {
            "occurred_at": DateTimeInput(),
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        _people_and_carers(self, scheme)
        self.fields["category"].choices = [("", "Choose the kind")] + IncidentCategory.choices
        self.fields["category"].error_messages["required"] = "Choose the kind of incident."
        self.fields["occurred_at"].error_messages["required"] = "Enter the date and time it happened."
        self.fields["what_happened"].error_messages["required"] = "Say what happened."

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now():
            raise forms.ValidationError("The date and time it happened cannot be in the future.")
        return occurred_at


class CloseIncidentForm(Form):
    closed_on = forms.DateField(label="Closed on", widget=DateInput())
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How it ended: what was found, what changed, who was told.",
        error_messages={"required": "Record the outcome before closing the incident."},
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.fields["closed_on"].initial = timezone.localdate()
        self.fields["closed_on"].error_messages["required"] = "Enter the date it was closed."

    def clean_closed_on(self):
        closed_on = _not_in_future(
            self.cleaned_data["closed_on"], "The date it was closed cannot be in the future."
        )
        happened = timezone.localtime(self.incident.occurred_at).date()
        if closed_on < happened:
            raise forms.ValidationError(
                f"The date it was closed cannot be before it happened ({happened:%-d %b %Y})."
            )
        return closed_on


class NotificationSentForm(Form):
    sent_on = forms.DateField(
        label="Sent to CQC on",
        widget=DateInput(),
        error_messages={"required": "Enter the date it was sent."},
    )
    reference = forms.CharField(
        label="CQC's reference",
        max_length=50,
        help_text="From CQC's acknowledgement.",
        error_messages={"required": "Record CQC's reference for the notification."},
    )

    def __init__(self, *args, notification, **kwargs):
        kwargs.setdefault("prefix", f"sent-{notification.incident_id}")
        super().__init__(*args, **kwargs)
        self.notification = notification
        self.fields["sent_on"].initial = timezone.localdate()

    def clean_sent_on(self):
        sent_on = _not_in_future(
            self.cleaned_data["sent_on"], "The date it was sent cannot be in the future."
        )
        known = timezone.localtime(self.notification.due_from).date()
        if sent_on < known:
            raise forms.ValidationError(
                f"The date it was sent cannot be before the incident was known ({known:%-d %b %Y})."
            )
        return sent_on


class IncidentFilterForm(Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    category = forms.ChoiceField(
        label="Kind", choices=[("", "Any kind")] + IncidentCategory.choices, required=False
    )
    notification = forms.ChoiceField(
        label="CQC notification",
        choices=[
            ("", "Needed or not"),
            ("needed", "Needs a notification"),
            ("to_send", "Notification to send"),
            ("sent", "Notification sent"),
            ("none", "No notification needed"),
        ],
        required=False,
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    carer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.filter(closed_on__isnull=True)
        data = self.cleaned_data
        if data["status"] == "closed":
            queryset = queryset.filter(closed_on__isnull=False)
        elif data["status"] != "all":
            queryset = queryset.filter(closed_on__isnull=True)
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        notification = {
            "needed": {"notification__isnull": False},
            "to_send": {"notification__isnull": False, "notification__sent_on__isnull": True},
            "sent": {"notification__sent_on__isnull": False},
            "none": {"notification__isnull": True},
        }.get(data["notification"])
        if notification:
            queryset = queryset.filter(**notification)
        for name in ("person", "carer"):
            if data[name]:
                queryset = queryset.filter(**{f"{name}_id": data[name]})
        return queryset


# Compliments and complaints -------------------------------------------------


class FeedbackForm(VersionedModelForm):
    class Meta:
        model = Feedback
        fields = ["kind", "received_on", "from_whom", "person", "carer", "summary", "response"]
        labels = {"kind": "Compliment or complaint", "person": "About the person", "carer": "About the carer"}
        help_texts = {"response": "What we have done so far, if anything."}
        widgets = {
            "kind": forms.RadioSelect,
            "received_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "response": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        _people_and_carers(self, scheme)
        self.fields["person"].empty_label = "Not about one person"
        self.fields["carer"].empty_label = "Not about one carer"
        self.fields["kind"].choices = FeedbackKind.choices
        self.fields["kind"].error_messages["required"] = "Choose whether it is a compliment or a complaint."
        self.fields["received_on"].error_messages["required"] = "Enter the date it was received."
        self.fields["from_whom"].error_messages["required"] = "Say who it is from."
        self.fields["summary"].error_messages["required"] = "Say what they said."
        if self.instance.closed_on:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "Fixed once it is closed."

    def clean_received_on(self):
        return _not_in_future(
            self.cleaned_data["received_on"], "The date it was received cannot be in the future."
        )


class CloseFeedbackForm(Form):
    closed_on = forms.DateField(label="Closed on", widget=DateInput())
    response = forms.CharField(label="What we did", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose the outcome")] + ComplaintOutcome.choices,
        error_messages={"required": "Record the complaint's outcome before closing it."},
    )

    def __init__(self, *args, feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.feedback = feedback
        self.fields["closed_on"].initial = timezone.localdate()
        self.fields["closed_on"].error_messages["required"] = "Enter the date it was closed."
        self.fields["response"].initial = feedback.response
        if feedback.kind == FeedbackKind.COMPLAINT:
            self.fields["response"].required = True
            self.fields["response"].error_messages["required"] = "Say what we did about the complaint."
        else:
            del self.fields["outcome"]
            self.fields["response"].help_text = "How we thanked them or passed it on, if we did."

    def clean_closed_on(self):
        closed_on = _not_in_future(
            self.cleaned_data["closed_on"], "The date it was closed cannot be in the future."
        )
        received = self.feedback.received_on
        if closed_on < received:
            raise forms.ValidationError(
                f"The date it was closed cannot be before it was received ({received:%-d %b %Y})."
            )
        return closed_on


class FeedbackFilterForm(Form):
    kind = forms.ChoiceField(
        choices=[("", "Compliments and complaints")] + FeedbackKind.choices, required=False
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.filter(closed_on__isnull=True)
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["status"] == "closed":
            return queryset.filter(closed_on__isnull=False)
        if data["status"] == "all":
            return queryset
        return queryset.filter(closed_on__isnull=True)
