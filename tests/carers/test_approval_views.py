"""A carer household's approval tab, the moves between stages, and the forms
that record each step: checks, the assessment, the decision, a change of
terms and the annual review."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    Assessment,
    CarerReview,
    CarerStatus,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    Recommendation,
    StageChange,
)
from sharedlives.forms import STALE_MESSAGE
from tests.factories import (
    ApprovalTermsFactory,
    AssessmentFactory,
    CarerReviewFactory,
    CheckFactory,
    HouseholdMemberFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    StageChangeFactory,
    UserFactory,
    complete_required_checks,
)
from tests.sharedlives.pages import Page, form_data

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
TODAY = NOW.date()
S = CarerStatus


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def applicant(carer_household):
    """Asha Patel, being assessed for 12 days."""
    carer_household.status = S.ASSESSMENT
    carer_household.status_changed_at = NOW - dt.timedelta(days=12)
    carer_household.save()
    return carer_household


@pytest.fixture
def at_panel(carer_household, scheme):
    """Asha Patel at panel, which recommended approval on 10 Nov 2026."""
    carer_household.status = S.PANEL
    carer_household.save()
    meeting = PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 11, 10))
    PanelItemFactory(
        carer=carer_household,
        meeting=meeting,
        recommendation=Recommendation.APPROVE,
        reasons="A thorough assessment and strong references.",
    )
    return carer_household


@pytest.fixture
def approved(carer_household):
    """Asha Patel, approved on 5 Jan 2026 for live-in and short breaks."""
    carer_household.next_review_due = dt.date(2027, 1, 5)
    carer_household.save()
    ApprovalTermsFactory(carer=carer_household)
    return carer_household


def _url(name, carer, *more):
    return reverse(name, args=[carer.pk, *more])


def _in_main(page, tag, **attrs):
    """The first such element in the page's main content (not the menu)."""
    main = page.find("main")
    return next(e for e in main.iter() if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items()))


def _error(page, field) -> str:
    """The error shown with a field, or with a group of checkboxes."""
    found = page.find(id=f"id_{field}_error")
    return found.text if found else ""


def _tab(client, carer) -> Page:
    response = client.get(_url("carer_approval", carer))
    assert response.status_code == 200
    return Page(response)


# --- The approval tab ---


def test_the_tab_shows_the_stage_and_how_long_they_have_been_at_it(client, coordinator, applicant):
    client.force_login(coordinator)

    page = _tab(client, applicant)

    assert "At the assessment stage for 12 days (since 8 Nov 2026)." in page.main_text


def test_each_allowed_move_is_a_form_with_a_reason_and_the_stage_seen(client, coordinator, applicant):
    client.force_login(coordinator)

    page = _tab(client, applicant)

    forms = [
        e
        for e in page.root.iter()
        if e.tag == "form" and e.attrs.get("action") == _url("carer_move", applicant)
    ]
    moves = {}
    for form in forms:
        fields = {e.attrs.get("name"): e for e in form.iter() if e.tag in ("input", "textarea")}
        moves[fields["to"].attrs["value"]] = fields
    assert set(moves) == {S.DECLINED, S.WITHDRAWN}
    assert moves[S.WITHDRAWN]["expected_from"].attrs["value"] == S.ASSESSMENT
    assert "required" in moves[S.WITHDRAWN]["reason"].attrs
    assert page.find("label", **{"for": "reason-withdrawn"}).text == "Why are they moving to withdrawn?"


def test_a_move_not_yet_allowed_is_listed_with_its_reasons_in_words(client, coordinator, applicant):
    HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1990, 1, 1))
    complete_required_checks(applicant, TODAY)
    Check.objects.filter(carer=applicant, subject=CheckSubject.MEMBER).delete()
    client.force_login(coordinator)

    page = _tab(client, applicant)

    assert (
        "Ready for panel — not yet: 7 of 8 checks are complete: the DBS check for Derek Brown is "
        "outstanding. The assessment has not been recorded."
    ) in page.main_text


def test_a_coordinator_is_told_the_decision_is_the_managers(client, coordinator, at_panel):
    client.force_login(coordinator)

    page = _tab(client, at_panel)

    assert "Approved or declined — the registered manager records the decision." in page.main_text
    assert page.find("a", href=_url("carer_decision", at_panel)) is None


def test_the_manager_gets_a_link_to_record_the_decision(client, manager, at_panel):
    client.force_login(manager)

    page = _tab(client, at_panel)

    assert page.find("a", href=_url("carer_decision", at_panel)).text == "Record the decision"


def test_ready_for_panel_points_to_the_panel_pages(client, coordinator, applicant):
    applicant.status = S.READY_FOR_PANEL
    applicant.save()
    client.force_login(coordinator)

    page = _tab(client, applicant)

    assert "Panel — Add them to a panel meeting's agenda." in page.main_text
    assert _in_main(page, "a", href=reverse("panel_list")).text == "Go to panel meetings"


def test_a_coordinator_sees_manager_only_moves_as_the_managers(client, coordinator, approved):
    client.force_login(coordinator)

    text = _tab(client, approved).main_text

    assert "Suspended — only the registered manager can make this move." in text
    assert "Move to resigned" in text


