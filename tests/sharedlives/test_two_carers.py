"""Two carers of the same scheme: the first walks every page of the project,
with the second household's ids in every address, and finds nothing of it.

Each household has a member, a pet, a room, a check, a certificate, a change
waiting for the scheme, a place on a panel's agenda and someone living with
them. Signed in as the first carer, every page with an id answers 403, 404 or
405 to GET and POST; the pages with no id a carer may use (their portal, their
home page, their password) are about their own household. No page they can
open, with either household's ids, names the other carer, the other
household's members or the person living there, and nothing of the other
household changes. Only the admin (a carer gets none of it), the public
pages (signing in and out, password reset, the health check) and the pages
about the carer's own login (password, two-step sign-in: opened on their own)
are left out of the walk."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from carers import portal_urls
from carers import urls as carer_urls
from carers.models import (
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    CheckKind,
    PanelItem,
    Unavailability,
)
from people.models import OnePageProfile, Person
from placements.models import (
    Absence,
    Answer,
    Arrangement,
    CqcNotification,
    Feedback,
    Incident,
    Introduction,
    MonitoringVisit,
    PaymentLine,
    PaymentRun,
    Proposal,
    Referral,
    ReferralStage,
    ReviewAction,
    ShortBreakBooking,
)
from sharedlives.choices import PetKind
from sharedlives.dates import add_months
from tests.factories import (
    AbsenceFactory,
    ArrangementFactory,
    ArrangementReviewFactory,
    CertificateFactory,
    ChangeRequestFactory,
    CheckFactory,
    CqcNotificationFactory,
    FeedbackFactory,
    HouseholdMemberFactory,
    IntroductionFactory,
    MonitoringVisitFactory,
    OnePageProfileFactory,
    PanelItemFactory,
    PaymentRunFactory,
    PersonFactory,
    PetFactory,
    ProposalFactory,
    RateAmountFactory,
    ReferralFactory,
    ReviewActionFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UnavailabilityFactory,
)

# Pages anyone may open, signed in or not; signing out reveals nothing either.
PUBLIC_PAGES = {"account_login", "account_logout", "healthz", "account_signup", "account_inactive"}
PUBLIC_PAGES |= {"account_reset_password", "old_password_reset", "account_reset_password_done"}
PUBLIC_PAGES |= {"account_reset_password_from_key", "account_reset_password_from_key_done"}
PUBLIC_PAGES |= {"account_email_verification_sent", "account_confirm_email", "account_confirm_login_code"}
PUBLIC_PAGES |= {"mfa_authenticate"}  # the code, between the password and being signed in
# Pages about the signed-in user's own login (password, e-mail address,
# two-step sign-in), which hold no records: opened on their own below.
SIGN_IN_PAGES = {"old_password_change", "account_change_password", "account_set_password", "account_email"}
SIGN_IN_PAGES |= {"account_reauthenticate", "mfa_index", "mfa_reauthenticate", "mfa_activate_totp"}
SIGN_IN_PAGES |= {"mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"}
SIGN_IN_PAGES |= {"mfa_download_recovery_codes"}
SIGN_IN_PAGES |= {"session_keepalive"}  # "Stay signed in": the session's own clock
# Pages with no id that a carer may open: about their own household.
PORTAL_PAGES = {p.name for p in portal_urls.urlpatterns if not p.pattern.converters}
CARERS_OWN_PAGES = {"dashboard", "choose_scheme"} | PORTAL_PAGES

# What ``pk`` names, by where the page lives.
PK_RECORDS = {"carers/": "carer", "panels/": "panel", "people/": "person", "arrangements/": "arrangement"}
PK_RECORDS["referrals/"] = "referral"
PK_RECORDS["incidents/"] = "incident"
PK_RECORDS["feedback/"] = "feedback"
PK_RECORDS["payments/"] = "payment_run"
# A page's other ids, and the record each is taken from.
OTHER_IDS = {
    "check_pk": "check",
    "item_pk": "panel_item",
    "member_pk": "member",
    "pet_pk": "pet",
    "room_pk": "room",
    "change_pk": "change",
    "certificate_pk": "certificate",
    "away_pk": "away",
    "proposal_pk": "proposal",
    "introduction_pk": "introduction",
    "booking_pk": "booking",
    "review_pk": "arrangement_review",
    "visit_pk": "visit",
    "action_pk": "action",
    "absence_pk": "absence",
    "user_pk": "user",
}


@dataclass(frozen=True)
class Route:
    name: str
    namespace: str | None
    prefix: str  # where the page lives: "carers/", "my/", "" (the top)
    converters: tuple  # (id name, converter) for each id in the address

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.converters)

    def __str__(self):
        return self.name


def _routes(patterns, namespace=None, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, entry.namespace or namespace, prefix or str(entry.pattern))
        else:
            assert isinstance(entry, URLPattern)
            converters = getattr(entry.pattern, "converters", {})
            yield Route(entry.name, namespace, prefix, tuple(sorted(converters.items())))


ALL_ROUTES = list(_routes(get_resolver().url_patterns))
ADMIN_ROUTES = [r for r in ALL_ROUTES if r.namespace == "admin"]
WALKED = sorted(
    (r for r in ALL_ROUTES if r.namespace != "admin" and r.name not in PUBLIC_PAGES | SIGN_IN_PAGES),
    key=lambda r: r.name,
)


def test_the_walk_covers_every_page_of_the_project():
    names = [r.name for r in WALKED]
    assert len(names) == len(set(names)), "two pages share a name"
    assert all(r.name for r in ALL_ROUTES if r.namespace != "admin"), "a page has no name"
    assert {r.name for r in ALL_ROUTES} >= PUBLIC_PAGES | SIGN_IN_PAGES
    assert not any(r.name.startswith(("account_", "mfa_")) for r in WALKED), "a sign-in page is not sorted"
    # Every page of the portal and of the coordinators' side of it.
    assert {p.name for p in portal_urls.urlpatterns} <= set(names)
    assert {p.name for p in carer_urls.urlpatterns + carer_urls.panel_urlpatterns} <= set(names)
    assert {"change_accept", "certificate_file", "check_edit", "panel_recommendation"} <= set(names)
    assert {"person_detail", "arrangement_detail", "dashboard", "portal_home"} <= set(names)
    assert len(WALKED) >= 60
    assert len(ADMIN_ROUTES) > 10


@pytest.mark.parametrize("route", WALKED, ids=str)
def test_every_id_in_every_address_can_be_filled(route):
    for id_name, converter in route.converters:
        assert isinstance(converter, IntConverter), f"{route} takes a {id_name} the walk cannot fill"
        assert id_name == "pk" or id_name in OTHER_IDS, f"{route} takes an id the walk cannot fill: {id_name}"
    if "pk" in route.ids:
        assert route.prefix in PK_RECORDS, f"{route}: no record for its pk"
    if route.prefix == "my/":
        assert "pk" not in route.ids, "portal pages work on the carer's own household, not one in the address"


# --- The two households ---


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.UPLOADS_ROOT = tmp_path / "uploads"


def _approved_run(carer, login, arrangement, month: dt.date):
    """An approved payment run for ``month`` with a line for the household."""
    run = PaymentRunFactory(scheme=carer.scheme, period=(month, add_months(month, 1)), created_by=login)
    PaymentLine.objects.create(
        run=run,
        carer=carer,
        arrangement=arrangement,
        person=arrangement.person,
        kind="live_in",
        description=f"Live-in for {arrangement.person.name}: 30 nights",
        quantity=30,
        rate_amount=RateAmountFactory(rate__scheme=carer.scheme),
        care_payment=Decimal("1328.57"),
        total=Decimal("1328.57"),
        created_by=login,
    )
    PaymentRun.objects.filter(pk=run.pk).update(
        status="approved",
        reviewed_by=login,
        reviewed_at=timezone.now(),
        approved_by=login,
        approved_at=timezone.now(),
    )
    return run


def _household(carer, login, *, member, pet, room, person, change, certificate, address, profile, run_month):
    """A household with one of everything a carer's page could show."""
    login.first_name, login.last_name = carer.first_name, carer.last_name
    login.save()
    carer.address_line_1 = address
    carer.save()
    member = HouseholdMemberFactory(
        carer=carer, name=member, relationship="son", date_of_birth=dt.date(2001, 5, 4)
    )
    arrangement = ArrangementFactory(
        scheme=carer.scheme, carer=carer, person=PersonFactory(scheme=carer.scheme, **person)
    )
    OnePageProfileFactory(person=arrangement.person, important_to_me=profile)
    item = PanelItemFactory(carer=carer)
    # A referral for short breaks too, with this household proposed and a first meeting planned.
    referral = ReferralFactory(
        scheme=carer.scheme, person=arrangement.person, kind="short_breaks", stage=ReferralStage.INTRODUCTIONS
    )
    proposal = ProposalFactory(
        referral=referral, carer=carer, person_answer=Answer.INTERESTED, carer_answer=Answer.INTERESTED
    )
    # Short breaks for the same person as well, with nights booked in a room of their own.
    breaks = ArrangementFactory(
        scheme=carer.scheme, carer=carer, person=arrangement.person, kind="short_breaks"
    )
    booking = ShortBreakBookingFactory(
        arrangement=breaks, room=RoomFactory(carer=carer, name=f"{room} annexe")
    )
    # A review of the arrangement with an open action, and a monitoring visit due.
    arrangement_review = ArrangementReviewFactory(arrangement=arrangement)
    return {
        "carer": carer,
        "member": member,
        "pet": PetFactory(carer=carer, kind=PetKind.CAT, name=pet),
        "room": RoomFactory(carer=carer, name=room),
        "check": CheckFactory(carer=carer, kind=CheckKind.DBS, household_member=member),
        "certificate": CertificateFactory(carer=carer, original_name=certificate, uploaded_by=login),
        "change": ChangeRequestFactory(
            carer=carer,
            kind=ChangeKind.ADD_MEMBER,
            status=ChangeStatus.PENDING,
            after={"Name": change, "Relationship": "nephew", "Date of birth": "2 Feb 2004"},
            data={"name": change, "relationship": "nephew", "date_of_birth": "2004-02-02"},
            proposed_by=login,
        ),
        "away": UnavailabilityFactory(carer=carer),
        "person": arrangement.person,
        "arrangement": arrangement,
        "panel": item.meeting,
        "panel_item": item,
        "referral": referral,
        "proposal": proposal,
        "introduction": IntroductionFactory(proposal=proposal),
        "booking": booking,
        "arrangement_review": arrangement_review,
        "action": ReviewActionFactory(review=arrangement_review),
        "visit": MonitoringVisitFactory(arrangement=arrangement),
        # An incident about them waiting for its CQC notification, and a complaint: staff records.
        "incident": CqcNotificationFactory(
            incident__scheme=carer.scheme, incident__person=arrangement.person, incident__carer=carer
        ).incident,
        "feedback": FeedbackFactory(
            scheme=carer.scheme, kind="complaint", person=arrangement.person, carer=carer
        ),
        # Money: an approved run that pays them, and nights the person was away.
        "payment_run": _approved_run(carer, login, arrangement, run_month),
        "absence": AbsenceFactory(arrangement=arrangement, recorded_by=login),
        # A login: "what has this user looked at" is the registered manager's.
        "user": login,
    }


