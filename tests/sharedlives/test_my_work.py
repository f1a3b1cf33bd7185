"""My work: what is overdue and what falls due in the next four weeks, for
the carers and people a coordinator looks after; the registered manager sees
the whole scheme, one coordinator's caseload, or the records nobody looks
after. Today is Wednesday 25 Nov 2026 throughout."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from carers.models import CheckKind
from placements.models import IncidentCategory, ReferralStage
from sharedlives.models import Role
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CheckFactory,
    CqcNotificationFactory,
    IncidentFactory,
    MembershipFactory,
    MonitoringVisitFactory,
    PersonFactory,
    ReferralFactory,
    ReviewActionFactory,
    UserFactory,
)
from tests.sharedlives.pages import Page, text

URL = reverse("my_work")
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=False):
        yield


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def colleague(scheme):
    """Another coordinator of the same scheme."""
    user = UserFactory(username="colleague", first_name="Nadia", last_name="Hussain")
    MembershipFactory(user=user, scheme=scheme, role=Role.COORDINATOR)
    return user


@pytest.fixture
def work(scheme, coordinator, colleague):
    """The coordinator looks after Grace Okafor's household and Sam Reid;
    the colleague after Tom Barker's household and Omar Khan; nobody after
    Ivy Webb or Ray Dunn's household."""
    grace = CarerFactory(
        scheme=scheme,
        first_name="Grace",
        last_name="Okafor",
        coordinator=coordinator,
        next_review_due=_day(28),  # the last day of the four weeks
    )
    tom = CarerFactory(scheme=scheme, first_name="Tom", last_name="Barker", coordinator=colleague)
    ray = CarerFactory(scheme=scheme, first_name="Ray", last_name="Dunn", next_review_due=_day(29))
    sam = PersonFactory(scheme=scheme, first_name="Sam", last_name="Reid", coordinator=coordinator)
    lena = PersonFactory(scheme=scheme, first_name="Lena", last_name="Ward")
    omar = PersonFactory(scheme=scheme, first_name="Omar", last_name="Khan", coordinator=colleague)
    ivy = PersonFactory(scheme=scheme, first_name="Ivy", last_name="Webb")
    # Sam is the coordinator's, Tom's household the colleague's: both see it.
    sam_with_tom = ArrangementFactory(scheme=scheme, person=sam, carer=tom, next_review_due=_day(0))
    lena_with_grace = ArrangementFactory(scheme=scheme, person=lena, carer=grace, next_review_due=_day(-12))
    ArrangementFactory(scheme=scheme, person=omar, carer=tom, next_review_due=_day(15))
    ivy_with_ray = ArrangementFactory(scheme=scheme, person=ivy, carer=ray, next_review_due=_day(-1))
    MonitoringVisitFactory(arrangement=lena_with_grace, due_on=_day(-1))
    MonitoringVisitFactory(arrangement=sam_with_tom, due_on=_day(3))
    MonitoringVisitFactory(arrangement=sam_with_tom, due_on=_day(-40), cancelled=True)
    CheckFactory(carer=grace, kind=CheckKind.DBS, issued_on=_day(-1100), expires_on=_day(-5))
    CheckFactory(carer=grace, kind=CheckKind.HOME_INSURANCE, issued_on=_day(-300), expires_on=_day(46))
    CheckFactory(carer=tom, kind=CheckKind.HOME_INSURANCE, issued_on=_day(-300), expires_on=_day(10))
    review = ArrangementReviewFactory(arrangement=lena_with_grace, held_on=_day(-60))
    ReviewActionFactory(review=review, what="Find a swimming club", who="Grace", due_on=_day(-7))
    ReviewActionFactory(review=review, what="Ask the GP about a hearing test", who="Lena", due_on=_day(60))
    ReviewActionFactory(
        review=review, what="Buy a new mattress", due_on=_day(-20), done_on=_day(-21), done_by=coordinator
    )
    IncidentFactory(
        scheme=scheme,
        arrangement=lena_with_grace,
        category=IncidentCategory.MEDICATION,
        what_happened="Evening tablets missed.",
        occurred_at=timezone.make_aware(dt.datetime(2026, 11, 20, 18, 0)),
    )
    notification = CqcNotificationFactory(
        incident__scheme=scheme,
        incident__arrangement=ivy_with_ray,
        incident__category=IncidentCategory.ACCIDENT,
        incident__occurred_at=timezone.make_aware(dt.datetime(2026, 11, 22, 11, 0)),
    )
    sam_referral = ReferralFactory(
        scheme=scheme,
        person=sam,
        stage=ReferralStage.MATCHING,
        stage_changed_at=timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0)),
    )
    ReferralFactory(
        scheme=scheme,
        person=ivy,
        coordinator=colleague,
        stage=ReferralStage.RECEIVED,
        stage_changed_at=timezone.make_aware(dt.datetime(2026, 11, 24, 10, 0)),
    )
    return {
        "grace": grace,
        "sam_with_tom": sam_with_tom,
        "lena_with_grace": lena_with_grace,
        "review": review,
        "notification": notification,
        "sam_referral": sam_referral,
    }


