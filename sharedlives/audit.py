"""Reading the audit history that django-pghistory's triggers record.

Every insert, update and delete of personal data is written by a database
trigger, so no write escapes it (not even a bulk update or a raw query). The
HistoryMiddleware adds who made the change and on which page.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.core.paginator import Paginator
from django.db import connection, transaction
from pghistory.models import Events

from sharedlives.display import display_value
from sharedlives.models import User

# The audit tables are append-only for the app (triggers refuse UPDATE and
# DELETE) unless this setting is on in the current transaction: the one door,
# used by the retention command to anonymise old records in the history too.
REWRITING_HISTORY = "sharedlives.rewriting_history"


@contextmanager
def rewriting_history():
    """Within a transaction, allow the audit tables to be changed (only for
    anonymising records past their retention period). The door closes again
    when the block ends, even inside a longer transaction."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(current_setting(%s, true), ''), set_config(%s, 'on', true)",
                [REWRITING_HISTORY, REWRITING_HISTORY],
            )
            before = cursor.fetchone()[0]
        yield
        # Not reached when the block fails: rolling back to the savepoint
        # undoes the setting by itself.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [REWRITING_HISTORY, before])


# Bookkeeping columns that mean nothing to a reader of the history.
HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at", "search_document"}
ACTIONS = {"insert": "added", "update": "changed", "delete": "removed"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _entry(event, users: dict) -> HistoryEntry:
    event_model = apps.get_model(event.pgh_model)
    tracked = event_model.pgh_tracked_model
    action = event.pgh_label
    fields = {f.attname: f for f in tracked._meta.concrete_fields}
    if action == "update":
        source = {name: (old, new) for name, (old, new) in (event.pgh_diff or {}).items()}
    else:
        source = {name: (None, value) for name, value in event.pgh_data.items()}
        if action == "delete":
            source = {name: (value, None) for name, (_, value) in source.items()}
    changes = []
    for name, (old, new) in source.items():
        if name in HIDDEN_FIELDS or name.startswith("pgh_") or name not in fields:
            continue
        model_field = fields[name]
        if model_field.is_relation:
            continue  # which record it belongs to is shown in "what"
        changes.append(
            Change(
                label=str(model_field.verbose_name).capitalize(),
                before=display_value(model_field, old),
                after=display_value(model_field, new),
            )
        )
    user_id = (event.pgh_context or {}).get("user")
    return HistoryEntry(
        when=event.pgh_created_at,
        who=users.get(user_id, "System (no signed-in user)") if user_id else "System (no signed-in user)",
        what=str(tracked._meta.verbose_name).capitalize(),
        action=ACTIONS.get(action, action),
        changes=changes,
    )


def history_page(obj, page_number, per_page=20):
    """One page of the history of ``obj`` and of every record that refers to
    it (a household's members, pets, rooms, arrangements and logins; a
    person's contacts and arrangements), newest first."""
    events = Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")
    page = Paginator(events, per_page).get_page(page_number)
    page.object_list = history_entries(page.object_list)
    return page


def history_entries(events) -> list[HistoryEntry]:
    """pghistory events as the history shows them, naming who made each
    change (one query for all the names)."""
    rows = list(events)
    user_ids = {(e.pgh_context or {}).get("user") for e in rows} - {None}
    users = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    return [_entry(event, users) for event in rows]