@pytest.fixture
def ours(carer, carer_household):
    """Asha Patel's household: the first carer's own."""
    return _household(
        carer_household,
        carer,
        member="Ravi Patel",
        pet="Biscuit",
        room="Back bedroom",
        person={"first_name": "Ben", "last_name": "Hughes"},
        change="Arjun Patel",
        certificate="patel-gas-safety.pdf",
        address="4 Moor Road",
        profile="Tea with my gran on Sundays.",
        run_month=dt.date(2026, 10, 1),
    )


@pytest.fixture
def theirs(other_carer, other_carer_household):
    """Tom Barker's household, in the same scheme: none of it is the first carer's."""
    return _household(
        other_carer_household,
        other_carer,
        member="Lily Barker",
        pet="Mittens",
        room="Attic room",
        person={"first_name": "Zainab", "last_name": "Okafor"},
        change="Noah Barker",
        certificate="barker-insurance.pdf",
        address="12 Hawthorn Lane",
        profile="Feeding the ducks at Roundhay Park.",
        run_month=dt.date(2026, 11, 1),
    )


# What no page the first carer can open may show.
THEIR_NAMES = [
    "Tom Barker",  # the other carer
    "Lily Barker",  # their household member
    "Zainab Okafor",  # the person living with them
    "Noah Barker",  # who they have asked to add
    "Mittens",
    "Attic room",
    "barker-insurance.pdf",
    "Hawthorn Lane",
    "Roundhay Park",  # in the one-page profile of the person living with them
]


