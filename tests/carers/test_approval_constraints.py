"""What the database refuses about checks, assessments, panels, decisions,
terms, stage changes and reviews, whatever writes them: a form with a bug, a
bulk update or a data fix in the shell."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction

from carers.models import (
    ApprovalTerms,
    CarerStatus,
    CheckKind,
    CheckStatus,
    CheckSubject,
    Recommendation,
)
from sharedlives.choices import ArrangementKind, NeedsGroup
from tests.factories import (
    ApprovalDecisionFactory,
    ApprovalTermsFactory,
    AssessmentFactory,
    CarerFactory,
    CarerReviewFactory,
    CheckFactory,
    HouseholdMemberFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    SchemeCheckSettingFactory,
    StageChangeFactory,
    UserFactory,
)


@contextmanager
def refused_by(constraint: str):
    """The database refuses what the block writes, naming ``constraint``."""
    with pytest.raises(IntegrityError, match=f'"{constraint}"'), transaction.atomic():
        yield


@pytest.fixture
def household(scheme):
    return CarerFactory(scheme=scheme, status=CarerStatus.ASSESSMENT)


@pytest.fixture
def approved(scheme):
    return CarerFactory(scheme=scheme, status=CarerStatus.APPROVED)


# Terms of approval


@pytest.mark.parametrize("max_people", [1, 2, 3])
def test_terms_for_one_to_three_people_are_accepted(approved, max_people):
    assert ApprovalTermsFactory(carer=approved, max_people=max_people).pk


@pytest.mark.parametrize("max_people", [0, 4, 10])
def test_terms_for_no_people_or_more_than_three_are_refused(approved, max_people):
    with refused_by("terms_max_people_1_to_3"):
        ApprovalTermsFactory(carer=approved, max_people=max_people)


def test_terms_are_refused_a_bulk_update_to_four_people(approved):
    ApprovalTermsFactory(carer=approved)

    with refused_by("terms_max_people_1_to_3"):
        ApprovalTerms.objects.update(max_people=4)


def test_terms_with_no_kind_of_arrangement_are_refused(approved):
    with refused_by("terms_at_least_one_kind"):
        ApprovalTermsFactory(carer=approved, kinds=[])


def test_terms_with_an_unknown_kind_of_arrangement_are_refused(approved):
    with refused_by("terms_kinds_valid"):
        ApprovalTermsFactory(carer=approved, kinds=[ArrangementKind.LIVE_IN, "holiday_lets"])


def test_terms_with_an_unknown_needs_group_are_refused(approved):
    with refused_by("terms_needs_groups_valid"):
        ApprovalTermsFactory(carer=approved, needs_groups=[NeedsGroup.AUTISM, "difficult"])


def test_two_sets_of_terms_in_force_for_one_household_are_refused(approved):
    ApprovalTermsFactory(carer=approved)

    with refused_by("terms_one_open_approval_per_carer"):
        ApprovalTermsFactory(carer=approved)


def test_ended_terms_and_terms_in_force_can_sit_side_by_side(approved, other_carer_household):
    ApprovalTermsFactory(carer=approved, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 12, 31))
    ApprovalTermsFactory(carer=approved, starts_on=dt.date(2026, 1, 1))
    ApprovalTermsFactory(carer=other_carer_household)

    assert ApprovalTerms.objects.filter(ends_on__isnull=True).count() == 2


def test_terms_that_end_before_they_start_are_refused(approved):
    with refused_by("terms_end_after_start"):
        ApprovalTermsFactory(carer=approved, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 4))


def test_a_probation_that_ends_before_the_terms_start_is_refused(approved):
    with refused_by("terms_probation_after_start"):
        ApprovalTermsFactory(
            carer=approved, starts_on=dt.date(2026, 1, 5), probation_ends_on=dt.date(2026, 1, 5)
        )


def test_a_decision_without_reasons_is_refused(approved):
    with refused_by("decision_has_reasons"):
        ApprovalDecisionFactory(carer=approved, reasons="")


def test_an_unknown_decision_is_refused(approved):
    with refused_by("decision_outcome_valid"):
        ApprovalDecisionFactory(carer=approved, outcome="maybe")


# Checks


def test_a_check_that_expires_on_the_day_it_was_issued_is_refused(household):
    with refused_by("check_expires_after_issue"):
        CheckFactory(carer=household, issued_on=dt.date(2026, 9, 1), expires_on=dt.date(2026, 9, 1))


def test_a_check_that_expires_before_it_was_issued_is_refused(household):
    with refused_by("check_expires_after_issue"):
        CheckFactory(carer=household, issued_on=dt.date(2026, 9, 1), expires_on=dt.date(2025, 9, 1))


def test_a_check_received_before_it_was_requested_is_refused(household):
    with refused_by("check_received_after_requested"):
        CheckFactory(carer=household, requested_on=dt.date(2026, 9, 2), received_on=dt.date(2026, 9, 1))


def test_a_check_received_the_day_it_was_requested_is_accepted(household):
    assert CheckFactory(carer=household, requested_on=dt.date(2026, 9, 1), received_on=dt.date(2026, 9, 1)).pk


def test_a_household_members_check_without_the_member_is_refused(household):
    with refused_by("check_member_named_iff_member_subject"):
        CheckFactory(carer=household, kind=CheckKind.DBS, subject=CheckSubject.MEMBER, household_member=None)


def test_a_check_naming_a_member_must_be_of_the_member(household):
    member = HouseholdMemberFactory(carer=household)

    with refused_by("check_member_named_iff_member_subject"):
        CheckFactory(
            carer=household, kind=CheckKind.DBS, subject=CheckSubject.APPLICANT, household_member=member
        )


def test_a_dbs_check_of_the_household_is_refused(household):
    with refused_by("check_dbs_is_of_a_person"):
        CheckFactory(carer=household, kind=CheckKind.DBS, subject=CheckSubject.HOUSEHOLD)


def test_a_sign_off_of_a_check_without_a_concern_is_refused(household):
    with refused_by("check_sign_off_needs_concern_and_risk_assessment"):
        CheckFactory(
            carer=household,
            kind=CheckKind.DBS,
            status=CheckStatus.SATISFACTORY,
            risk_assessment="Low risk.",
            signed_off_by=UserFactory(),
        )


def test_a_sign_off_of_a_concern_without_a_risk_assessment_is_refused(household):
    with refused_by("check_sign_off_needs_concern_and_risk_assessment"):
        CheckFactory(
            carer=household,
            kind=CheckKind.DBS,
            status=CheckStatus.CONCERN,
            risk_assessment="",
            signed_off_by=UserFactory(),
        )


def test_a_signed_off_concern_with_its_risk_assessment_is_accepted(household):
    check = CheckFactory(
        carer=household,
        kind=CheckKind.DBS,
        status=CheckStatus.CONCERN,
        risk_assessment="A caution in 1998; low risk.",
        signed_off_by=UserFactory(),
    )

    assert check.pk


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("status", "pending", "check_status_valid"),
        ("status", "Satisfactory", "check_status_valid"),
        ("kind", "passport", "check_kind_valid"),
        ("subject", "lodger", "check_subject_valid"),
    ],
)
def test_unknown_check_values_are_refused(household, field, value, constraint):
    with refused_by(constraint):
        CheckFactory(carer=household, **{field: value})


def test_a_schemes_renewal_period_must_be_1_to_120_months(scheme):
    with refused_by("check_setting_renewal_1_to_120_months"):
        SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.DBS, renewal_months=0)
    with refused_by("check_setting_renewal_1_to_120_months"):
        SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.DBS, renewal_months=121)


def test_a_scheme_has_one_setting_for_each_kind_of_check(scheme, other_scheme):
    SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.DBS)
    SchemeCheckSettingFactory(scheme=other_scheme, kind=CheckKind.DBS)

    with refused_by("check_setting_one_per_kind"):
        SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.DBS, renewal_months=24)


def test_an_unknown_kind_of_check_setting_is_refused(scheme):
    with refused_by("check_setting_kind_valid"):
        SchemeCheckSettingFactory(scheme=scheme, kind="passport")


# The assessment


def test_a_report_shared_before_it_was_written_is_refused(household):
    with refused_by("assessment_shared_after_written"):
        AssessmentFactory(
            carer=household,
            report_written_on=dt.date(2026, 10, 12),
            shared_with_applicant_on=dt.date(2026, 10, 11),
        )


def test_a_report_shared_but_never_written_is_refused(household):
    with refused_by("assessment_shared_after_written"):
        AssessmentFactory(carer=household, report_written_on=None)


def test_comments_and_declining_to_comment_together_are_refused(household):
    with refused_by("assessment_comments_or_declined_not_both"):
        AssessmentFactory(carer=household, applicant_declined_to_comment=True)


# The panel


def test_a_recommendation_without_reasons_is_refused(household):
    with refused_by("panel_item_recommendation_has_reasons"):
        PanelItemFactory(carer=household, recommendation=Recommendation.APPROVE, reasons="")


def test_approve_with_conditions_without_the_conditions_is_refused(household):
    with refused_by("panel_item_conditions_stated"):
        PanelItemFactory(
            carer=household,
            recommendation=Recommendation.APPROVE_WITH_CONDITIONS,
            reasons="Suitable for short breaks.",
            conditions="",
        )


def test_an_unknown_recommendation_is_refused(household):
    with refused_by("panel_item_recommendation_valid"):
        PanelItemFactory(carer=household, recommendation="approve_quickly", reasons="Good.")


def test_an_applicant_is_on_a_meetings_agenda_once(household):
    item = PanelItemFactory(carer=household)

    with refused_by("panel_item_once_per_meeting"):
        PanelItemFactory(carer=household, meeting=item.meeting)


def test_a_scheme_holds_one_panel_meeting_a_day(scheme, other_scheme):
    PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3))
    PanelMeetingFactory(scheme=other_scheme, date=dt.date(2026, 12, 3))

    with refused_by("panel_meeting_one_a_day"):
        PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3))


# Stage changes


def test_a_stage_change_to_the_same_stage_is_refused(household):
    with refused_by("stage_change_moves"):
        StageChangeFactory(
            carer=household, from_status=CarerStatus.ASSESSMENT, to_status=CarerStatus.ASSESSMENT
        )


@pytest.mark.parametrize(
    ("from_status", "to_status", "constraint"),
    [
        (CarerStatus.ENQUIRY, "on_hold", "stage_change_to_valid"),
        ("on_hold", CarerStatus.ENQUIRY, "stage_change_from_valid"),
        (CarerStatus.ENQUIRY, "", "stage_change_to_valid"),
    ],
)
def test_a_stage_change_to_or_from_an_unknown_stage_is_refused(household, from_status, to_status, constraint):
    with refused_by(constraint):
        StageChangeFactory(carer=household, from_status=from_status, to_status=to_status)


def test_a_first_stage_change_has_no_from_stage(household):
    assert StageChangeFactory(carer=household, from_status="", to_status=CarerStatus.ENQUIRY).pk


# The annual review


def test_a_review_without_the_carers_views_is_refused(approved):
    with refused_by("review_has_carer_views"):
        CarerReviewFactory(carer=approved, carer_views="")


def test_a_next_review_on_or_before_the_one_held_is_refused(approved):
    with refused_by("review_next_after_held"):
        CarerReviewFactory(carer=approved, held_on=dt.date(2026, 11, 20), next_due_on=dt.date(2026, 11, 20))