def test_the_checklist_shows_each_check_with_its_state_and_a_link_to_record_it(
    client, coordinator, applicant
):
    member = HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1990, 1, 1))
    recorder = UserFactory(first_name="Ann", last_name="Lee")
    dbs = CheckFactory(
        carer=applicant,
        kind=CheckKind.DBS,
        subject=CheckSubject.APPLICANT,
        issued_on=dt.date(2026, 9, 1),
        expires_on=dt.date(2029, 9, 1),
        recorded_by=recorder,
    )
    client.force_login(coordinator)

    page = _tab(client, applicant)

    row = next(
        e
        for e in page.root.iter()
        if e.tag == "tr"
        and e.first("th")
        and e.first("th").text == "Enhanced DBS with barred list: Asha Patel"
    )
    assert "Complete: Satisfactory" in row.text
    assert "Issued 1 Sep 2026. Expires 1 Sep 2029. Recorded by Ann Lee on 20 Nov 2026." in row.text
    assert page.find("a", href=_url("check_edit", applicant, dbs.pk)) is not None
    record_member = f"{_url('check_create', applicant)}?kind=dbs&subject=member&member={member.pk}"
    assert page.find("a", href=record_member).text == "Record Enhanced DBS with barred list: Derek Brown"
    assert "Outstanding: Not started" in page.main_text


def test_a_concern_with_a_risk_assessment_can_be_signed_off_by_the_manager_only(
    client, manager, coordinator, applicant
):
    concern = CheckFactory(
        carer=applicant, kind=CheckKind.DBS, status=CheckStatus.CONCERN, risk_assessment="Spent conviction."
    )
    sign_off = _url("check_sign_off", applicant, concern.pk)

    client.force_login(manager)
    assert _tab(client, applicant).find("form", action=sign_off) is not None
    client.force_login(coordinator)
    page = _tab(client, applicant)
    assert page.find("form", action=sign_off) is None
    assert "Needs a manager's sign-off." in page.main_text


def test_optional_checks_and_training_are_listed_below_the_checklist(client, coordinator, applicant):
    CheckFactory(carer=applicant, kind=CheckKind.FIRST_AID, details="St John Ambulance")
    CheckFactory(carer=applicant, kind=CheckKind.GAS_SAFETY, details="Gas Safe engineer")
    client.force_login(coordinator)

    text = _tab(client, applicant).main_text

    assert "First aid training (the household) Satisfactory: St John Ambulance" in text
    assert "Gas safety certificate (the household) Satisfactory: Gas Safe engineer" in text


def test_the_tab_shows_the_assessment_with_what_is_still_to_do(client, coordinator, applicant):
    AssessmentFactory(
        carer=applicant, assessor=coordinator, shared_with_applicant_on=None, applicant_comments=""
    )
    client.force_login(coordinator)

    page = _tab(client, applicant)

    assert f"Assessor {coordinator.display_name}" in page.main_text
    assert "Home visits so far 7" in page.main_text
    assert "Report written on 12 Oct 2026" in page.main_text
    assert "The report has not been shared with the applicant." in page.main_text
    assert page.find("a", href=_url("assessment_edit", applicant)).text == "Edit the assessment"


def test_the_tab_shows_panel_decision_terms_reviews_and_stage_history(client, manager, approved, scheme):
    decider = UserFactory(first_name="Rita", last_name="Khan")
    terms = ApprovalTerms.objects.get(carer=approved)
    meeting = PanelMeetingFactory(scheme=scheme, date=dt.date(2025, 12, 15))
    item = PanelItemFactory(
        carer=approved, meeting=meeting, recommendation=Recommendation.APPROVE, reasons="Strong references."
    )
    ApprovalDecision.objects.filter(pk=terms.decision_id).update(decided_by=decider, panel_item=item)
    CarerReviewFactory(carer=approved, held_on=dt.date(2026, 1, 1), reviewer=manager, terms_change="")
    StageChangeFactory(
        carer=approved,
        from_status=S.PANEL,
        to_status=S.APPROVED,
        changed_by=decider,
        reason="Decision: approved.",
    )
    client.force_login(manager)

    text = _tab(client, approved).main_text

    assert "15 Dec 2025 Approve Recorded" not in text  # nobody recorded it through the app
    assert "Approve Strong references." in text
    assert "Approved by Rita Khan on 5 Jan 2026." in text
    assert "After the panel on 15 Dec 2025, which recommended: Approve." in text
    assert "Kinds of arrangement Live-in, Short breaks" in text
    assert "Most people at a time 2" in text
    assert "Needs they are approved to support Learning disability, Autism" in text
    assert "Probation ends on No probation" in text
    assert "Next annual review due on 5 Jan 2027." in text
    assert "The household continues to meet the standards." in text
    assert "Rita Khan Panel Approved Decision: approved." in text


def test_a_change_of_terms_asked_for_at_review_is_shown_to_the_manager(client, manager, approved):
    CarerReviewFactory(carer=approved, reviewer=manager, terms_change="They would like to offer day support.")
    client.force_login(manager)

    page = _tab(client, approved)

    assert "A change of terms was asked for at the annual review on 20 Nov 2026:" in page.main_text
    assert "They would like to offer day support." in page.main_text
    assert page.find("a", href=_url("terms_change", approved)).text == "Decide on the change of terms"


