"""Which checks a household needs, and how far they have got.

The checklist is worked out from the records every time, so a household
member who turns 16 gets a DBS line the day they do, and a check that lapses
stops counting the day after it expires."""

import datetime
from dataclasses import dataclass, field

from carers.models import TRAINING_KINDS, Carer, Check, CheckKind, CheckSubject, HouseholdMember
from sharedlives.dates import add_months

# People aged 16 and over in the home need an enhanced DBS check.
DBS_AGE = 16
REFERENCES_NEEDED = 2


@dataclass(frozen=True)
class CheckRule:
    required: bool
    renewal_months: int | None


# The defaults a scheme starts with (SchemeCheckSetting overrides them).
DEFAULT_RULES = {
    CheckKind.DBS: CheckRule(True, 36),
    CheckKind.REFERENCE: CheckRule(True, None),
    CheckKind.GP_REFERENCE: CheckRule(True, None),
    CheckKind.HEALTH_AND_SAFETY: CheckRule(True, 12),
    CheckKind.GAS_SAFETY: CheckRule(False, 12),
    CheckKind.LANDLORD_PERMISSION: CheckRule(True, None),
    CheckKind.HOME_INSURANCE: CheckRule(True, 12),
    CheckKind.CAR_INSURANCE: CheckRule(True, 12),  # only where they will drive the person
    CheckKind.INDUCTION: CheckRule(True, None),
    CheckKind.CARE_CERTIFICATE: CheckRule(True, None),  # only where they are new to care
    CheckKind.FIRST_AID: CheckRule(False, 36),
    CheckKind.SAFEGUARDING: CheckRule(False, 36),
    CheckKind.MENTAL_CAPACITY: CheckRule(False, 36),
    CheckKind.EQUALITY: CheckRule(False, 36),
    CheckKind.MEDICATION: CheckRule(False, 24),
    CheckKind.DATA_PROTECTION: CheckRule(False, 24),
}


# How an outstanding check reads in a sentence, where lower-casing its label
# would be wrong.
OUTSTANDING_LABELS = {
    CheckKind.GP_REFERENCE: "the GP or medical reference",
    CheckKind.CARE_CERTIFICATE: "the Care Certificate",
    CheckKind.MENTAL_CAPACITY: "the Mental Capacity Act training",
}


def rules_for(scheme) -> dict[str, CheckRule]:
    """The scheme's rules: the defaults, with its own settings on top.
    Prefetch ``scheme.check_settings`` to avoid a query per call."""
    rules = dict(DEFAULT_RULES)
    for setting in scheme.check_settings.all():
        rules[setting.kind] = CheckRule(setting.required, setting.renewal_months)
    return rules


def lapses_on(record: Check, renewal_months: int | None) -> datetime.date | None:
    """The last day ``record`` counts: its own expiry date if it has one, or
    else the scheme's renewal period after it was issued (or received); None
    if it does not lapse."""
    if record.expires_on:
        return record.expires_on
    issued = record.issued_on or record.received_on
    if renewal_months and issued:
        return add_months(issued, renewal_months)
    return None


@dataclass
class ChecklistItem:
    kind: str
    label: str
    outstanding_label: str
    records: list[Check]
    today: datetime.date
    needed: int = 1
    subject: str = CheckSubject.HOUSEHOLD
    household_member: HouseholdMember | None = None
    renewal_months: int | None = None

    def _lapsed(self, record: Check) -> bool:
        last_day = lapses_on(record, self.renewal_months)
        return last_day is not None and last_day < self.today

    @property
    def lapsed(self) -> bool:
        """Whether the latest record has expired (by its date or the renewal period)."""
        return self.latest is not None and self._lapsed(self.latest)

    def _counts(self, record: Check) -> bool:
        return record.is_complete(self.today) and not self._lapsed(record)

    @property
    def complete_count(self) -> int:
        if self.needed == 1:
            return int(bool(self.records) and self._counts(self.records[0]))
        return sum(self._counts(record) for record in self.records)

    @property
    def plural(self) -> bool:
        """Whether more than one record is still needed (for the verb)."""
        return self.needed - self.complete_count > 1

    @property
    def expires_on(self) -> datetime.date | None:
        """When the latest record lapses, by its own date or the renewal period."""
        return lapses_on(self.latest, self.renewal_months) if self.latest else None

    @property
    def complete(self) -> bool:
        return self.complete_count >= self.needed

    @property
    def latest(self) -> Check | None:
        return self.records[0] if self.records else None

    @property
    def state(self) -> str:
        """How it stands, in words that do not rely on colour."""
        if self.needed > 1:
            return f"{self.complete_count} of {self.needed} complete"
        latest = self.latest
        if latest is None:
            return "Not started"
        if self._lapsed(latest):
            return f"Expired on {self.expires_on:%-d %b %Y}"
        if latest.needs_sign_off:
            return (
                "Concern: needs a risk assessment and a manager's sign-off"
                if not latest.risk_assessment
                else ("Concern: risk assessment waiting for a manager's sign-off")
            )
        if latest.status == "concern":
            return "Concern: risk assessed and signed off"
        return latest.get_status_display()


