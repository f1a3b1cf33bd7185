"""Panel meetings: the list, the agenda, adding applicants who are ready, the
panel's recommendations and the printable pack."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import (
    ApprovalDecision,
    CarerStatus,
    CheckKind,
    PanelItem,
    PanelMeeting,
    Recommendation,
    StageChange,
)
from tests.factories import (
    ApprovalDecisionFactory,
    AssessmentFactory,
    CarerFactory,
    CheckFactory,
    HouseholdMemberFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    applicant_with_checks_complete,
)
from tests.second_factor import sign_in_with_code
from tests.sharedlives.pages import Element, Page

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
TODAY = NOW.date()
S = CarerStatus
LIST_URL = reverse("panel_list")
CREATE_URL = reverse("panel_create")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def meeting(scheme):
    return PanelMeetingFactory(
        scheme=scheme,
        date=dt.date(2026, 12, 3),
        location="Civic Hall, Leeds",
        chair="Jo Khan",
        members="Jo Khan, independent chair\nSam Reid, Shared Lives carer",
    )


@pytest.fixture
def other_meeting(other_scheme):
    return PanelMeetingFactory(scheme=other_scheme, date=dt.date(2026, 12, 3))


@pytest.fixture
def ready(scheme, coordinator):
    """An applicant who is ready for panel."""
    return applicant_with_checks_complete(
        scheme,
        status=S.READY_FOR_PANEL,
        today=TODAY,
        first_name="Grace",
        last_name="Okafor",
        address_line_1="12 Hyde Park Road",
        coordinator=coordinator,
    )


@pytest.fixture
def item(meeting):
    """Tom Barker, on the agenda of ``meeting``."""
    carer = CarerFactory(scheme=meeting.scheme, status=S.PANEL, first_name="Tom", last_name="Barker")
    return PanelItemFactory(meeting=meeting, carer=carer)


def _url(name, *args):
    return reverse(name, args=args)


def _rows(response, caption_start) -> list[list[str]]:
    page = Page(response)
    caption = next(e for e in page.root.iter() if e.tag == "caption" and e.text.startswith(caption_start))
    body = caption.parent.first("tbody")
    return [
        [c.text for c in row.children if isinstance(c, Element)] for row in body.iter() if row.tag == "tr"
    ]


def _agenda(response) -> list[str]:
    """Each applicant on the agenda, as its card reads."""
    assert response.status_code == 200
    section = Page(response).find("section", **{"aria-labelledby": "agenda"})
    agenda = section.first("ol")
    return [] if agenda is None else [e.text for e in agenda.children if isinstance(e, Element)]


# --- The list ---


def test_the_list_shows_upcoming_and_past_meetings_with_their_counts(
    client, coordinator, scheme, other_meeting
):
    upcoming = PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3), location="Civic Hall, Leeds")
    PanelMeetingFactory(scheme=scheme, date=dt.date(2027, 1, 7), location="")
    past = PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 11, 5), location="Town Hall")
    PanelItemFactory(meeting=upcoming, carer=CarerFactory(scheme=scheme, status=S.PANEL))
    PanelItemFactory(
        meeting=past,
        carer=CarerFactory(scheme=scheme, status=S.PANEL),
        recommendation=Recommendation.APPROVE,
        reasons="A strong assessment.",
    )
    PanelItemFactory(meeting=past, carer=CarerFactory(scheme=scheme, status=S.PANEL))
    client.force_login(coordinator)

    response = client.get(LIST_URL)

    assert _rows(response, "Upcoming") == [
        ["3 Dec 2026", "Civic Hall, Leeds", "1", "0 of 1"],
        ["7 Jan 2027", "—", "0", "0 of 0"],
    ]
    assert _rows(response, "Past") == [["5 Nov 2026", "Town Hall", "2", "1 of 2"]]
    link = Page(response).find("a", href=_url("panel_detail", upcoming.pk))
    assert link.text == "3 Dec 2026"


def test_the_list_says_when_there_are_no_meetings(client, coordinator):
    client.force_login(coordinator)

    text = Page(client.get(LIST_URL)).main_text

    assert "No panel meetings are planned." in text
    assert "No past panel meetings." in text


def test_past_meetings_are_paged(client, coordinator, scheme, settings):
    settings.PAGE_SIZE = 2
    for day in (2, 3, 4):
        PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 10, day))
    client.force_login(coordinator)

    response = client.get(LIST_URL, {"page": 2})

    assert _rows(response, "Past") == [["2 Oct 2026", "Civic Hall, Leeds", "0", "0 of 0"]]
    assert "Page 2 of 2" in Page(response).main_text


def test_the_list_costs_the_same_queries_for_many_meetings_as_for_few(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # The counts of applicants and recommendations come with the meetings in
    # one query: counted meeting by meeting, a page would cost a query each.
    client.force_login(coordinator)

    def add_meetings(days):
        for day in days:
            for date in (dt.date(2026, 10, day), dt.date(2027, 1, day)):
                meeting = PanelMeetingFactory(scheme=scheme, date=date)
                PanelItemFactory(meeting=meeting, carer=CarerFactory(scheme=scheme, status=S.PANEL))

    add_meetings([1])
    client.get(LIST_URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(LIST_URL), "Past")) == 1

    add_meetings(range(2, 28))
    with django_assert_max_num_queries(len(few)):
        assert len(_rows(client.get(LIST_URL), "Past")) == 25
    # The session, the user, their membership; the upcoming meetings; the
    # count and the page of past ones.
    assert len(few) <= 6


def test_a_carer_cannot_see_the_list(client, carer):
    client.force_login(carer)

    assert client.get(LIST_URL).status_code == 403


def test_the_list_takes_no_post(client, coordinator):
    client.force_login(coordinator)

    assert client.post(LIST_URL).status_code == 405


# --- Adding and editing a meeting ---

MEETING_DATA = {
    "date": "2026-12-10",
    "location": "Civic Hall, Leeds",
    "chair": "Jo Khan",
    "members": "Jo Khan, independent chair\nSam Reid, Shared Lives carer\n\n",
    "notes": "",
}


def test_a_coordinator_adds_a_meeting(client, coordinator, scheme):
    client.force_login(coordinator)

    response = client.post(CREATE_URL, MEETING_DATA, follow=True)

    meeting = PanelMeeting.objects.get()
    assert (meeting.scheme, meeting.date, meeting.chair) == (scheme, dt.date(2026, 12, 10), "Jo Khan")
    assert response.redirect_chain == [(_url("panel_detail", meeting.pk), 302)]
    page = Page(response)
    assert "Done: The Panel on 10 Dec 2026 has been added. Now add applicants to its agenda." in page.messages
    assert "Jo Khan, independent chair Sam Reid, Shared Lives carer" in page.main_text


def test_the_form_uses_date_pickers_and_labels(client, coordinator):
    client.force_login(coordinator)

    page = Page(client.get(CREATE_URL))

    date = page.find("input", name="date")
    assert date.attrs["type"] == "date"
    assert page.find("label", **{"for": date.attrs["id"]}).text.startswith("Date")
    members = page.find("textarea", name="members")
    assert page.find("label", **{"for": members.attrs["id"]}).text.startswith("Panel members")


def test_a_second_meeting_on_the_same_day_is_refused_next_to_the_date(client, coordinator, meeting):
    client.force_login(coordinator)

    response = client.post(CREATE_URL, {**MEETING_DATA, "date": "2026-12-03"})

    assert response.status_code == 200
    assert Page(response).error_for("date") == (
        "There is already a panel meeting on 3 Dec 2026. Choose another date, or edit that one."
    )
    assert PanelMeeting.objects.count() == 1


def test_another_schemes_meeting_on_the_same_day_is_no_obstacle(client, coordinator, other_meeting):
    client.force_login(coordinator)

    response = client.post(CREATE_URL, {**MEETING_DATA, "date": "2026-12-03"})

    assert response.status_code == 302
    assert PanelMeeting.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", ""), ("date", "31/02/2026"), ("members", "  ")],
    ids=["no date", "bad date", "no members"],
)
def test_a_meeting_needs_a_date_and_members(client, coordinator, field, value):
    client.force_login(coordinator)

    response = client.post(CREATE_URL, {**MEETING_DATA, field: value})

    assert response.status_code == 200
    assert Page(response).error_for(field)
    assert not PanelMeeting.objects.exists()


def test_a_carer_cannot_add_a_meeting(client, carer):
    client.force_login(carer)

    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, MEETING_DATA).status_code == 403
    assert not PanelMeeting.objects.exists()


def test_a_coordinator_edits_a_meeting(client, coordinator, meeting):
    client.force_login(coordinator)
    url = _url("panel_edit", meeting.pk)
    assert Page(client.get(url)).value_of("date") == "2026-12-03"

    response = client.post(url, {**MEETING_DATA, "date": "2026-12-03", "location": "Merrion House"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.date, meeting.location) == (dt.date(2026, 12, 3), "Merrion House")


def test_moving_a_meeting_onto_another_meetings_day_is_refused(client, coordinator, scheme, meeting):
    PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 10))
    client.force_login(coordinator)

    response = client.post(_url("panel_edit", meeting.pk), MEETING_DATA)

    assert "There is already a panel meeting on 10 Dec 2026" in Page(response).error_for("date")
    meeting.refresh_from_db()
    assert meeting.date == dt.date(2026, 12, 3)


def test_another_schemes_staff_cannot_edit_a_meeting(client, other_coordinator, meeting):
    client.force_login(other_coordinator)

    response = client.post(_url("panel_edit", meeting.pk), {**MEETING_DATA, "location": "York"})

    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.location == "Civic Hall, Leeds"


# --- The agenda ---


def test_the_agenda_shows_each_applicant_and_the_recommendation(client, coordinator, scheme, meeting, item):
    recommended = CarerFactory(scheme=scheme, status=S.PANEL, first_name="Ann", last_name="Lee")
    PanelItemFactory(
        meeting=meeting,
        carer=recommended,
        recommendation=Recommendation.APPROVE_WITH_CONDITIONS,
        reasons="A warm home.",
        conditions="Short breaks only for the first year.",
    )
    client.force_login(coordinator)

    response = client.get(_url("panel_detail", meeting.pk))

    agenda = _agenda(response)
    assert agenda[0].startswith("1. Tom Barker Stage now Panel")
    assert "Recommendation Not yet recorded" in agenda[0]
    assert "Record the recommendation for Tom Barker" in agenda[0]
    assert "Recommendation Approve with conditions" in agenda[1]
    assert "Reasons A warm home. Conditions Short breaks only for the first year." in agenda[1]
    assert "Decision Not yet made: the registered manager records it on Ann Lee's approval page" in agenda[1]
    page = Page(response)
    assert page.find("a", href=_url("panel_recommendation", meeting.pk, item.pk)) is not None
    assert page.find("a", href=_url("carer_approval", item.carer.pk)).text == "Tom Barker"


def test_a_manager_is_pointed_to_the_decision(client, manager, scheme, meeting):
    carer = CarerFactory(scheme=scheme, status=S.PANEL, first_name="Ann", last_name="Lee")
    PanelItemFactory(meeting=meeting, carer=carer, recommendation=Recommendation.APPROVE, reasons="Strong.")
    client.force_login(manager)

    page = Page(client.get(_url("panel_detail", meeting.pk)))

    assert page.find("a", href=_url("carer_decision", carer.pk)).text == "Ann Lee's approval page"


def test_the_agenda_shows_a_decision_once_made(client, coordinator, manager, scheme, meeting):
    carer = CarerFactory(scheme=scheme, status=S.APPROVED, first_name="Ann", last_name="Lee")
    done = PanelItemFactory(
        meeting=meeting, carer=carer, recommendation=Recommendation.APPROVE, reasons="Strong."
    )
    ApprovalDecisionFactory(carer=carer, panel_item=done, decided_by=manager, decided_on=dt.date(2026, 12, 5))
    client.force_login(coordinator)

    agenda = _agenda(client.get(_url("panel_detail", meeting.pk)))

    assert f"Decision Approve on 5 Dec 2026 by {manager.display_name}" in agenda[0]
    assert "Record the recommendation" not in agenda[0]


def test_the_agenda_shows_the_meeting_and_its_members(client, coordinator, meeting):
    client.force_login(coordinator)

    text = Page(client.get(_url("panel_detail", meeting.pk))).main_text

    assert "Date 3 Dec 2026 Location Civic Hall, Leeds Chair Jo Khan" in text
    assert "Panel members Jo Khan, independent chair Sam Reid, Shared Lives carer" in text
    assert "No applicants are on the agenda yet." in text


def test_the_agenda_costs_the_same_queries_for_many_applicants_as_for_few(
    client, coordinator, manager, scheme, meeting, django_assert_max_num_queries
):
    # Each item shows its carer, their coordinator, who recorded the
    # recommendation and any decision: joined or prefetched, not per item.
    client.force_login(coordinator)

    def add_items(count):
        for _ in range(count):
            carer = CarerFactory(scheme=scheme, status=S.APPROVED, coordinator=coordinator)
            done = PanelItemFactory(
                meeting=meeting, carer=carer, recommendation="approve", reasons="Strong.", recorded_by=manager
            )
            ApprovalDecisionFactory(carer=carer, panel_item=done, decided_by=manager)
            applicant_with_checks_complete(scheme, status=S.READY_FOR_PANEL, today=TODAY)

    add_items(1)
    url = _url("panel_detail", meeting.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(_agenda(client.get(url))) == 1

    add_items(12)
    with django_assert_max_num_queries(len(few)):
        assert len(_agenda(client.get(url))) == 13
    # The session, the user, their membership; the meeting; the scheme's
    # check rules (for the lapsed-check flag); its items with their carers;
    # the decisions; the applicants ready for panel.
    assert len(few) <= 8


def test_another_schemes_staff_cannot_see_a_meeting(client, other_coordinator, meeting):
    client.force_login(other_coordinator)

    for name in ("panel_detail", "panel_edit", "panel_pack"):
        assert client.get(_url(name, meeting.pk)).status_code == 404


def test_a_carer_cannot_see_a_meeting(client, carer, meeting, item):
    client.force_login(carer)

    for name in ("panel_detail", "panel_edit", "panel_pack"):
        assert client.get(_url(name, meeting.pk)).status_code in (403, 404)
    response = client.get(_url("panel_recommendation", meeting.pk, item.pk))
    assert response.status_code in (403, 404)


def test_the_agenda_takes_no_post(client, coordinator, meeting):
    client.force_login(coordinator)

    assert client.post(_url("panel_detail", meeting.pk)).status_code == 405


# --- Adding an applicant ---


def test_only_applicants_ready_for_panel_are_offered(
    client, coordinator, scheme, meeting, ready, other_scheme
):
    CarerFactory(scheme=scheme, status=S.ASSESSMENT, first_name="Not", last_name="Yet")
    applicant_with_checks_complete(other_scheme, status=S.READY_FOR_PANEL, today=TODAY, last_name="Elsewhere")
    client.force_login(coordinator)

    page = Page(client.get(_url("panel_detail", meeting.pk)))

    assert page.options_of("carer") == ["Choose an applicant", "Grace Okafor"]
    select = page.find("select", name="carer")
    assert page.find("label", **{"for": select.attrs["id"]}).text.startswith("Applicant ready for panel")


def test_adding_an_applicant_puts_them_on_the_agenda_and_at_the_panel_stage(
    client, coordinator, meeting, ready
):
    client.force_login(coordinator)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": ready.pk}, follow=True)

    assert response.redirect_chain == [(_url("panel_detail", meeting.pk), 302)]
    assert "Done: Grace Okafor is on the agenda and now at the panel stage." in Page(response).messages
    assert PanelItem.objects.filter(meeting=meeting, carer=ready).exists()
    ready.refresh_from_db()
    assert ready.status == S.PANEL
    change = StageChange.objects.get(carer=ready)
    assert (change.from_status, change.to_status, change.changed_by) == (
        S.READY_FOR_PANEL,
        S.PANEL,
        coordinator,
    )
    assert change.reason == "On the agenda of the panel on 3 Dec 2026."
    assert _agenda(response)[0].startswith("1. Grace Okafor Stage now Panel")


def test_an_applicant_not_ready_for_panel_is_refused_with_the_reason(client, coordinator, scheme, meeting):
    not_ready = CarerFactory(scheme=scheme, status=S.ASSESSMENT, first_name="Ann", last_name="Lee")
    client.force_login(coordinator)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": not_ready.pk})

    assert response.status_code == 200
    assert (
        "Problem: The applicant could not be added to the agenda: "
        "Ann Lee is not ready for panel (they are at assessment)."
    ) in Page(response).messages
    assert not PanelItem.objects.exists()
    not_ready.refresh_from_db()
    assert not_ready.status == S.ASSESSMENT


def test_an_applicant_already_on_the_agenda_is_refused(client, coordinator, meeting, ready):
    PanelItemFactory(meeting=meeting, carer=ready, recommendation=Recommendation.DEFER, reasons="More to do.")
    client.force_login(coordinator)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": ready.pk})

    assert "Grace Okafor is already on this meeting's agenda." in Page(response).main_text
    assert PanelItem.objects.count() == 1


def test_another_schemes_applicant_cannot_be_added(client, coordinator, meeting, other_scheme):
    theirs = applicant_with_checks_complete(other_scheme, status=S.READY_FOR_PANEL, today=TODAY)
    client.force_login(coordinator)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": theirs.pk})

    assert "Select a valid choice" in Page(response).error_for("carer")
    assert not PanelItem.objects.exists()


def test_choosing_nobody_is_refused(client, coordinator, meeting, ready):
    client.force_login(coordinator)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": ""})

    assert Page(response).error_for("carer") == "Choose the applicant to add to the agenda."


def test_another_schemes_staff_cannot_add_to_a_meeting(client, other_coordinator, meeting, ready):
    client.force_login(other_coordinator)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": ready.pk})

    assert response.status_code == 404
    assert not PanelItem.objects.exists()


def test_a_carer_cannot_add_to_a_meeting(client, carer, meeting, ready):
    client.force_login(carer)

    response = client.post(_url("panel_add_applicant", meeting.pk), {"carer": ready.pk})

    assert response.status_code in (403, 404)
    assert not PanelItem.objects.exists()


def test_adding_takes_only_a_post(client, coordinator, meeting):
    client.force_login(coordinator)

    assert client.get(_url("panel_add_applicant", meeting.pk)).status_code == 405


# --- The recommendation ---


@pytest.fixture
def rec_url(meeting, item):
    return _url("panel_recommendation", meeting.pk, item.pk)


def test_recording_the_recommendation_points_to_the_decision(client, manager, meeting, item, rec_url):
    client.force_login(manager)

    response = client.post(
        rec_url,
        {"recommendation": "approve", "reasons": "A strong assessment.", "conditions": ""},
        follow=True,
    )

    item.refresh_from_db()
    assert (item.recommendation, item.reasons, item.recorded_by) == (
        "approve",
        "A strong assessment.",
        manager,
    )
    assert response.redirect_chain == [(_url("panel_detail", meeting.pk), 302)]
    page = Page(response)
    assert page.messages == [
        "Done: The panel's recommendation for Tom Barker has been recorded. The decision is the registered "
        "manager's: record it on Tom Barker's approval page ."  # (the page reader spaces out the link)
    ]
    alert = next(e for e in page.root.iter() if "alert" in e.attrs.get("class", ""))
    assert alert.first("a").attrs["href"] == _url("carer_decision", item.carer.pk)
    item.carer.refresh_from_db()
    assert item.carer.status == S.PANEL  # the decision is still to come
    assert not ApprovalDecision.objects.exists()


def test_a_coordinator_records_it_and_is_told_the_decision_is_the_managers(
    client, coordinator, item, rec_url
):
    client.force_login(coordinator)

    response = client.post(
        rec_url, {"recommendation": "defer", "reasons": "A reference is unclear."}, follow=True
    )

    page = Page(response)
    assert "The decision is the registered manager's, on Tom Barker's approval page ." in page.messages[0]
    alert = next(e for e in page.root.iter() if "alert" in e.attrs.get("class", ""))
    assert alert.first("a").attrs["href"] == _url("carer_approval", item.carer.pk)
    item.refresh_from_db()
    assert item.recommendation == Recommendation.DEFER


def test_the_form_offers_the_four_recommendations_as_labelled_choices(client, coordinator, rec_url):
    client.force_login(coordinator)

    page = Page(client.get(rec_url))

    radios = [e for e in page.root.iter() if e.tag == "input" and e.attrs.get("name") == "recommendation"]
    labels = [page.find("label", **{"for": radio.attrs["id"]}).text for radio in radios]
    assert labels == ["Approve", "Approve with conditions", "Defer", "Do not approve"]


def test_conditions_are_recorded_with_approve_with_conditions(client, coordinator, item, rec_url):
    client.force_login(coordinator)

    client.post(
        rec_url,
        {"recommendation": "approve_with_conditions", "reasons": "Good.", "conditions": "Day support first."},
    )

    item.refresh_from_db()
    assert (item.recommendation, item.conditions) == ("approve_with_conditions", "Day support first.")


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"recommendation": "approve", "reasons": "  "}, "reasons", "Give the panel's reasons."),
        ({"reasons": "Good."}, "recommendation", "Choose the panel's recommendation."),
        ({"recommendation": "maybe", "reasons": "Good."}, "recommendation", "Select a valid choice."),
        (
            {"recommendation": "approve_with_conditions", "reasons": "Good.", "conditions": ""},
            "conditions",
            'Say what the conditions are: "approve with conditions" needs them.',
        ),
    ],
    ids=["no reasons", "no choice", "unknown choice", "no conditions"],
)
def test_a_recommendation_with_something_missing_is_refused(
    client, coordinator, item, rec_url, data, field, error
):
    client.force_login(coordinator)

    response = client.post(rec_url, data)

    assert response.status_code == 200
    # (The choices are radio buttons in a fieldset that the error describes.)
    assert error in Page(response).find(id=f"id_{field}_error").text
    item.refresh_from_db()
    assert item.recommendation == ""


def test_once_decided_the_recommendation_cannot_be_changed(client, coordinator, item, rec_url):
    PanelItem.objects.filter(pk=item.pk).update(recommendation="approve", reasons="Strong.")
    item.carer.status = S.APPROVED
    item.carer.save()
    client.force_login(coordinator)

    opened = Page(client.get(rec_url))
    response = client.post(rec_url, {"recommendation": "do_not_approve", "reasons": "Changed our minds."})

    assert opened.value_of("reasons") is None  # no form
    assert "no longer at the panel stage (they are at approved)" in opened.main_text
    assert "Tom Barker is no longer at the panel stage." in Page(response).main_text
    item.refresh_from_db()
    assert item.recommendation == "approve"


def test_an_earlier_panels_recommendation_cannot_be_changed(
    client, coordinator, scheme, meeting, item, rec_url
):
    PanelItem.objects.filter(pk=item.pk).update(recommendation="defer", reasons="More to do.")
    PanelItemFactory(carer=item.carer, meeting=PanelMeetingFactory(scheme=scheme, date=dt.date(2027, 1, 7)))
    client.force_login(coordinator)

    response = client.post(rec_url, {"recommendation": "approve", "reasons": "Done now."})

    assert "Tom Barker is on a later panel's agenda" in Page(response).main_text
    item.refresh_from_db()
    assert item.recommendation == "defer"


def test_an_item_of_another_meeting_is_not_found(client, coordinator, scheme, item):
    another = PanelMeetingFactory(scheme=scheme, date=dt.date(2027, 2, 4))
    client.force_login(coordinator)

    assert client.get(_url("panel_recommendation", another.pk, item.pk)).status_code == 404


def test_another_schemes_staff_cannot_record_a_recommendation(client, other_coordinator, item, rec_url):
    client.force_login(other_coordinator)

    response = client.post(rec_url, {"recommendation": "approve", "reasons": "Good."})

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.recommendation == ""


def test_a_carer_cannot_record_a_recommendation(client, carer, item, rec_url):
    client.force_login(carer)

    response = client.post(rec_url, {"recommendation": "approve", "reasons": "Good."})

    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.recommendation == ""


def test_the_recommendation_takes_no_put(client, coordinator, rec_url):
    client.force_login(coordinator)

    assert client.put(rec_url).status_code == 405


# --- The pack ---


def test_the_pack_has_what_the_panel_reads_for_each_applicant(client, coordinator, meeting, ready):
    HouseholdMemberFactory(
        carer=ready, name="Derek Okafor", relationship="husband", date_of_birth=dt.date(1980, 5, 2)
    )
    CheckFactory(carer=ready, kind=CheckKind.DBS, household_member=ready.household_members.get())
    PanelItemFactory(meeting=meeting, carer=ready)
    client.force_login(coordinator)

    response = client.get(_url("panel_pack", meeting.pk))

    text = Page(response).main_text
    assert "Panel pack: Panel on 3 Dec 2026" in text
    assert "Use your browser's print command" in text
    assert "Jo Khan, independent chair Sam Reid, Shared Lives carer" in text
    assert "1. Grace Okafor" in text
    assert "Address 12 Hyde Park Road, Leeds, LS6 2AB" in text
    assert f"Coordinator {coordinator.display_name}" in text
    assert "Derek Okafor, husband (born 2 May 1980)" in text
    assert "Checks 8 of 8 checks are complete." in text
    assert "A warm, organised household with a spare room that meets the standard." in text
    assert "We agree with the report." in text
    # A print page that needs no script: a content security policy will forbid inline ones.
    assert "<script>" not in response.content.decode().replace("<script src=", "")


def test_the_pack_says_what_is_missing(client, coordinator, scheme, meeting, item):
    AssessmentFactory(carer=item.carer, applicant_comments="", applicant_declined_to_comment=True)
    client.force_login(coordinator)

    text = Page(client.get(_url("panel_pack", meeting.pk))).main_text

    assert "No one else lives in the household." in text
    assert "Checks 0 of 7 checks are complete:" in text
    assert "The applicant chose not to comment." in text


def test_the_pack_costs_the_same_queries_for_many_applicants_as_for_few(
    client, coordinator, scheme, meeting, django_assert_max_num_queries
):
    # Each applicant's household, checks and assessment are prefetched.
    client.force_login(coordinator)

    def add(count):
        for _ in range(count):
            carer = applicant_with_checks_complete(scheme, status=S.PANEL, today=TODAY)
            HouseholdMemberFactory(carer=carer)
            PanelItemFactory(meeting=meeting, carer=carer)

    add(1)
    url = _url("panel_pack", meeting.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


# --- Django admin for the approval records ---


@pytest.mark.parametrize(
    "model",
    [
        "schemechecksetting",
        "check",
        "assessment",
        "panelmeeting",
        "approvaldecision",
        "approvalterms",
        "stagechange",
        "carerreview",
    ],
)
def test_admin_lists_the_approval_records(client, admin_user, item, model):
    sign_in_with_code(client, admin_user)  # admin wants the code too

    assert client.get(f"/admin/carers/{model}/").status_code == 200


def test_admin_shows_a_meeting_with_its_agenda_and_a_scheme_with_its_check_settings(
    client, admin_user, meeting, item
):
    sign_in_with_code(client, admin_user)  # admin wants the code too

    meeting_page = client.get(f"/admin/carers/panelmeeting/{meeting.pk}/change/")
    scheme_page = client.get(f"/admin/sharedlives/scheme/{meeting.scheme.pk}/change/")

    assert meeting_page.status_code == 200
    assert "Tom Barker" in meeting_page.content.decode()
    assert scheme_page.status_code == 200
    assert "check_settings-TOTAL_FORMS" in scheme_page.content.decode()