def test_a_carer_cannot_open_their_own_approval_tab(client, carer, carer_household):
    client.force_login(carer)

    assert client.get(_url("carer_approval", carer_household)).status_code == 403


def test_a_carer_cannot_find_another_households_approval_tab(client, carer, other_carer_household):
    client.force_login(carer)

    assert client.get(_url("carer_approval", other_carer_household)).status_code == 404


def test_another_schemes_coordinator_cannot_find_the_approval_tab(client, other_coordinator, applicant):
    client.force_login(other_coordinator)

    assert client.get(_url("carer_approval", applicant)).status_code == 404


def test_the_approval_tab_takes_no_post(client, coordinator, applicant):
    client.force_login(coordinator)

    assert client.post(_url("carer_approval", applicant)).status_code == 405


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_history(carer, scheme, n):
    """One more of everything the tab lists, ``n`` marking the round."""
    member = HouseholdMemberFactory(carer=carer, date_of_birth=dt.date(1980 + n, 1, 1))
    CheckFactory(carer=carer, kind=CheckKind.DBS, household_member=member)
    CheckFactory(carer=carer, kind=CheckKind.REFERENCE, recorded_by=UserFactory())
    CheckFactory(
        carer=carer,
        kind=CheckKind.DBS,
        status=CheckStatus.CONCERN,
        risk_assessment="Assessed.",
        signed_off_by=UserFactory(),
        signed_off_at=NOW,
    )
    CheckFactory(carer=carer, kind=CheckKind.FIRST_AID)
    meeting = PanelMeetingFactory(scheme=scheme, date=dt.date(2025, 1 + n, 1))
    PanelItemFactory(carer=carer, meeting=meeting, recommendation=Recommendation.DEFER, reasons="More to do.")
    CarerReviewFactory(carer=carer, held_on=dt.date(2025, 1 + n, 2), reviewer=UserFactory())
    StageChangeFactory(carer=carer, from_status=S.APPROVED, to_status=S.SUSPENDED, changed_by=UserFactory())
    ApprovalTermsFactory(carer=carer, decision__decided_on=dt.date(2025, 1, n), ends_on=dt.date(2025, 6, 1))


def test_the_tab_takes_the_same_number_of_queries_however_much_history(client, manager, approved, scheme):
    # Each check, member, panel, decision, review and move is read by a
    # prefetch, never one by one: a household with years of history must
    # open as fast as a new one.
    AssessmentFactory(carer=approved, assessor=manager)
    _add_history(approved, scheme, 1)
    client.force_login(manager)
    url = _url("carer_approval", approved)
    client.get(url)  # the first page of a session also saves the scheme chosen
    first = _queries(client, url)

    for n in range(2, 5):
        _add_history(approved, scheme, n)

    assert _queries(client, url) == first


# --- Moving between stages ---


def _move(client, carer, to, reason="Because.", expected_from=None, **kwargs):
    data = {"to": to, "reason": reason, "expected_from": expected_from or carer.status}
    return client.post(_url("carer_move", carer), data, **kwargs)


def test_a_coordinator_moves_a_household_on(client, coordinator, applicant):
    client.force_login(coordinator)

    response = _move(client, applicant, S.WITHDRAWN, "They have moved away.", follow=True)

    assert response.redirect_chain == [(_url("carer_approval", applicant), 302)]
    assert "Done: Asha Patel moved to withdrawn." in Page(response).messages
    applicant.refresh_from_db()
    assert applicant.status == S.WITHDRAWN
    change = StageChange.objects.get(carer=applicant)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.ASSESSMENT,
        S.WITHDRAWN,
        coordinator,
        "They have moved away.",
    )
    assert "Asha Patel has not" not in Page(response).main_text
    assert "They have moved away." in Page(response).main_text


def test_a_refused_move_shows_why_on_the_page_and_changes_nothing(client, coordinator, applicant):
    HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1990, 1, 1))
    client.force_login(coordinator)

    response = _move(client, applicant, S.READY_FOR_PANEL, follow=True)

    message = Page(response).messages[0]
    assert message.startswith("Problem: Asha Patel has not been moved to ready for panel. 0 of 8 checks")
    assert "the DBS check for Derek Brown" in message
    assert "The assessment has not been recorded." in message
    applicant.refresh_from_db()
    assert applicant.status == S.ASSESSMENT
    assert not StageChange.objects.exists()


def test_a_move_someone_else_already_made_is_refused(client, coordinator, applicant):
    client.force_login(coordinator)

    response = _move(client, applicant, S.WITHDRAWN, expected_from=S.APPLICATION, follow=True)

    assert "Someone else has just moved Asha Patel to assessment." in Page(response).messages[0]
    applicant.refresh_from_db()
    assert applicant.status == S.ASSESSMENT


def test_two_coordinators_making_the_same_move_one_wins(client, coordinator, manager, applicant):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)

    _move(client, applicant, S.WITHDRAWN)
    response = _move(other, applicant, S.DECLINED, expected_from=S.ASSESSMENT, follow=True)

    assert "Someone else has just moved Asha Patel to withdrawn." in Page(response).messages[0]
    assert StageChange.objects.filter(carer=applicant).count() == 1