@dataclass
class Checklist:
    items: list[ChecklistItem]
    other_records: list[Check] = field(default_factory=list)

    @property
    def outstanding(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.complete]

    @property
    def complete(self) -> bool:
        return not self.outstanding

    @property
    def summary(self) -> str:
        """E.g. "7 of 9 checks are complete: the DBS check for Derek Brown and
        a second reference are outstanding"."""
        done = len(self.items) - len(self.outstanding)
        text = f"{done} of {len(self.items)} checks are complete"
        if not self.outstanding:
            return text
        names = [item.outstanding_label for item in self.outstanding]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = "is" if len(names) == 1 and not self.outstanding[0].plural else "are"
        return f"{text}: {listed} {verb} outstanding"


def build_checklist(
    carer: Carer, today: datetime.date, rules=None, *, checks=None, members=None
) -> Checklist:
    """The required checks of ``carer`` with their records. Uses
    ``carer.checks.all()`` and ``carer.household_members.all()``, so prefetch
    them (with ``scheme__check_settings``) when building many; or pass them
    as lists (``checks``, ``members``: from a ``Prefetch`` with ``to_attr``,
    which costs far less for a hundred households than a prefetch cache)."""
    rules = rules or rules_for(carer.scheme)
    records = sorted(
        carer.checks.all() if checks is None else checks,
        key=lambda c: (c.issued_on or c.received_on or datetime.date.min, c.pk),
        reverse=True,
    )
    used: set[int] = set()

    def take(kind, subject=None, member=None):
        found = [
            r
            for r in records
            if r.kind == kind
            and (subject is None or r.subject == subject)
            and (member is None or r.household_member_id == member.pk)
        ]
        used.update(r.pk for r in found)
        return found

    items = []

    def required(kind):
        return rules[kind].required

    if required(CheckKind.DBS):
        people = [(CheckSubject.APPLICANT, None, f"{carer.first_name} {carer.last_name}")]
        if carer.joint_first_name:
            people.append(
                (CheckSubject.JOINT_CARER, None, f"{carer.joint_first_name} {carer.joint_last_name}")
            )
        for member in carer.household_members.all() if members is None else members:
            if member.age_on(today) >= DBS_AGE:
                people.append((CheckSubject.MEMBER, member, member.name))
        for subject, member, name in people:
            items.append(
                ChecklistItem(
                    kind=CheckKind.DBS,
                    label=f"Enhanced DBS with barred list: {name}",
                    outstanding_label=f"the DBS check for {name}",
                    records=take(CheckKind.DBS, subject, member),
                    today=today,
                    subject=subject,
                    household_member=member,
                    renewal_months=rules[CheckKind.DBS].renewal_months,
                )
            )
    if required(CheckKind.REFERENCE):
        references = ChecklistItem(
            kind=CheckKind.REFERENCE,
            label="Two references",
            outstanding_label="the references",
            records=take(CheckKind.REFERENCE),
            today=today,
            needed=REFERENCES_NEEDED,
            renewal_months=rules[CheckKind.REFERENCE].renewal_months,
        )
        if references.complete_count == REFERENCES_NEEDED - 1:
            references.outstanding_label = "a second reference"
        items.append(references)
    for kind in CheckKind:
        if kind in (CheckKind.DBS, CheckKind.REFERENCE) or not required(kind):
            continue
        if kind == CheckKind.CAR_INSURANCE and not carer.will_drive_people:
            continue
        if kind == CheckKind.CARE_CERTIFICATE and not carer.new_to_care:
            continue
        items.append(
            ChecklistItem(
                kind=kind,
                label=kind.label,
                outstanding_label=OUTSTANDING_LABELS.get(kind, f"the {kind.label.lower()}"),
                records=take(kind),
                today=today,
                renewal_months=rules[kind].renewal_months,
            )
        )
    others = [r for r in records if r.pk not in used]
    return Checklist(items=items, other_records=others)


def training_outstanding(carer: Carer, today: datetime.date, rules=None) -> list[ChecklistItem]:
    """Required training not complete: nobody moves in until this is empty."""
    checklist = build_checklist(carer, today, rules)
    return [item for item in checklist.outstanding if item.kind in TRAINING_KINDS]


def lapsed_required(carer: Carer, today: datetime.date, rules=None) -> list[ChecklistItem]:
    """Required checks whose latest record has expired: the scheme cannot
    rely on the household until they are renewed."""
    checklist = build_checklist(carer, today, rules)
    return [item for item in checklist.items if item.latest is not None and item.lapsed]
