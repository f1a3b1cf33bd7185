"""When checks and training lapse: the SQL in carers.expiry (for lists of
households) and the Python in carers.checklist (for one household) give the
same answers, over a grid of fixed dates and the cases that trip dates up:
month ends, leap years, renewals, people who come and go."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carers.checklist import DBS_AGE, build_checklist, lapsed_required, lapses_on, rules_for
from carers.expiry import (
    CLOSED_STATUSES,
    expiring_checks,
    flags_household,
    has_lapsed_checks,
    lapsed_required_checks,
)
from carers.models import Carer, CarerStatus, Check, CheckKind, CheckSubject
from tests.factories import CarerFactory, CheckFactory, HouseholdMemberFactory, SchemeCheckSettingFactory

K = CheckKind
WITHIN_DAYS = 60
# Days either side of each case's last day, and the month ends and leap days.
GRID = [
    dt.date(2025, 2, 27),
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 1),
    dt.date(2026, 2, 28),
    dt.date(2026, 3, 1),
    dt.date(2026, 10, 31),
    dt.date(2026, 11, 1),
    dt.date(2026, 11, 2),
    dt.date(2026, 11, 3),
    dt.date(2026, 11, 10),
    dt.date(2026, 11, 11),
    dt.date(2026, 11, 15),
    dt.date(2026, 11, 16),
    dt.date(2026, 11, 24),
    dt.date(2026, 11, 25),
    dt.date(2027, 1, 1),
    dt.date(2027, 1, 2),
    dt.date(2028, 2, 29),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


def _record(carer, kind, *, issued=None, expires=None, received=None, **fields) -> Check:
    return CheckFactory(
        carer=carer,
        kind=kind,
        requested_on=None,
        received_on=received,
        issued_on=issued,
        expires_on=expires,
        **fields,
    )


@pytest.fixture
def leeds(scheme):
    """Leeds renews home insurance every 6 months and medication training
    every month, and requires both and first aid."""
    SchemeCheckSettingFactory(scheme=scheme, kind=K.HOME_INSURANCE, required=True, renewal_months=6)
    SchemeCheckSettingFactory(scheme=scheme, kind=K.MEDICATION, required=True, renewal_months=1)
    SchemeCheckSettingFactory(scheme=scheme, kind=K.FIRST_AID, required=True, renewal_months=36)
    return scheme


@pytest.fixture
def households(leeds, other_scheme):
    """One household for each case, by name; ``other_scheme`` keeps the defaults."""
    made = {}

    def household(name, scheme=leeds, **fields):
        made[name] = CarerFactory(scheme=scheme, first_name=name, last_name="Household", **fields)
        return made[name]

    _record(household("own expiry date"), K.DBS, issued=dt.date(2023, 11, 1), expires=dt.date(2026, 11, 1))
    _record(household("the scheme's renewal"), K.HOME_INSURANCE, issued=dt.date(2026, 5, 10))
    _record(household("the default renewal"), K.HEALTH_AND_SAFETY, issued=dt.date(2025, 11, 15))
    _record(household("received, not issued"), K.HEALTH_AND_SAFETY, received=dt.date(2025, 11, 1))
    _record(household("month end"), K.MEDICATION, issued=dt.date(2026, 1, 31))
    _record(household("leap day", other_scheme), K.HOME_INSURANCE, issued=dt.date(2024, 2, 29))
    # An expiry date wins over the renewal period, either way.
    _record(
        household("expiry beyond renewal"), K.DBS, issued=dt.date(2020, 1, 1), expires=dt.date(2027, 1, 1)
    )

    renewed = household("renewed")
    _record(renewed, K.DBS, issued=dt.date(2021, 1, 10), expires=dt.date(2024, 1, 10))
    _record(renewed, K.DBS, issued=dt.date(2023, 12, 1), expires=dt.date(2026, 12, 1))
    # The newest counts, even where the one before lasts longer.
    _record(renewed, K.GAS_SAFETY, issued=dt.date(2026, 1, 1), expires=dt.date(2027, 1, 1))
    shorter = household("renewed for less")
    _record(shorter, K.HOME_INSURANCE, issued=dt.date(2026, 1, 1), expires=dt.date(2027, 1, 1))
    _record(shorter, K.HOME_INSURANCE, issued=dt.date(2026, 3, 1), expires=dt.date(2026, 11, 2))

    teenager = household("member turns 16")
    son = HouseholdMemberFactory(carer=teenager, name="Jay Household", date_of_birth=dt.date(2010, 11, 25))
    _record(teenager, K.DBS, household_member=son, issued=dt.date(2025, 11, 1), expires=dt.date(2026, 11, 1))

    joint = household("joint carer", joint_first_name="Sam", joint_last_name="Household")
    _record(joint, K.DBS, issued=dt.date(2026, 1, 1), expires=dt.date(2029, 1, 1))
    _record(
        joint,
        K.DBS,
        subject=CheckSubject.JOINT_CARER,
        issued=dt.date(2023, 11, 2),
        expires=dt.date(2026, 11, 2),
    )
    gone = household("joint carer gone")
    _record(
        gone, K.DBS, subject=CheckSubject.JOINT_CARER, issued=dt.date(2022, 1, 1), expires=dt.date(2025, 1, 1)
    )

    _record(household("drives people", will_drive_people=True), K.CAR_INSURANCE, issued=dt.date(2025, 11, 11))
    _record(household("does not drive"), K.CAR_INSURANCE, issued=dt.date(2025, 11, 11))
    _record(household("first aid"), K.FIRST_AID, issued=dt.date(2023, 11, 24))
    _record(household("first aid, not required", other_scheme), K.FIRST_AID, issued=dt.date(2023, 11, 24))
    _record(household("gas safety, not required", other_scheme), K.GAS_SAFETY, issued=dt.date(2025, 11, 1))

    both = household("member and main carer")
    lodger = HouseholdMemberFactory(carer=both, name="Lee Lodger", date_of_birth=dt.date(1990, 1, 1))
    _record(both, K.DBS, issued=dt.date(2023, 11, 16), expires=dt.date(2026, 11, 16))
    _record(both, K.DBS, household_member=lodger, issued=dt.date(2024, 1, 1), expires=dt.date(2027, 1, 1))

    resigned = household("resigned", status=CarerStatus.RESIGNED)
    _record(resigned, K.DBS, issued=dt.date(2022, 1, 1), expires=dt.date(2025, 1, 1))
    return made


# The Python version, one household at a time ---------------------------------


def _loaded(scheme):
    return list(Carer.objects.filter(scheme=scheme).prefetch_related("checks", "household_members"))


def _python_lapsed(scheme, today) -> dict[int, dt.date]:
    """Each lapsed required record, with its last day."""
    rules = rules_for(scheme)
    return {
        item.latest.pk: item.expires_on
        for carer in _loaded(scheme)
        for item in lapsed_required(carer, today, rules)
    }


def _relevant(record, carer, today) -> bool:
    if record.subject == CheckSubject.JOINT_CARER:
        return bool(carer.joint_first_name)
    if record.subject == CheckSubject.MEMBER:
        return record.household_member.age_on(today) >= DBS_AGE
    return True


def _python_expiring(scheme, today) -> dict[int, tuple[dt.date, bool]]:
    """Each newest record that has lapsed or lapses within the window: its
    last day, and whether the household's checklist requires it."""
    rules = rules_for(scheme)
    found = {}
    for carer in _loaded(scheme):
        if carer.status in CLOSED_STATUSES:
            continue
        required = {item.latest.pk for item in build_checklist(carer, today, rules).items if item.latest}
        newest = {}
        for record in sorted(
            carer.checks.all(), key=lambda r: (r.issued_on or r.received_on or dt.date.min, r.pk)
        ):
            key = (
                (record.kind, record.subject, record.household_member_id)
                if record.kind == K.DBS
                else record.kind
            )
            newest[key] = record
        for record in newest.values():
            last = lapses_on(record, rules[record.kind].renewal_months)
            if _relevant(record, carer, today) and last and last <= today + dt.timedelta(days=WITHIN_DAYS):
                found[record.pk] = (last, record.pk in required)
    return found