def test_a_move_needs_a_reason(client, coordinator, applicant):
    client.force_login(coordinator)

    response = _move(client, applicant, S.WITHDRAWN, reason="  ", follow=True)

    assert "Say why the household is moving to this stage." in Page(response).messages[0]
    applicant.refresh_from_db()
    assert applicant.status == S.ASSESSMENT


def test_a_decision_cannot_be_made_by_a_bare_move(client, manager, at_panel):
    client.force_login(manager)

    response = _move(client, at_panel, S.DECLINED, follow=True)

    assert Page(response).messages == [
        "Problem: Asha Patel has not been moved to declined. Record the decision."
    ]
    at_panel.refresh_from_db()
    assert at_panel.status == S.PANEL


def test_a_coordinator_cannot_suspend_a_carer(client, coordinator, approved):
    client.force_login(coordinator)

    response = _move(client, approved, S.SUSPENDED, follow=True)

    assert "Only the registered manager can make this decision." in Page(response).messages[0]
    approved.refresh_from_db()
    assert approved.status == S.APPROVED


def test_the_manager_suspends_a_carer(client, manager, approved):
    client.force_login(manager)

    _move(client, approved, S.SUSPENDED, "Pending an investigation.")

    approved.refresh_from_db()
    assert approved.status == S.SUSPENDED


def test_a_move_to_a_stage_that_does_not_exist_is_refused(client, coordinator, applicant):
    client.force_login(coordinator)

    response = _move(client, applicant, "retired", follow=True)

    assert Page(response).messages == ["Problem: Choose a stage to move them to."]


def test_moves_are_refused_to_outsiders_and_carers(client, other_coordinator, carer, applicant):
    client.force_login(other_coordinator)
    assert _move(client, applicant, S.WITHDRAWN).status_code == 404
    client.force_login(carer)
    assert _move(client, applicant, S.WITHDRAWN).status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == S.ASSESSMENT


def test_a_move_is_only_ever_a_post(client, coordinator, applicant):
    client.force_login(coordinator)

    assert client.get(_url("carer_move", applicant)).status_code == 405


# --- Recording a check ---


def _check_data(**changes):
    data = {
        "kind": CheckKind.DBS,
        "subject": CheckSubject.APPLICANT,
        "household_member": "",
        "status": CheckStatus.SATISFACTORY,
        "details": "Certificate 001234567890",
        "requested_on": "2026-09-01",
        "received_on": "2026-10-01",
        "issued_on": "2026-09-28",
        "expires_on": "",
        "notes": "",
        "risk_assessment": "",
    }
    data.update(changes)
    return data


def test_a_record_link_fills_in_the_kind_and_who_it_is_for(client, coordinator, applicant):
    member = HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1990, 1, 1))
    client.force_login(coordinator)

    response = client.get(
        _url("check_create", applicant), {"kind": "dbs", "subject": "member", "member": member.pk}
    )

    form = response.context["form"]
    assert (form["kind"].value(), form["subject"].value(), form["household_member"].value()) == (
        "dbs",
        "member",
        member.pk,
    )
    assert "36 months after the date it was issued" in form.fields["expires_on"].help_text


def test_a_coordinator_records_a_dbs_and_its_expiry_is_worked_out(client, coordinator, applicant):
    client.force_login(coordinator)

    response = client.post(_url("check_create", applicant), _check_data(), follow=True)

    check = Check.objects.get(carer=applicant)
    assert (check.kind, check.status, check.recorded_by) == (
        CheckKind.DBS,
        CheckStatus.SATISFACTORY,
        coordinator,
    )
    assert check.expires_on == dt.date(2029, 9, 28)
    assert response.redirect_chain == [(_url("carer_approval", applicant) + "#checklist", 302)]
    assert (
        "Done: Enhanced DBS with adults' barred list for Asha Patel has been recorded. Its expiry date was "
        "set to 28 Sep 2029, 36 months after it was issued."
    ) in Page(response).messages


def test_a_check_for_a_household_member_names_them(client, coordinator, applicant):
    member = HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1990, 1, 1))
    client.force_login(coordinator)

    client.post(
        _url("check_create", applicant),
        _check_data(subject=CheckSubject.MEMBER, household_member=member.pk, expires_on="2029-01-01"),
    )

    check = Check.objects.get(carer=applicant)
    assert (check.household_member, check.expires_on) == (member, dt.date(2029, 1, 1))


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"received_on": "2026-11-21"}, "received_on", "The date it was received cannot be in the future."),
        (
            {"issued_on": "2026-09-28", "expires_on": "2026-09-28"},
            "expires_on",
            "The expiry date must be after the date it was issued.",
        ),
        (
            {"requested_on": "2026-10-02"},
            "received_on",
            "It cannot have been received before it was requested (2 Oct 2026).",
        ),
        (
            {"subject": CheckSubject.MEMBER},
            "household_member",
            "Choose which household member the check is for.",
        ),
        (
            {"subject": CheckSubject.HOUSEHOLD},
            "subject",
            "A DBS check is always of a person: choose who it is for.",
        ),
        ({"subject": CheckSubject.JOINT_CARER}, "subject", "This household has no joint carer."),
    ],
)
def test_a_check_that_does_not_add_up_is_refused_with_the_reason_by_the_field(
    client, coordinator, applicant, changes, field, error
):
    client.force_login(coordinator)

    response = client.post(_url("check_create", applicant), _check_data(**changes))

    assert response.status_code == 200
    assert Page(response).error_for(field) == error
    assert not Check.objects.exists()


