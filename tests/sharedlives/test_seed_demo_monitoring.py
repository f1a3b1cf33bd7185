"""The demo's monitoring: reviews due, overdue and done, visits held and
missed, lapsed and lapsing checks, incidents in every category with their
CQC notifications, compliments and complaints; and the benchmark scheme's
in proportion. The demo is built once for the module."""

import datetime
import re

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from carers.checklist import rules_for
from carers.expiry import expiring_checks, lapsed_required_checks
from carers.models import Carer, CarerStatus, Certificate, Check, CheckKind
from placements.incidents import notification_reasons
from placements.models import (
    Arrangement,
    ArrangementReview,
    ArrangementStatus,
    Attendee,
    ComplaintOutcome,
    CqcNotification,
    EndReason,
    Feedback,
    FeedbackKind,
    Incident,
    IncidentCategory,
    Involvement,
    MonitoringSettings,
    MonitoringVisit,
    NotifiableEvent,
    ReviewAction,
)
from placements.monitoring import first_review_due, latest_next_review, visit_due_dates
from sharedlives.choices import ArrangementKind
from sharedlives.models import Membership, Role, Scheme

pytestmark = pytest.mark.django_db

# The demo's dates are relative to the day it is made; this is that day.
DEMO_DAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
TODAY = DEMO_DAY.date()
DAY = datetime.timedelta(days=1)
LEEDS = "Leeds Shared Lives"
DEMO_SCHEMES = [LEEDS, "North Yorkshire Shared Lives"]
SHORT_STAYS = (ArrangementKind.HOME_FROM_HOSPITAL, ArrangementKind.EMERGENCY)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, made once (building it is the slow part) in a transaction
    that is rolled back after the module; each test runs inside it."""
    uploads = tmp_path_factory.mktemp("uploads")
    certificates = Certificate._meta.get_field("file")
    with (
        django_db_blocker.unblock(),
        override_settings(UPLOADS_ROOT=uploads),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        # The demo's certificates go to a temporary folder, not var/uploads.
        patch.setattr(certificates, "storage", FileSystemStorage(location=uploads))
        with time_machine.travel(DEMO_DAY, tick=False):
            call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def on_the_demo_day(demo):
    with time_machine.travel(DEMO_DAY, tick=False):
        yield


def leeds_arrangements():
    return Arrangement.objects.filter(scheme__name=LEEDS)


def household_of(username):
    return Membership.objects.select_related("carer").get(user__username=username).carer


def staff_of(scheme) -> set[int]:
    roles = (Role.MANAGER, Role.COORDINATOR)
    return set(Membership.objects.filter(scheme=scheme, role__in=roles).values_list("user", flat=True))


# Arrangement reviews -------------------------------------------------------------


def test_every_started_arrangement_keeps_to_the_review_timetable():
    arrangements = Arrangement.objects.filter(scheme__name__in=DEMO_SCHEMES).select_related("scheme")
    for arrangement in arrangements.prefetch_related("reviews"):
        settings = MonitoringSettings.for_scheme(arrangement.scheme)
        reviews = sorted(arrangement.reviews.all(), key=lambda review: review.held_on)
        if arrangement.status != ArrangementStatus.CURRENT:
            # Not started yet, or ended: no review is due (ending stops the timetable).
            assert arrangement.next_review_due is None, arrangement
        elif reviews:
            assert arrangement.next_review_due == reviews[-1].next_review_on, arrangement
        else:
            assert arrangement.next_review_due == first_review_due(arrangement.start_date, settings)
        for review in reviews:
            assert arrangement.start_date < review.held_on < TODAY, review
            assert review.held_on < review.next_review_on <= latest_next_review(review.held_on, settings)
        # Each review was due when the one before it said.
        for before, after in zip(reviews, reviews[1:], strict=False):
            assert after.due_on == before.next_review_on, arrangement


def test_reviews_are_overdue_due_this_week_and_this_month_and_many_are_done():
    current = leeds_arrangements().current()
    assert current.review_due_by(TODAY - DAY).count() >= 2  # overdue
    assert current.filter(next_review_due__range=(TODAY, TODAY + 7 * DAY)).exists()
    assert current.filter(next_review_due__range=(TODAY + 8 * DAY, TODAY + 31 * DAY)).exists()
    assert current.filter(next_review_due__gt=TODAY + 90 * DAY).count() > current.count() / 3
    reviews = ArrangementReview.objects.filter(arrangement__scheme__name=LEEDS)
    assert reviews.count() >= 30
    assert reviews.filter(held_on__gt=TODAY - 90 * DAY).exists()
    # Some that started a few weeks ago wait for their first review.
    assert current.filter(reviews__isnull=True).exists()
    # Ended arrangements keep their old reviews.
    assert reviews.filter(arrangement__status=ArrangementStatus.ENDED).exists()


def test_every_review_has_the_persons_own_views_and_says_who_attended():
    reviews = list(ArrangementReview.objects.filter(arrangement__scheme__name__in=DEMO_SCHEMES))
    for review in reviews:
        assert review.person_views.strip(), review
        assert Attendee.COORDINATOR in review.attendees and review.outcomes, review
    # Their views are their own, not one sentence for everybody.
    assert len({review.person_views for review in reviews}) > 0.7 * len(reviews)
    spoke = [r for r in reviews if r.involvement == Involvement.SPOKE_FOR_THEMSELVES]
    assert spoke and all(re.search(r"\bI\b|\bI'", r.person_views) for r in spoke)
    assert all(Attendee.PERSON in r.attendees for r in spoke)
    # "Did not wish to comment" is an answer, here from someone who took part with support.
    assert any(
        r.person_views == "Did not wish to comment" and r.involvement == Involvement.WITH_SUPPORT
        for r in reviews
    )
    advocated = [r for r in reviews if r.involvement == Involvement.ADVOCATE]
    assert advocated
    for review in advocated:
        assert Attendee.ADVOCATE in review.attendees and "(advocate)" in review.other_attendees
        assert review.person_views.startswith("Given by ")


def test_review_actions_are_done_open_and_overdue():
    actions = ReviewAction.objects.filter(review__arrangement__scheme__name=LEEDS).select_related("review")
    done = [action for action in actions if action.done_on]
    assert done
    for action in done:
        assert action.review.held_on < action.done_on <= TODAY and action.done_by_id, action
    assert actions.due_by(TODAY - DAY).exists()  # overdue
    assert actions.open().filter(due_on__gte=TODAY).exists()
    for action in actions:
        assert action.what and action.who and action.due_on > action.review.held_on


# Monitoring visits ----------------------------------------------------------------


def test_visits_follow_the_timetable_and_are_held_missed_or_to_come():
    visits = MonitoringVisit.objects.filter(arrangement__scheme__name=LEEDS)
    arrangements = leeds_arrangements().filter(visits__isnull=False).distinct().select_related("scheme")
    assert arrangements.count() >= 3
    staff = staff_of(arrangements[0].scheme)
    for arrangement in arrangements.prefetch_related("visits"):
        dues = visit_due_dates(arrangement.start_date, MonitoringSettings.for_scheme(arrangement.scheme))
        if arrangement.kind in SHORT_STAYS:  # none after the end set when it started
            dues = [day for day in dues if day <= arrangement.end_date]
        assert sorted(visit.due_on for visit in arrangement.visits.all()) == dues, arrangement
        for visit in arrangement.visits.all():
            if visit.held_on:
                assert arrangement.start_date < visit.held_on <= TODAY, visit
                assert visit.visited_by_id in staff and visit.notes.strip(), visit
            if arrangement.status == ArrangementStatus.ENDED and visit.due_on > arrangement.end_date:
                assert visit.cancelled and not visit.held_on, visit
    assert visits.filter(held_on__isnull=False).count() >= 5
    assert visits.due_by(TODAY - DAY).exists()  # overdue, not held
    assert visits.outstanding().filter(due_on__gt=TODAY).exists()  # to come


# Carers' annual reviews and checks -------------------------------------------------


def test_some_carer_annual_reviews_are_overdue_and_some_due_this_week():
    approved = Carer.objects.filter(scheme__name=LEEDS, status=CarerStatus.APPROVED)
    assert approved.filter(next_review_due__lt=TODAY).exists()
    assert approved.filter(next_review_due__range=(TODAY, TODAY + 7 * DAY)).exists()


def test_households_have_lapsed_required_checks_and_checks_lapsing_soon():
    scheme = Scheme.objects.get(name=LEEDS)
    rules = rules_for(scheme)
    approved = Carer.objects.filter(scheme=scheme, status=CarerStatus.APPROVED)
    lapsed = lapsed_required_checks(rules, TODAY).filter(carer__in=approved)
    assert {CheckKind.DBS, CheckKind.HOME_INSURANCE} <= set(lapsed.values_list("kind", flat=True))
    expiring = expiring_checks(Check.objects.filter(carer__scheme=scheme), rules, TODAY, 60)
    this_week = [check for check in expiring if TODAY <= check.lapses_on <= TODAY + 7 * DAY]
    assert len(this_week) >= 2 and any(check.required for check in this_week)
    assert sum(check.lapses_on > TODAY for check in expiring) >= 5


def test_the_carer_logins_households_are_in_good_standing_with_a_renewal_coming_up():
    rules = rules_for(Scheme.objects.get(name=LEEDS))
    for username in ["carer", "carer2"]:
        assert not lapsed_required_checks(rules, TODAY, carer=household_of(username)).exists(), username
    # The portal has a renewal to remind the carer of.
    renewals = expiring_checks(Check.objects.filter(carer=household_of("carer")), rules, TODAY, 7)
    assert [check for check in renewals if check.lapses_on >= TODAY]


def test_no_planned_live_in_arrangement_is_stopped_by_a_lapsed_check():
    planned = leeds_arrangements().filter(status=ArrangementStatus.PLANNED, kind=ArrangementKind.LIVE_IN)
    assert planned.exists()
    rules = rules_for(Scheme.objects.get(name=LEEDS))
    for arrangement in planned.select_related("carer"):
        on_the_day = lapsed_required_checks(rules, arrangement.start_date, carer=arrangement.carer)
        assert not on_the_day.exists(), arrangement


# Incidents, notifications, compliments and complaints -----------------------------------


def test_incidents_in_every_category_open_and_closed_with_who_was_involved():
    incidents = Incident.objects.filter(scheme__name=LEEDS).select_related("arrangement", "scheme")
    assert set(incidents.values_list("category", flat=True)) == set(IncidentCategory.values)
    assert incidents.filter(closed_on__isnull=True).exists()
    staff = staff_of(incidents[0].scheme)
    for incident in incidents:
        assert incident.occurred_at < DEMO_DAY and incident.what_happened and incident.actions_taken
        assert incident.person_id == incident.arrangement.person_id, incident
        assert incident.carer_id == incident.arrangement.carer_id, incident
        assert incident.recorded_by_id in staff
        if incident.closed_on:
            assert incident.outcome and incident.closed_by_id in staff, incident
            assert timezone.localtime(incident.occurred_at).date() <= incident.closed_on <= TODAY


def test_notifiable_incidents_have_their_cqc_notification_some_sent_and_one_waiting():
    scheme = Scheme.objects.get(name=LEEDS)
    incidents = Incident.objects.filter(scheme=scheme).select_related("notification")
    notified = 0
    for incident in incidents:
        reasons = notification_reasons(incident.category, incident.notifiable_events)
        notification = getattr(incident, "notification", None)
        if not reasons:
            assert notification is None, incident
            continue
        notified += 1
        assert notification.reasons == reasons, incident
        assert incident.occurred_at <= notification.due_from < DEMO_DAY
        if notification.sent_on:
            assert re.fullmatch(r"CQC-INC-\d{4}-\d{4}", notification.reference)
            assert notification.sent_by == scheme.registered_manager
            assert 0 <= notification.days_taken <= 7
        if incident.closed_on:  # closed only once CQC has been told
            assert notification.sent_on and notification.sent_on <= incident.closed_on, incident
    assert notified >= 6
    notifications = CqcNotification.objects.filter(scheme=scheme)
    assert notifications.unsent().exists() and notifications.filter(sent_on__isnull=False).count() >= 5
    assert {NotifiableEvent.ABUSE, NotifiableEvent.POLICE, NotifiableEvent.SERIOUS_INJURY} <= {
        reason for notification in notifications for reason in notification.reasons
    }


def test_an_arrangement_ended_by_a_death_has_the_incident_and_its_notification():
    deaths = Arrangement.objects.filter(end_reason=EndReason.DEATH)
    assert deaths.exists()
    for arrangement in deaths:
        incident = Incident.objects.get(arrangement=arrangement, notifiable_events=[NotifiableEvent.DEATH])
        assert incident.person_id == arrangement.person_id
        assert timezone.localtime(incident.occurred_at).date() == arrangement.end_date
        assert incident.notification.reasons == [NotifiableEvent.DEATH]


def test_compliments_and_complaints_open_and_closed():
    feedback = Feedback.objects.filter(scheme__name=LEEDS)
    compliments = feedback.filter(kind=FeedbackKind.COMPLIMENT)
    complaints = feedback.filter(kind=FeedbackKind.COMPLAINT)
    for kind in (compliments, complaints):
        assert kind.filter(closed_on=None).exists() and kind.filter(closed_on__isnull=False).exists()
    closed = complaints.filter(closed_on__isnull=False)
    assert set(closed.values_list("outcome", flat=True)) == set(ComplaintOutcome.values)
    for item in feedback:
        assert item.from_whom and item.summary and item.received_on <= TODAY
        assert item.person_id and item.carer_id
        if item.closed_on:
            assert item.received_on <= item.closed_on <= TODAY and item.closed_by_id


# The benchmark scheme --------------------------------------------------------------------


def test_scale_adds_reviews_visits_incidents_and_lapsing_checks_in_proportion():
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", "--scale", "100", verbosity=0)

    scheme = Scheme.objects.get(name__startswith="Scale test scheme")
    settings = MonitoringSettings.for_scheme(scheme)
    current = Arrangement.objects.filter(scheme=scheme).current().prefetch_related("reviews")
    assert ArrangementReview.objects.filter(arrangement__scheme=scheme).count() > current.count()
    for arrangement in current:
        reviews = sorted(arrangement.reviews.all(), key=lambda review: review.held_on)
        first = first_review_due(arrangement.start_date, settings)
        assert arrangement.next_review_due == (reviews[-1].next_review_on if reviews else first), arrangement
    assert current.review_due_by(TODAY - DAY).exists()
    assert MonitoringVisit.objects.filter(arrangement__scheme=scheme, held_on__isnull=False).exists()
    assert ReviewAction.objects.filter(review__arrangement__scheme=scheme).open().exists()
    incidents = Incident.objects.filter(scheme=scheme)
    assert incidents.count() >= len(current) // 20
    for incident in incidents.select_related("notification"):
        reasons = notification_reasons(incident.category, incident.notifiable_events)
        notification = getattr(incident, "notification", None)
        assert (notification is not None) == bool(reasons), incident
        if notification and incident.closed_on:
            assert notification.sent_on and notification.sent_on <= incident.closed_on, incident
    assert Feedback.objects.filter(scheme=scheme).exists()
    lapsed = lapsed_required_checks(rules_for(scheme), TODAY).filter(
        carer__scheme=scheme, carer__status=CarerStatus.APPROVED
    )
    assert lapsed.filter(kind=CheckKind.DBS).exists()