def _list(response, key) -> list[list[str]]:
    """The rows of one list, each as the text of its cells (the first: the
    link to the record, without the lapsed-checks flag beside it)."""
    section = Page(response).find("section", id=key)
    assert section is not None, f"no list {key}"
    rows = [row for row in section.iter() if row.tag == "tr"][1:]
    cells = [[cell for cell in row.children if not isinstance(cell, str)] for row in rows]
    return [[row[0].first("a").text] + [cell.text for cell in row[1:]] for row in cells]


def _flagged(response, key) -> list[str]:
    """The records of a list flagged for lapsed checks."""
    section = Page(response).find("section", id=key)
    rows = [row for row in section.iter() if row.tag == "tr"][1:]
    return [row.first("a").text for row in rows if "Checks lapsed" in row.text]


def _count(response, key) -> str:
    """The text of the count that links to the list ``key``."""
    link = Page(response).find("a", href=f"#{key}")
    card = link.parent.parent
    return card.text


def _links(response, key) -> list[str]:
    """Where each row of a list leads."""
    section = Page(response).find("section", id=key)
    return [row.first("a").attrs["href"] for row in section.iter() if row.tag == "tr" and row.first("a")]


# --- A coordinator: their own caseload ---


def test_a_coordinator_sees_the_reviews_of_their_caseload_overdue_first(client, coordinator, work):
    client.force_login(coordinator)

    response = client.get(URL)

    assert response.status_code == 200
    assert _list(response, "reviews") == [
        [
            "Lena Ward with Grace Okafor",
            "Review of the live-in arrangement",
            "13 Nov 2026",
            "⚠ Overdue by 12 days",
        ],
        ["Sam Reid with Tom Barker", "First review of the live-in arrangement", "25 Nov 2026", "Due today"],
        ["Grace Okafor", "Annual review of the carer's approval", "23 Dec 2026", "Due in 28 days"],
    ]
    assert "Reviews ⚠ 1 overdue 2 due in the next 4 weeks" in _count(response, "reviews")
    grace, sam_with_tom = work["grace"], work["sam_with_tom"]
    assert _links(response, "reviews") == [
        reverse("arrangement_detail", args=[work["lena_with_grace"].pk]),
        reverse("arrangement_detail", args=[sam_with_tom.pk]),
        reverse("carer_review_create", args=[grace.pk]),
    ]
    # Grace Okafor's DBS check has lapsed: her household is flagged wherever it appears.
    assert _flagged(response, "reviews") == ["Lena Ward with Grace Okafor", "Grace Okafor"]


