from django import forms
from django.db.models import Q

from carers.models import Carer, CarerStatus
from people.models import Person
from placements.models import OPEN_STATUSES, Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind
from sharedlives.forms import DateInput, VersionedModelForm


class ArrangementForm(VersionedModelForm):
    class Meta:
        model = Arrangement
        fields = ["person", "carer", "kind", "status", "start_date", "end_date", "end_reason", "notes"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(scheme=scheme)
        self.fields["carer"].queryset = Carer.objects.filter(scheme=scheme)
        self.fields["carer"].label_from_instance = lambda carer: (
            f"{carer.name} ({carer.get_status_display()})"
        )
        self.fields["end_reason"].help_text = "Needed once the arrangement has ended."

    def clean(self):
        cleaned = super().clean()
        carer, status = cleaned.get("carer"), cleaned.get("status")
        if carer and status in OPEN_STATUSES and carer.status != CarerStatus.APPROVED:
            self.add_error(
                "carer",
                f"{carer.name} is not an approved carer ({carer.get_status_display().lower()}), "
                "so a planned or current arrangement cannot be made with them.",
            )
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            # Here as well as in the database: an upside-down date range makes
            # the live-in overlap check fail, which would report a clash that
            # is not there.
            self.add_error("end_date", "The end date must be on or after the start date.")
        if status == ArrangementStatus.ENDED:
            if not cleaned.get("end_date"):
                self.add_error("end_date", "Enter the date the arrangement ended.")
            if not cleaned.get("end_reason"):
                self.add_error("end_reason", "Choose why the arrangement ended.")
        return cleaned


class ArrangementFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="The person's or the carer's name.")
    kind = forms.ChoiceField(choices=[("", "Any kind")] + ArrangementKind.choices, required=False)
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