def test_a_household_member_with_another_subject_is_refused(client, coordinator, applicant):
    member = HouseholdMemberFactory(carer=applicant)
    client.force_login(coordinator)

    response = client.post(_url("check_create", applicant), _check_data(household_member=member.pk))

    assert "choose “Household member” as who it is for" in Page(response).error_for("household_member")
    assert not Check.objects.exists()


def test_another_households_member_cannot_be_chosen(client, coordinator, applicant, other_carer_household):
    stranger = HouseholdMemberFactory(carer=other_carer_household)
    client.force_login(coordinator)

    response = client.post(
        _url("check_create", applicant),
        _check_data(subject=CheckSubject.MEMBER, household_member=stranger.pk),
    )

    assert "Select a valid choice" in Page(response).error_for("household_member")
    assert not Check.objects.exists()


def test_recording_a_check_is_refused_to_outsiders_and_carers(client, other_coordinator, carer, applicant):
    client.force_login(other_coordinator)
    assert client.post(_url("check_create", applicant), _check_data()).status_code == 404
    client.force_login(carer)
    assert client.get(_url("check_create", applicant)).status_code == 403
    assert client.post(_url("check_create", applicant), _check_data()).status_code == 403
    assert not Check.objects.exists()


def test_the_check_form_takes_no_delete(client, coordinator, applicant):
    client.force_login(coordinator)

    assert client.delete(_url("check_create", applicant)).status_code == 405


# --- Updating a check ---


@pytest.fixture
def dbs(applicant):
    return CheckFactory(carer=applicant, kind=CheckKind.DBS, status=CheckStatus.REQUESTED, received_on=None)


def _opened(client, url) -> dict:
    return form_data(client.get(url).context["form"])


def test_a_coordinator_updates_a_check(client, coordinator, applicant, dbs):
    url = _url("check_edit", applicant, dbs.pk)
    client.force_login(coordinator)

    response = client.post(
        url, {**_opened(client, url), "status": "satisfactory", "received_on": "2026-11-02"}
    )

    assert response.status_code == 302
    dbs.refresh_from_db()
    assert (dbs.status, dbs.received_on, dbs.recorded_by) == (
        "satisfactory",
        dt.date(2026, 11, 2),
        coordinator,
    )


def test_a_second_save_from_an_older_page_is_refused(client, coordinator, manager, applicant, dbs):
    url = _url("check_edit", applicant, dbs.pk)
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)

    assert client.post(url, {**first, "details": "Certificate 111"}).status_code == 302
    response = other.post(url, {**second, "details": "Certificate 222"})

    assert response.status_code == 200
    assert STALE_MESSAGE in Page(response).main_text
    assert Page(response).value_of("details") == "Certificate 222"
    dbs.refresh_from_db()
    assert dbs.details == "Certificate 111"


@pytest.fixture
def signed_off(applicant, manager):
    return CheckFactory(
        carer=applicant,
        kind=CheckKind.DBS,
        status=CheckStatus.CONCERN,
        risk_assessment="A caution from 2004; no risk to adults.",
        signed_off_by=manager,
        signed_off_at=NOW,
    )


def test_the_form_says_a_change_clears_the_sign_off(client, coordinator, applicant, signed_off, manager):
    client.force_login(coordinator)

    text = Page(client.get(_url("check_edit", applicant, signed_off.pk))).main_text

    assert f"{manager.display_name} signed off the risk assessment on 20 Nov 2026." in text
    assert "Changing its status or its risk assessment clears the sign-off" in text


def test_changing_the_risk_assessment_of_a_signed_off_check_clears_the_sign_off(
    client, coordinator, applicant, signed_off
):
    url = _url("check_edit", applicant, signed_off.pk)
    client.force_login(coordinator)

    response = client.post(
        url, {**_opened(client, url), "risk_assessment": "A conviction from 2020."}, follow=True
    )

    signed_off.refresh_from_db()
    assert (signed_off.signed_off_by, signed_off.signed_off_at) == (None, None)
    assert "The manager's sign-off has been cleared" in Page(response).messages[0]


def test_changing_only_the_notes_keeps_the_sign_off(client, coordinator, manager, applicant, signed_off):
    url = _url("check_edit", applicant, signed_off.pk)
    client.force_login(coordinator)

    client.post(url, {**_opened(client, url), "notes": "Copy on file."})

    signed_off.refresh_from_db()
    assert (signed_off.notes, signed_off.signed_off_by) == ("Copy on file.", manager)


def test_a_sign_off_given_while_the_form_was_open_is_kept(client, coordinator, manager, applicant):
    concern = CheckFactory(
        carer=applicant, kind=CheckKind.DBS, status=CheckStatus.CONCERN, risk_assessment="Spent conviction."
    )
    url = _url("check_edit", applicant, concern.pk)
    client.force_login(coordinator)
    opened = _opened(client, url)
    manager_client = Client()
    manager_client.force_login(manager)
    manager_client.post(_url("check_sign_off", applicant, concern.pk))

    client.post(url, {**opened, "notes": "Copy on file."})

    concern.refresh_from_db()
    assert (concern.notes, concern.signed_off_by) == ("Copy on file.", manager)


