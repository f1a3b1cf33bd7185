"""Compliments and complaints: the list and its filters, logging one, its
page, editing it, closing it (a complaint with its outcome), and who may
open them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.feedback import close_feedback
from placements.models import Feedback
from sharedlives.forms import STALE_MESSAGE
from sharedlives.models import Membership
from sharedlives.workflow import WorkflowRefused
from tests.factories import FeedbackFactory, PersonFactory
from tests.sharedlives.pages import Page, form_data, history_entries, text

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def complaint(scheme, carer_household):
    return FeedbackFactory(
        scheme=scheme,
        kind="complaint",
        from_whom="Jo Bell, sister",
        summary="Sam's short break was cancelled at a day's notice.",
        carer=carer_household,
        received_on=dt.date(2026, 11, 10),
    )


def _rows(response) -> list[str]:
    table = Page(response).find("table")
    if table is None:
        return []
    return [row.text for row in table.first("tbody").iter() if row.tag == "tr"]


# --- The list ---------------------------------------------------------------


@pytest.fixture
def several(scheme, manager, complaint):
    FeedbackFactory(scheme=scheme, from_whom="Ann Lee, social worker", received_on=dt.date(2026, 11, 12))
    FeedbackFactory(
        scheme=scheme,
        kind="complaint",
        from_whom="Tom Gale, neighbour",
        received_on=dt.date(2026, 10, 1),
        response="Apologised.",
        outcome="partly_upheld",
        closed_on=dt.date(2026, 10, 20),
        closed_by=manager,
    )
    FeedbackFactory(from_whom="Another scheme's")


def test_the_list_shows_open_ones_latest_first(client, coordinator, several):
    client.force_login(coordinator)

    assert _rows(client.get(reverse("feedback_list"))) == [
        "12 Nov 2026 Compliment Ann Lee, social worker The scheme Open",
        "10 Nov 2026 Complaint Jo Bell, sister Asha Patel Open",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "complaint"}, ["10 Nov 2026"]),
        ({"kind": "compliment"}, ["12 Nov 2026"]),
        ({"status": "closed"}, ["1 Oct 2026"]),
        ({"status": "all", "kind": "complaint"}, ["10 Nov 2026", "1 Oct 2026"]),
    ],
)
def test_the_list_filters_by_kind_and_open_or_closed(client, coordinator, several, query, expected):
    client.force_login(coordinator)

    rows = _rows(client.get(reverse("feedback_list"), query))

    assert [" ".join(row.split()[:3]) for row in rows] == expected


def test_a_closed_complaint_shows_its_outcome_in_the_list(client, coordinator, several):
    client.force_login(coordinator)

    rows = _rows(client.get(reverse("feedback_list"), {"status": "closed"}))

    assert rows == ["1 Oct 2026 Complaint Tom Gale, neighbour The scheme Closed 20 Oct 2026 (partly upheld)"]


def test_the_list_costs_the_same_queries_however_many(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # The person and carer of each row are joined into the page's one query.
    def add(n):
        for _ in range(n):
            FeedbackFactory(scheme=scheme, person=PersonFactory(scheme=scheme))

    client.force_login(coordinator)
    add(2)
    client.get(reverse("feedback_list"))  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("feedback_list"))

    add(20)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("feedback_list"))
    assert len(_rows(response)) == 22


# --- Logging one ------------------------------------------------------------


def _new_data(**changes):
    data = {
        "kind": "compliment",
        "received_on": "2026-11-19",
        "from_whom": "Priya Shah, Sam's mother",
        "person": "",
        "carer": "",
        "summary": "Sam loves his Tuesdays with Asha.",
        "response": "",
    }
    return data | changes


def test_a_coordinator_logs_a_compliment(client, coordinator, carer_household):
    client.force_login(coordinator)

    response = client.post(reverse("feedback_new"), _new_data(carer=carer_household.pk), follow=True)

    feedback = Feedback.objects.get()
    assert response.redirect_chain == [(reverse("feedback_detail", args=[feedback.pk]), 302)]
    page = Page(response)
    assert "Done: The compliment has been recorded." in page.messages
    assert "Compliment from Priya Shah, Sam's mother" in page.main_text
    assert "About the carer Asha Patel" in page.main_text
    assert (feedback.recorded_by, feedback.received_on) == (coordinator, dt.date(2026, 11, 19))


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        reverse("feedback_new"), _new_data(kind="", received_on="2026-11-21", summary="", from_whom="Jo")
    )

    page = Page(response)
    # The two choices are a fieldset, described by the error.
    assert page.find("fieldset", **{"aria-describedby": "id_kind_error"}) is not None
    assert page.find(id="id_kind_error").text == "Choose whether it is a compliment or a complaint."
    assert page.error_for("received_on") == "The date it was received cannot be in the future."
    assert page.error_for("summary") == "Say what they said."
    assert page.value_of("from_whom") == "Jo"
    assert not Feedback.objects.exists()


# --- Its page, editing and history ------------------------------------------


def test_the_page_shows_a_complaint_and_that_its_outcome_waits(client, coordinator, complaint):
    client.force_login(coordinator)

    page = text(client.get(reverse("feedback_detail", args=[complaint.pk])))

    assert "Complaint from Jo Bell, sister" in page
    assert "Received 10 Nov 2026 · Open" in page
    assert "What they said Sam's short break was cancelled at a day's notice." in page
    assert "Outcome Not decided yet" in page


def test_an_edit_is_saved_and_shown_in_the_history(client, coordinator, complaint):
    client.force_login(coordinator)
    data = form_data(client.get(reverse("feedback_edit", args=[complaint.pk])).context["form"])

    response = client.post(
        reverse("feedback_edit", args=[complaint.pk]),
        data | {"response": "Called Jo to apologise."},
        follow=True,
    )

    assert "Done: The complaint has been saved." in Page(response).messages
    assert "What we did Called Jo to apologise." in text(response)
    history = history_entries(client.get(reverse("feedback_history", args=[complaint.pk])))
    assert history[0]["title"] == "Feedback changed"
    assert ("What we did", "—", "Called Jo to apologise.") in history[0]["changes"]


def test_two_staff_editing_at_once_cannot_overwrite_each_other(client, coordinator, manager, complaint):
    url = reverse("feedback_edit", args=[complaint.pk])
    client.force_login(coordinator)
    mine = form_data(client.get(url).context["form"]) | {"response": "Mine"}
    client.force_login(manager)
    client.post(url, form_data(client.get(url).context["form"]) | {"response": "Theirs"})
    client.force_login(coordinator)

    page = Page(client.post(url, mine))

    assert STALE_MESSAGE in page.main_text
    assert page.value_of("response") == "Mine"
    assert Feedback.objects.get(pk=complaint.pk).response == "Theirs"


# --- Closing ----------------------------------------------------------------


def test_a_complaint_closes_with_what_we_did_and_its_outcome(client, coordinator, complaint):
    client.force_login(coordinator)

    response = client.post(
        reverse("feedback_close", args=[complaint.pk]),
        {"closed_on": "2026-11-18", "response": "Rebooked the break and apologised.", "outcome": "upheld"},
        follow=True,
    )

    page = Page(response)
    assert "Done: The complaint has been closed on 18 Nov 2026." in page.messages
    assert "Outcome Upheld" in page.main_text
    complaint.refresh_from_db()
    assert (complaint.closed_on, complaint.closed_by, complaint.outcome) == (
        dt.date(2026, 11, 18),
        coordinator,
        "upheld",
    )


def test_a_complaint_cannot_close_without_its_outcome(client, coordinator, complaint):
    client.force_login(coordinator)

    page = Page(
        client.post(
            reverse("feedback_close", args=[complaint.pk]),
            {"closed_on": "2026-11-09", "response": "", "outcome": ""},
        )
    )

    assert page.error_for("outcome") == "Record the complaint's outcome before closing it."
    assert page.error_for("response") == "Say what we did about the complaint."
    assert (
        page.error_for("closed_on")
        == "The date it was closed cannot be before it was received (10 Nov 2026)."
    )
    assert page.value_of("closed_on") == "2026-11-09"
    assert Feedback.objects.get(pk=complaint.pk).closed_on is None


def test_a_compliment_closes_without_an_outcome(client, coordinator, scheme):
    compliment = FeedbackFactory(scheme=scheme)
    client.force_login(coordinator)

    shown = Page(client.get(reverse("feedback_close", args=[compliment.pk])))
    client.post(reverse("feedback_close", args=[compliment.pk]), {"closed_on": "2026-11-19", "response": ""})

    assert shown.find("select", name="outcome") is None
    compliment.refresh_from_db()
    assert (compliment.closed_on, compliment.outcome) == (dt.date(2026, 11, 19), "")


def test_the_services_refuse_a_complaint_without_its_outcome(coordinator, complaint):
    with pytest.raises(WorkflowRefused) as refusal:
        close_feedback(
            feedback=complaint,
            membership=Membership.objects.get(user=coordinator),
            closed_on=dt.date(2026, 11, 21),
            response="Called",
        )

    assert refusal.value.reasons == [
        "Record the complaint's outcome before closing it.",
        "The date it was closed cannot be in the future.",
    ]


def test_a_closed_one_is_not_closed_again(client, coordinator, manager, scheme):
    closed = FeedbackFactory(scheme=scheme, closed_on=dt.date(2026, 11, 5), closed_by=manager)
    client.force_login(coordinator)

    shown = text(client.get(reverse("feedback_close", args=[closed.pk])))
    client.post(reverse("feedback_close", args=[closed.pk]), {"closed_on": "2026-11-19"})

    assert "This was closed on 5 Nov 2026" in shown
    assert Feedback.objects.get(pk=closed.pk).closed_on == dt.date(2026, 11, 5)


# --- Who may open them ------------------------------------------------------

RECORD_PAGES = ["feedback_detail", "feedback_edit", "feedback_close", "feedback_history"]


@pytest.mark.parametrize("role", ["manager", "coordinator"])
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_the_schemes_staff_open_every_page(client, request, complaint, role, name):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(name, args=[complaint.pk])).status_code == 200


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_carer_finds_none_not_even_a_complaint_about_them(client, carer, complaint, name):
    client.force_login(carer)

    assert client.get(reverse(name, args=[complaint.pk])).status_code == 404


@pytest.mark.parametrize("name", ["feedback_list", "feedback_new"])
def test_a_carer_cannot_open_the_list_or_log_one(client, carer, name):
    client.force_login(carer)

    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("feedback_new"), _new_data()).status_code == 403
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_another_schemes_staff_cannot_find_it(client, other_coordinator, complaint, name):
    client.force_login(other_coordinator)

    assert client.get(reverse(name, args=[complaint.pk])).status_code == 404


def test_the_pages_answer_only_their_methods(client, coordinator, complaint):
    client.force_login(coordinator)

    assert client.post(reverse("feedback_list")).status_code == 405
    assert client.post(reverse("feedback_detail", args=[complaint.pk])).status_code == 405
    assert client.put(reverse("feedback_edit", args=[complaint.pk])).status_code == 405
    assert client.delete(reverse("feedback_close", args=[complaint.pk])).status_code == 405