def _state(household) -> dict:
    """Everything of a household a page could change, read from the database."""
    carer = household["carer"]
    carer.refresh_from_db()
    return {
        "carer": (carer.version, carer.phone, carer.email, carer.smoking, carer.interests, carer.languages),
        "status": (carer.status, carer.next_review_due),
        "members": list(carer.household_members.values_list("id", "name", "date_of_birth")),
        "pets": list(carer.pets.values_list("id", "kind", "name")),
        "rooms": list(carer.rooms.values_list("id", "name", "ground_floor", "step_free", "own_bathroom")),
        "checks": list(carer.checks.values_list("id", "kind", "status", "signed_off_by", "recorded_at")),
        "certificates": list(
            Certificate.objects.filter(carer=carer).values_list("id", "kind", "verified_by", "verified_at")
        ),
        "changes": list(
            ChangeRequest.objects.filter(carer=carer).values_list(
                "id", "kind", "status", "decided_by", "noted_by", "reason"
            )
        ),
        "away": list(Unavailability.objects.filter(carer=carer).values_list("id", "starts_on", "ends_on")),
        "arrangements": list(
            Arrangement.objects.filter(carer=carer).values_list("id", "status", "version", "end_date")
        ),
        "people": list(
            Person.objects.filter(arrangements__carer=carer).values_list("id", "first_name", "version")
        ),
        "profiles": list(
            OnePageProfile.objects.filter(person__arrangements__carer=carer).values_list(
                "id", "version", "important_to_me"
            )
        ),
        "panel": list(
            PanelItem.objects.filter(carer=carer).values_list("id", "meeting", "recommendation", "reasons")
        ),
        "stages": list(carer.stage_changes.values_list("id")),
        "terms": list(carer.approvals.values_list("id", "ends_on")),
        "decisions": list(carer.decisions.values_list("id")),
        "reviews": list(carer.reviews.values_list("id")),
        "referrals": list(
            Referral.objects.filter(person__arrangements__carer=carer).values_list(
                "id", "stage", "version", "risks"
            )
        ),
        "proposals": list(
            Proposal.objects.filter(carer=carer).values_list("id", "person_answer", "carer_answer")
        ),
        "introductions": list(
            Introduction.objects.filter(proposal__carer=carer).values_list("id", "status", "for_person")
        ),
        "bookings": list(ShortBreakBooking.objects.filter(carer=carer).values_list("id", "status", "dates")),
        "arrangement_reviews": list(
            ReviewAction.objects.filter(review__arrangement__carer=carer).values_list(
                "id", "review", "done_on"
            )
        ),
        "visits": list(
            MonitoringVisit.objects.filter(arrangement__carer=carer).values_list("id", "held_on", "cancelled")
        ),
        "incidents": list(Incident.objects.filter(carer=carer).values_list("id", "version", "closed_on")),
        "notifications": list(
            CqcNotification.objects.filter(incident__carer=carer).values_list("id", "reasons", "sent_on")
        ),
        "feedback": list(Feedback.objects.filter(carer=carer).values_list("id", "version", "closed_on")),
        "payments": list(PaymentLine.objects.filter(carer=carer).values_list("id", "total", "run__status")),
        "absences": list(Absence.objects.filter(arrangement__carer=carer).values_list("id", "dates")),
    }


