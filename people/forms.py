import datetime
import math

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import inlineformset_factory
from django.utils import timezone

from people.models import Contact, OnePageProfile, Person
from sharedlives.choices import NeedsGroup, PetKind
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


class PersonForm(LegalHoldMixin, VersionedModelForm):
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
        field_classes = {"coordinator": StaffChoiceField}
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
            *LEGAL_HOLD_FIELDS,  # the registered manager's only
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


class PersonFilterForm(Form):
    q = forms.CharField(label="Search", required=False, help_text="Name, area or postcode.")
    needs_group = forms.ChoiceField(choices=[("", "Any")] + NeedsGroup.choices, required=False)
    coordinator = StaffChoiceField(queryset=None, required=False, empty_label="Anyone")

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
    form=ModelForm,
    fields=["kind", "name", "relationship", "organisation", "phone", "email"],
    extra=1,
    can_delete=True,
)


# The printed profile (12pt on A4, 15mm margins) has room for about this many
# lines in each of its three parts, of about this many characters each.
PROFILE_LINES_PER_PART = 10
CHARACTERS_PER_PRINTED_LINE = 80
PROFILE_PARTS = list(OnePageProfile.PARTS)


def printed_lines(text: str) -> int:
    """About how many lines ``text`` takes on the printed profile: every line
    typed takes one, and a long one wraps every 80 characters or so."""
    return sum(max(1, math.ceil(len(line) / CHARACTERS_PER_PRINTED_LINE)) for line in text.splitlines())


def validate_fits_its_part_of_the_page(text: str) -> None:
    lines = printed_lines(text)
    if lines > PROFILE_LINES_PER_PART:
        raise ValidationError(
            f"This would take about {lines} lines on the printed page, and each part has room for "
            f"{PROFILE_LINES_PER_PART}: shorten it so that the profile fits on one sheet of A4.",
            code="too_long_to_print",
        )


class OnePageProfileForm(VersionedModelForm):
    """The person's one-page profile. A new one is created on its first save."""

    class Meta:
        model = OnePageProfile
        fields = PROFILE_PARTS + ["written_with", "written_on"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in PROFILE_PARTS} | {
            "written_on": DateInput()
        }
        help_texts = {
            "like_and_admire": "Their good qualities and gifts, as the people who know them would say.",
            "important_to_me": "People, places, routines and things that matter to them, as they say it.",
            "how_to_support_me": "What helps and what does not: how they communicate, what to do if upset.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        room = f" Room for about {PROFILE_LINES_PER_PART} printed lines."
        for name in PROFILE_PARTS:
            field = self.fields[name]
            field.help_text += room
            field.validators.append(validate_fits_its_part_of_the_page)
        if self.instance.pk is None:
            # Opened before there was a profile: if someone else writes one
            # before this form is saved, it is refused like any stale edit.
            self.fields["version"].initial = None
            self.initial["written_on"] = timezone.localdate()

    def clean_written_on(self):
        written_on = self.cleaned_data["written_on"]
        validate_not_in_future(written_on)
        if written_on and written_on <= datetime.date(2000, 1, 1):
            raise ValidationError("Check the date: it is before 2000.", code="implausible_date")
        return written_on

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not any(cleaned.get(name) for name in PROFILE_PARTS):
            raise ValidationError("Write at least one of the three parts with them.", code="empty_profile")
        return cleaned

    def save_versioned(self, **set_on_create) -> bool:
        if self.instance.pk is not None:
            return super().save_versioned(**set_on_create)
        with transaction.atomic():
            # Two first saves at once are taken one after the other: the
            # second finds the profile the first wrote, and is refused.
            Person.objects.select_for_update().values_list("pk", flat=True).get(pk=self.instance.person_id)
            written = OnePageProfile.objects.filter(person_id=self.instance.person_id).first()
            if written is not None:
                self.refuse_as_stale(written)
                return False
            return super().save_versioned(**set_on_create)
