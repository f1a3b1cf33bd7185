from django import forms
from django.forms import inlineformset_factory

from people.models import Contact, Person
from sharedlives.choices import NeedsGroup, PetKind
from sharedlives.forms import CommaSeparatedField, DateInput, VersionedModelForm
from sharedlives.shortcuts import scheme_staff
from sharedlives.validators import normalise_postcode, validate_not_in_future


class PersonForm(VersionedModelForm):
    needs_groups = forms.MultipleChoiceField(
        choices=NeedsGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    pets_to_avoid = forms.MultipleChoiceField(
        label="Animals to avoid",
        choices=PetKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Animals they are allergic to or afraid of.",
    )
    interests = CommaSeparatedField(
        required=False, help_text="In their words where you can. Separate with commas."
    )
    languages = CommaSeparatedField(
        required=False, help_text="Separate with commas, for example: English, BSL."
    )

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "needs_groups",
            "support_needs",
            "communication_needs",
            "interests",
            "languages",
            "faith",
            "wheelchair_user",
            "pets_to_avoid",
            "smoking_preference",
            "preferred_area",
            "postcode",
            "coordinator",
            "notes",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "support_needs": forms.Textarea(attrs={"rows": 3}),
            "communication_needs": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = scheme_staff(scheme)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        validate_not_in_future(born)
        return born

    # Longer than a postcode, so that "SW1A  1AA" is tidied, not refused.
    postcode = forms.CharField(max_length=12, required=False)

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"]
        return normalise_postcode(postcode) if postcode else ""


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="Name, area or postcode.")
    needs_group = forms.ChoiceField(choices=[("", "Any")] + NeedsGroup.choices, required=False)
    coordinator = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = scheme_staff(scheme)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = queryset.search(data["q"])
        if data["needs_group"]:
            queryset = queryset.filter(needs_groups__contains=[data["needs_group"]])
        if data["coordinator"]:
            queryset = queryset.filter(coordinator=data["coordinator"])
        return queryset


ContactFormSet = inlineformset_factory(
    Person,
    Contact,
    fields=["kind", "name", "relationship", "organisation", "phone", "email"],
    extra=1,
    can_delete=True,
)
