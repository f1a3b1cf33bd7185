"""Recording a monitoring visit (when, whether the person was seen, how
things are) and marking a review's action done; and the arrangement's
"Reviews and visits" section that lists them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from placements.models import ArrangementStatus, MonitoringVisit
from placements.monitoring import complete_action, record_visit
from sharedlives.workflow import WorkflowRefused
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    MonitoringVisitFactory,
    ReviewActionFactory,
)
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_coordinator(coordinator):
    return coordinator.memberships.get()


@pytest.fixture
def sam(scheme, carer_household):
    """Sam Reid, living with Asha Patel since 6 Oct 2026."""
    return ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        person__first_name="Sam",
        person__last_name="Reid",
        start_date=dt.date(2026, 10, 6),
        next_review_due=dt.date(2026, 11, 17),
    )


@pytest.fixture
def visit(sam):
    return MonitoringVisitFactory(arrangement=sam, due_on=dt.date(2026, 11, 6))


# --- Visits: the service ---------------------------------------------------------


def test_recording_a_visit(visit, as_coordinator):
    record_visit(
        visit=visit,
        membership=as_coordinator,
        held_on=dt.date(2026, 11, 9),
        saw_the_person=False,
        notes="  Sam was at college; Asha says all is well.  ",
    )

    visit.refresh_from_db()
    assert (visit.held_on, visit.saw_the_person, visit.visited_by) == (
        dt.date(2026, 11, 9),
        False,
        as_coordinator.user,
    )
    assert visit.notes == "Sam was at college; Asha says all is well."
    assert not MonitoringVisit.objects.due_by(dt.date(2026, 11, 30)).exists()


@pytest.mark.parametrize(
    ("held_on", "notes", "reasons"),
    [
        (
            dt.date(2026, 11, 21),
            "Fine",
            ["A visit is recorded once it has been held: 21 Nov 2026 is in the future."],
        ),
        (dt.date(2026, 10, 5), "Fine", ["The visit cannot be before the arrangement started (6 Oct 2026)."]),
        (dt.date(2026, 11, 9), "  ", ["Say how things are."]),
    ],
)
def test_a_visit_is_refused_with_the_reason(visit, as_coordinator, held_on, notes, reasons):
    with pytest.raises(WorkflowRefused) as refused:
        record_visit(
            visit=visit, membership=as_coordinator, held_on=held_on, saw_the_person=True, notes=notes
        )

    assert refused.value.reasons == reasons
    visit.refresh_from_db()
    assert visit.held_on is None


def test_a_visit_is_recorded_once(visit, as_coordinator):
    record_visit(
        visit=visit, membership=as_coordinator, held_on=dt.date(2026, 11, 9), saw_the_person=True, notes="A"
    )

    with pytest.raises(WorkflowRefused) as refused:
        record_visit(
            visit=visit,
            membership=as_coordinator,
            held_on=dt.date(2026, 11, 10),
            saw_the_person=True,
            notes="B",
        )

    assert refused.value.reasons == ["This visit has already been recorded as held on 9 Nov 2026."]


def test_a_cancelled_visit_cannot_be_recorded(visit, as_coordinator):
    visit.cancelled = True
    visit.save()

    with pytest.raises(WorkflowRefused) as refused:
        record_visit(
            visit=visit,
            membership=as_coordinator,
            held_on=dt.date(2026, 11, 9),
            saw_the_person=True,
            notes="A",
        )

    assert refused.value.reasons == ["This visit was cancelled: the arrangement ended before it was due."]


def test_a_carer_cannot_record_a_visit(visit, carer):
    with pytest.raises(WorkflowRefused):
        record_visit(
            visit=visit,
            membership=carer.memberships.get(),
            held_on=dt.date(2026, 11, 9),
            saw_the_person=True,
            notes="A",
        )


# --- Visits: the page ------------------------------------------------------------


def _visit_url(visit):
    return reverse("arrangement_visit_record", args=[visit.arrangement_id, visit.pk])


def test_a_coordinator_records_a_visit_from_the_arrangement(client, coordinator, sam, visit):
    client.force_login(coordinator)
    detail = Page(client.get(reverse("arrangement_detail", args=[sam.pk])))
    assert "Due on 6 Nov 2026 ( overdue by 14 days ) Record the visit due on 6 Nov 2026" in detail.main_text
    form = Page(client.get(_visit_url(visit)))
    assert form.value_of("held_on") == "2026-11-20"
    assert "Did you see Sam Reid?" in form.main_text

    response = client.post(
        _visit_url(visit),
        {"held_on": "2026-11-19", "saw_the_person": "yes", "notes": "Sam showed me his new bike."},
        follow=True,
    )

    page = Page(response)
    assert "Done: The monitoring visit of 19 Nov 2026 has been recorded." in page.messages
    assert "No monitoring visits are due." in page.main_text
    assert "Monitoring visits held 19 Nov 2026 by" in page.main_text
    held = Page(client.get(_visit_url(visit)))
    assert held.find("h1").text == "Monitoring visit of 19 Nov 2026"
    assert "How things are Sam showed me his new bike." in held.main_text
    assert not [element for element in held.find("main").iter() if element.tag == "form"]


def test_bad_input_on_a_visit_keeps_what_was_typed(client, coordinator, visit):
    client.force_login(coordinator)

    page = Page(
        client.post(_visit_url(visit), {"held_on": "2026-11-22", "saw_the_person": "no", "notes": "Quiet"})
    )

    assert (
        page.error_for("held_on") == "A visit is recorded once it has been held: this date is in the future."
    )
    assert page.value_of("notes") == "Quiet"
    assert page.find("input", name="saw_the_person", value="no").attrs.keys() >= {"checked"}
    visit.refresh_from_db()
    assert visit.held_on is None


def test_a_visit_without_notes_is_refused_next_to_the_field(client, coordinator, visit):
    client.force_login(coordinator)

    page = Page(
        client.post(_visit_url(visit), {"held_on": "2026-11-19", "saw_the_person": "yes", "notes": " "})
    )

    assert page.error_for("notes") == "Say how things are."


def test_posting_to_a_visit_already_held_says_so(client, coordinator, visit):
    visit.held_on, visit.visited_by, visit.notes = dt.date(2026, 11, 9), coordinator, "Fine"
    visit.save()
    client.force_login(coordinator)

    response = client.post(
        _visit_url(visit), {"held_on": "2026-11-19", "saw_the_person": "yes", "notes": "Again"}, follow=True
    )

    assert "This visit has already been recorded as held on 9 Nov 2026." in " ".join(Page(response).messages)
    visit.refresh_from_db()
    assert visit.notes == "Fine"


# --- Actions -----------------------------------------------------------------------


@pytest.fixture
def action(sam):
    review = ArrangementReviewFactory(arrangement=sam, held_on=dt.date(2026, 11, 16))
    return ReviewActionFactory(review=review, what="Find a swimming club", due_on=dt.date(2026, 11, 30))


def test_marking_an_action_done(action, as_coordinator):
    complete_action(action=action, membership=as_coordinator, done_on=dt.date(2026, 11, 20))

    action.refresh_from_db()
    assert (action.done_on, action.done_by) == (dt.date(2026, 11, 20), as_coordinator.user)


@pytest.mark.parametrize(
    ("done_on", "reason"),
    [
        (dt.date(2026, 11, 21), "An action is marked done once it has been done, not in the future."),
        (dt.date(2026, 11, 15), "An action cannot be done before the review that agreed it (16 Nov 2026)."),
    ],
)
def test_an_action_done_on_a_wrong_day_is_refused(action, as_coordinator, done_on, reason):
    with pytest.raises(WorkflowRefused) as refused:
        complete_action(action=action, membership=as_coordinator, done_on=done_on)

    assert refused.value.reasons == [reason]


def test_the_done_button_marks_the_action_done_today(client, coordinator, sam, action):
    client.force_login(coordinator)
    detail = Page(client.get(reverse("arrangement_detail", args=[sam.pk])))
    assert "Find a swimming club The carer 30 Nov 2026 (due in 10 days) The review of 16 Nov 2026" in (
        detail.main_text
    )

    response = client.post(reverse("arrangement_action_done", args=[sam.pk, action.pk]), follow=True)

    action.refresh_from_db()
    assert action.done_on == dt.date(2026, 11, 20)
    page = Page(response)
    assert "Done: “Find a swimming club” has been marked done." in page.messages
    assert "No open actions." in page.main_text


def test_done_twice_says_so(client, coordinator, sam, action):
    client.force_login(coordinator)
    url = reverse("arrangement_action_done", args=[sam.pk, action.pk])
    client.post(url)

    response = client.post(url, follow=True)

    assert any("was already marked done on 20 Nov 2026" in message for message in Page(response).messages)


def test_done_from_the_review_goes_back_to_the_review_but_never_off_the_site(
    client, coordinator, sam, action
):
    client.force_login(coordinator)
    review_url = reverse("arrangement_review_detail", args=[sam.pk, action.review_id])
    url = reverse("arrangement_action_done", args=[sam.pk, action.pk])

    back = client.post(url, {"next": review_url})
    away = client.post(url, {"next": "https://evil.example/"})

    assert back.url == review_url
    assert away.url == reverse("arrangement_detail", args=[sam.pk]) + "#monitoring"


# --- The section on the arrangement's page ---------------------------------------


def test_the_section_says_when_the_next_review_is_and_lists_past_reviews(client, coordinator, sam):
    review = ArrangementReviewFactory(
        arrangement=sam,
        held_on=dt.date(2026, 11, 16),
        attendees=["person", "carer"],
        other_attendees="Jo (sister)",
    )
    sam.next_review_due = dt.date(2026, 11, 17)
    sam.save()
    client.force_login(coordinator)

    page = Page(client.get(reverse("arrangement_detail", args=[sam.pk])))

    section = page.find("section", id="monitoring")
    assert "Next review due on 17 Nov 2026 : Overdue by 3 days ." in section.text
    assert "16 Nov 2026 The person, The carer (Jo (sister)) 16 Nov 2027 Read the review of 16 Nov 2026" in (
        section.text
    )
    review_url = reverse("arrangement_review_detail", args=[sam.pk, review.pk])
    assert any(element.attrs.get("href") == review_url for element in section.iter())
    assert page.find("a", href=reverse("arrangement_review_new", args=[sam.pk])).text == "Record the review"


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (
            ArrangementStatus.PLANNED,
            "The first review and the monitoring visits are set when the arrangement starts.",
        ),
        (ArrangementStatus.ENDED, "No more reviews are due: the arrangement has ended."),
    ],
)
def test_the_section_of_an_arrangement_not_current(
    client, coordinator, scheme, carer_household, status, words
):
    ended = {"end_date": dt.date(2026, 10, 1), "end_reason": "hospital"} if status == "ended" else {}
    other = ArrangementFactory(scheme=scheme, carer=carer_household, status=status, **ended)
    client.force_login(coordinator)

    page = Page(client.get(reverse("arrangement_detail", args=[other.pk])))

    assert words in page.find("section", id="monitoring").text
    assert "Record the review" not in page.main_text


def test_a_carer_sees_only_when_the_next_review_is(client, carer, sam, visit, action):
    client.force_login(carer)

    page = Page(client.get(reverse("arrangement_detail", args=[sam.pk])))

    section = page.find("section", id="monitoring")
    assert "Next review due on 17 Nov 2026" in section.text
    assert "Record" not in section.text
    assert "swimming" not in section.text
    assert "Monitoring visits" not in section.text
