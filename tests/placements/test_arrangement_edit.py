"""Editing an arrangement, including ending it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from placements.models import ArrangementStatus
from sharedlives.forms import STALE_MESSAGE
from tests.factories import ArrangementFactory
from tests.sharedlives.pages import Page, form_data


@pytest.fixture
def url(arrangement):
    return reverse("arrangement_edit", args=[arrangement.pk])


def _opened(client, url) -> dict:
    return form_data(client.get(url).context["form"])


def test_a_coordinator_ends_an_arrangement(client, coordinator, arrangement, url):
    client.force_login(coordinator)
    ended = {"status": "ended", "end_date": "2025-05-30", "end_reason": "persons_choice"}

    response = client.post(url, {**_opened(client, url), **ended}, follow=True)

    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.end_date) == ("ended", dt.date(2025, 5, 30))
    assert arrangement.end_reason == "persons_choice"
    page = Page(response)
    assert response.redirect_chain == [(reverse("arrangement_detail", args=[arrangement.pk]), 302)]
    assert "Done: The arrangement has been saved." in page.messages
    assert "Why it ended The person's choice" in page.main_text


def test_a_live_in_arrangement_does_not_clash_with_itself(client, coordinator, arrangement, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "notes": "Settled in well."})

    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.notes == "Settled in well."


def test_moving_the_start_into_another_live_in_home_is_refused(client, coordinator, scheme, arrangement, url):
    ArrangementFactory(
        scheme=scheme,
        person=arrangement.person,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2024, 12, 31),
        end_reason="planned_move",
    )
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "start_date": "2024-12-01"})

    assert (
        "This person already has a live-in arrangement for some of these dates." in Page(response).main_text
    )
    arrangement.refresh_from_db()
    assert arrangement.start_date == dt.date(2025, 1, 6)


def test_ending_without_a_date_or_reason_is_refused(client, coordinator, arrangement, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "status": "ended"})

    page = Page(response)
    assert page.error_for("end_date") == "Enter the date the arrangement ended."
    assert page.error_for("end_reason") == "Choose why the arrangement ended."
    arrangement.refresh_from_db()
    assert arrangement.status == "current"


def test_a_second_save_from_an_older_page_is_refused(client, coordinator, manager, arrangement, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)

    client.post(url, {**first, "notes": "First"})
    response = other.post(url, {**second, "notes": "Second"})

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("notes") == "Second"
    arrangement.refresh_from_db()
    assert arrangement.notes == "First"
