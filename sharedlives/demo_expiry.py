"""Checks that have lapsed and checks about to, among the demo's approved
households.

``sharedlives.demo_monitoring.MonitoringBuilder.prepare`` calls
``vary_expiry`` once ``sharedlives.demo_approval`` has planned every
household's checks and before they are saved, so that re-dating a record
leaves no history behind it. The rules are those of ``carers.checklist``
and ``carers.expiry``: only the newest record of each kind counts (for DBS,
the newest for each person), and it lapses on its expiry date.

In a scheme of some size: a required DBS check and a home insurance that
have lapsed (each household with one flag to show), a few records lapsing
within the week (one of them the first carer login's, for the notice on its
portal) and more within 60 days. Two kinds of household are kept in date,
whatever the approval demo chose: those with a live-in arrangement about to
start (a lapsed required check would stop it starting), until the start;
and those with carer logins, whose portals should show a household in good
standing. A small scheme keeps everything else as it is.
"""

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from carers.checklist import DBS_AGE, DEFAULT_RULES, lapses_on
from carers.models import Carer, CarerStatus, Check, CheckKind, CheckSubject
from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind
from sharedlives.dates import add_months

DAY = datetime.timedelta(days=1)
# Fewer approved households than this: the scheme keeps its records in date.
SOME_SIZE = 10
# Out of every 1,000 approved households in a large scheme.
PER_THOUSAND = {"lapsed": 10, "this week": 5, "within 60 days": 25}
# A record re-dated to lapse was issued no earlier than this before approval
# (checks are done during the assessment, not years before it).
ASSESSMENT = datetime.timedelta(days=150)


def _record_day(check: Check) -> datetime.date:
    return check.issued_on or check.received_on or datetime.date.min


def newest_records(checks: Sequence[Check]) -> list[Check]:
    """The newest record of each kind of each household (for DBS, of each
    person); ``checks`` are in the order they will be saved, as ids break ties."""
    newest: dict[tuple, Check] = {}
    for check in checks:
        key = (id(check.carer), check.kind)
        if check.kind == CheckKind.DBS:
            key += (check.subject, id(check.household_member))
        if key not in newest or _record_day(check) >= _record_day(newest[key]):
            newest[key] = check
    return list(newest.values())