# The SQL version, every household at once ------------------------------------


def _sql_lapsed(scheme, today) -> dict[int, dt.date]:
    records = lapsed_required_checks(rules_for(scheme), today).filter(carer__scheme=scheme)
    return {record.pk: record.lapses_on for record in records}


def _sql_expiring(scheme, today) -> dict[int, tuple[dt.date, bool]]:
    records = expiring_checks(
        Check.objects.filter(carer__scheme=scheme), rules_for(scheme), today, WITHIN_DAYS
    )
    return {record.pk: (record.lapses_on, record.required) for record in records}


def _flagged(scheme, today, expression=has_lapsed_checks) -> set[str]:
    carers = Carer.objects.filter(scheme=scheme).filter(expression(rules_for(scheme), today))
    return set(carers.values_list("first_name", flat=True))


def _python_flagged(scheme, today) -> set[str]:
    rules = rules_for(scheme)
    return {carer.first_name for carer in _loaded(scheme) if lapsed_required(carer, today, rules)}


def test_the_sql_and_python_versions_agree_over_the_grid(households, leeds, other_scheme):
    for scheme in (leeds, other_scheme):
        for today in GRID:
            assert _flagged(scheme, today) == _python_flagged(scheme, today), today
            assert _sql_lapsed(scheme, today) == _python_lapsed(scheme, today), today
            assert _sql_expiring(scheme, today) == _python_expiring(scheme, today), today


