"""Who may open which record's pages.

Staff of a scheme see all of its records; nobody sees another scheme's. A
carer sees their own household, their arrangements and the people who live
with or visit them, and nothing else; they change nothing. A record out of
reach is a 404, so its existence is not revealed; a record the user may see
but not change is a 403 on its staff-only pages."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carers.models import Carer
from carers.urls import panel_urlpatterns
from tests.factories import (
    AbsenceFactory,
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CertificateFactory,
    ChangeRequestFactory,
    CheckFactory,
    CqcNotificationFactory,
    FeedbackFactory,
    IntroductionFactory,
    MonitoringVisitFactory,
    PanelItemFactory,
    PaymentRunFactory,
    ProposalFactory,
    ReferralFactory,
    ReviewActionFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UserFactory,
)
from tests.second_factor import sign_in_with_code
from tests.sharedlives.pages import text

CARER_PAGES = ["carer_detail", "carer_edit", "carer_household", "carer_history"]
CARER_PAGES += ["carer_availability"]
PERSON_PAGES = ["person_detail", "person_edit", "person_contacts", "person_history"]
PERSON_PAGES += ["person_profile", "person_profile_edit", "person_profile_print"]
ARRANGEMENT_PAGES = ["arrangement_detail", "arrangement_edit", "arrangement_history"]
ARRANGEMENT_PAGES += ["arrangement_start", "arrangement_end"]
ARRANGEMENT_PAGES += ["arrangement_review_new"]
# Referrals are the staff's work: a carer finds none, not even one for someone living with them.
REFERRAL_PAGES = ["referral_detail", "referral_edit", "referral_history"]
REFERRAL_PAGES += ["referral_matching"]
RECORD_PAGES = (
    [(name, "carer") for name in CARER_PAGES]
    + [(name, "person") for name in PERSON_PAGES]
    + [(name, "arrangement") for name in ARRANGEMENT_PAGES]
    + [(name, "referral") for name in REFERRAL_PAGES]
)
# Pages a carer may open for their own records; every other page of a record
# is for staff.
CARER_READABLE = {"carer_detail", "person_detail", "arrangement_detail"}
CARER_READABLE |= {"person_profile", "person_profile_print"}
STAFF_ONLY_PAGES = ["carer_list", "carer_create", "person_list", "person_create"]
STAFF_ONLY_PAGES += ["arrangement_list", "arrangement_create"]
STAFF_ONLY_PAGES += ["arrangement_rates"]
STAFF_ONLY_PAGES += ["referral_list", "referral_create"]
STAFF_ONLY_PAGES += ["expiring_checks"]
STAFF_ONLY_PAGES += ["payment_run_list", "payment_run_new", "allocation_report"]
STAFF_ONLY_PAGES += ["incident_list", "incident_new", "notification_list", "feedback_list", "feedback_new"]
STAFF_ONLY_PAGES += ["report_list", "report_at_a_glance", "report_yearly_count", "report_inspection"]


def _records(arrangement):
    referral = ReferralFactory(scheme=arrangement.scheme, person=arrangement.person, kind="short_breaks")
    return {
        "carer": arrangement.carer,
        "person": arrangement.person,
        "arrangement": arrangement,
        "referral": referral,
    }


@pytest.fixture
def own_records(arrangement):
    """``carer_household``, the person living with them, and their arrangement."""
    return _records(arrangement)


@pytest.fixture
def other_household_records(scheme, other_carer_household):
    """Another household of the same scheme, with someone living there, a
    check, and a place on a panel meeting's agenda."""
    records = _records(ArrangementFactory(scheme=scheme, carer=other_carer_household))
    item = PanelItemFactory(carer=other_carer_household)
    records.update(check=CheckFactory(carer=other_carer_household), panel=item.meeting, panel_item=item)
    records.update(
        change=ChangeRequestFactory(carer=other_carer_household),
        certificate=CertificateFactory(carer=other_carer_household),
    )
    proposal = ProposalFactory(referral=records["referral"], carer=other_carer_household)
    records.update(proposal=proposal, introduction=IntroductionFactory(proposal=proposal))
    breaks = ArrangementFactory(
        scheme=scheme, carer=other_carer_household, person=records["person"], kind="short_breaks"
    )
    records["booking"] = ShortBreakBookingFactory(
        arrangement=breaks, room=RoomFactory(carer=other_carer_household)
    )
    review = ArrangementReviewFactory(arrangement=records["arrangement"])
    records.update(review=review, action=ReviewActionFactory(review=review))
    records["visit"] = MonitoringVisitFactory(arrangement=records["arrangement"])
    # Incidents and feedback about the other household: staff records a carer never finds.
    records["incident"] = CqcNotificationFactory(
        incident__scheme=scheme, incident__person=records["person"], incident__carer=other_carer_household
    ).incident
    records["feedback"] = FeedbackFactory(scheme=scheme, person=records["person"])
    # Money: a payment run of the scheme, and nights away of the other household's person.
    records["payment_run"] = PaymentRunFactory(scheme=scheme)
    records["absence"] = AbsenceFactory(arrangement=records["arrangement"])
    return records