def test_a_bad_update_is_refused_and_nothing_saved(client, coordinator, applicant, dbs):
    url = _url("check_edit", applicant, dbs.pk)
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "received_on": "2026-12-01"})

    assert Page(response).error_for("received_on") == "The date it was received cannot be in the future."
    dbs.refresh_from_db()
    assert dbs.received_on is None


def test_a_check_of_another_household_is_not_found_through_this_one(
    client, coordinator, applicant, other_carer_household
):
    theirs = CheckFactory(carer=other_carer_household)
    client.force_login(coordinator)

    assert client.get(_url("check_edit", applicant, theirs.pk)).status_code == 404


def test_updating_a_check_is_refused_to_outsiders_and_carers(
    client, other_coordinator, carer, applicant, dbs
):
    url = _url("check_edit", applicant, dbs.pk)
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(carer)
    assert client.get(url).status_code == 403
    assert client.put(url).status_code == 405


# --- Signing off a concern ---


@pytest.fixture
def concern(applicant):
    return CheckFactory(
        carer=applicant, kind=CheckKind.DBS, status=CheckStatus.CONCERN, risk_assessment="Spent conviction."
    )


def test_the_manager_signs_off_a_concern(client, manager, applicant, concern):
    client.force_login(manager)

    response = client.post(_url("check_sign_off", applicant, concern.pk), follow=True)

    concern.refresh_from_db()
    assert concern.signed_off_by == manager
    assert (
        "Done: The risk assessment for the Enhanced DBS with adults' barred list of Asha Patel is signed off."
        in Page(response).messages
    )
    assert "Risk assessment signed off by" in Page(response).main_text


def test_a_coordinator_cannot_sign_off_a_concern(client, coordinator, applicant, concern):
    client.force_login(coordinator)

    response = client.post(_url("check_sign_off", applicant, concern.pk))

    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.signed_off_by is None


def test_a_concern_without_a_risk_assessment_is_not_signed_off(client, manager, applicant):
    check = CheckFactory(carer=applicant, kind=CheckKind.DBS, status=CheckStatus.CONCERN)
    client.force_login(manager)

    response = client.post(_url("check_sign_off", applicant, check.pk), follow=True)

    assert Page(response).messages == ["Problem: Record the risk assessment before it is signed off."]
    check.refresh_from_db()
    assert check.signed_off_by is None


def test_signing_off_is_refused_to_outsiders_and_carers_and_is_a_post(
    client, other_coordinator, carer, coordinator, applicant, concern
):
    url = _url("check_sign_off", applicant, concern.pk)
    client.force_login(other_coordinator)
    assert client.post(url).status_code == 404
    client.force_login(carer)
    assert client.post(url).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 405


# --- The assessment ---


def _assessment_data(assessor, **changes):
    data = {
        "assessor": assessor.pk,
        "home_visits": "6",
        "report_summary": "A warm household.",
        "report_written_on": "2026-11-01",
        "shared_with_applicant_on": "2026-11-03",
        "applicant_comments": "We are happy with it.",
    }
    data.update(changes)
    return data


def test_a_coordinator_records_the_assessment(client, coordinator, applicant):
    client.force_login(coordinator)

    response = client.post(_url("assessment_edit", applicant), _assessment_data(coordinator), follow=True)

    assessment = Assessment.objects.get(carer=applicant)
    assert (assessment.assessor, assessment.home_visits) == (coordinator, 6)
    assert assessment.outstanding() == []
    assert "Done: The assessment of Asha Patel has been saved." in Page(response).messages


def test_the_assessment_form_offers_only_the_schemes_staff(
    client, coordinator, manager, applicant, other_coordinator
):
    client.force_login(coordinator)

    options = Page(client.get(_url("assessment_edit", applicant))).options_of("assessor")

    assert sorted(options[1:]) == sorted([coordinator.display_name, manager.display_name])


def test_an_assessment_is_updated_in_place(client, coordinator, applicant):
    AssessmentFactory(carer=applicant, applicant_comments="", shared_with_applicant_on=None)
    client.force_login(coordinator)

    client.post(
        _url("assessment_edit", applicant),
        _assessment_data(coordinator, applicant_comments="", applicant_declined_to_comment="on"),
    )

    assessment = Assessment.objects.get(carer=applicant)
    assert assessment.applicant_declined_to_comment
    assert assessment.shared_with_applicant_on == dt.date(2026, 11, 3)


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"shared_with_applicant_on": "2026-10-30"},
            "shared_with_applicant_on",
            "The report can only be shared on or after the day it was written (1 Nov 2026).",
        ),
        (
            {"applicant_declined_to_comment": "on"},
            "applicant_declined_to_comment",
            "Record the applicant's comments, or that they chose not to comment, not both.",
        ),
        (
            {"report_written_on": "2026-11-21", "shared_with_applicant_on": ""},
            "report_written_on",
            "The report cannot have been written on a day in the future.",
        ),
        (
            {"report_written_on": ""},
            "report_written_on",
            "Enter the date the report was written: it has been shared.",
        ),
    ],
)
def test_an_assessment_that_does_not_add_up_is_refused(client, coordinator, applicant, changes, field, error):
    client.force_login(coordinator)

    response = client.post(_url("assessment_edit", applicant), _assessment_data(coordinator, **changes))

    assert Page(response).error_for(field) == error
    assert not Assessment.objects.exists()