def test_a_coordinator_sees_visits_checks_actions_incidents_and_referrals_of_their_caseload(
    client, coordinator, work
):
    client.force_login(coordinator)

    response = client.get(URL)

    assert _list(response, "visits") == [
        ["Lena Ward with Grace Okafor", "Monitoring visit", "24 Nov 2026", "⚠ Overdue by 1 day"],
        ["Sam Reid with Tom Barker", "Monitoring visit", "28 Nov 2026", "Due in 3 days"],
    ]
    # Grace's household is theirs; Tom's (the colleague's) insurance is not.
    assert _list(response, "checks") == [
        [
            "Grace Okafor",
            "Enhanced DBS with adults' barred list for Grace Okafor Required by the scheme.",
            "20 Nov 2026",
            "⚠ Expired 5 days ago",
        ],
        ["Grace Okafor", "Home insurance Required by the scheme.", "10 Jan 2027", "Lapses in 46 days"],
    ]
    assert _links(response, "checks")[0] == reverse("carer_approval", args=[work["grace"].pk]) + "#checklist"
    actions = _list(response, "actions")
    assert [row[1].split(" Who:")[0] for row in actions] == [
        "Find a swimming club",
        "Ask the GP about a hearing test",
    ]
    assert actions[0][3] == "⚠ Overdue by 7 days"
    assert "Actions from reviews ⚠ 1 overdue 2 open in all" in _count(response, "actions")
    assert _list(response, "incidents") == [
        [
            "Lena Ward with Grace Okafor",
            "Medication error Evening tablets missed.",
            "20 Nov 2026",
            "Open for 5 days",
        ]
    ]
    assert _list(response, "referrals") == [
        ["Sam Reid", "Matching: live-in No coordinator yet.", "5 Nov 2026", "In this stage for 20 days"]
    ]
    assert "1 in matching" in _count(response, "referrals")
    lena_with_grace, review = work["lena_with_grace"], work["review"]
    assert _links(response, "visits")[0] == reverse("arrangement_detail", args=[lena_with_grace.pk])
    assert _links(response, "actions")[0] == reverse(
        "arrangement_review_detail", args=[lena_with_grace.pk, review.pk]
    )
    incident = lena_with_grace.incidents.get()
    assert _links(response, "incidents") == [reverse("incident_detail", args=[incident.pk])]
    assert _links(response, "referrals") == [reverse("referral_detail", args=[work["sam_referral"].pk])]


def test_a_coordinator_sees_nobody_elses_work_and_no_cqc_notifications(client, coordinator, work):
    client.force_login(coordinator)

    response = client.get(URL)

    page = text(response)
    for someone_else in ["Omar Khan", "Ivy Webb", "Ray Dunn", "Tom Barker's"]:
        assert someone_else not in page
    assert Page(response).find("section", id="notifications") is None
    assert Page(response).find("select", name="coordinator") is None
    assert "For the carers and people you look after, on 25 Nov 2026" in page


def test_an_item_is_on_the_page_of_the_persons_coordinator_and_of_the_carers(client, colleague, work):
    client.force_login(colleague)

    reviews = _list(client.get(URL), "reviews")

    assert [row[0] for row in reviews] == ["Sam Reid with Tom Barker", "Omar Khan with Tom Barker"]


def test_a_coordinator_with_nothing_due_is_told_so(client, scheme):
    user = UserFactory(username="new-starter")
    MembershipFactory(user=user, scheme=scheme, role=Role.COORDINATOR)
    client.force_login(user)

    page = text(client.get(URL))

    assert "No reviews overdue or due in the next 4 weeks." in page
    assert "No checks or training expired or expiring in the next 60 days." in page
    assert "No open incidents." in page
    assert "No referrals waiting." in page


# --- The registered manager: the whole scheme, and the filter ---