# The cases, one by one: the last day the record counts, by both versions ----


@pytest.mark.parametrize(
    ("case", "last_day"),
    [
        ("own expiry date", dt.date(2026, 11, 1)),
        ("the scheme's renewal", dt.date(2026, 11, 10)),  # 6 months after 10 May
        ("the default renewal", dt.date(2026, 11, 15)),  # 12 months
        ("received, not issued", dt.date(2026, 11, 1)),
        ("month end", dt.date(2026, 2, 28)),  # 31 Jan + 1 month
        ("leap day", dt.date(2025, 2, 28)),  # 29 Feb 2024 + 12 months
        ("expiry beyond renewal", dt.date(2027, 1, 1)),
        ("renewed", dt.date(2026, 12, 1)),  # the renewal, not the DBS before it
        ("renewed for less", dt.date(2026, 11, 2)),
        ("joint carer", dt.date(2026, 11, 2)),
        ("drives people", dt.date(2026, 11, 11)),
        ("first aid", dt.date(2026, 11, 24)),
        ("member and main carer", dt.date(2026, 11, 16)),  # the main carer's, first
    ],
)
def test_each_case_is_flagged_the_day_after_its_last_day(households, case, last_day):
    carer = households[case]
    scheme = carer.scheme
    after = last_day + dt.timedelta(days=1)

    assert case not in _flagged(scheme, last_day)
    assert case not in _python_flagged(scheme, last_day)
    assert case in _flagged(scheme, after)
    assert case in _python_flagged(scheme, after)
    lapsed = lapsed_required_checks(rules_for(scheme), after, carer=carer.pk)
    assert {record.lapses_on for record in lapsed} == {last_day}


def test_issued_29_feb_2024_and_renewed_every_12_months_it_lapses_after_28_feb_2025(households, other_scheme):
    assert "leap day" not in _flagged(other_scheme, dt.date(2025, 2, 28))
    assert "leap day" in _flagged(other_scheme, dt.date(2025, 3, 1))


def test_a_member_is_flagged_from_their_16th_birthday(households, leeds):
    assert "member turns 16" not in _flagged(leeds, dt.date(2026, 11, 24))
    assert "member turns 16" not in _python_flagged(leeds, dt.date(2026, 11, 24))
    assert "member turns 16" in _flagged(leeds, dt.date(2026, 11, 25))
    assert "member turns 16" in _python_flagged(leeds, dt.date(2026, 11, 25))