def _url(route: Route, household) -> str:
    kwargs = {}
    for id_name in route.ids:
        record = PK_RECORDS[route.prefix] if id_name == "pk" else OTHER_IDS[id_name]
        kwargs[id_name] = household[record].pk
    return reverse(route.name, kwargs=kwargs)


def _content(response) -> str:
    # A file is read to the end, which closes it (the test client sees to that).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode(errors="replace")


def _assert_names_none_of_theirs(response, where):
    content = _content(response)
    shown = [name for name in THEIR_NAMES if name in content]
    assert not shown, f"{where} shows the other household's {shown}"


def _open_as_carer(client, method, url, where):
    """GET or POST a page (a POST with no fields, as a bare button sends);
    for a redirect, the page it leads to as well."""
    response = getattr(client, method)(url)
    assert response.status_code < 500, f"{where} answered {response.status_code}"
    _assert_names_none_of_theirs(response, where)
    if response.status_code in (301, 302, 303):
        target = urlparse(response["Location"])
        assert not target.netloc, f"{where} sends the carer off the site: {response['Location']}"
        landing = client.get(response["Location"])
        assert landing.status_code == 200, (
            f"{where} leads to {target.path}, which answers {landing.status_code}"
        )
        _assert_names_none_of_theirs(landing, f"{where} -> {target.path}")
    return response


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", WALKED, ids=str)
def test_the_first_carer_gets_nothing_of_the_other_household_from_any_page(
    client, carer, ours, theirs, route, method
):
    client.force_login(carer)
    before = _state(theirs)
    url = _url(route, theirs)
    where = f"{method.upper()} {url} ({route.name})"

    response = _open_as_carer(client, method, url, where)

    if route.ids or route.name not in CARERS_OWN_PAGES:
        assert response.status_code in (403, 404, 405), f"{where} answered {response.status_code}"
    else:
        # The carer's own page (or, after a POST, the page that says what happened).
        allowed = (200, 302) if method == "get" else (200, 302, 405)
        assert response.status_code in allowed, (
            f"{where}, the carer's own page, answered {response.status_code}"
        )
        if response.status_code == 302:
            landing = resolve(urlparse(response["Location"]).path).url_name
            assert landing in CARERS_OWN_PAGES, f"{where} leads to {landing}"
    assert _state(theirs) == before, f"{where} changed the other household"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", WALKED, ids=str)
