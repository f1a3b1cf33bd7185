"""The checklist of what an applicant household must have done before panel:
worked out afresh from the records and the scheme's settings each time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from carers.checklist import build_checklist, training_outstanding
from carers.models import CarerStatus, CheckKind, CheckStatus, CheckSubject
from carers.services import sign_off_check
from sharedlives.workflow import WorkflowRefused
from tests.factories import (
    CarerFactory,
    CheckFactory,
    HouseholdMemberFactory,
    SchemeCheckSettingFactory,
    complete_required_checks,
)

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
TODAY = NOW.date()

# What a household needs by default: not new to care, not driving anyone,
# nobody else aged 16 or over at home.
DEFAULT_LABELS = [
    "Enhanced DBS with barred list: Asha Patel",
    "Two references",
    "GP or medical reference",
    "Health and safety check of the home",
    "Mortgage lender or landlord permission",
    "Home insurance",
    "Induction training",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def applicant(scheme):
    return CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel", status=CarerStatus.ASSESSMENT)


def _checklist(carer, today=None):
    return build_checklist(carer, today or timezone.localdate())


def _item(carer, label, today=None):
    return next(item for item in _checklist(carer, today).items if item.label == label)


def _only_dbs_and_gp_required(scheme):
    """A scheme whose checklist is short enough to read in one sentence."""
    for kind in CheckKind:
        if kind not in (CheckKind.DBS, CheckKind.GP_REFERENCE):
            SchemeCheckSettingFactory(scheme=scheme, kind=kind, required=False, renewal_months=None)


# What is on the list


def test_a_new_applicant_has_every_default_check_outstanding(applicant):
    checklist = _checklist(applicant)

    assert [item.label for item in checklist.items] == DEFAULT_LABELS
    assert [item.state for item in checklist.items] == ["Not started", "0 of 2 complete"] + [
        "Not started"
    ] * 5
    assert not checklist.complete


def test_an_applicant_with_every_required_check_done_is_complete(applicant):
    complete_required_checks(applicant)

    checklist = _checklist(applicant)

    assert checklist.complete
    assert checklist.outstanding == []
    assert checklist.summary == "7 of 7 checks are complete"


def test_a_joint_carer_and_every_adult_at_home_need_a_dbs_check(applicant):
    applicant.joint_first_name, applicant.joint_last_name = "Ravi", "Patel"
    applicant.save()
    HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1960, 4, 2))
    HouseholdMemberFactory(carer=applicant, name="Mia Patel", date_of_birth=dt.date(2015, 6, 1))

    dbs = [item for item in _checklist(applicant).items if item.kind == CheckKind.DBS]

    assert [(item.label, item.subject) for item in dbs] == [
        ("Enhanced DBS with barred list: Asha Patel", CheckSubject.APPLICANT),
        ("Enhanced DBS with barred list: Ravi Patel", CheckSubject.JOINT_CARER),
        ("Enhanced DBS with barred list: Derek Brown", CheckSubject.MEMBER),
    ]


def test_a_household_member_gets_a_dbs_line_the_day_they_turn_16(applicant):
    HouseholdMemberFactory(carer=applicant, name="Priya Patel", date_of_birth=dt.date(2010, 11, 23))
    complete_required_checks(applicant)
    line = "Enhanced DBS with barred list: Priya Patel"

    with time_machine.travel(dt.datetime(2026, 11, 22, 23, 59, tzinfo=LONDON), tick=False):
        the_day_before = _checklist(applicant)
    with time_machine.travel(dt.datetime(2026, 11, 23, 0, 1, tzinfo=LONDON), tick=False):
        their_birthday = _checklist(applicant)

    assert line not in [item.label for item in the_day_before.items]
    assert the_day_before.complete
    assert line in [item.label for item in their_birthday.outstanding]
    assert (
        their_birthday.summary == "7 of 8 checks are complete: the DBS check for Priya Patel is outstanding"
    )


def test_a_household_members_dbs_counts_for_them_and_nobody_else(applicant):
    older = HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1960, 4, 2))
    HouseholdMemberFactory(carer=applicant, name="Sam Brown", date_of_birth=dt.date(1999, 4, 2))
    CheckFactory(carer=applicant, kind=CheckKind.DBS, household_member=older)

    checklist = _checklist(applicant)

    states = {item.label: item.complete for item in checklist.items if item.kind == CheckKind.DBS}
    assert states == {
        "Enhanced DBS with barred list: Asha Patel": False,
        "Enhanced DBS with barred list: Derek Brown": True,
        "Enhanced DBS with barred list: Sam Brown": False,
    }


@pytest.mark.parametrize("will_drive_people", [True, False])
def test_car_insurance_is_needed_only_where_they_will_drive_people(scheme, will_drive_people):
    carer = CarerFactory(scheme=scheme, status=CarerStatus.ASSESSMENT, will_drive_people=will_drive_people)

    kinds = [item.kind for item in _checklist(carer).items]

    assert (CheckKind.CAR_INSURANCE in kinds) is will_drive_people


@pytest.mark.parametrize("new_to_care", [True, False])
def test_the_care_certificate_is_needed_only_where_they_are_new_to_care(scheme, new_to_care):
    carer = CarerFactory(scheme=scheme, status=CarerStatus.ASSESSMENT, new_to_care=new_to_care)

    kinds = [item.kind for item in _checklist(carer).items]

    assert (CheckKind.CARE_CERTIFICATE in kinds) is new_to_care


# The summary


def test_the_summary_names_the_one_check_outstanding(scheme, applicant):
    _only_dbs_and_gp_required(scheme)
    HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1960, 4, 2))
    CheckFactory(carer=applicant, kind=CheckKind.DBS)
    CheckFactory(carer=applicant, kind=CheckKind.GP_REFERENCE)

    summary = _checklist(applicant).summary

    assert summary == "2 of 3 checks are complete: the DBS check for Derek Brown is outstanding"


def test_the_summary_lists_several_checks_outstanding_in_a_sentence(scheme, applicant):
    _only_dbs_and_gp_required(scheme)
    HouseholdMemberFactory(carer=applicant, name="Derek Brown", date_of_birth=dt.date(1960, 4, 2))

    summary = _checklist(applicant).summary

    assert summary == (
        "0 of 3 checks are complete: the DBS check for Asha Patel, the DBS check for Derek Brown "
        "and the GP or medical reference are outstanding"
    )


# References


def test_two_references_are_needed(applicant):
    CheckFactory(carer=applicant, kind=CheckKind.REFERENCE, details="Jan Hill, former employer")
    CheckFactory(carer=applicant, kind=CheckKind.REFERENCE, status=CheckStatus.REQUESTED, issued_on=None)

    references = _item(applicant, "Two references")

    assert not references.complete
    assert references.state == "1 of 2 complete"


def test_one_reference_to_go_reads_as_a_second_reference(scheme, applicant):
    for kind in CheckKind:
        if kind != CheckKind.REFERENCE:
            SchemeCheckSettingFactory(scheme=scheme, kind=kind, required=False, renewal_months=None)
    CheckFactory(carer=applicant, kind=CheckKind.REFERENCE)

    summary = _checklist(applicant).summary

    assert summary == "0 of 1 checks are complete: a second reference is outstanding"


def test_with_no_references_the_references_are_outstanding(scheme, applicant):
    for kind in CheckKind:
        if kind != CheckKind.REFERENCE:
            SchemeCheckSettingFactory(scheme=scheme, kind=kind, required=False, renewal_months=None)

    summary = _checklist(applicant).summary

    assert summary == "0 of 1 checks are complete: the references are outstanding"


def test_two_satisfactory_references_complete_the_line(applicant):
    CheckFactory(carer=applicant, kind=CheckKind.REFERENCE, details="Jan Hill, former employer")
    CheckFactory(carer=applicant, kind=CheckKind.REFERENCE, details="Rev. Ann Cole, friend")

    references = _item(applicant, "Two references")

    assert references.complete
    assert references.state == "2 of 2 complete"


# A DBS with a concern


def test_a_dbs_with_a_concern_does_not_count_without_a_risk_assessment(applicant):
    CheckFactory(carer=applicant, kind=CheckKind.DBS, status=CheckStatus.CONCERN)

    dbs = _item(applicant, "Enhanced DBS with barred list: Asha Patel")

    assert not dbs.complete
    assert dbs.state == "Concern: needs a risk assessment and a manager's sign-off"


def test_a_dbs_with_a_risk_assessment_does_not_count_until_a_manager_signs_it_off(applicant):
    CheckFactory(
        carer=applicant,
        kind=CheckKind.DBS,
        status=CheckStatus.CONCERN,
        risk_assessment="A caution from 1998 for shoplifting; no risk to the people supported.",
    )

    dbs = _item(applicant, "Enhanced DBS with barred list: Asha Patel")

    assert not dbs.complete
    assert dbs.state == "Concern: risk assessment waiting for a manager's sign-off"


def test_a_dbs_with_a_concern_counts_once_the_manager_signs_off_its_risk_assessment(applicant, manager):
    check = CheckFactory(
        carer=applicant,
        kind=CheckKind.DBS,
        status=CheckStatus.CONCERN,
        risk_assessment="A caution from 1998 for shoplifting; no risk to the people supported.",
    )

    sign_off_check(check=check, membership=manager.memberships.get())

    check.refresh_from_db()
    assert (check.signed_off_by, check.signed_off_at) == (manager, NOW)
    dbs = _item(applicant, "Enhanced DBS with barred list: Asha Patel")
    assert dbs.complete
    assert dbs.state == "Concern: risk assessed and signed off"


def test_a_coordinator_cannot_sign_off_a_concern(applicant, coordinator):
    check = CheckFactory(
        carer=applicant, kind=CheckKind.DBS, status=CheckStatus.CONCERN, risk_assessment="Low risk."
    )

    with pytest.raises(WorkflowRefused) as refused:
        sign_off_check(check=check, membership=coordinator.memberships.get())

    assert refused.value.reasons == ["Only the registered manager can sign off a concern."]
    check.refresh_from_db()
    assert check.signed_off_by is None
    assert not _item(applicant, "Enhanced DBS with barred list: Asha Patel").complete


@pytest.mark.parametrize(
    ("status", "risk_assessment", "reason"),
    [
        (CheckStatus.CONCERN, "", "Record the risk assessment before it is signed off."),
        (CheckStatus.SATISFACTORY, "", "Only a check with a concern needs signing off."),
    ],
)
def test_a_manager_cannot_sign_off_without_a_concern_and_its_risk_assessment(
    applicant, manager, status, risk_assessment, reason
):
    check = CheckFactory(carer=applicant, kind=CheckKind.DBS, status=status, risk_assessment=risk_assessment)

    with pytest.raises(WorkflowRefused) as refused:
        sign_off_check(check=check, membership=manager.memberships.get())

    assert refused.value.reasons == [reason]
    check.refresh_from_db()
    assert check.signed_off_by is None


# Checks that lapse


def test_a_check_past_its_expiry_date_does_not_count(applicant):
    CheckFactory(
        carer=applicant,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2025, 11, 21),
        expires_on=dt.date(2026, 11, 21),
    )

    insurance = _item(applicant, "Home insurance")

    assert not insurance.complete
    assert insurance.state == "Expired on 21 Nov 2026"


def test_a_check_still_counts_on_its_expiry_date(applicant):
    CheckFactory(
        carer=applicant,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2025, 11, 22),
        expires_on=dt.date(2026, 11, 22),
    )

    assert _item(applicant, "Home insurance").complete


def test_a_renewal_on_its_way_does_not_hide_the_record_still_in_date(applicant):
    CheckFactory(
        carer=applicant,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2025, 12, 1),
        expires_on=dt.date(2026, 12, 1),
    )
    CheckFactory(
        carer=applicant,
        kind=CheckKind.HOME_INSURANCE,
        status=CheckStatus.REQUESTED,
        requested_on=dt.date(2026, 11, 20),
        received_on=None,
        issued_on=None,
    )

    assert _item(applicant, "Home insurance").complete


def test_a_renewed_check_counts_again(applicant):
    CheckFactory(
        carer=applicant,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2025, 10, 1),
        expires_on=dt.date(2026, 10, 1),
    )
    CheckFactory(
        carer=applicant,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2026, 10, 1),
        expires_on=dt.date(2027, 10, 1),
    )

    insurance = _item(applicant, "Home insurance")

    assert insurance.complete
    assert insurance.latest.expires_on == dt.date(2027, 10, 1)


def test_a_dbs_lapses_after_the_default_three_years_without_an_expiry_date(applicant):
    CheckFactory(carer=applicant, kind=CheckKind.DBS, issued_on=dt.date(2023, 11, 21), expires_on=None)

    dbs = _item(applicant, "Enhanced DBS with barred list: Asha Patel")

    assert not dbs.complete
    assert dbs.state == "Expired on 21 Nov 2026"


def test_a_dbs_within_three_years_counts(applicant):
    CheckFactory(carer=applicant, kind=CheckKind.DBS, issued_on=dt.date(2023, 11, 22), expires_on=None)

    assert _item(applicant, "Enhanced DBS with barred list: Asha Patel").complete


# The scheme's own settings


def test_a_scheme_can_make_a_default_check_not_required(scheme, applicant):
    SchemeCheckSettingFactory(
        scheme=scheme, kind=CheckKind.LANDLORD_PERMISSION, required=False, renewal_months=None
    )

    labels = [item.label for item in _checklist(applicant).items]

    assert "Mortgage lender or landlord permission" not in labels
    assert len(labels) == len(DEFAULT_LABELS) - 1


def test_a_scheme_can_require_a_check_the_defaults_leave_out(scheme, applicant):
    SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.GAS_SAFETY, required=True, renewal_months=12)

    outstanding = [item.label for item in _checklist(applicant).outstanding]

    assert "Gas safety certificate" in outstanding


def test_a_scheme_that_renews_dbs_checks_yearly_has_an_older_one_lapse(scheme, applicant):
    CheckFactory(carer=applicant, kind=CheckKind.DBS, issued_on=dt.date(2025, 10, 1), expires_on=None)
    assert _item(applicant, "Enhanced DBS with barred list: Asha Patel").complete

    SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.DBS, required=True, renewal_months=12)
    dbs = _item(applicant, "Enhanced DBS with barred list: Asha Patel")

    assert not dbs.complete
    assert dbs.state == "Expired on 1 Oct 2026"


def test_a_check_not_on_the_list_is_kept_with_the_other_records(applicant):
    gas = CheckFactory(carer=applicant, kind=CheckKind.GAS_SAFETY)

    checklist = _checklist(applicant)

    assert checklist.other_records == [gas]
    assert CheckKind.GAS_SAFETY not in [item.kind for item in checklist.items]


# Training before anyone moves in


def test_training_outstanding_lists_only_required_training_not_yet_done(scheme):
    carer = CarerFactory(scheme=scheme, status=CarerStatus.APPROVED, new_to_care=True)
    CheckFactory(carer=carer, kind=CheckKind.INDUCTION)

    outstanding = training_outstanding(carer, timezone.localdate())

    assert [item.kind for item in outstanding] == [CheckKind.CARE_CERTIFICATE]


def test_training_a_scheme_requires_is_outstanding_until_done(scheme):
    SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.FIRST_AID, required=True, renewal_months=36)
    carer = CarerFactory(scheme=scheme, status=CarerStatus.APPROVED)
    CheckFactory(carer=carer, kind=CheckKind.INDUCTION)

    assert [item.kind for item in training_outstanding(carer, timezone.localdate())] == [CheckKind.FIRST_AID]

    CheckFactory(carer=carer, kind=CheckKind.FIRST_AID)
    assert training_outstanding(carer, timezone.localdate()) == []


def test_lapsed_training_is_outstanding_again(scheme):
    SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.FIRST_AID, required=True, renewal_months=36)
    carer = CarerFactory(scheme=scheme, status=CarerStatus.APPROVED)
    CheckFactory(carer=carer, kind=CheckKind.INDUCTION)
    CheckFactory(carer=carer, kind=CheckKind.FIRST_AID, issued_on=dt.date(2023, 6, 1), expires_on=None)

    assert [item.kind for item in training_outstanding(carer, timezone.localdate())] == [CheckKind.FIRST_AID]


def test_training_outstanding_leaves_out_checks_that_are_not_training(applicant):
    CheckFactory(carer=applicant, kind=CheckKind.INDUCTION)

    assert not _checklist(applicant).complete
    assert training_outstanding(applicant, timezone.localdate()) == []
