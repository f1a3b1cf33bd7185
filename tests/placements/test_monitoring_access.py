"""Who may open the review and visit pages: the scheme's staff. The carer
of the household may see their arrangement but not its reviews (403); anyone
else finds nothing (404). Each page answers only its methods, and the
arrangement's page costs the same queries however many reviews it has."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import ArrangementReview, MonitoringSettings
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    MonitoringVisitFactory,
    ReviewActionFactory,
)
from tests.second_factor import sign_in_with_code

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def records(arrangement):
    """The carer's household's arrangement, with a review, an open action and a visit due."""
    review = ArrangementReviewFactory(arrangement=arrangement, held_on=dt.date(2026, 2, 17))
    return {
        "arrangement": arrangement,
        "review": review,
        "action": ReviewActionFactory(review=review),
        "visit": MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 11, 6)),
    }


def _urls(records) -> dict[str, str]:
    pk = records["arrangement"].pk
    return {
        "arrangement_review_new": reverse("arrangement_review_new", args=[pk]),
        "arrangement_review_detail": reverse("arrangement_review_detail", args=[pk, records["review"].pk]),
        "arrangement_visit_record": reverse("arrangement_visit_record", args=[pk, records["visit"].pk]),
    }


PAGES = ["arrangement_review_new", "arrangement_review_detail", "arrangement_visit_record"]
WHO_GETS_WHAT = [("manager", 200), ("coordinator", 200), ("carer", 403), ("other_carer", 404)]
WHO_GETS_WHAT += [("other_coordinator", 404)]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("role", "status"), WHO_GETS_WHAT)
def test_who_may_open_the_pages(client, request, records, name, role, status):
    client.force_login(request.getfixturevalue(role))

    response = client.get(_urls(records)[name])

    assert response.status_code == status
    if status != 200:
        assert records["arrangement"].person.name not in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("manager", 302), ("coordinator", 302), *WHO_GETS_WHAT[2:]])
def test_who_may_mark_an_action_done(client, request, records, role, status):
    client.force_login(request.getfixturevalue(role))
    action = records["action"]

    response = client.post(reverse("arrangement_action_done", args=[records["arrangement"].pk, action.pk]))

    assert response.status_code == status
    action.refresh_from_db()
    assert (action.done_on is not None) == (status == 302)


@pytest.mark.parametrize("role", ["carer", "other_carer", "other_coordinator"])
def test_nobody_outside_the_staff_can_record_a_review_by_posting(client, request, records, role):
    client.force_login(request.getfixturevalue(role))

    response = client.post(
        _urls(records)["arrangement_review_new"],
        {"held_on": "2026-11-18", "attendees": ["person"], "involvement": "spoke", "person_views": "Fine"},
    )

    assert response.status_code in (403, 404)
    assert ArrangementReview.objects.count() == 1


@pytest.mark.parametrize("name", ["arrangement_review_detail", "arrangement_visit_record"])
def test_a_record_of_another_arrangement_is_not_found_under_this_one(
    client, coordinator, scheme, records, name
):
    elsewhere = ArrangementFactory(scheme=scheme)
    client.force_login(coordinator)

    response = client.get(_urls(records)[name].replace(f"/{records['arrangement'].pk}/", f"/{elsewhere.pk}/"))

    assert response.status_code == 404


def test_an_action_of_another_arrangement_is_not_found_under_this_one(client, coordinator, scheme, records):
    elsewhere = ArrangementFactory(scheme=scheme)
    client.force_login(coordinator)

    response = client.post(reverse("arrangement_action_done", args=[elsewhere.pk, records["action"].pk]))

    assert response.status_code == 404


# --- Methods -------------------------------------------------------------------------


def test_marking_done_takes_only_a_post(client, coordinator, records):
    client.force_login(coordinator)
    url = reverse("arrangement_action_done", args=[records["arrangement"].pk, records["action"].pk])

    response = client.get(url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    records["action"].refresh_from_db()
    assert records["action"].done_on is None


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_review_page_only_reads(client, coordinator, records, method):
    client.force_login(coordinator)

    response = getattr(client, method)(_urls(records)["arrangement_review_detail"])

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("name", ["arrangement_review_new", "arrangement_visit_record"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_forms_take_only_get_and_post(client, coordinator, records, name, method):
    client.force_login(coordinator)

    response = getattr(client, method)(_urls(records)[name])

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"


# --- Queries --------------------------------------------------------------------------


def test_the_arrangements_page_costs_the_same_queries_however_many_reviews(
    client, coordinator, records, django_assert_max_num_queries
):
    # The reviews and the open actions are each a paginated query (with who
    # recorded the review, and the action's review, joined in) and the visits
    # one query: more records must not mean more queries.
    arrangement = records["arrangement"]
    url = reverse("arrangement_detail", args=[arrangement.pk])
    client.force_login(coordinator)
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for year in range(2000, 2026):
        review = ArrangementReviewFactory(arrangement=arrangement, held_on=dt.date(year, 2, 17))
        ReviewActionFactory.create_batch(2, review=review)
    for month in range(1, 11):
        MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, month, 28))
        MonitoringVisitFactory(
            arrangement=arrangement,
            due_on=dt.date(2025, month, 28),
            held_on=dt.date(2025, month, 28),
            visited_by=coordinator,
            notes="All well.",
        )

    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count('class="review"') == 25  # one page
    assert response.content.decode().count('class="action"') == 25


# --- The timetable is kept in Django admin ----------------------------------------


def test_a_system_administrator_sets_a_schemes_timetable(client, admin_user, scheme):
    sign_in_with_code(client, admin_user)  # admin wants the code too
    data = {
        "scheme": scheme.pk,
        "first_review_weeks": 4,
        "review_every_months": 6,
        "visit_every_months": 1,
        "visits_for_months": 3,
        "expiry_warning_days": 60,
    }

    too_late = client.post("/admin/placements/monitoringsettings/add/", {**data, "first_review_weeks": 9})
    response = client.post("/admin/placements/monitoringsettings/add/", data)

    assert too_late.status_code == 200  # shown again with the error
    assert response.status_code == 302
    settings = MonitoringSettings.for_scheme(scheme)
    assert (settings.first_review_weeks, settings.review_every_months, settings.visits_for_months) == (
        4,
        6,
        3,
    )
