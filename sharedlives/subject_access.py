"""Subject access: everything the scheme holds about one person or one carer
household, gathered for the registered manager to give them.

``gather`` follows the tree in ``sharedlives.records_held`` with one query
for each kind of record, whatever the number of rows, and adds the history
of changes to those records and who has looked at them. ``write_zip`` makes
the ZIP: a readable page (HTML, nothing fetched from elsewhere), the same in
JSON with stable keys (each record's field names as the database has them),
and the files that were uploaded."""

import datetime
import json
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.backends.postgresql.psycopg_any import Range
from django.template.loader import render_to_string
from django.utils import timezone
from pghistory.models import Events

from carers.models import Carer, Certificate, Room
from people.models import Person
from placements.models import PaymentRate
from sharedlives.audit import HistoryEntry, history_entries
from sharedlives.display import display_value
from sharedlives.models import RecordView, Scheme, User
from sharedlives.records_held import HOUSEHOLD, PERSON, Branch, certificate_path, walk

FORMAT = "sharedlives-subject-access/1"
# Columns that are the database's bookkeeping, not information about anyone.
LEFT_OUT = {"search_document", "version"}
# How a related record is named in the readable page; any other is named by
# its kind and number ("Referral 12"), which costs no query.
NAMES = {User: "display_name", Carer: "name", Person: "name", Room: "name", PaymentRate: "name"}
NAMES[Scheme] = "name"


@dataclass
class Item:
    """One record: its fields for the page, its values for the JSON, and the
    records that belong to it."""

    obj: models.Model
    heading: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    groups: list["Group"] = field(default_factory=list)


@dataclass
class Group:
    branch: Branch
    items: list[Item]

    @property
    def title(self) -> str:
        return self.branch.title

    @property
    def key(self) -> str:
        return self.branch.key


@dataclass
class ExportFile:
    path: str  # inside the ZIP
    stored_name: str  # in the uploads storage
    storage: object


@dataclass
class SubjectAccessExport:
    kind: str  # "person" or "household"
    subject: models.Model
    made_at: datetime.datetime
    made_by: User
    records: Group
    history: list[HistoryEntry]
    views: list[RecordView]
    files: list[ExportFile]

    @property
    def name(self) -> str:
        return self.subject.name

    @property
    def filename(self) -> str:
        return f"subject-access-{self.kind}-{self.subject.pk}-{timezone.localtime(self.made_at):%Y-%m-%d}.zip"

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "subject": {"kind": self.kind, "id": self.subject.pk, "name": self.name},
            "scheme": {"id": self.subject.scheme_id, "name": self.subject.scheme.name},
            "made_at": self.made_at.isoformat(),
            "made_by": self.made_by.display_name,
            "records": {self.records.key: [_item_json(item) for item in self.records.items]},
            "history": [_history_json(entry) for entry in self.history],
            "record_views": [
                {
                    "viewed_at": view.viewed_at.isoformat(),
                    "user_id": view.user_id,
                    "user": view.user.display_name,
                    "kind": view.kind,
                    "path": view.path,
                }
                for view in self.views
            ],
            "files": [file.path for file in self.files],
        }


def gather_person(person: Person, *, made_by: User) -> SubjectAccessExport:
    return _gather("person", PERSON, person, made_by=made_by, views=RecordView.objects.filter(person=person))


def gather_household(carer: Carer, *, made_by: User) -> SubjectAccessExport:
    return _gather(
        "household", HOUSEHOLD, carer, made_by=made_by, views=RecordView.objects.filter(carer=carer)
    )


def _gather(kind, root: Branch, subject, *, made_by, views) -> SubjectAccessExport:
    rows = _rows(root, [subject.pk])
    names = _related_names(rows)
    files = [
        ExportFile(certificate_path(cert), cert.file.name, cert.file.storage)
        for branch, branch_rows in rows.items()
        if branch.model is Certificate
        for cert in branch_rows
        if cert.file
    ]
    return SubjectAccessExport(
        kind=kind,
        subject=subject,
        made_at=timezone.now(),
        made_by=made_by,
        records=Group(root, _items(root, rows, names)[None]),
        history=_history(root, rows),
        views=list(views.select_related("user").order_by("-viewed_at", "-id")),
        files=files,
    )


def _rows(root: Branch, ids: list[int]) -> dict[Branch, list[models.Model]]:
    """Every record under ``root``, branch by branch: one query a branch."""
    found: dict[Branch, list[models.Model]] = {}

    def fetch(branch, parent_ids):
        queryset = branch.model._default_manager.order_by(*branch.model._meta.ordering or ["pk"])
        if branch.link is None:
            queryset = queryset.filter(pk__in=parent_ids)
        else:
            queryset = queryset.filter(**{f"{branch.link}__in": parent_ids})
        queryset = queryset.select_related(*branch.select_related)
        found[branch] = list(queryset) if parent_ids else []
        for child in branch.children:
            fetch(child, [row.pk for row in found[branch]])

    fetch(root, ids)
    return found


