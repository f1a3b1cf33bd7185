from django import forms
from django.db import transaction

from sharedlives.shortcuts import scheme_staff

STALE_MESSAGE = (
    "Someone else saved a change to this record after you opened it, so your "
    "changes have not been saved. Your entries are still below: open the record "
    "again in a new tab to see their change (the History tab shows what it was), "
    "then make yours."
)


class DateInput(forms.DateInput):
    """The browser's own date picker, which phones show well."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CommaSeparatedField(forms.CharField):
    """A list typed as "gardening, football, music"."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        seen = []
        for item in text.split(","):
            item = " ".join(item.split()).lower()
            if item and item not in seen:
                seen.append(item)
        return seen


class VersionedModelForm(forms.ModelForm):
    """A form for a record two staff may edit at once (a VersionedModel).

    It carries the version the user opened; ``save_versioned`` refuses to
    save over a newer one, so nobody's change is silently overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def save_versioned(self, **set_on_create) -> bool:
        """Save, unless the record changed since the form was opened: then add
        an error to the form and save nothing. Returns whether it saved."""
        with transaction.atomic():
            if self.instance.pk is None:
                for name, value in set_on_create.items():
                    setattr(self.instance, name, value)
            elif not claim_next_version(self.instance, self.cleaned_data.get("version")):
                self.add_error(None, STALE_MESSAGE)
                return False
            self.save()
        return True


def claim_next_version(instance, opened_version) -> bool:
    """Inside a transaction: lock the row and, if it is still at the version
    the user opened, move ``instance`` to the next version and return True.
    The caller then saves; a False means someone else saved first."""
    current = type(instance).objects.select_for_update().values_list("version", flat=True).get(pk=instance.pk)
    if current != opened_version:
        return False
    instance.version = current + 1
    return True


def save_formsets_versioned(instance, opened_version, formsets) -> bool:
    """Save formsets of records that belong to ``instance`` (a household's
    members, a person's contacts) as one change to it: all or nothing, and
    only if nobody saved a change to it since the page was opened."""
    with transaction.atomic():
        if not claim_next_version(instance, opened_version):
            return False
        instance.save(update_fields=["version", "updated_at"])
        for formset in formsets:
            formset.save()
    return True


def version_from(data) -> int | None:
    try:
        return int(data.get("version"))
    except (TypeError, ValueError):
        return None


class WorkFilterForm(forms.Form):
    """The registered manager's choice on "my work": the whole scheme, one
    member of staff's caseload, or the records nobody is coordinator of."""

    NO_COORDINATOR = "none"

    coordinator = forms.ChoiceField(label="Whose work", required=False)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in scheme_staff(scheme)}
        self.fields["coordinator"].choices = [
            ("", "The whole scheme"),
            (self.NO_COORDINATOR, "No coordinator"),
            *[(pk, user.display_name) for pk, user in self.staff.items()],
        ]

    @property
    def choice(self):
        """The member of staff chosen, ``NO_COORDINATOR``, or None for the
        whole scheme (also for a bad choice, which the form reports)."""
        if not self.is_bound or not self.is_valid():
            return None
        value = self.cleaned_data["coordinator"]
        return self.staff.get(value, self.NO_COORDINATOR if value == self.NO_COORDINATOR else None)
