"""The weekly sessions of day support: set on their own page, shown on the
arrangement's page with the hours a week."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from placements.models import DaySession
from sharedlives.choices import ArrangementKind
from sharedlives.forms import STALE_MESSAGE
from tests.factories import ArrangementFactory, DaySessionFactory
from tests.sharedlives.pages import Page, form_data


@pytest.fixture
def day_support(scheme, carer_household):
    return ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        kind=ArrangementKind.DAY_SUPPORT,
        person__first_name="Ben",
        person__last_name="Hughes",
    )


def _url(arrangement):
    return reverse("arrangement_sessions", args=[arrangement.pk])


def _opened(client, arrangement) -> dict:
    response = client.get(_url(arrangement))
    return {**form_data(response.context["formset"]), "version": str(arrangement.version)}


def _session(data, index, weekday, starts, ends) -> dict:
    prefix = f"sessions-{index}"
    return {
        **data,
        f"{prefix}-weekday": str(weekday),
        f"{prefix}-starts_at": starts,
        f"{prefix}-ends_at": ends,
    }


def _add_row(data) -> dict:
    """What "add another" would send: one more blank row."""
    total = int(data["sessions-TOTAL_FORMS"])
    return {**data, "sessions-TOTAL_FORMS": str(total + 1)}


def test_a_coordinator_sets_the_weekly_sessions(client, coordinator, day_support):
    client.force_login(coordinator)
    data = _add_row(_opened(client, day_support))
    data = _session(data, 0, 0, "10:00", "14:00")
    data = _session(data, 1, 2, "09:30", "15:00")

    response = client.post(_url(day_support), data, follow=True)

    sessions = list(
        DaySession.objects.filter(arrangement=day_support).values_list("weekday", "starts_at", "ends_at")
    )
    assert sessions == [(0, dt.time(10), dt.time(14)), (2, dt.time(9, 30), dt.time(15))]
    page = Page(response)
    assert "Done: The weekly sessions have been saved." in page.messages
    assert "Monday, 10:00 to 14:00 (4 hours)" in page.main_text
    assert "Wednesday, 09:30 to 15:00 (5.5 hours)" in page.main_text
    assert "9.5 hours a week in 2 sessions." in page.main_text


def test_a_session_that_ends_before_it_starts_is_refused(client, coordinator, day_support):
    client.force_login(coordinator)
    data = _session(_opened(client, day_support), 0, 1, "14:00", "10:00")

    response = client.post(_url(day_support), data)

    page = Page(response)
    assert page.error_for("sessions-0-ends_at") == "The session must end after it starts."
    assert page.value_of("sessions-0-starts_at") == "14:00"
    assert not DaySession.objects.exists()


def test_the_same_day_and_time_twice_is_refused(client, coordinator, day_support):
    client.force_login(coordinator)
    data = _add_row(_opened(client, day_support))
    data = _session(_session(data, 0, 1, "10:00", "14:00"), 1, 1, "10:00", "12:00")

    response = client.post(_url(day_support), data)

    assert response.status_code == 200
    assert "Please correct the duplicate data" in Page(response).main_text
    assert not DaySession.objects.exists()


def test_a_session_can_be_removed(client, coordinator, day_support):
    DaySessionFactory(arrangement=day_support, weekday=1)
    client.force_login(coordinator)
    data = {**_opened(client, day_support), "sessions-0-DELETE": "on"}

    client.post(_url(day_support), data)

    assert not DaySession.objects.exists()
    assert (
        "No weekly sessions have been set."
        in Page(client.get(reverse("arrangement_detail", args=[day_support.pk]))).main_text
    )


def test_a_second_save_from_an_older_page_is_refused(client, coordinator, manager, day_support):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first = _session(_opened(client, day_support), 0, 0, "10:00", "14:00")
    second = _session(_opened(other, day_support), 0, 4, "09:00", "11:00")

    client.post(_url(day_support), first)
    response = other.post(_url(day_support), second)

    assert STALE_MESSAGE in Page(response).main_text
    assert list(DaySession.objects.values_list("weekday", flat=True)) == [0]


def test_a_live_in_arrangement_has_no_sessions(client, coordinator, arrangement):
    client.force_login(coordinator)

    response = client.get(_url(arrangement), follow=True)

    assert "Problem: Only a day-support arrangement has weekly sessions." in Page(response).messages


def test_the_carer_sees_the_sessions_but_cannot_change_them(client, carer, day_support):
    DaySessionFactory(arrangement=day_support, weekday=1, starts_at=dt.time(10), ends_at=dt.time(14))
    client.force_login(carer)

    page = Page(client.get(reverse("arrangement_detail", args=[day_support.pk])))

    assert "Tuesday, 10:00 to 14:00 (4 hours)" in page.main_text
    assert "Set the weekly sessions" not in page.main_text
    assert client.get(_url(day_support)).status_code == 403
    assert client.post(_url(day_support), {}).status_code == 403


def test_another_schemes_coordinator_cannot_find_them(client, other_coordinator, day_support):
    client.force_login(other_coordinator)

    assert client.get(_url(day_support)).status_code == 404
    assert client.post(_url(day_support), {}).status_code == 404


def test_the_page_takes_no_other_method(client, coordinator, day_support):
    client.force_login(coordinator)

    assert client.delete(_url(day_support)).status_code == 405