@pytest.fixture
def other_scheme_records(other_scheme):
    return _records(ArrangementFactory(scheme=other_scheme))


@pytest.mark.parametrize("role", ["manager", "coordinator"])
@pytest.mark.parametrize(("name", "record"), RECORD_PAGES)
def test_the_schemes_staff_can_open_every_page_of_its_records(
    client, request, own_records, role, name, record
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(name, args=[own_records[record].pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["manager", "coordinator"])
@pytest.mark.parametrize("name", STAFF_ONLY_PAGES)
def test_the_schemes_staff_can_open_the_lists_and_add_records(client, request, role, name):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("name", "record"), RECORD_PAGES)
def test_a_coordinator_of_another_scheme_cannot_find_any_page_of_its_records(
    client, other_coordinator, own_records, name, record
):
    client.force_login(other_coordinator)

    response = client.get(reverse(name, args=[own_records[record].pk]))

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_a_coordinator_cannot_change_another_schemes_carer_by_posting(
    client, other_coordinator, carer_household
):
    client.force_login(other_coordinator)

    response = client.post(reverse("carer_edit", args=[carer_household.pk]), {"town": "York"})

    assert response.status_code == 404
    carer_household.refresh_from_db()
    assert carer_household.town == "Leeds"


def test_a_carer_can_open_their_own_households_page(client, carer, carer_household):
    client.force_login(carer)

    response = client.get(reverse("carer_detail", args=[carer_household.pk]))

    assert response.status_code == 200
    assert "Asha Patel" in text(response)


def test_a_carer_can_open_the_person_living_with_them_and_their_arrangement(client, carer, own_records):
    client.force_login(carer)
    person, arrangement = own_records["person"], own_records["arrangement"]

    person_page = client.get(reverse("person_detail", args=[person.pk]))
    arrangement_page = client.get(reverse("arrangement_detail", args=[arrangement.pk]))

    assert person_page.status_code == 200
    assert person.name in text(person_page)
    assert arrangement_page.status_code == 200
    assert f"{person.name} with Asha Patel" in text(arrangement_page)


def test_a_carers_view_of_their_household_hides_staff_notes_and_edit_buttons(client, carer, carer_household):
    carer_household.notes = "Discussed at supervision"
    carer_household.save()
    client.force_login(carer)

    page = text(client.get(reverse("carer_detail", args=[carer_household.pk])))

    assert "Discussed at supervision" not in page
    assert "Edit details" not in page
    assert "History" not in page


@pytest.mark.parametrize(
    ("name", "record"), [p for p in RECORD_PAGES if p[0] not in CARER_READABLE and p[1] != "referral"]
)
def test_a_carer_cannot_open_the_staff_pages_of_their_own_records(client, carer, own_records, name, record):
    client.force_login(carer)

    response = client.get(reverse(name, args=[own_records[record].pk]))

    assert response.status_code == 403
    assert "You cannot do that" in text(response)


@pytest.mark.parametrize(("name", "record"), RECORD_PAGES)
def test_a_carer_cannot_open_another_households_pages(
    client, carer, own_records, other_household_records, name, record
):
    client.force_login(carer)

    response = client.get(reverse(name, args=[other_household_records[record].pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", REFERRAL_PAGES)
def test_a_carer_cannot_find_the_referral_of_someone_living_with_them(client, carer, own_records, name):
    client.force_login(carer)

    assert client.get(reverse(name, args=[own_records["referral"].pk])).status_code == 404


def test_a_carer_cannot_open_someone_whose_arrangement_with_them_has_ended(client, carer, own_records):
    arrangement = own_records["arrangement"]
    arrangement.status, arrangement.end_date, arrangement.end_reason = (
        "ended",
        arrangement.start_date,
        "completed",
    )
    arrangement.save()
    client.force_login(carer)

    response = client.get(reverse("person_detail", args=[arrangement.person.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", STAFF_ONLY_PAGES)
def test_a_carer_cannot_open_the_lists_or_add_records(client, carer, name):
    client.force_login(carer)

    assert client.get(reverse(name)).status_code == 403


def test_a_carer_cannot_change_their_own_household_by_posting(client, carer, carer_household):
    client.force_login(carer)

    response = client.post(reverse("carer_edit", args=[carer_household.pk]), {"town": "Wakefield"})

    assert response.status_code == 403
    carer_household.refresh_from_db()
    assert carer_household.town == "Leeds"


def test_a_carer_cannot_add_a_carer_by_posting(client, carer):
    client.force_login(carer)

    response = client.post(reverse("carer_create"), {"first_name": "New", "last_name": "Carer"})

    assert response.status_code == 403
    assert not Carer.objects.filter(first_name="New").exists()


# --- Every page of the domain apps, walked by a carer with another household's ids ---

# Pages that take no POST from anyone.
READ_ONLY_PAGES = {"carer_list", "carer_detail", "carer_history", "person_list", "person_detail"}
READ_ONLY_PAGES |= {"person_history", "arrangement_list", "arrangement_detail", "arrangement_history"}
READ_ONLY_PAGES |= {"carer_approval", "approval_pipeline", "panel_list", "panel_detail", "panel_pack"}
READ_ONLY_PAGES |= {"change_queue", "certificate_file"}
READ_ONLY_PAGES |= {"person_profile", "person_profile_print"}
READ_ONLY_PAGES |= {"referral_list", "referral_detail", "referral_history"}
READ_ONLY_PAGES |= {"referral_matching"}
READ_ONLY_PAGES |= {"arrangement_rates", "carer_availability"}
READ_ONLY_PAGES |= {"expiring_checks"}
READ_ONLY_PAGES |= {"person_viewers", "carer_viewers"}  # the view log, for the manager
READ_ONLY_PAGES |= {"payment_run_list", "payment_run_detail", "payment_run_csv", "allocation_report"}
READ_ONLY_PAGES |= {"arrangement_review_detail"}
READ_ONLY_PAGES |= {"incident_list", "incident_detail", "incident_history", "notification_list"}
READ_ONLY_PAGES |= {"feedback_list", "feedback_detail", "feedback_history"}
READ_ONLY_PAGES |= {"report_list", "report_at_a_glance", "report_yearly_count", "report_inspection"}
# Pages that only take a POST (a button), from anyone.
POST_ONLY_PAGES = {"carer_move", "check_sign_off", "panel_add_applicant"}
POST_ONLY_PAGES |= {"change_accept", "change_decline", "change_note", "certificate_verify"}
POST_ONLY_PAGES |= {"referral_move", "referral_answer", "referral_introduction_plan"}
POST_ONLY_PAGES |= {"referral_introduction_record"}
POST_ONLY_PAGES |= {"referral_propose"}
POST_ONLY_PAGES |= {"arrangement_booking_cancel"}
POST_ONLY_PAGES |= {"arrangement_action_done"}
POST_ONLY_PAGES |= {"payment_run_recalculate", "payment_run_review", "payment_run_approve"}
POST_ONLY_PAGES |= {"arrangement_absence_remove"}
POST_ONLY_PAGES |= {"notification_sent"}
DOMAIN_APPS = {"carers.urls": "carer", "people.urls": "person", "placements.urls": "arrangement"}
DOMAIN_APPS["placements.referral_urls"] = "referral"
DOMAIN_APPS["placements.incident_urls"] = "incident"
DOMAIN_APPS["placements.payment_urls"] = "payment_run"
DOMAIN_APPS["placements.feedback_urls"] = "feedback"
DOMAIN_APPS["sharedlives.report_urls"] = "report"  # no ids: the scheme's figures
# A page's second id, and the record of the other household it is taken from.
SECOND_IDS = {
    "check_pk": "check",
    "item_pk": "panel_item",
    "change_pk": "change",
    "certificate_pk": "certificate",
    "proposal_pk": "proposal",
    "introduction_pk": "introduction",
    "booking_pk": "booking",
    "review_pk": "review",
    "visit_pk": "visit",
    "action_pk": "action",
    "absence_pk": "absence",
}


def _record_of(urlconf):
    if urlconf is panel_urlpatterns:  # included as a list, not a module
        return "panel"
    return DOMAIN_APPS.get(getattr(urlconf, "__name__", None))


def _domain_patterns():
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver):
            continue
        record = _record_of(entry.urlconf_name)
        if record is None:
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            ids = set(pattern.pattern.converters)
            assert ids <= {"pk", *SECOND_IDS}, f"{pattern.name} takes an id the walk cannot fill: {ids}"
            yield pattern.name, record if "pk" in ids else None, tuple(sorted(ids - {"pk"}))


DOMAIN_PAGES = sorted(_domain_patterns())


def _url_with_ids(name, record, second_ids, records) -> str:
    kwargs = {"pk": records[record].pk} if record else {}
    kwargs.update({id_name: records[SECOND_IDS[id_name]].pk for id_name in second_ids})
    return reverse(name, kwargs=kwargs)


def test_the_walk_covers_every_page_of_the_domain_apps():
    assert len(DOMAIN_PAGES) == 99
    names = {name for name, _, _ in DOMAIN_PAGES}
    assert names >= set(CARER_PAGES + PERSON_PAGES + ARRANGEMENT_PAGES)
    assert {
        "check_edit",
        "check_sign_off",
        "panel_recommendation",
        "change_accept",
        "certificate_file",
    } <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "record", "second_ids"), DOMAIN_PAGES)
def test_a_carer_gets_nothing_from_any_page_with_another_households_ids(
    client, carer, other_carer, own_records, other_household_records, method, name, record, second_ids
):
    client.force_login(carer)
    url = _url_with_ids(name, record, second_ids, other_household_records)

    response = getattr(client, method)(url)

    allowed = {403, 404}
    if (method == "post" and name in READ_ONLY_PAGES) or (method == "get" and name in POST_ONLY_PAGES):
        allowed.add(405)  # refused for everyone, before the record is looked up
    assert response.status_code in allowed, f"{method.upper()} {url} answered {response.status_code}"
    assert other_household_records["person"].name not in response.content.decode()


# --- Django admin: for system administrators (superusers) only ---


def test_a_staff_user_who_is_not_a_superuser_is_sent_to_the_admin_sign_in(client, scheme):
    user = UserFactory(username="keen", is_staff=True)
    client.force_login(user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"


def test_a_scheme_manager_cannot_open_admin_lists(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)

    response = client.get("/admin/carers/carer/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_a_superuser_can_open_admin(client, admin_user):
    sign_in_with_code(client, admin_user)  # admin wants the code too

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "Shared Lives administration" in response.content.decode()


def test_a_superuser_can_open_a_carer_in_admin(client, admin_user, scheme):
    carer = CarerFactory(scheme=scheme)
    sign_in_with_code(client, admin_user)  # admin wants the code too

    assert client.get(f"/admin/carers/carer/{carer.pk}/change/").status_code == 200
