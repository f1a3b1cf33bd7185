"""The change history is append-only for the app's own database role: no
UPDATE or DELETE of an event (or of who made it) gets through, not even a raw
query, except through sharedlives.audit.rewriting_history(), the one door the
retention command uses to anonymise old records."""

import pghistory
import pytest
from django.apps import apps
from django.db import InternalError, connection, transaction
from pghistory.models import Context, Event

from people.models import Person
from sharedlives.audit import rewriting_history
from sharedlives.checks import history_tables_are_append_only
from sharedlives.models import RecordView
from tests.factories import PersonFactory

PersonEvent = apps.get_model("people", "PersonEvent")
EVENT_MODELS = [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]


@pytest.fixture
def person(scheme):
    with pghistory.context(user=None, url="/people/new/"):
        person = PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")
    person.first_name = "Dan"
    person.save()
    return person


def _refused(change):
    with pytest.raises(InternalError, match="pgtrigger: Cannot"), transaction.atomic():
        change()


def test_a_normal_save_still_writes_the_history(person):
    labels = list(
        PersonEvent.objects.filter(pgh_obj=person).order_by("pgh_id").values_list("pgh_label", flat=True)
    )

    assert labels == ["insert", "update"]
    assert PersonEvent.objects.filter(pgh_obj=person).latest("pgh_id").first_name == "Dan"


def test_deleting_a_record_still_writes_its_last_event(person):
    person_id = person.pk
    Person.objects.filter(pk=person_id).delete()

    assert PersonEvent.objects.filter(pgh_obj_id=person_id, pgh_label="delete").count() == 1


def test_an_event_cannot_be_changed(person):
    events = PersonEvent.objects.filter(pgh_obj=person)

    _refused(lambda: events.update(first_name="Someone else"))

    assert set(events.values_list("first_name", flat=True)) == {"Daniel", "Dan"}


def test_an_event_cannot_be_deleted(person):
    events = PersonEvent.objects.filter(pgh_obj=person)

    _refused(lambda: events.delete())

    assert events.count() == 2


def test_a_raw_query_is_refused_too(person):
    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE people_personevent SET first_name = 'X' WHERE pgh_obj_id = %s", [person.pk]
            )

    _refused(raw_update)


def test_rewriting_history_opens_the_door_for_that_block_only(person):
    events = PersonEvent.objects.filter(pgh_obj=person)

    with rewriting_history():
        events.update(first_name="[removed]")
        events.filter(pgh_label="update").delete()

    assert list(events.values_list("first_name", flat=True)) == ["[removed]"]
    # The test runs in one transaction: the setting is back off after the block.
    _refused(lambda: events.update(first_name="Daniel"))


def test_a_failed_rewrite_leaves_the_door_shut(person):
    events = PersonEvent.objects.filter(pgh_obj=person)

    with pytest.raises(RuntimeError), rewriting_history():
        events.update(first_name="[removed]")
        raise RuntimeError("the anonymising failed half way")

    assert set(events.values_list("first_name", flat=True)) == {"Daniel", "Dan"}
    _refused(lambda: events.update(first_name="X"))


def test_who_made_a_change_cannot_be_changed_or_deleted(transactional_db, person):
    # Committed, as after a real request: pghistory's own upsert may touch
    # only the context of the transaction it runs in.
    context = Context.objects.get(
        pk=PersonEvent.objects.filter(pgh_obj=person).earliest("pgh_id").pgh_context_id
    )

    _refused(lambda: Context.objects.filter(pk=context.pk).update(metadata={"user": 99}))
    with pytest.raises(InternalError, match="Cannot delete"), transaction.atomic():
        Context.objects.filter(pk=context.pk).delete()

    context.refresh_from_db()
    assert context.metadata["url"] == "/people/new/"


def test_a_request_still_adds_to_its_own_context_as_it_goes(person):
    # pghistory updates the current context's row when more is said about it.
    with pghistory.context(url="/people/1/edit/"):
        person.first_name = "Daniel"
        person.save()
        with pghistory.context(reason="typo"):
            person.last_name = "Reed"
            person.save()

    latest = PersonEvent.objects.filter(pgh_obj=person).latest("pgh_id")
    assert Context.objects.get(pk=latest.pgh_context_id).metadata == {
        "url": "/people/1/edit/",
        "reason": "typo",
    }


def test_the_view_log_is_append_only_too(client, coordinator, person):
    view = RecordView.objects.create(scheme=person.scheme, user=coordinator, person=person, path="/people/1/")

    _refused(lambda: RecordView.objects.filter(pk=view.pk).update(path="/"))
    _refused(lambda: RecordView.objects.filter(pk=view.pk).delete())


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: m._meta.label)
def test_every_history_table_has_the_trigger_in_the_database(db, model):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [model._meta.db_table],
        )
        names = [name for (name,) in cursor.fetchall()]

    assert any(name.startswith("pgtrigger_append_only_") for name in names), names


def test_the_walk_of_history_tables_finds_them_all():
    labels = {m._meta.label for m in EVENT_MODELS}

    assert {"people.PersonEvent", "carers.CarerEvent", "placements.ArrangementEvent"} <= labels
    assert len(labels) >= 40


def test_a_system_check_names_a_history_table_left_open(monkeypatch):
    assert history_tables_are_append_only() == []

    monkeypatch.setattr(PersonEvent._meta, "triggers", [])

    errors = history_tables_are_append_only()
    assert [(e.id, e.obj) for e in errors] == [("sharedlives.E001", PersonEvent)]
    assert "people.PersonEvent" in errors[0].msg