class ExpiryPlanner:
    """Re-dates the newest records of a scheme's approved households, not yet saved."""

    def __init__(
        self,
        rng: random.Random,
        checks: Sequence[Check],
        approved_on: dict[int, datetime.date],
        arrangements: Sequence[Arrangement],
        portal: Sequence[Carer],
    ):
        self.rng, self.today = rng, timezone.localdate()
        self.approved_on = approved_on  # by id() of the household
        self.records = [
            check
            for check in newest_records(checks)
            if check.carer.status == CarerStatus.APPROVED and self.lapses(check) is not None
        ]
        # The day before which a household's required records must not lapse.
        self.keep_until: dict[int, datetime.date] = {id(carer): self.today for carer in portal}
        for a in arrangements:
            if a.status == ArrangementStatus.PLANNED and a.kind == ArrangementKind.LIVE_IN:
                self.keep_until[id(a.carer)] = max(
                    a.start_date, self.keep_until.get(id(a.carer), a.start_date)
                )
        self.portal = list(portal)
        self.flagged: set[int] = set()  # households given a lapsed record
        self.counts = {"renewed": 0, "lapsed": 0, "this week": 0, "within 60 days": 0}

    @staticmethod
    def lapses(check: Check) -> datetime.date | None:
        return lapses_on(check, DEFAULT_RULES[check.kind].renewal_months)

    def required(self, check: Check) -> bool:
        carer = check.carer
        if not DEFAULT_RULES[check.kind].required:
            return False
        if check.kind == CheckKind.CAR_INSURANCE and not carer.will_drive_people:
            return False
        if check.subject == CheckSubject.JOINT_CARER and not carer.joint_first_name:
            return False
        member = check.household_member
        return member is None or member.age_on(self.today) >= DBS_AGE

    def redate(self, check: Check, lapses: datetime.date) -> None:
        """Re-date ``check`` to lapse on ``lapses`` (or, were that to mean
        issuing it in the future, renewed a few weeks ago)."""
        months = DEFAULT_RULES[check.kind].renewal_months
        issued = min(add_months(lapses, -months), self.today - self.rng.randint(7, 30) * DAY)
        check.issued_on, check.expires_on = issued, add_months(issued, months)
        if check.requested_on:
            check.requested_on = issued - self.rng.randint(10, 30) * DAY
        if check.received_on:
            check.received_on = min(self.today, issued + self.rng.randint(2, 7) * DAY)

    def fits(self, check: Check, lapses: datetime.date) -> bool:
        """Whether ``check`` may be re-dated to lapse on ``lapses``: issued
        around the assessment or since (and, a household member's DBS check,
        not before they were 16, so those are left alone), and not stopping a
        live-in start."""
        if id(check.carer) in self.flagged or check.subject == CheckSubject.MEMBER:
            return False
        keep_until = self.keep_until.get(id(check.carer))
        if keep_until and self.required(check) and lapses < keep_until:
            return False
        approved_on = self.approved_on.get(id(check.carer), datetime.date.min)
        return add_months(lapses, -DEFAULT_RULES[check.kind].renewal_months) >= approved_on - ASSESSMENT

    def pick(self, what: str, lapses: datetime.date, candidates: Sequence[Check]) -> Check | None:
        fitting = [check for check in candidates if self.fits(check, lapses)]
        if not fitting:
            return None
        check = self.rng.choice(fitting)
        self.redate(check, lapses)
        self.counts[what] += 1
        if lapses < self.today:
            self.flagged.add(id(check.carer))
        return check

    def keep_in_date(self) -> None:
        for check in self.records:
            keep_until = self.keep_until.get(id(check.carer))
            if keep_until and self.required(check) and self.lapses(check) < keep_until:
                self.redate(check, keep_until + self.rng.randint(60, 250) * DAY)
                self.counts["renewed"] += 1

    def days(self, low: int, high: int) -> datetime.date:
        return self.today + self.rng.randint(low, high) * DAY

    def vary(self, households: int, detail: bool) -> None:
        required = [check for check in self.records if self.required(check)]
        lapsed = [check for check in required if self.lapses(check) < self.today]
        self.flagged = {id(check.carer) for check in lapsed}
        if detail:
            # One of each flag, and the first carer login's household
            # renewing its insurance (or, if that would stop a move, its gas safety).
            applicant_dbs = [
                c for c in required if c.kind == CheckKind.DBS and c.subject == CheckSubject.APPLICANT
            ]
            if not any(check.kind == CheckKind.DBS for check in lapsed):
                self.pick("lapsed", self.days(-40, -3), applicant_dbs)
            if not any(check.kind == CheckKind.HOME_INSURANCE for check in lapsed):
                home = [check for check in required if check.kind == CheckKind.HOME_INSURANCE]
                self.pick("lapsed", self.days(-25, -5), home)
            portal = [check for check in self.records if self.portal and check.carer is self.portal[0]]
            for kind in (CheckKind.HOME_INSURANCE, CheckKind.GAS_SAFETY):
                if self.pick("this week", self.days(2, 6), [c for c in portal if c.kind == kind]):
                    break
            others = [check for check in required if check.carer not in self.portal]
            self.pick("this week", self.days(0, 6), others)
            wanted = {"within 60 days": 5}
        else:
            wanted = {what: max(1, round(households * n / 1000)) for what, n in PER_THOUSAND.items()}
            for _ in range(wanted.pop("lapsed")):
                self.pick("lapsed", self.days(-60, -1), required)
            for _ in range(wanted.pop("this week")):
                self.pick("this week", self.days(0, 6), self.records)
        soon = sum(self.today <= self.lapses(check) <= self.today + 60 * DAY for check in self.records)
        for _ in range(wanted["within 60 days"] - soon):
            self.pick("within 60 days", self.days(8, 60), self.records)


def vary_expiry(
    rng: random.Random,
    checks: Sequence[Check],
    approved_on: dict[int, datetime.date],
    arrangements: Sequence[Arrangement],
    portal: Sequence[Carer],
    *,
    detail: bool,
) -> str:
    """Re-date the approved households' newest checks (see the module's docstring)."""
    planner = ExpiryPlanner(rng, checks, approved_on, arrangements, portal)
    planner.keep_in_date()
    households = len({id(check.carer) for check in planner.records})
    if households >= SOME_SIZE:
        planner.vary(households, detail)
    return ", ".join(f"{count:,} {what}" for what, count in planner.counts.items())
