"""What someone else changed in a record while this user had it open.

When a save is refused because the record moved on since the form was
opened (see ``VersionedModelForm``), the user is shown each field that
changed: what it was when they opened it, what the other person saved, and
what this user entered, with who saved it and when. The audit history knows
all of it: each event row is a copy of the record at one version, so the
record "as opened" is the newest event at or below the version the form
carried.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from pghistory.models import Events

from sharedlives.audit import HIDDEN_FIELDS
from sharedlives.display import display_value
from sharedlives.models import User

# The refusal of a save from a page opened before someone else's (imported
# from sharedlives.forms, with the forms that give it).
STALE_MESSAGE = (
    "Someone else saved a change to this record after you opened it, so your "
    "changes have not been saved. Your entries are still below: open the record "
    "again in a new tab, see their change, and make yours there."
)

# Never shown: which scheme a record is in does not change under an edit.
NOT_SHOWN = HIDDEN_FIELDS | {"scheme"}


@dataclass
class ChangedField:
    label: str
    was: str  # when this user opened the record
    theirs: str  # as saved now
    yours: str | None  # what this user entered; None when not on their form

    @property
    def yours_note(self) -> str:
        """How this user's entry stands against the two."""
        if self.yours is None:
            return "Not on this form"
        if self.yours == self.theirs:
            return "The same as theirs"
        if self.yours == self.was:
            return "As you opened it"
        return "You changed it too"


@dataclass
class EditConflict:
    changes: list[ChangedField] = field(default_factory=list)
    saved_by: list[str] = field(default_factory=list)  # in the order they saved
    saved_at: datetime.datetime | None = None  # when the record was last saved

    @property
    def who(self) -> str:
        if not self.saved_by:
            return "Someone else"
        if len(self.saved_by) == 1:
            return self.saved_by[0]
        return ", ".join(self.saved_by[:-1]) + " and " + self.saved_by[-1]


def edit_conflict(form, saved: models.Model, opened_version: int | None) -> EditConflict:
    """What changed in ``saved`` (the record as it is now) since ``form`` was
    opened at ``opened_version`` (None: before the record existed), beside
    what the user entered in ``form`` (a bound, valid ModelForm)."""
    model = type(saved)
    current = model._base_manager.get(pk=saved.pk)
    events = model.pgh_event_model.objects.filter(pgh_obj_id=saved.pk)
    opened = (
        events.filter(version__lte=opened_version).order_by("-pgh_id").first() if opened_version else None
    )
    since = list(
        events.filter(version__gt=opened_version or 0).select_related("pgh_context").order_by("pgh_id")
    )

    changes = []
    for model_field in _fields_in_order(model, form):
        was = getattr(opened, model_field.attname) if opened else None
        theirs = getattr(current, model_field.attname)
        if _same(was, theirs):
            continue
        on_form = model_field.name in form.fields
        yours = getattr(form.instance, model_field.attname) if on_form else None
        changes.append(
            ChangedField(
                label=str(form[model_field.name].label) if on_form else _label(model_field),
                was=_shown(model_field, was),
                theirs=_shown(model_field, theirs),
                yours=_shown(model_field, yours) if on_form else None,
            )
        )
    # A save of records that belong to it (a person's contacts) moves the
    # record's version without an event of its own: theirs is the newest.
    saved_by = _names(since) or [name for name in [last_saved_by(current)] if name]
    return EditConflict(changes=changes, saved_by=saved_by, saved_at=current.updated_at)


def _fields_in_order(model, form) -> list[models.Field]:
    """The record's fields a reader cares about: those on the form first, in
    the form's order, then the rest (changed by another page) in the model's."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_SHOWN and not f.primary_key and not f.name.startswith("pgh_")
    ]
    order = {name: position for position, name in enumerate(form.fields)}
    return sorted(fields, key=lambda f: order.get(f.name, len(order)))


def _label(model_field) -> str:
    return str(model_field.verbose_name).capitalize()


def _same(a, b) -> bool:
    empty = (None, "", [])
    return (a in empty and b in empty) or a == b


def _shown(model_field, value) -> str:
    """A value as the user reads it: a record by its name, a moment in the
    scheme's time, the rest as the audit history shows them."""
    if value in (None, "", []):
        return "—"
    if model_field.is_relation:
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else "(removed)"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %b %Y, %H:%M}"
    return display_value(model_field, value)


def _names(events) -> list[str]:
    """Who saved ``events``, in order, each once (unknown users are left out)."""
    ids = []
    for event in events:
        user_id = ((event.pgh_context.metadata if event.pgh_context else None) or {}).get("user")
        if user_id is not None and user_id not in ids:
            ids.append(user_id)
    users = {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}
    return [users[pk] for pk in ids if pk in users]


def last_saved_by(record) -> str | None:
    """Who saved the newest change recorded with ``record`` (in it, or in a
    record that belongs to it, such as a household's member)."""
    event = Events.objects.references(record).order_by("-pgh_created_at", "-pgh_id").first()
    user_id = (event.pgh_context or {}).get("user") if event else None
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return user.display_name if user else None


def stale_refusal(record) -> str:
    """The refusal of a page that saves several records as one change to
    ``record`` (a household's members, pets and rooms; a person's contacts;
    an arrangement's sessions): the usual words, and who saved the last
    change recorded with it, and when."""
    current = type(record)._base_manager.get(pk=record.pk)
    when = timezone.localtime(current.updated_at)
    who = last_saved_by(current) or "Someone else"
    return (
        f"{STALE_MESSAGE} {who} saved the last change, at {when:%H:%M} on {when:%-d %b %Y}; "
        "the History tab shows what it was."
    )