def test_the_members_dbs_lapses_on_its_own_date_after_the_main_carers(households, leeds):
    carer = households["member and main carer"]
    lapsed = lapsed_required_checks(rules_for(leeds), dt.date(2027, 1, 2)).filter(carer=carer)

    assert sorted((record.subject, record.lapses_on) for record in lapsed) == [
        (CheckSubject.APPLICANT, dt.date(2026, 11, 16)),
        (CheckSubject.MEMBER, dt.date(2027, 1, 1)),
    ]


@pytest.mark.parametrize(
    "case",
    [
        "joint carer gone",  # their DBS is not needed once they have left
        "does not drive",  # car insurance only where they drive people
        "first aid, not required",  # the defaults do not require first aid
        "gas safety, not required",
    ],
)
def test_a_record_the_household_does_not_need_never_flags_it(households, case):
    scheme = households[case].scheme
    for today in GRID:
        assert case not in _flagged(scheme, today)
        assert case not in _python_flagged(scheme, today)


def test_records_not_required_are_listed_as_expiring_but_not_required(households, other_scheme):
    first_aid = Check.objects.get(carer=households["first aid, not required"])

    assert _sql_expiring(other_scheme, dt.date(2026, 11, 20))[first_aid.pk] == (dt.date(2026, 11, 24), False)


def test_a_household_the_scheme_no_longer_relies_on_is_not_flagged_or_listed(households, leeds):
    today = dt.date(2026, 11, 20)
    resigned = Check.objects.get(carer=households["resigned"])

    assert "resigned" in _flagged(leeds, today)  # its checks have lapsed
    assert "resigned" not in _flagged(leeds, today, flags_household)  # but nobody relies on them
    assert resigned.pk not in _sql_expiring(leeds, today)


def test_the_expiring_list_is_soonest_first(households, leeds):
    records = expiring_checks(
        Check.objects.filter(carer__scheme=leeds), rules_for(leeds), dt.date(2026, 11, 20), 60
    )
    days = [record.lapses_on for record in records]

    assert days == sorted(days)
    assert days[0] == dt.date(2026, 2, 28)  # the longest lapsed
    assert days[-1] == dt.date(2027, 1, 1)


# --- The flag as one expression, its SQL built once (flags_household) ---


def _flagged_by_flag(scheme, today) -> set[str]:
    flag = flags_household(rules_for(scheme), today)
    return set(Carer.objects.filter(scheme=scheme).filter(flag).values_list("first_name", flat=True))


def test_the_flag_flags_what_has_lapsed_required_checks_flags_less_the_closed(households, leeds):
    for today in GRID:
        relied_on = Carer.objects.filter(scheme=leeds).exclude(status__in=CLOSED_STATUSES)
        expected = _flagged(leeds, today) & set(relied_on.values_list("first_name", flat=True))
        assert _flagged_by_flag(leeds, today) == expected, today


def test_the_flag_reads_the_household_through_a_path_and_inside_a_subquery(households, leeds):
    today = dt.date(2026, 11, 20)
    flagged = _flagged_by_flag(leeds, today)
    assert flagged and set(households) - flagged  # both kinds, so the checks below can fail
    rules = rules_for(leeds)
    # From another table, through a relation: each check's household.
    checks = Check.objects.filter(carer__scheme=leeds).annotate(flag=flags_household(rules, today, "carer"))
    assert {check.carer.first_name for check in checks if check.flag} == flagged
    # As a subquery of another query, whose own tables have aliases too.
    inner = Carer.objects.filter(scheme=leeds).annotate(flag=flags_household(rules, today)).filter(flag=True)
    outer = Carer.objects.filter(pk__in=inner.values("pk"))
    assert set(outer.values_list("first_name", flat=True)) == flagged
