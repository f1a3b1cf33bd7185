from django import forms
from django.forms import inlineformset_factory

from carers.models import Carer, CarerStatus, HouseholdMember, Pet, Room
from sharedlives.forms import (
    CommaSeparatedField,
    DateInput,
    Form,
    ModelForm,
    StaffChoiceField,
    VersionedModelForm,
)
from sharedlives.legal_hold import LEGAL_HOLD_FIELDS, LegalHoldMixin
from sharedlives.shortcuts import scheme_staff
from sharedlives.validators import normalise_postcode, validate_not_in_future


class CarerForm(LegalHoldMixin, VersionedModelForm):
    languages = CommaSeparatedField(
        required=False, help_text="Separate with commas, for example: English, Urdu."
    )
    interests = CommaSeparatedField(
        required=False, help_text="Separate with commas, for example: gardening, football, music."
    )

    class Meta:
        model = Carer
        fields = [
            "first_name",
            "last_name",
            "joint_first_name",
            "joint_last_name",
            "email",
            "phone",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "latitude",
            "longitude",
            "coordinator",
            "smoking",
            "languages",
            "faith",
            "interests",
            "how_heard",
            "new_to_care",
            "will_drive_people",
            "notes",
            *LEGAL_HOLD_FIELDS,  # the registered manager's only
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"coordinator": StaffChoiceField}

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = scheme_staff(scheme)

    # Longer than a postcode, so that "SW1A  1AA" is tidied, not refused.
    postcode = forms.CharField(max_length=12)

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("joint_first_name") and not cleaned.get("joint_last_name"):
            self.add_error("joint_last_name", "Enter the joint carer's last name too.")
        if cleaned.get("joint_last_name") and not cleaned.get("joint_first_name"):
            self.add_error("joint_first_name", "Enter the joint carer's first name too.")
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", "Enter both latitude and longitude, or neither.")
        return cleaned


class CarerFilterForm(Form):
    q = forms.CharField(label="Search", required=False, help_text="Name, town or postcode.")
    status = forms.ChoiceField(choices=[("", "Any stage")] + CarerStatus.choices, required=False)
    coordinator = StaffChoiceField(queryset=None, required=False, empty_label="Anyone")

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = scheme_staff(scheme)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = queryset.search(data["q"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["coordinator"]:
            queryset = queryset.filter(coordinator=data["coordinator"])
        return queryset


class HouseholdMemberForm(ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["name", "relationship", "date_of_birth"]
        widgets = {"date_of_birth": DateInput()}

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        validate_not_in_future(born)
        return born


HouseholdMemberFormSet = inlineformset_factory(
    Carer, HouseholdMember, form=HouseholdMemberForm, extra=1, can_delete=True
)
PetFormSet = inlineformset_factory(
    Carer, Pet, form=ModelForm, fields=["kind", "name", "notes"], extra=1, can_delete=True
)
RoomFormSet = inlineformset_factory(
    Carer,
    Room,
    form=ModelForm,
    fields=["name", "ground_floor", "step_free", "own_bathroom", "notes"],
    extra=1,
    can_delete=True,
)
