"""Completing an arrangement's review: who attended, how the person took
part, their own views in their own words (required: "did not wish to
comment" is an answer, a blank is not), the actions agreed, and the next
review, which completing it sets. Refused, with the reasons, when a rule is
broken; the form keeps what was typed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from placements.models import (
    ArrangementReview,
    ArrangementStatus,
    Involvement,
    MonitoringSettings,
    ReviewAction,
)
from placements.monitoring import VIEWS_NEEDED, AgreedAction, complete_review
from sharedlives.workflow import WorkflowRefused
from tests.factories import ArrangementFactory, ArrangementReviewFactory, ReviewActionFactory
from tests.sharedlives.pages import Page

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_coordinator(coordinator):
    return coordinator.memberships.get()


@pytest.fixture
def sam(scheme, carer_household):
    """Sam Reid, living with Asha Patel since 6 Jan 2025; a review due on 10 Nov 2026."""
    return ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        person__first_name="Sam",
        person__last_name="Reid",
        next_review_due=dt.date(2026, 11, 10),
    )


def _review(arrangement, membership, **changes):
    fields = {
        "arrangement": arrangement,
        "membership": membership,
        "held_on": dt.date(2026, 11, 18),
        "attendees": ["person", "carer", "coordinator"],
        "other_attendees": "",
        "involvement": Involvement.SPOKE_FOR_THEMSELVES,
        "person_views": "I like it here. I want to go swimming.",
        "carer_views": "",
        "working": "",
        "not_working": "",
        "outcomes": "",
        "actions": [],
    }
    fields.update(changes)
    return complete_review(**fields)


def _refusal(arrangement, membership, **changes) -> list[str]:
    with pytest.raises(WorkflowRefused) as refused:
        _review(arrangement, membership, **changes)
    return refused.value.reasons


# --- The service ---------------------------------------------------------------


def test_completing_a_review_sets_the_next_one_a_year_on(sam, as_coordinator):
    version = sam.version
    action = AgreedAction(what="Find a swimming club", who="Asha", due_on=dt.date(2026, 12, 18))

    review = _review(sam, as_coordinator, actions=[action])

    sam.refresh_from_db()
    assert (review.due_on, review.held_on, review.next_review_on) == (
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 18),
        dt.date(2027, 11, 18),
    )
    assert review.reviewer == as_coordinator.user
    assert sam.next_review_due == dt.date(2027, 11, 18)
    assert sam.version == version + 1
    assert list(review.actions.values_list("what", "who", "due_on")) == [
        ("Find a swimming club", "Asha", dt.date(2026, 12, 18))
    ]


def test_the_reviewer_may_set_an_earlier_next_review(sam, as_coordinator):
    review = _review(sam, as_coordinator, next_review_on=dt.date(2027, 2, 18))

    sam.refresh_from_db()
    assert review.next_review_on == sam.next_review_due == dt.date(2027, 2, 18)


def test_a_review_held_on_29_february_is_next_due_on_28_february(scheme, carer_household, as_coordinator):
    leap = ArrangementFactory(scheme=scheme, carer=carer_household, start_date=dt.date(2028, 1, 31))
    with time_machine.travel(dt.datetime(2028, 3, 1, 10, tzinfo=LONDON), tick=False):
        review = _review(leap, as_coordinator, held_on=dt.date(2028, 2, 29))
        later = _refusal(
            leap, as_coordinator, held_on=dt.date(2028, 3, 1), next_review_on=dt.date(2029, 3, 2)
        )

    assert review.next_review_on == dt.date(2029, 2, 28)
    assert later == ["The next review must be no later than 1 Mar 2029."]


def test_the_schemes_setting_limits_the_next_review(scheme, sam, as_coordinator):
    MonitoringSettings.objects.create(scheme=scheme, review_every_months=6)

    reasons = _refusal(sam, as_coordinator, next_review_on=dt.date(2027, 5, 19))
    review = _review(sam, as_coordinator)

    assert reasons == ["The next review must be no later than 18 May 2027."]
    assert review.next_review_on == dt.date(2027, 5, 18)


@pytest.mark.parametrize("views", ["", "   ", "\n\t"])
def test_the_persons_views_must_be_written(sam, as_coordinator, views):
    assert _refusal(sam, as_coordinator, person_views=views) == [VIEWS_NEEDED]
    assert not ArrangementReview.objects.exists()


def test_did_not_wish_to_comment_is_an_answer(sam, as_coordinator):
    review = _review(
        sam,
        as_coordinator,
        person_views="  Did not wish to comment  ",
        involvement=Involvement.DID_NOT_TAKE_PART,
    )

    assert review.person_views == "Did not wish to comment"


def test_the_database_refuses_a_review_without_the_persons_views(sam, coordinator):
    with pytest.raises(IntegrityError, match="review_has_person_views"), transaction.atomic():
        ArrangementReviewFactory(arrangement=sam, reviewer=coordinator, person_views="  \n ")


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        (
            {"held_on": dt.date(2026, 11, 21), "next_review_on": dt.date(2027, 11, 1)},
            ["A review is recorded once it has been held: 21 Nov 2026 is in the future."],
        ),
        (
            {"held_on": dt.date(2025, 1, 5)},
            ["The review cannot be before the arrangement started (6 Jan 2025)."],
        ),
        ({"next_review_on": dt.date(2026, 11, 18)}, ["The next review must be after this one."]),
        ({"next_review_on": dt.date(2027, 11, 19)}, ["The next review must be no later than 18 Nov 2027."]),
        ({"attendees": []}, ["Say who attended the review."]),
        ({"involvement": ""}, ["Say how the person took part."]),
        (
            {"actions": [AgreedAction(what="Book the dentist", who="Asha", due_on=dt.date(2026, 11, 1))]},
            ["“Book the dentist” is due before the review was held."],
        ),
        (
            {"actions": [AgreedAction(what=" ", who="Asha", due_on=dt.date(2026, 12, 1))]},
            ["Each action needs what is to be done and who will do it."],
        ),
    ],
)
def test_a_review_is_refused_with_the_reason(sam, as_coordinator, changes, reasons):
    assert _refusal(sam, as_coordinator, **changes) == reasons
    sam.refresh_from_db()
    assert sam.next_review_due == dt.date(2026, 11, 10)
    assert not ArrangementReview.objects.exists()


def test_every_reason_is_given_at_once(sam, as_coordinator):
    reasons = _refusal(sam, as_coordinator, attendees=[], person_views="", next_review_on=dt.date(2026, 1, 1))

    assert reasons == [
        "Say who attended the review.",
        VIEWS_NEEDED,
        "The next review must be after this one.",
    ]


@pytest.mark.parametrize("status", [ArrangementStatus.PLANNED, ArrangementStatus.ENDED])
def test_only_a_current_arrangement_is_reviewed(scheme, carer_household, as_coordinator, status):
    ended = {"end_date": dt.date(2026, 10, 1), "end_reason": "hospital"} if status == "ended" else {}
    other = ArrangementFactory(scheme=scheme, carer=carer_household, status=status, **ended)

    reasons = _refusal(other, as_coordinator)

    assert reasons == [f"Reviews are held for current arrangements; this one is {status.label.lower()}."]


def test_a_review_must_follow_the_last_one(sam, as_coordinator):
    _review(sam, as_coordinator, held_on=dt.date(2026, 11, 18))

    again = _refusal(sam, as_coordinator, held_on=dt.date(2026, 11, 18))

    assert again == ["The last review recorded was held on 18 Nov 2026: this one must be held after it."]
    assert ArrangementReview.objects.count() == 1


def test_a_carer_or_another_schemes_coordinator_cannot_record_a_review(sam, carer, other_coordinator):
    for user in (carer, other_coordinator):
        assert _refusal(sam, user.memberships.get()) == ["Only the staff of this scheme can record a review."]


# --- The form ------------------------------------------------------------------


def _url(arrangement):
    return reverse("arrangement_review_new", args=[arrangement.pk])


def _post(**changes) -> dict:
    data = {
        "held_on": "2026-11-18",
        "attendees": ["person", "carer", "social_worker"],
        "other_attendees": "Priya Shah (social worker)",
        "involvement": "spoke",
        "person_views": "I like my room. I want to go to college.",
        "carer_views": "Sam is settled.",
        "working": "Cooking together.",
        "not_working": "Buses are hard.",
        "outcomes": "Start a college course in January.",
        "next_review_on": "2027-11-18",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-0-what": "Ask the college about a taster day",
        "actions-0-who": "Asha Patel",
        "actions-0-due_on": "2026-12-18",
        "actions-1-what": "",
        "actions-1-who": "",
        "actions-1-due_on": "",
        "actions-2-what": "",
        "actions-2-who": "",
        "actions-2-due_on": "",
    }
    data.update(changes)
    return data


def test_the_form_proposes_today_and_the_latest_next_review(client, coordinator, sam):
    client.force_login(coordinator)

    page = Page(client.get(_url(sam)))

    assert page.value_of("held_on") == "2026-11-20"
    assert page.value_of("next_review_on") == "2027-11-20"
    assert "This review was due on 10 Nov 2026 (overdue by 10 days)." in page.main_text
    assert "“Did not wish to comment”" in page.main_text
    assert [page.find("input", name=f"actions-{n}-what") is not None for n in range(4)] == [True] * 3 + [
        False
    ]


def test_a_coordinator_records_a_review_and_blank_action_rows_are_ignored(client, coordinator, sam):
    client.force_login(coordinator)

    response = client.post(_url(sam), _post(), follow=True)

    review = ArrangementReview.objects.get()
    assert review.attendees == ["person", "carer", "social_worker"]
    assert review.person_views == "I like my room. I want to go to college."
    assert list(ReviewAction.objects.values_list("what", flat=True)) == ["Ask the college about a taster day"]
    page = Page(response)
    assert response.redirect_chain == [(reverse("arrangement_detail", args=[sam.pk]) + "#monitoring", 302)]
    assert (
        "Done: The review held on 18 Nov 2026 has been recorded. The next review is due on 18 Nov 2027. "
        "1 action agreed." in page.messages
    )
    assert "Next review due on 18 Nov 2027 : due in 363 days." in page.main_text


def test_a_blank_next_review_is_the_latest_after_the_review(client, coordinator, sam):
    client.force_login(coordinator)

    client.post(_url(sam), _post(next_review_on=""))

    sam.refresh_from_db()
    assert sam.next_review_due == dt.date(2027, 11, 18)


def test_blank_views_are_refused_next_to_the_field_and_what_was_typed_is_kept(client, coordinator, sam):
    client.force_login(coordinator)

    page = Page(client.post(_url(sam), _post(person_views="   ")))

    assert page.error_for("person_views") == VIEWS_NEEDED
    assert page.value_of("carer_views") == "Sam is settled."
    assert page.value_of("actions-0-what") == "Ask the college about a taster day"
    assert page.value_of("other_attendees") == "Priya Shah (social worker)"
    assert not ArrangementReview.objects.exists()


def test_bad_dates_and_a_half_filled_action_are_shown_next_to_their_fields(client, coordinator, sam):
    client.force_login(coordinator)

    page = Page(
        client.post(
            _url(sam),
            _post(held_on="2026-11-25", next_review_on="2028-01-01", **{"actions-1-what": "Dentist"}),
        )
    )

    assert (
        page.error_for("held_on") == "A review is recorded once it has been held: this date is in the future."
    )
    assert page.error_for("actions-1-who") == "Say who will do it."
    assert page.error_for("actions-1-due_on") == "Say by when it is to be done."
    assert page.value_of("actions-1-what") == "Dentist"
    assert not ArrangementReview.objects.exists()


def test_a_next_review_too_far_off_is_refused_next_to_the_field(client, coordinator, sam):
    client.force_login(coordinator)

    page = Page(client.post(_url(sam), _post(next_review_on="2027-11-19", attendees=[])))

    assert page.error_for("next_review_on") == "The next review must be no later than 18 Nov 2027."
    assert page.find(id="id_attendees_error").text == "Tick everyone who attended the review."


def test_a_refusal_by_the_service_is_shown_at_the_top(client, coordinator, sam):
    client.force_login(coordinator)

    page = Page(client.post(_url(sam), _post(held_on="2025-01-01", next_review_on="")))

    assert "The review has not been recorded: The review cannot be before the arrangement started" in (
        " ".join(page.messages)
    )
    assert page.value_of("person_views") == "I like my room. I want to go to college."


def test_an_ended_arrangement_offers_no_form(client, coordinator, scheme, carer_household):
    ended = ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2026, 10, 1),
        end_reason="hospital",
    )
    client.force_login(coordinator)

    page = Page(client.get(_url(ended)))

    assert page.find("textarea", name="person_views") is None
    assert "Reviews are recorded while an arrangement is current." in page.main_text


# --- The review's page -----------------------------------------------------------


def test_the_review_page_puts_the_persons_own_words_first(client, coordinator, sam):
    review = ArrangementReviewFactory(
        arrangement=sam,
        held_on=dt.date(2026, 11, 18),
        due_on=dt.date(2026, 11, 10),
        attendees=["person", "carer", "advocate"],
        other_attendees="Jo Bell (advocate)",
        involvement=Involvement.WITH_SUPPORT,
        person_views="I want a cat.",
        not_working="The bus to day centre is often late.",
    )
    ReviewActionFactory(
        review=review, what="Ask the landlord about a cat", who="Asha", due_on=dt.date(2026, 12, 1)
    )
    client.force_login(coordinator)

    page = Page(client.get(reverse("arrangement_review_detail", args=[sam.pk, review.pk])))

    text = page.main_text
    assert page.find("h1").text == "Review of 18 Nov 2026"
    views = page.find("section", **{"aria-labelledby": "views-heading"})
    assert views.text.startswith("In Sam Reid's own words I want a cat.")
    assert (
        "How Sam Reid took part: Took part with support (signs, pictures, someone they trust)." in views.text
    )
    assert text.index("I want a cat.") < text.index("Who attended")
    assert "Was due on 10 Nov 2026 (held 8 days after it was due)" in text
    assert "Who attended The person, The carer, Advocate Names Jo Bell (advocate)" in text
    assert "What is not working The bus to day centre is often late." in text
    assert "Ask the landlord about a cat Asha 1 Dec 2026 Not yet Done : Ask the landlord about a cat" in text