def test_the_assessment_is_refused_to_outsiders_and_carers(client, other_coordinator, carer, applicant):
    url = _url("assessment_edit", applicant)
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(carer)
    assert client.post(url, {"home_visits": "1"}).status_code == 403
    assert client.delete(url).status_code == 405
    assert not Assessment.objects.exists()


# --- The decision ---


def _decision_data(**changes):
    data = {
        "outcome": "approve",
        "reasons": "The panel recommended approval; the assessment is strong.",
        "decided_on": "2026-11-18",
        "kinds": ["live_in", "short_breaks"],
        "max_people": "2",
        "needs_groups": ["learning_disability"],
        "conditions": "",
        "probation_ends_on": "2027-11-18",
    }
    data.update(changes)
    return data


def test_the_decision_page_shows_the_panels_recommendation(client, manager, at_panel):
    client.force_login(manager)

    text = Page(client.get(_url("carer_decision", at_panel))).main_text

    assert (
        "Panel 10 Nov 2026 Recommendation Approve Reasons A thorough assessment and strong references."
        in text
    )


def test_the_manager_approves_with_terms(client, manager, at_panel):
    client.force_login(manager)

    response = client.post(_url("carer_decision", at_panel), _decision_data(), follow=True)

    assert "Done: Asha Patel has been approved." in Page(response).messages
    at_panel.refresh_from_db()
    assert at_panel.status == S.APPROVED
    assert at_panel.next_review_due == dt.date(2027, 11, 18)
    terms = ApprovalTerms.objects.get(carer=at_panel)
    assert (terms.kinds, terms.max_people, terms.needs_groups) == (
        ["live_in", "short_breaks"],
        2,
        ["learning_disability"],
    )
    assert terms.probation_ends_on == dt.date(2027, 11, 18)
    decision = ApprovalDecision.objects.get(carer=at_panel)
    assert (decision.decided_by, decision.decided_on) == (manager, dt.date(2026, 11, 18))


def test_the_manager_declines_without_terms(client, manager, at_panel):
    client.force_login(manager)

    client.post(
        _url("carer_decision", at_panel),
        _decision_data(outcome="decline", kinds=[], max_people="", needs_groups=[], probation_ends_on=""),
    )

    at_panel.refresh_from_db()
    assert at_panel.status == S.DECLINED
    assert not ApprovalTerms.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"max_people": "4"},
            "max_people",
            "More than three people is refused: a Shared Lives carer supports at most three people at a "
            "time.",
        ),
        ({"kinds": []}, "kinds", "Choose at least one kind of arrangement they are approved for."),
        ({"needs_groups": []}, "needs_groups", "Choose at least one need they are approved to support."),
        ({"max_people": ""}, "max_people", "Enter how many people they are approved for: 1, 2 or 3."),
        ({"decided_on": "2026-11-21"}, "decided_on", "The decision cannot be dated in the future."),
        (
            {"decided_on": "2026-11-09"},
            "decided_on",
            "The decision cannot come before the panel met (10 Nov 2026).",
        ),
        (
            {"probation_ends_on": "2026-11-18"},
            "probation_ends_on",
            "The probation must end after the terms start.",
        ),
        ({"reasons": " "}, "reasons", "This field is required."),
    ],
)
def test_a_decision_that_does_not_add_up_is_refused(client, manager, at_panel, changes, field, error):
    client.force_login(manager)

    response = client.post(_url("carer_decision", at_panel), _decision_data(**changes))

    assert _error(Page(response), field) == error
    at_panel.refresh_from_db()
    assert at_panel.status == S.PANEL
    assert not ApprovalDecision.objects.exists()


def test_a_decision_before_the_recommendation_is_refused_with_the_reason(client, manager, at_panel):
    at_panel.panel_items.update(recommendation="", reasons="")
    client.force_login(manager)

    response = client.post(_url("carer_decision", at_panel), _decision_data(decided_on="2026-11-20"))

    assert "The panel's recommendation has not been recorded." in Page(response).main_text
    assert not ApprovalDecision.objects.exists()


def test_there_is_no_decision_form_away_from_the_panel_stage(client, manager, applicant):
    client.force_login(manager)

    page = Page(client.get(_url("carer_decision", applicant)))

    assert "Asha Patel is at the assessment stage, so there is no decision to make." in page.main_text
    assert page.find("input", name="outcome") is None


def test_a_coordinator_cannot_make_the_decision(client, coordinator, at_panel):
    client.force_login(coordinator)

    assert client.get(_url("carer_decision", at_panel)).status_code == 403
    assert client.post(_url("carer_decision", at_panel), _decision_data()).status_code == 403
    at_panel.refresh_from_db()
    assert at_panel.status == S.PANEL


