"""The forms carers fill in on their portal (/my/). Each one gathers the
values for a change; carers.changes.propose_change records and applies it."""

import datetime
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from carers.models import CERTIFICATE_KINDS, Certificate, Smoking, Unavailability
from sharedlives.choices import PetKind
from sharedlives.clean_input import without_unsafe_characters
from sharedlives.forms import CommaSeparatedField, DateInput, Form, ModelForm
from sharedlives.uploads import EXTENSIONS, HEAD_BYTES, detect_type
from sharedlives.validators import validate_not_in_future


class ContactForm(Form):
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(label="E-mail", required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("phone") and not cleaned.get("email"):
            raise ValidationError("Give us a phone number or an e-mail address, so we can reach you.")
        return cleaned


class MemberForm(Form):
    name = forms.CharField(label="Full name", max_length=200)
    relationship = forms.CharField(
        label="Who they are to you", max_length=100, help_text="For example: son, partner, lodger."
    )
    date_of_birth = forms.DateField(widget=DateInput, validators=[validate_not_in_future])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born < datetime.date(1900, 1, 1):
            raise ValidationError("Check the date of birth: it is before 1900.")
        return born


class PetForm(Form):
    kind = forms.ChoiceField(label="What kind of animal", choices=PetKind.choices)
    name = forms.CharField(max_length=100, required=False)
    notes = forms.CharField(
        max_length=200, required=False, help_text="For example: friendly, but not used to visitors."
    )


class RoomForm(Form):
    name = forms.CharField(max_length=100, help_text="For example: back bedroom.")
    ground_floor = forms.BooleanField(label="On the ground floor", required=False)
    step_free = forms.BooleanField(label="Step-free access", required=False)
    own_bathroom = forms.BooleanField(label="Its own bathroom", required=False)
    notes = forms.CharField(max_length=200, required=False)


class SmokingForm(Form):
    smoking = forms.ChoiceField(
        label="Does anyone smoke at home?", choices=Smoking.choices, widget=forms.RadioSelect
    )


class InterestsForm(Form):
    interests = CommaSeparatedField(
        required=False, help_text="Separate with commas, for example: gardening, football, music."
    )
    languages = CommaSeparatedField(
        label="Languages you speak at home",
        required=False,
        help_text="Separate with commas, for example: English, Urdu.",
    )


class UnavailabilityForm(ModelForm):
    """A stretch of dates away. The model's constraints (no overlap with dates
    already given, the last day not before the first) run as part of the
    form's validation, so a clash is shown on the form, not as a crash."""

    class Meta:
        model = Unavailability
        fields = ["starts_on", "ends_on", "note"]
        labels = {"starts_on": "First day away", "ends_on": "Last day away"}
        widgets = {"starts_on": DateInput, "ends_on": DateInput}

    def __init__(self, *args, carer, **kwargs):
        super().__init__(*args, instance=Unavailability(carer=carer), **kwargs)

    def clean_starts_on(self):
        return self._not_past(
            self.cleaned_data["starts_on"], "The first day has passed: give dates from today."
        )

    def clean_ends_on(self):
        return self._not_past(self.cleaned_data["ends_on"], "The last day has passed: give dates from today.")

    @staticmethod
    def _not_past(day, message):
        if day < timezone.localdate():
            raise ValidationError(message)
        return day

    def _get_validation_exclusions(self):
        # The household is not a field of the form, but the overlap
        # constraint must compare these dates with the household's own.
        exclude = super()._get_validation_exclusions()
        exclude.discard("carer")
        return exclude

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            # Said here, so the overlap check below never sees a backwards range.
            self.add_error("ends_on", "The last day must be on or after the first day.")
        return cleaned

    def _update_errors(self, errors):
        # The overlap constraint's message is about the whole stretch: show it
        # next to the first day, where the carer starts to put it right.
        if hasattr(errors, "error_dict") and NON_FIELD_ERRORS in errors.error_dict:
            errors.error_dict.setdefault("starts_on", []).extend(errors.error_dict.pop(NON_FIELD_ERRORS))
        super()._update_errors(errors)


def _size(limit: int) -> str:
    """A limit as people say it: "10 MB", not "10.0 MB"."""
    return filesizeformat(limit).replace(".0\xa0", "\xa0").replace(".0 ", " ")


def file_name_as_shown(name: str) -> str:
    """The name a file was uploaded with, as it is shown and offered back on
    download: no folders, no control characters or line breaks (which could
    split a header), no direction overrides (which make "gnp.exe" read as
    "exe.png")."""
    name = PurePath(name.replace("\\", "/")).name
    name = " ".join(without_unsafe_characters(name).split())
    return name[:200] or "certificate"


class CertificateForm(ModelForm):
    """A certificate as a PDF or a photo, up to settings.UPLOAD_MAX_BYTES
    (10 MB). The type is read from the file's content: the name and the
    browser's word for it are not trusted."""

    class Meta:
        model = Certificate
        fields = ["kind", "file", "note"]
        labels = {"kind": "What it is", "file": "The file"}
        widgets = {"file": forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose one")] + [(k.value, k.label) for k in CERTIFICATE_KINDS]
        largest = _size(settings.UPLOAD_MAX_BYTES)
        self.fields["file"].help_text = f"A PDF, or a photo (JPEG, PNG or HEIC), up to {largest}."
        # The stored name is made up (carers.models.portal.certificate_path),
        # so a long original name is no reason to refuse the file.
        self.fields["file"].max_length = None
        self.detected_type = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # A file past the limit was not kept (sharedlives.uploads): only its size is known.
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                f"This file is too big ({filesizeformat(upload.size)}): the most we can take is "
                f"{_size(settings.UPLOAD_MAX_BYTES)}. Try a smaller photo, or a PDF."
            )
        upload.seek(0)
        self.detected_type = detect_type(upload.read(HEAD_BYTES))
        upload.seek(0)
        if self.detected_type is None:
            raise ValidationError("This file is not a PDF or a photo (JPEG, PNG or HEIC). Choose another.")
        self.original_name = file_name_as_shown(upload.name)
        # Stored with the extension of what it really is, not what it was called.
        upload.name = f"certificate{EXTENSIONS[self.detected_type]}"
        return upload

    def save_for(self, *, carer, uploaded_by) -> Certificate:
        certificate = self.save(commit=False)
        upload = self.cleaned_data["file"]
        certificate.carer = carer
        certificate.original_name = self.original_name
        certificate.content_type = self.detected_type
        certificate.size = upload.size
        certificate.uploaded_by = uploaded_by
        certificate.save()
        return certificate