def _related_names(rows) -> dict[tuple[type, int], str]:
    """The names of the people, households, rooms and staff the records
    point to: one query for each kind."""
    wanted: dict[type, set] = defaultdict(set)
    for branch, branch_rows in rows.items():
        for model_field in branch.model._meta.concrete_fields:
            target = model_field.related_model
            if model_field.is_relation and target in NAMES:
                wanted[target] |= {getattr(row, model_field.attname) for row in branch_rows} - {None}
    names = {}
    for target, ids in wanted.items():
        for obj in target._default_manager.filter(pk__in=ids):
            names[(target, obj.pk)] = getattr(obj, NAMES[target])
    return names


def _items(branch: Branch, rows, names) -> dict[int | None, list[Item]]:
    children = {child: _items(child, rows, names) for child in branch.children}
    by_parent = defaultdict(list)
    for row in rows[branch]:
        item = Item(obj=row, heading=f"{_kind_name(branch.model)} {row.pk}")
        for model_field in branch.model._meta.concrete_fields:
            if model_field.name in LEFT_OUT:
                continue
            value = getattr(row, model_field.attname)
            item.data[model_field.attname] = json_value(value)
            item.fields.append((_label(model_field), _display(model_field, value, names)))
        if branch.extra is not None:
            # A branch's own function for values worked out from the row, not QuerySet.extra().
            for key, value in branch.extra(row).items():  # nosec B610
                item.data[key] = json_value(value)
                item.fields.append((key.replace("_", " ").capitalize(), _display(None, value, names)))
        item.groups = [Group(child, children[child].get(row.pk, [])) for child in branch.children]
        by_parent[getattr(row, f"{branch.link}_id") if branch.link else None].append(item)
    return by_parent


def _kind_name(model) -> str:
    return str(model._meta.verbose_name).capitalize()


def _label(model_field) -> str:
    if model_field.attname == "id":
        return "Record number"
    return str(model_field.verbose_name).capitalize()


def json_value(value):
    """A stored value as JSON: dates and times in ISO 8601, money as a
    string (exact), date ranges as their first day and the day after the last."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Range):
        return {"lower": json_value(value.lower), "upper": json_value(value.upper)}
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, list):
        return [json_value(each) for each in value]
    return value


def _display(model_field, value, names) -> str:
    if model_field is not None and model_field.is_relation:
        if value is None:
            return "—"
        target = model_field.related_model
        return names.get((target, value)) or f"{_kind_name(target)} {value}"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %b %Y %H:%M}"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    if isinstance(value, Range):
        return f"{display_value(None, value.lower)} to {display_value(None, value.upper)}"
    if isinstance(value, models.fields.files.FieldFile):
        return "the file is in this export" if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {each}" for key, each in value.items()) or "—"
    if isinstance(value, list) and value and isinstance(value[0], dict | list):
        return json.dumps(value, ensure_ascii=False)
    return display_value(model_field, value)


def _history(root: Branch, rows) -> list[HistoryEntry]:
    """The history of changes to these records, newest first: the events of
    each record and of the records that point to it (removed ones too), kept
    to the kinds of record this export holds."""
    tracked = {branch.model for branch in walk(root)}
    seen, events = set(), []
    for branch in walk(root):
        branch_rows = rows[branch]
        if not (branch.children or branch.link is None) or not branch_rows:
            continue
        for event in Events.objects.references(branch_rows).order_by("-pgh_created_at", "-pgh_id"):
            event_model = apps.get_model(event.pgh_model)
            if event.pgh_slug in seen or event_model.pgh_tracked_model not in tracked:
                continue
            seen.add(event.pgh_slug)
            events.append(event)
    events.sort(key=lambda event: (event.pgh_created_at, event.pgh_slug), reverse=True)
    return history_entries(events)


def _item_json(item: Item) -> dict:
    data = dict(item.data)
    for group in item.groups:
        data[group.key] = [_item_json(child) for child in group.items]
    return data


def _history_json(entry: HistoryEntry) -> dict:
    return {
        "when": entry.when.isoformat(),
        "who": entry.who,
        "record": entry.what,
        "action": entry.action,
        "changes": [{"field": c.label, "before": c.before, "after": c.after} for c in entry.changes],
    }


def _folder_name(export: SubjectAccessExport) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", export.filename.removesuffix(".zip"))


def write_zip(export: SubjectAccessExport, fileobj) -> None:
    """Write the export as a ZIP to ``fileobj``: ``records.html`` to read,
    ``records.json`` for a machine, and ``files/`` as they were uploaded."""
    folder = _folder_name(export)
    page = render_to_string("exports/subject_access.html", {"export": export})
    data = json.dumps(export.as_json(), ensure_ascii=False, indent=2, sort_keys=True)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/records.html", page)
        archive.writestr(f"{folder}/records.json", data)
        for file in export.files:
            if not file.storage.exists(file.stored_name):
                continue  # a file missing from storage is named in the JSON, not invented
            with (
                file.storage.open(file.stored_name, "rb") as source,
                archive.open(f"{folder}/{file.path}", "w") as target,
            ):
                for chunk in iter(lambda: source.read(64 * 1024), b""):
                    target.write(chunk)