def test_the_decision_is_refused_to_outsiders_and_carers(client, other_coordinator, carer, manager, at_panel):
    url = _url("carer_decision", at_panel)
    client.force_login(other_coordinator)
    assert client.post(url, _decision_data()).status_code == 404
    client.force_login(carer)
    assert client.post(url, _decision_data()).status_code == 403
    client.force_login(manager)
    assert client.delete(url).status_code == 405
    assert not ApprovalDecision.objects.exists()


# --- A change of terms ---


def test_the_terms_form_starts_from_the_terms_in_force(client, manager, approved):
    client.force_login(manager)

    form = client.get(_url("terms_change", approved)).context["form"]

    assert form["kinds"].value() == ["live_in", "short_breaks"]
    assert form["max_people"].value() == 2


def test_the_manager_changes_the_terms(client, manager, approved):
    client.force_login(manager)
    url = _url("terms_change", approved)
    data = {
        **_opened(client, url),
        "reasons": "Asked for at review.",
        "max_people": "3",
        "kinds": ["day_support"],
    }

    response = client.post(url, data, follow=True)

    assert "Done: Asha Patel's new terms of approval start on 20 Nov 2026." in Page(response).messages
    old, new = ApprovalTerms.objects.filter(carer=approved).order_by("starts_on")
    assert old.ends_on == dt.date(2026, 11, 19)
    assert (new.kinds, new.max_people, new.ends_on) == (["day_support"], 3, None)


def test_new_terms_for_more_than_three_people_are_refused(client, manager, approved):
    client.force_login(manager)
    url = _url("terms_change", approved)

    response = client.post(url, {**_opened(client, url), "reasons": "More room.", "max_people": "4"})

    assert Page(response).error_for("max_people").startswith("More than three people is refused")
    assert ApprovalTerms.objects.filter(carer=approved).count() == 1


def test_a_coordinator_cannot_change_the_terms(client, coordinator, approved):
    client.force_login(coordinator)

    assert client.get(_url("terms_change", approved)).status_code == 403


def test_changing_the_terms_is_refused_to_outsiders_and_carers(client, other_coordinator, carer, approved):
    client.force_login(other_coordinator)
    assert client.get(_url("terms_change", approved)).status_code == 404
    client.force_login(carer)
    assert client.get(_url("terms_change", approved)).status_code == 403


# --- The annual review ---


def _review_data(**changes):
    data = {
        "held_on": "2026-11-19",
        "findings": "Going well; the spare room is still up to standard.",
        "carer_views": "We love it and would like to offer day support too.",
        "home_safety_checked": "on",
        "terms_change": "",
        "next_due_on": "",
    }
    data.update(changes)
    return data


def test_a_coordinator_records_the_annual_review_and_the_next_is_a_year_on(client, coordinator, approved):
    client.force_login(coordinator)

    response = client.post(_url("carer_review_create", approved), _review_data(), follow=True)

    review = CarerReview.objects.get(carer=approved)
    assert (review.reviewer, review.held_on, review.next_due_on, review.due_on) == (
        coordinator,
        dt.date(2026, 11, 19),
        dt.date(2027, 11, 19),
        dt.date(2027, 1, 5),
    )
    approved.refresh_from_db()
    assert approved.next_review_due == dt.date(2027, 11, 19)
    assert (
        "Done: The annual review of Asha Patel has been recorded. The next is due on 19 Nov 2027."
        in Page(response).messages
    )


def test_a_change_of_terms_asked_for_goes_to_the_manager(client, coordinator, manager, approved):
    client.force_login(coordinator)

    response = client.post(
        _url("carer_review_create", approved), _review_data(terms_change="Day support as well."), follow=True
    )

    assert "waiting for the registered manager" in Page(response).messages[0]
    client.force_login(manager)
    assert _tab(client, approved).find("a", href=_url("terms_change", approved)) is not None


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"carer_views": "  "}, "carer_views", "Record the carer's views, in their words."),
        ({"next_due_on": "2026-11-19"}, "next_due_on", "The next review must be after this one."),
        (
            {"held_on": "2026-11-21"},
            "held_on",
            "A review is recorded once it has been held: this date is in the future.",
        ),
    ],
)
def test_a_review_that_does_not_add_up_is_refused(client, coordinator, approved, changes, field, error):
    client.force_login(coordinator)

    response = client.post(_url("carer_review_create", approved), _review_data(**changes))

    assert Page(response).error_for(field) == error
    assert not CarerReview.objects.exists()


def test_an_applicant_has_no_annual_review(client, coordinator, applicant):
    client.force_login(coordinator)

    page = Page(client.get(_url("carer_review_create", applicant)))
    response = client.post(_url("carer_review_create", applicant), _review_data())

    assert "Annual reviews are for approved carers." in page.main_text
    assert "Asha Patel is not approved, so has no annual review." in Page(response).main_text
    assert not CarerReview.objects.exists()


def test_the_review_is_refused_to_outsiders_and_carers(client, other_coordinator, carer, approved):
    url = _url("carer_review_create", approved)
    client.force_login(other_coordinator)
    assert client.post(url, _review_data()).status_code == 404
    client.force_login(carer)
    assert client.post(url, _review_data()).status_code == 403
    assert client.delete(url).status_code == 405
    assert not CarerReview.objects.exists()