def test_no_page_of_the_first_carers_own_records_shows_the_other_household(
    client, carer, ours, theirs, route, method
):
    client.force_login(carer)
    before = _state(theirs)
    url = _url(route, ours)

    _open_as_carer(client, method, url, f"{method.upper()} {url} ({route.name})")

    assert _state(theirs) == before


# --- The carer's own pages are about their own household ---


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("dashboard", ["Asha Patel", "Ben Hughes"]),
        ("portal_household", ["Ravi Patel", "Biscuit", "Back bedroom"]),
        ("portal_people", ["Ben Hughes", "Tea with my gran on Sundays."]),
        ("portal_changes", ["Arjun Patel"]),
        ("portal_certificates", ["patel-gas-safety.pdf"]),
        ("portal_checks", ["Ravi Patel"]),
        ("portal_payments", ["Live-in for Ben Hughes: 30 nights", "£1328.57"]),
    ],
)
def test_the_carers_own_pages_show_their_own_household(client, carer, ours, theirs, name, shown):
    client.force_login(carer)

    response = client.get(reverse(name), follow=True)

    assert response.status_code == 200
    content = _content(response)
    assert [item for item in shown if item not in content] == []
    _assert_names_none_of_theirs(response, name)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(SIGN_IN_PAGES))
def test_the_pages_about_their_own_login_show_nothing_of_the_other_household(
    client, carer, ours, theirs, name, method
):
    client.force_login(carer)
    before = _state(theirs)

    response = getattr(client, method)(reverse(name), follow=True)

    assert response.status_code in (200, 404, 405), f"{method.upper()} {name} answered {response.status_code}"
    _assert_names_none_of_theirs(response, name)
    assert _state(theirs) == before


def test_the_other_carer_sees_their_own_household_and_not_the_first(client, other_carer, ours, theirs):
    """The same pages, the other way round: the fixtures are not lopsided."""
    client.force_login(other_carer)

    content = _content(client.get(reverse("portal_household")))

    assert "Lily Barker" in content
    assert "Ravi Patel" not in content


def test_their_certificate_file_is_not_served_to_the_first_carer(client, carer, ours, theirs):
    client.force_login(carer)

    theirs_response = client.get(reverse("certificate_file", args=[theirs["certificate"].pk]))
    ours_response = client.get(reverse("certificate_file", args=[ours["certificate"].pk]))

    assert theirs_response.status_code == 404
    assert ours_response.status_code == 200
    assert _content(ours_response) == "%PDF-1.4 test"


# --- Admin: a carer gets none of it ---


def _admin_urls(household):
    yield reverse("admin:index")
    for model in admin.site._registry:
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    for record in ("carer", "person", "arrangement", "member", "check", "certificate", "change"):
        meta = household[record]._meta
        if household[record].__class__ in admin.site._registry:
            yield reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[household[record].pk])


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_carer_gets_no_admin_page(client, carer, ours, theirs, method):
    client.force_login(carer)
    before = _state(theirs)
    urls = list(_admin_urls(theirs))
    assert len(urls) > 10

    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} answered {response.status_code}"
        assert urlparse(response["Location"]).path == reverse("admin:login"), url
        _assert_names_none_of_theirs(response, url)

    assert _state(theirs) == before


# --- The names looked for are there for those who may see them ---


@pytest.mark.parametrize(
    ("name", "record", "shown"),
    [
        ("carer_detail", "carer", ["Tom Barker", "Hawthorn Lane"]),
        ("carer_household", "carer", ["Lily Barker", "Mittens", "Attic room"]),
        ("person_detail", "person", ["Zainab Okafor"]),
        ("person_profile_print", "person", ["Roundhay Park"]),
        ("change_queue", None, ["Noah Barker"]),
        ("carer_approval", "carer", ["barker-insurance.pdf"]),
        ("referral_detail", "referral", ["Zainab Okafor", "Tom Barker"]),
        ("carer_availability", "carer", ["Zainab Okafor"]),
    ],
)
def test_the_schemes_coordinator_sees_what_the_carer_may_not(
    client, coordinator, ours, theirs, name, record, shown
):
    client.force_login(coordinator)

    response = client.get(reverse(name, args=[theirs[record].pk] if record else []))

    assert response.status_code == 200
    content = _content(response)
    assert [item for item in shown if item not in content] == []
