from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import ModelChoiceIterator

from sharedlives.conflicts import STALE_MESSAGE, edit_conflict
from sharedlives.shortcuts import scheme_staff, staff_choices, staff_names
from sharedlives.validators import validate_plausible_date
from sharedlives.widgets import LongSelect
from sharedlives.workflow import WorkflowRefused


class DateInput(forms.DateInput):
    """The browser's own date picker, which phones show well."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class StaffChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield "", self.field.empty_label
        yield from staff_names(self.queryset)


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of one member of staff (a coordinator, an assessor). The
    drop-down is written from the names alone, with no user objects: a large
    scheme has hundreds of staff, and every filter form shows them all. The
    form sets ``queryset`` (``scheme_staff(scheme)``); a choice is cleaned to
    the user, as ModelChoiceField's is."""

    iterator = StaffChoiceIterator
    widget = LongSelect


# The most a text field takes when its record sets no limit of its own:
# about 1,500 words, more than any note, reason or report summary needs, and
# little enough that the pages and exports that show it stay usable.
TEXT_MAX_LENGTH = 10_000


def validate_text_length(text: str) -> None:
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            f"This is too long: keep it to {TEXT_MAX_LENGTH:,} characters (it has {len(text):,}).",
            code="max_length",
        )


def apply_input_limits(fields) -> None:
    """Give each text field with no length limit TEXT_MAX_LENGTH (past it the
    form says how long it may be, and the browser stops typing there), and
    each date a plausible year."""
    for field in fields.values():
        if isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = TEXT_MAX_LENGTH
            if not isinstance(field, CommaSeparatedField):  # which checks its own text
                field.validators.append(validate_text_length)
            field.widget.attrs.setdefault("maxlength", str(TEXT_MAX_LENGTH))
        elif isinstance(field, (forms.DateField, forms.DateTimeField)):
            field.validators.append(validate_plausible_date)


class InputLimitsMixin:
    """For every form of the app (through ``Form`` and ``ModelForm`` below):
    no text field takes more than TEXT_MAX_LENGTH characters, whether its
    record's field is a TextField or the form's own CharField, and no date
    falls outside the years the app works in. Characters nobody types are
    taken out before any form sees them (sharedlives.clean_input)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_input_limits(self.fields)


class Form(InputLimitsMixin, forms.Form):
    pass


class ModelForm(InputLimitsMixin, forms.ModelForm):
    pass


def posted_text(request, name: str) -> str:
    """A free-text value a view reads from the POST itself (the reason on a
    button's form), held to the same limit as a form's text: a longer one
    refuses the step, in words."""
    text = request.POST.get(name, "")
    if len(text) > TEXT_MAX_LENGTH:
        raise WorkflowRefused(
            [f"What you typed is too long: keep it to {TEXT_MAX_LENGTH:,} characters (it has {len(text):,})."]
        )
    return text


class CommaSeparatedField(forms.CharField):
    """A list typed as "gardening, football, music"."""

    # As long as each item of the lists it fills may be (ArrayField of CharField(max_length=50)).
    item_max_length = 50

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        validate_text_length(text)
        seen = []
        for item in text.split(","):
            item = " ".join(item.split()).lower()
            if len(item) > self.item_max_length:
                raise ValidationError(
                    f"“{item[:20]}…” is too long: keep each one to {self.item_max_length} characters, "
                    "with commas between them.",
                    code="item_max_length",
                )
            if item and item not in seen:
                seen.append(item)
        return seen


class VersionedModelForm(ModelForm):
    """A form for a record two staff may edit at once (a VersionedModel).

    It carries the version the user opened; ``save_versioned`` refuses to
    save over a newer one, so nobody's change is silently overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # After a refused save: what someone else changed (an EditConflict),
    # which the form's error block shows (templates/bootstrap5/errors.html).
    edit_conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def save_versioned(self, **set_on_create) -> bool:
        """Save, unless the record changed since the form was opened: then add
        an error to the form and save nothing. Returns whether it saved."""
        stale = False
        with transaction.atomic():
            if self.instance.pk is None:
                for name, value in set_on_create.items():
                    setattr(self.instance, name, value)
            elif not claim_next_version(self.instance, self.cleaned_data.get("version")):
                stale = True
            if not stale:
                self.save()
        if stale:
            # Worked out once the row's lock is let go.
            self.refuse_as_stale(self.instance)
        return not stale

    def refuse_as_stale(self, saved) -> None:
        """Refuse the save because ``saved`` (the record, which someone else
        saved after this form was opened) moved on: the form says so, shows
        what they changed, and keeps what the user entered."""
        self.edit_conflict = edit_conflict(self, saved, self.cleaned_data.get("version"))
        self.add_error(None, STALE_MESSAGE)


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


class WorkFilterForm(Form):
    """The registered manager's choice on "my work": the whole scheme, one
    member of staff's caseload, or the records nobody is coordinator of."""

    NO_COORDINATOR = "none"

    coordinator = forms.ChoiceField(label="Whose work", required=False, widget=LongSelect)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.fields["coordinator"].choices = [
            ("", "The whole scheme"),
            (self.NO_COORDINATOR, "No coordinator"),
            *staff_choices(scheme),
        ]

    @property
    def choice(self):
        """The member of staff chosen, ``NO_COORDINATOR``, or None for the
        whole scheme (also for a bad choice, which the form reports)."""
        if not self.is_bound or not self.is_valid():
            return None
        value = self.cleaned_data["coordinator"]
        if value in ("", self.NO_COORDINATOR):
            return value or None
        return scheme_staff(self.scheme).filter(pk=value).first()