def test_the_manager_sees_the_whole_scheme_and_the_cqc_notifications(client, manager, work):
    client.force_login(manager)

    response = client.get(URL)

    assert [row[0] for row in _list(response, "reviews")] == [
        "Lena Ward with Grace Okafor",
        "Ivy Webb with Ray Dunn",
        "Sam Reid with Tom Barker",
        "Omar Khan with Tom Barker",
        "Grace Okafor",
    ]
    assert "Reviews ⚠ 2 overdue 3 due in the next 4 weeks" in _count(response, "reviews")
    assert _list(response, "notifications") == [
        [
            "Ivy Webb with Ray Dunn",
            "CQC notification about a serious injury Accident or injury on 22 Nov 2026.",
            "22 Nov 2026",
            "⚠ Waiting 3 days",
        ]
    ]
    assert "CQC notifications to send ⚠ 1 not sent yet" in _count(response, "notifications")
    assert _links(response, "notifications") == [reverse("notification_list")]
    assert "The whole of Leeds Shared Lives, on 25 Nov 2026" in text(response)


def test_the_manager_filters_by_coordinator(client, manager, colleague, work):
    client.force_login(manager)

    response = client.get(URL, {"coordinator": colleague.pk})

    assert [row[0] for row in _list(response, "reviews")] == [
        "Sam Reid with Tom Barker",
        "Omar Khan with Tom Barker",
    ]
    assert [row[0] for row in _list(response, "checks")] == ["Tom Barker"]
    assert [row[0] for row in _list(response, "referrals")] == ["Ivy Webb"]
    assert "For the carers and people Nadia Hussain looks after" in text(response)
    # CQC notifications are the manager's to send, whoever's caseload.
    assert len(_list(response, "notifications")) == 1


def test_the_manager_sees_what_nobody_looks_after(client, manager, work):
    client.force_login(manager)

    response = client.get(URL, {"coordinator": "none"})

    assert [row[0] for row in _list(response, "reviews")] == ["Ivy Webb with Ray Dunn"]
    # The accident at Ray Dunn's, which nobody looks after.
    assert [row[0] for row in _list(response, "incidents")] == ["Ivy Webb with Ray Dunn"]
    assert "Carers and people with no coordinator" in text(response)
    assert Page(response).options_of("coordinator")[:2] == ["The whole scheme", "No coordinator"]


def test_the_filter_offers_only_the_schemes_staff(client, manager, colleague, other_coordinator, work):
    client.force_login(manager)

    response = client.get(URL, {"coordinator": other_coordinator.pk})

    assert other_coordinator.display_name not in Page(response).options_of("coordinator")
    assert "Select a valid choice" in Page(response).error_for("coordinator")
    assert len(_list(response, "reviews")) == 5  # the whole scheme


# --- Access ---


def test_a_carer_cannot_open_my_work(client, carer):
    client.force_login(carer)

    assert client.get(URL).status_code == 403


def test_another_schemes_coordinator_sees_only_their_own_scheme(
    client, other_coordinator, other_scheme, work
):
    ArrangementFactory(
        scheme=other_scheme,
        person__first_name="Bea",
        person__last_name="Lowe",
        person__coordinator=other_coordinator,
        next_review_due=_day(2),
    )
    client.force_login(other_coordinator)

    response = client.get(URL)

    assert [row[0].split(" with ")[0] for row in _list(response, "reviews")] == ["Bea Lowe"]
    for ours in ["Lena Ward", "Sam Reid", "Grace Okafor", "Ivy Webb"]:
        assert ours not in text(response)


def test_my_work_is_read_only(client, coordinator):
    client.force_login(coordinator)

    assert client.post(URL).status_code == 405


def test_staff_find_my_work_in_the_menu_and_on_the_dashboard(client, coordinator):
    client.force_login(coordinator)

    dashboard = Page(client.get(reverse("dashboard")))

    assert dashboard.find("a", href=URL, **{"class": "nav-link"}).text == "My work"
    in_main = [a.text for a in dashboard.find("main").iter() if a.tag == "a" and a.attrs.get("href") == URL]
    assert in_main == [
        "My work: reviews, visits, checks and actions due and overdue "
        "for the carers and people you look after"
    ]
