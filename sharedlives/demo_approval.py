"""Approval records for the demo: how each household got to its stage.

``sharedlives.demo.build_records`` calls ``ApprovalBuilder.prepare`` once the
arrangements are planned but before the households are saved, so that the
approval dates fit around the arrangements (approved weeks before the first
one began, resigned when the last one ended) and ``status_changed_at`` and
``next_review_due`` go in with the household; then ``save`` writes the rest
with bulk_create once the households have their ids.

With ``detail`` (the demo) every household gets its whole story: a stage
change for every move, the checks its stage calls for, its assessment, the
panels and decisions, annual reviews and training. Without it (the benchmark
scheme) just what the pages need to look right: the latest stage change, the
terms and the decision behind them, the next review date, a DBS check for
carers who have been approved, and a few checks for applicants.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from carers.checklist import DEFAULT_RULES
from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    Assessment,
    Carer,
    CarerReview,
    CarerStatus,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    DecisionOutcome,
    HouseholdMember,
    PanelItem,
    PanelMeeting,
    Recommendation,
    StageChange,
)
from carers.services import ALLOWED_MOVES, MANAGER_MOVES
from placements.models import OPEN_STATUSES, STAYING_KINDS, Arrangement
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.dates import add_months
from sharedlives.models import Scheme, User

if TYPE_CHECKING:
    from people.models import Person
    from sharedlives.demo import Household

S = CarerStatus
DAY = datetime.timedelta(days=1)
BATCH_SIZE = 2000

APPLICANT_PATH = (S.ENQUIRY, S.INITIAL_VISIT, S.APPLICATION, S.ASSESSMENT, S.READY_FOR_PANEL, S.PANEL)
# How many days a household usually spends in a stage before it moves on:
# an assessment takes two to four months.
STAGE_DAYS = {
    S.ENQUIRY: (5, 21),
    S.INITIAL_VISIT: (7, 28),
    S.APPLICATION: (14, 35),
    S.ASSESSMENT: (55, 110),
    S.READY_FOR_PANEL: (7, 28),
    S.PANEL: (5, 25),  # from going on the agenda to the meeting
}
# What the demo's assessment-stage applicants show, in turn.
ASSESSMENT_PROFILES = ("under way", "dbs concern", "deferred by panel")
# Out of every 20 approved households: how soon the annual review is due.
REVIEW_DECK = {"overdue": 2, "this week": 1, "soon": 2, "later": 15}
REFRESHERS = (
    CheckKind.FIRST_AID,
    CheckKind.SAFEGUARDING,
    CheckKind.MENTAL_CAPACITY,
    CheckKind.EQUALITY,
    CheckKind.MEDICATION,
    CheckKind.DATA_PROTECTION,
)
DEFAULT_KINDS = (
    (ArrangementKind.LIVE_IN,),
    (ArrangementKind.SHORT_BREAKS,),
    (ArrangementKind.SHORT_BREAKS, ArrangementKind.DAY_SUPPORT),
    (ArrangementKind.LIVE_IN, ArrangementKind.SHORT_BREAKS),
    (ArrangementKind.DAY_SUPPORT,),
)


@dataclass(frozen=True)
class PanelSetup:
    """Where a scheme's panel meets and who sits on it (the chair first)."""

    location: str
    members: tuple[str, ...]


LEEDS_PANEL = PanelSetup(
    "Merrion House, Leeds",
    (
        "Margaret Ellis, independent chair",
        "Dr Sunil Rao, independent member (retired GP)",
        "Joanne Pickering, Shared Lives carer",
        "Marcus Reid, independent member with lived experience of Shared Lives",
        "Bernadette Quinn, social worker, Leeds City Council",
        "Yvonne Asante, independent member (safeguarding)",
    ),
)
NORTH_YORKSHIRE_PANEL = PanelSetup(
    "County Hall, Northallerton",
    (
        "David Fothergill, independent chair",
        "Ruth Kettlewell, Shared Lives carer",
        "Anne Clayton, independent member (retired nurse)",
        "Gareth Pearson, independent member with lived experience of Shared Lives",
        "Lindsay Moss, social worker, North Yorkshire Council",
    ),
)
SCALE_PANEL = PanelSetup(
    "Online (Microsoft Teams)",
    (
        "Pat Holmes, independent chair",
        "Chris Lund, Shared Lives carer",
        "Sam Iqbal, independent member",
        "Jo Waite, social worker",
    ),
)

# --------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------

MOVE_REASONS = {
    ("", S.ENQUIRY): (
        "Rang to ask about becoming a carer; information pack sent.",
        "Filled in the enquiry form on the website; rang them back the same week.",
        "Talked to us at a community event and asked for someone to call.",
    ),
    (S.ENQUIRY, S.INITIAL_VISIT): (
        "Still keen after reading the information pack; initial visit booked.",
        "Initial visit arranged for an evening so that the whole household can be there.",
    ),
    (S.INITIAL_VISIT, S.APPLICATION): (
        "Good initial visit: a warm home with a spare room. Invited to apply.",
        "The initial visit went well; left the application pack with them.",
    ),
    (S.APPLICATION, S.ASSESSMENT): (
        "Application form and consents received; assessment started and DBS checks sent.",
        "Application received with two referees' details; first assessment visit booked.",
    ),
    (S.ASSESSMENT, S.READY_FOR_PANEL): (
        "Every check is complete, the report has been shared and their comments are in.",
        "Assessment finished: checks complete and the report agreed with the household.",
    ),
    (S.ASSESSMENT, S.WITHDRAWN): (
        "Withdrew after a change in family circumstances; would like to apply again next year.",
        "Withdrew: a new job means they cannot offer the time the role needs just now.",
    ),
    (S.APPROVED, S.SUSPENDED): (
        "Suspended while a concern raised by a person's family is looked into. No new arrangements "
        "meanwhile.",
    ),
    (S.APPROVED, S.RESIGNED): (
        "Resigned on retiring, after giving 28 days' notice.",
        "Resigned to move nearer to family; gave 28 days' notice.",
    ),
    (S.SUSPENDED, S.APPROVAL_ENDED): (
        "Approval ended after the investigation: the household did not keep to its safer-care plan.",
    ),
}
APPROVE_REASONS = (
    "A thorough assessment. The household is warm and well organised and knows what the role asks.",
    "Strong references, a clear understanding of the role and a good spare room.",
    "The household talked convincingly about including someone in family life, and has relevant "
    "experience of caring.",
    "A settled, welcoming home; the panel was confident in the household's judgement and "
    "its links with the community.",
)
CONDITIONS = (
    "Short breaks only until the second bathroom is finished; then the terms can be reviewed.",
    "To complete medication training within three months of approval.",
    "Only people who can manage stairs, as the spare room is on the first floor.",
    "Not to support anyone who is allergic to cats while the cats live in the home.",
)
DEFER_REASONS = (
    "The panel asked for a reference from the applicant's former employer in a care home, and for "
    "the household's safer-care plan to cover the grandchildren's visits.",
)
DO_NOT_APPROVE_REASONS = (
    "The spare room is too small to meet the standard, and the household could not show where a "
    "person would have private space.",
)
DECLINE_REASONS = (
    "I agree with the panel: the household cannot offer the private space a person needs. The "
    "decision letter explains how to apply again if they move.",
)
REPORT_SENTENCES = (
    "A warm, well-organised household with a settled daily routine.",
    "Cared for a parent for several years and understands personal care and medication.",
    "The spare room is light and well furnished, with space for a desk and a television.",
    "Lives close to the bus route into town and to a good range of local groups.",
    "The household's grown-up children are supportive and were part of the assessment.",
    "Has clear ideas about keeping someone safe while respecting their right to take risks.",
    "Talked openly about the strain of caring and has good support from friends and family.",
)
APPLICANT_COMMENTS = (
    "I'm happy with the report. One thing to add: I've done the first aid course since the last visit.",
    "Thank you for such a fair report. We'd like it to say we can offer weekends as well as weekdays.",
    "I agree with everything. The bit about the stairs is right, so a downstairs room would be needed "
    "for someone who struggles with them.",
    "It's a good summary of us. We're looking forward to panel.",
)
REVIEW_FINDINGS = (
    "Arrangements going well. The home was checked and is still safe; training is up to date.",
    "A good year. The person living here has settled and is going to college two days a week. "
    "Medication records are kept well.",
    "Going well, though the household would like more notice of training dates. Home checked; "
    "new smoke alarm fitted upstairs.",
    "A harder year with a family illness, managed well with extra short breaks for the carer.",
)
CARER_VIEWS = (
    "We love having Sam with us; he's part of the family now. The monthly visits really help.",
    "It's been hard at times with my mum being poorly, but Kate has been brilliant and I never "
    "felt on my own.",
    "I'd like to do more short breaks at weekends. I'd also like a refresher on the medication "
    "course because the rules changed.",
    "Honestly the best thing I've done. I wish the paperwork for payments was simpler.",
    "We're happy as we are. Please can we have training dates further ahead, as I work on Fridays.",
)
TERMS_CHANGE = "Would like to be approved for one more person, now that the second bedroom is decorated."
CONCERN_NOTE = (
    "Shows a caution for shoplifting from 2004, which the applicant told us about at the initial visit."
)
CONCERN_RISK = (
    "Talked it through at the fourth home visit. It was a single caution twenty years ago; there "
    "has been nothing since, and both referees, one of them a care home manager, speak well of "
    "the applicant's honesty. Low risk: it should not prevent approval."
)
SIGNED_CONCERN_NOTE = "Shows a fixed penalty for a public order offence at 19, disclosed on the application."
SIGNED_CONCERN_RISK = (
    "Discussed at the third home visit: a one-off night out eight years ago, nothing since, and "
    "a settled job and family life now. Low risk; no conditions needed."
)
REFEREES = (
    "Janet Holroyd (friend)",
    "Peter Ackroyd (neighbour)",
    "Revd Mark Dyson (church minister)",
    "Angela Firth (former colleague)",
    "Graham Sutcliffe (employer)",
    "Lorraine Pickles (friend)",
    "Nasreen Akhtar (headteacher, where the applicant volunteers)",
    "Dorota Nowak (former colleague)",
)
GP_NAMES = ("A Okafor", "R Lindley", "S Bhatti", "J Crowther", "M Goldberg", "H Nwosu")
INSURERS = ("Aviva", "Direct Line", "LV=", "Churchill", "NFU Mutual", "Admiral")
PERMISSIONS = (
    "Owns the home; the mortgage lender has no objection",
    "Owns the home outright",
    "Council tenant; the council gave written permission",
    "Housing association tenant; the landlord gave written permission",
    "Private tenant; the landlord gave written permission",
)
TRAINING = {
    CheckKind.CARE_CERTIFICATE: "Care Certificate, all 15 standards",
    CheckKind.FIRST_AID: "Emergency first aid at work (one day)",
    CheckKind.SAFEGUARDING: "Safeguarding adults, level 2",
    CheckKind.MENTAL_CAPACITY: "Mental Capacity Act and deprivation of liberty (e-learning)",
    CheckKind.EQUALITY: "Equality, diversity and inclusion (e-learning)",
    CheckKind.MEDICATION: "Safe handling of medicines",
    CheckKind.DATA_PROTECTION: "Data protection and confidentiality (e-learning)",
}


def most_staying_at_once(arrangements: Sequence[Arrangement], before: datetime.date | None = None) -> int:
    """The most people staying with a household on any night (before
    ``before``), counted as the database's capacity trigger counts them: live-in
    and other stays, from the first night to the day they leave."""
    last = before or datetime.date.max
    stays = [
        (a.start_date, min(a.end_date or datetime.date.max, last))
        for a in arrangements
        if a.kind in STAYING_KINDS and a.start_date < last
    ]
    return max((sum(s <= night < e for s, e in stays) for night, _ in stays), default=0)


def panel_day(year: int, month: int) -> datetime.date:
    """The panel meets on the second Wednesday of the month."""
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(2 - first.weekday()) % 7 + 7)


def panel_on_or_before(day: datetime.date) -> datetime.date:
    meeting = panel_day(day.year, day.month)
    if meeting <= day:
        return meeting
    earlier = add_months(day.replace(day=1), -1)
    return panel_day(earlier.year, earlier.month)


def panel_on_or_after(day: datetime.date) -> datetime.date:
    meeting = panel_day(day.year, day.month)
    if meeting >= day:
        return meeting
    later = add_months(day.replace(day=1), 1)
    return panel_day(later.year, later.month)


@dataclass
class Story:
    """One household's way through approval, before it is written down."""

    household: "Household"
    arrangements: list[Arrangement]
    coordinator: User
    path: list[str] = field(default_factory=list)  # the stages entered, in order
    entered: list[datetime.date] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # by place in path, where not the usual

    @property
    def carer(self) -> Carer:
        return self.household.carer

    def entered_on(self, stage: str) -> datetime.date:
        """When the household last entered ``stage``."""
        return self.entered[len(self.path) - 1 - self.path[::-1].index(stage)]


class ApprovalBuilder:
    """Makes one scheme's approval records (unsaved until ``save``)."""

    def __init__(
        self,
        seed: int,
        scheme: Scheme,
        manager: User,
        coordinators: Sequence[User],
        panel: PanelSetup,
        *,
        detail: bool = True,
    ):
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.scheme, self.manager, self.coordinators = scheme, manager, list(coordinators)
        self.panel, self.detail = panel, detail
        self.rows: dict[type, list] = defaultdict(list)
        self.meetings: dict[datetime.date, PanelMeeting] = {}
        # The last panel long enough ago for its decisions to have been made,
        # and the next one far enough ahead for its papers to be going out.
        self.last_panel = panel_on_or_before(self.today - 10 * DAY)
        self.next_panel = panel_on_or_after(self.today + 5 * DAY)
        self.people: dict[int, Person] = {}
        self._review_deck: list[str] = []
        self._renewed: list[Check] = []  # renewals of approved households', for expiry dates to vary
        self._recent_approvals = 0
        self._terms_changed = False

    def add(self, *records) -> None:
        for record in records:
            self.rows[type(record)].append(record)

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time in office hours on ``day``."""
        time = datetime.time(self.rng.randint(9, 16), self.rng.choice((0, 10, 20, 30, 40, 50)))
        return timezone.make_aware(datetime.datetime.combine(day, time))

    # Planning -----------------------------------------------------------------

    def prepare(self, households: list["Household"], arrangements: list[Arrangement], people) -> None:
        """Plan every household's story and set the household fields that
        come from it. The households must not be saved yet."""
        self.people = {person.pk: person for person in people}
        # The households are not saved yet, so they are told apart by identity.
        of_household = defaultdict(list)
        for arrangement in arrangements:
            of_household[id(arrangement.carer)].append(arrangement)
        by_status = defaultdict(list)
        for household in households:
            carer = household.carer
            carer.new_to_care = self.rng.random() < 0.3
            carer.will_drive_people = self.rng.random() < 0.5
            coordinator = carer.coordinator or self.rng.choice(self.coordinators)
            by_status[carer.status].append(Story(household, of_household[id(carer)], coordinator))
        # Each stage's households in turn: the first few of a stage show its
        # special cases (see _assessing and _at_panel).
        tellers = {S.PANEL: self._at_panel, S.DECLINED: self._declined, S.WITHDRAWN: self._withdrawn}
        tellers.update(dict.fromkeys((S.APPROVED, S.SUSPENDED, S.RESIGNED, S.APPROVAL_ENDED), self._approved))
        for status in CarerStatus:
            for index, story in enumerate(by_status[status]):
                tellers.get(status, self._applicant)(story, index)
                self._write_history(story)
        if self.detail:
            self._vary_expiry_dates()

    def _set_path(self, story: Story, path: Sequence[str], last_entered: datetime.date) -> None:
        """``path`` entered in turn, the last stage on ``last_entered``, the
        others back from it by the usual time in each stage."""
        entered = [last_entered]
        for stage in reversed(path[:-1]):
            entered.append(entered[-1] - self.days(*STAGE_DAYS[stage]))
        story.path, story.entered = list(path), entered[::-1]

    def _then(self, story: Story, stage: str, day: datetime.date, reason: str = "") -> None:
        story.path.append(stage)
        story.entered.append(day)
        if reason:
            story.reasons[len(story.path) - 1] = reason

    def _write_history(self, story: Story) -> None:
        carer, path = story.carer, story.path
        if path[-1] != carer.status:
            raise RuntimeError(f"{carer.name}'s history ends at {path[-1]}, not {carer.status}.")
        changes = []
        for i in range(0 if self.detail else len(path) - 1, len(path)):
            frm, to = (path[i - 1] if i else ""), path[i]
            if frm and (to not in ALLOWED_MOVES[frm] or story.entered[i] <= story.entered[i - 1]):
                raise RuntimeError(f"{carer.name}: {frm} to {to} on {story.entered[i]} is not a move.")
            changes.append(
                StageChange(
                    carer=carer,
                    from_status=frm,
                    to_status=to,
                    changed_by=self.manager if (frm, to) in MANAGER_MOVES else story.coordinator,
                    changed_at=self.moment(story.entered[i]),
                    reason=story.reasons.get(i) or self.rng.choice(MOVE_REASONS[(frm, to)]),
                )
            )
        carer.status_changed_at = changes[-1].changed_at
        self.add(*changes)

    # Applicants ---------------------------------------------------------------

    def _in_stage_so_far(self, stage: str) -> int:
        days = self.rng.randint(1, STAGE_DAYS[stage][1])
        return days * 2 if self.rng.random() < 0.15 else days  # some are stuck

    def _applicant(self, story: Story, index: int) -> None:
        status = story.carer.status
        path = APPLICANT_PATH[: APPLICANT_PATH.index(status) + 1]
        if status == S.ASSESSMENT:
            profile = ASSESSMENT_PROFILES[index % len(ASSESSMENT_PROFILES)] if self.detail else "under way"
            self._assessing(story, path, profile)
            return
        self._set_path(story, path, self.today - self._in_stage_so_far(status) * DAY)
        if status == S.APPLICATION:
            self._application_checks(story)
        elif status == S.READY_FOR_PANEL:
            self._ready_for_panel(story)

    def _ready_for_panel(self, story: Story, signed_concern: bool = False) -> None:
        ready_on = story.entered_on(S.READY_FOR_PANEL)
        self._complete_checks(story, ready_on, signed_concern=signed_concern)
        self._assessment(story, ready_on)

    def _assessing(self, story: Story, path: Sequence[str], profile: str) -> None:
        if profile == "deferred by panel":
            # Went to the last panel, which asked for more before it would recommend.
            self._set_path(story, [*path, S.READY_FOR_PANEL, S.PANEL], self.last_panel - self.days(5, 20))
            item = self._panel_item(story, self.last_panel, Recommendation.DEFER, DEFER_REASONS)
            back = (
                "Panel deferred: it asked for a reference from a former employer in care. Back to assessment."
            )
            self._then(story, S.ASSESSMENT, self.last_panel + self.days(1, 3), back)
            self._ready_for_panel(story)
            self._expire(self._find(story, CheckKind.HOME_INSURANCE), self.today - self.days(5, 20))
            self._check(
                story,
                CheckKind.REFERENCE,
                CheckStatus.REQUESTED,
                requested=item.meeting.date + self.days(1, 3),
                details="Carol Dunne (former manager, Oakwood Care Home)",
                notes="Asked for by the panel.",
            )
            return
        long_ago = (65, 100) if profile == "dbs concern" else (20, 60)
        self._set_path(story, path, self.today - self.days(*long_ago))
        if profile == "dbs concern":
            # Everything is done but the DBS check, whose concern waits for sign-off.
            written = self.today - self.days(2, 6)
            self._complete_checks(story, written, concern=True)
            self._assessment(story, written + DAY, shared=False)
        else:
            self._checks_under_way(story)

    def _at_panel(self, story: Story, index: int) -> None:
        if self.detail and index == 0:
            # Panel has recommended; the decision is the registered manager's.
            self._set_path(story, APPLICANT_PATH, self.last_panel - self.days(5, 20))
            self._ready_for_panel(story)
            self._panel_item(story, self.last_panel, Recommendation.APPROVE_WITH_CONDITIONS, APPROVE_REASONS)
            return
        self._set_path(story, APPLICANT_PATH, self.today - self.days(2, 20))
        self._ready_for_panel(story, signed_concern=index == 1)
        self._panel_item(story, self.next_panel)

    def _declined(self, story: Story, index: int) -> None:
        # Not approved after panel: at the last panel, or at one some months ago.
        meeting = self.last_panel if index == 0 else panel_on_or_before(self.today - self.days(40, 400))
        self._set_path(story, APPLICANT_PATH, meeting - self.days(5, 20))
        self._ready_for_panel(story)
        item = self._panel_item(story, meeting, Recommendation.DO_NOT_APPROVE, DO_NOT_APPROVE_REASONS)
        decided_on = min(self.today - DAY, meeting + self.days(2, 7))
        decision = self._decision(story, decided_on, item, DecisionOutcome.DECLINE, DECLINE_REASONS)
        self._then(story, S.DECLINED, decided_on, f"Decision: {decision.reasons}")

    def _withdrawn(self, story: Story, index: int) -> None:
        path = APPLICANT_PATH[: APPLICANT_PATH.index(S.ASSESSMENT) + 1]
        self._set_path(story, path, self.today - self.days(60, 200))
        self._then(story, S.WITHDRAWN, story.entered[-1] + self.days(14, 50))
        if self.detail:
            self._checks_under_way(story, until=story.entered[-1])

    # Approved households -------------------------------------------------------

    def _approved(self, story: Story, index: int) -> None:
        carer, rng = story.carer, self.rng
        status = carer.status
        # Approved some weeks before the first arrangement began (introductions
        # take a while), and long enough before leaving or being suspended.
        latest = self.today - self.days(7, 30)
        first = min((a.start_date for a in story.arrangements), default=None)
        if first:
            latest = min(latest, first - self.days(21, 90))
        ends = [a.end_date for a in story.arrangements if a.end_date and a.end_date < self.today]
        tail: list[tuple[str, datetime.date]] = []
        if status == S.SUSPENDED:
            tail = [(S.SUSPENDED, self.today - self.days(10, 60))]
        elif status == S.RESIGNED:
            # Their arrangements ended when they left.
            tail = [(S.RESIGNED, max(ends) if ends else self.today - self.days(30, 700))]
        elif status == S.APPROVAL_ENDED:
            suspended = (max(ends) if ends else self.today - self.days(80, 500)) + self.days(0, 14)
            ended = min(self.today - DAY, suspended + self.days(21, 70))
            tail = [(S.SUSPENDED, min(suspended, ended - 7 * DAY)), (S.APPROVAL_ENDED, ended)]
        if tail:
            latest = min(latest, tail[0][1] - self.days(120, 400))

        review_held_on = None
        if (
            self.detail
            and status == S.APPROVED
            and self._recent_approvals < 2
            and (first is None or first >= self.last_panel + 30 * DAY)
        ):
            # Approved at the last panel.
            self._recent_approvals += 1
            approved_on = min(self.today - DAY, self.last_panel + self.days(3, 8))
            carer.next_review_due = add_months(approved_on, 12)
        elif status in (S.APPROVED, S.SUSPENDED):
            carer.next_review_due = self._next_review()
            years = 1
            while add_months(carer.next_review_due, -12 * years) > latest:
                years += 1
            approved_on = add_months(carer.next_review_due, -12 * years)
            if years > 1:
                review_held_on = add_months(carer.next_review_due, -12)
        else:
            approved_on = latest - self.days(0, 900)
        meeting = panel_on_or_before(approved_on - 3 * DAY)

        self._set_path(story, APPLICANT_PATH, meeting - self.days(*STAGE_DAYS[S.PANEL]))
        item = None
        if self.detail:
            conditional = rng.random() < 0.2
            recommendation = Recommendation.APPROVE_WITH_CONDITIONS if conditional else Recommendation.APPROVE
            item = self._panel_item(story, meeting, recommendation, APPROVE_REASONS)
        reasons = (
            f"I agree with the panel's recommendation. Approved from {approved_on:%-d %b %Y}; "
            "the terms are set out in the approval letter."
        )
        decision = self._decision(story, approved_on, item, DecisionOutcome.APPROVE, (reasons,))
        self._then(story, S.APPROVED, approved_on, f"Decision: {reasons}")
        for stage, day in tail:
            self._then(story, stage, day)

        left_on = tail[-1][1] if status in (S.RESIGNED, S.APPROVAL_ENDED) else None
        probation = None
        supporting = {a.person_id for a in story.arrangements if a.status in OPEN_STATUSES}
        if approved_on > self.today - 365 * DAY and rng.random() < 0.5 and len(supporting) <= 1:
            # A probationary first year, for a household supporting no more
            # than the one person a scheme usually allows until it ends.
            probation = add_months(approved_on, 12)
        terms = self._terms(story, decision, approved_on, left_on, item, probation)
        if self.detail:
            self._approved_checks(story, approved_on, left_on or self.today)
            if review_held_on:
                self._review(story, review_held_on, terms)
        else:
            # Renewed every three years; the latest certificate counts.
            as_of = left_on or self.today
            low = max(approved_on - 30 * DAY, add_months(as_of, -36) + 40 * DAY)
            issued = low + self.rng.randint(0, max(0, (as_of - low).days - 7)) * DAY
            self._dbs(story, CheckSubject.APPLICANT, None, issued)

    def _next_review(self) -> datetime.date:
        if not self._review_deck:
            self._review_deck = [kind for kind, count in REVIEW_DECK.items() for _ in range(count)]
            self.rng.shuffle(self._review_deck)
        when = self._review_deck.pop()
        if when == "overdue":
            return self.today - self.days(3, 60)
        if when == "this week":
            return self.today + self.days(0, 7)
        if when == "soon":
            return self.today + self.days(8, 30)
        return self.today + self.days(31, 355)

    def _terms(self, story, decision, starts_on, ends_on, item, probation) -> ApprovalTerms:
        """Terms that fit the household's arrangements: every kind they have
        had, room for everyone there now, the needs of the people they support."""
        rng = self.rng
        kinds = {a.kind for a in story.arrangements}
        if not kinds - {ArrangementKind.HOME_FROM_HOSPITAL, ArrangementKind.EMERGENCY}:
            # Short stays come on top of a household's usual kind of arrangement.
            kinds |= set(rng.choice(DEFAULT_KINDS))
        needs = {group for a in story.arrangements for group in self.people[a.person_id].needs_groups}
        if not needs:
            needs = {NeedsGroup.LEARNING_DISABILITY, rng.choice(NeedsGroup.values)}
        open_now = sum(a.status in OPEN_STATUSES for a in story.arrangements)
        # Room for everyone there now, and for as many as ever stayed at once
        # (the database refuses a night over the terms in force).
        most = max(open_now, most_staying_at_once(story.arrangements))
        terms = ApprovalTerms(
            carer=story.carer,
            decision=decision,
            kinds=[kind for kind in ArrangementKind.values if kind in kinds],
            max_people=max(most, rng.choices((1, 2, 3), weights=(30, 45, 25))[0]),
            needs_groups=[group for group in NeedsGroup.values if group in needs],
            conditions=item.conditions if item else "",
            probation_ends_on=probation,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        self.add(terms)
        return terms

    def _review(self, story: Story, held_on: datetime.date, terms: ApprovalTerms) -> None:
        carer = story.carer
        change = ""
        changed_on = min(self.today - DAY, held_on + self.days(10, 30))
        if (
            not self._terms_changed
            and carer.status == S.APPROVED
            and terms.max_people > 1
            and most_staying_at_once(story.arrangements, before=changed_on) < terms.max_people
        ):
            # One household asked for one more person at its review; the
            # registered manager agreed, so the terms changed.
            self._terms_changed = True
            change = TERMS_CHANGE
            decision = self._decision(
                story,
                changed_on,
                None,
                DecisionOutcome.APPROVE,
                (f"Change of terms agreed after the annual review: approved for {terms.max_people} people.",),
            )
            old = ApprovalTerms(
                carer=carer,
                decision=terms.decision,
                kinds=terms.kinds,
                max_people=terms.max_people - 1,
                needs_groups=terms.needs_groups,
                conditions=terms.conditions,
                probation_ends_on=terms.probation_ends_on,
                starts_on=terms.starts_on,
                ends_on=changed_on - DAY,
            )
            terms.decision, terms.starts_on, terms.probation_ends_on = decision, changed_on, None
            self.add(old)
        self.add(
            CarerReview(
                carer=carer,
                due_on=held_on + self.days(-7, 21),
                held_on=held_on,
                reviewer=story.coordinator,
                findings=self.rng.choice(REVIEW_FINDINGS),
                carer_views=self.rng.choice(CARER_VIEWS),
                home_safety_checked=True,
                terms_change=change,
                next_due_on=carer.next_review_due,
            )
        )

    # Panel and decisions ------------------------------------------------------

    def _meeting(self, day: datetime.date) -> PanelMeeting:
        meeting = self.meetings.get(day)
        if meeting is None:
            chair, *others = self.panel.members
            adviser = self.rng.choice(self.coordinators)
            members = [chair, *self.rng.sample(others, 3), f"{adviser.get_full_name()}, panel adviser"]
            past = day < self.today
            meeting = self.meetings[day] = PanelMeeting(
                scheme=self.scheme,
                date=day,
                location=self.panel.location,
                chair=chair.split(",")[0],
                members="\n".join(members),
                notes="Quorate. Minutes sent to members." if past else "Papers go out a week before.",
            )
            self.add(meeting)
        return meeting

    def _panel_item(
        self, story: Story, day: datetime.date, recommendation: str = "", reasons=()
    ) -> PanelItem:
        """``story`` on the agenda of the panel on ``day``, with what it
        recommended (nothing yet for a meeting still to come)."""
        at_panel = story.path.index(S.PANEL)
        story.reasons[at_panel] = f"On the agenda of the panel on {day:%-d %b %Y}."
        item = PanelItem(meeting=self._meeting(day), carer=story.carer)
        if recommendation:
            item.recommendation = recommendation
            item.reasons = self.rng.choice(reasons)
            if recommendation == Recommendation.APPROVE_WITH_CONDITIONS:
                item.conditions = self.rng.choice(CONDITIONS)
            item.recorded_by = story.coordinator
            item.recorded_at = self.moment(day)
        self.add(item)
        return item

    def _decision(self, story, decided_on, item, outcome, reasons) -> ApprovalDecision:
        decision = ApprovalDecision(
            carer=story.carer,
            panel_item=item,
            outcome=outcome,
            decided_by=self.manager,
            decided_on=decided_on,
            reasons=self.rng.choice(reasons),
        )
        self.add(decision)
        return decision

    # Assessment ---------------------------------------------------------------

    def _assessment(self, story: Story, ready_on: datetime.date, shared: bool = True) -> None:
        """The assessment report, written (and shared, and commented on) before ``ready_on``."""
        written = ready_on - self.days(4, 10)
        assessment = Assessment(
            carer=story.carer,
            assessor=story.coordinator,
            home_visits=self.rng.randint(6, 10),
            report_summary=" ".join(self.rng.sample(REPORT_SENTENCES, 3)),
            report_written_on=written,
        )
        if shared:
            assessment.shared_with_applicant_on = written + self.days(1, 3)
            if self.rng.random() < 0.7:
                assessment.applicant_comments = self.rng.choice(APPLICANT_COMMENTS)
            else:
                assessment.applicant_declined_to_comment = True
        self.add(assessment)

    # Checks -------------------------------------------------------------------

    def _check(self, story: Story, kind: str, status: str = CheckStatus.SATISFACTORY, **fields) -> Check:
        issued = fields.get("issued_on")
        months = DEFAULT_RULES[kind].renewal_months
        if issued and months:
            fields["expires_on"] = add_months(issued, months)
        fields["requested_on"] = fields.pop("requested", None)
        fields["received_on"] = fields.pop("received", None)
        check = Check(carer=story.carer, kind=kind, status=status, recorded_by=story.coordinator, **fields)
        self.add(check)
        return check

    def _find(self, story: Story, kind: str) -> Check:
        return next(c for c in reversed(self.rows[Check]) if c.carer is story.carer and c.kind == kind)

    def _dbs_people(self, story: Story, on: datetime.date) -> list[tuple[str, HouseholdMember | None]]:
        """Who in the household needs a DBS check on ``on``: everyone 16 or over."""
        people = [(CheckSubject.APPLICANT, None)]
        if story.carer.joint_first_name:
            people.append((CheckSubject.JOINT_CARER, None))
        people += [(CheckSubject.MEMBER, m) for m in story.household.members if m.age_on(on) >= 16]
        return people

    def _dbs(self, story, subject, member, issued, status=CheckStatus.SATISFACTORY, **fields) -> Check:
        """A DBS certificate issued on ``issued`` (never before the person was 16)."""
        earliest = add_months(member.date_of_birth, 16 * 12) if member else datetime.date.min
        issued = min(self.today, max(issued, earliest + self.days(7, 14)))
        number = f"{self.rng.randrange(10**12):012d}"
        return self._check(
            story,
            CheckKind.DBS,
            status,
            subject=subject,
            household_member=member,
            requested=max(earliest, issued - self.days(10, 30)),
            received=min(self.today, issued + self.days(2, 7)),
            issued_on=issued,
            details=f"Certificate {number[:4]} {number[4:8]} {number[8:]}",
            **fields,
        )

    def _application_checks(self, story: Story) -> None:
        start = story.entered[-1]
        waited = (self.today - start).days
        for referee in self.rng.sample(REFEREES, 2):
            requested = min(self.today, start + self.days(1, 5))
            self._check(
                story, CheckKind.REFERENCE, CheckStatus.REQUESTED, requested=requested, details=referee
            )
        if waited > 10:
            self._check(
                story, CheckKind.GP_REFERENCE, CheckStatus.REQUESTED, requested=start + self.days(3, 10)
            )

    def _checks_under_way(self, story: Story, until: datetime.date | None = None) -> None:
        """Part way through assessment: some checks back, some still awaited."""
        until = until or self.today
        began = story.entered_on(S.ASSESSMENT)
        asked = story.entered_on(S.APPLICATION) + self.days(1, 5)
        first, second = self.rng.sample(REFEREES, 2)
        self._check(
            story, CheckKind.REFERENCE, requested=asked, received=asked + self.days(7, 20), details=first
        )
        self._check(
            story,
            CheckKind.REFERENCE,
            CheckStatus.REQUESTED,
            requested=asked,
            details=second,
            notes="Chased by e-mail; the referee is away until next week.",
        )
        self._check(story, CheckKind.GP_REFERENCE, CheckStatus.RECEIVED, requested=asked, received=began)
        for subject, member in self._dbs_people(story, until):
            if subject == CheckSubject.APPLICANT:
                self._dbs(story, subject, member, min(until, began + self.days(14, 28)))
            elif subject == CheckSubject.JOINT_CARER:
                self._dbs(story, subject, member, min(until, began + self.days(14, 28)), CheckStatus.RECEIVED)
            else:
                self._check(
                    story,
                    CheckKind.DBS,
                    CheckStatus.REQUESTED,
                    subject=subject,
                    household_member=member,
                    requested=began + self.days(1, 5),
                )
        if not self.detail:
            return
        self._check(story, CheckKind.HEALTH_AND_SAFETY, issued_on=min(until, began + self.days(5, 15)))
        self._check(story, CheckKind.GAS_SAFETY, issued_on=self.today - self.days(30, 250))
        self._check(
            story, CheckKind.LANDLORD_PERMISSION, CheckStatus.REQUESTED, requested=began + self.days(3, 10)
        )
        self._check(
            story,
            CheckKind.HOME_INSURANCE,
            issued_on=self.today - self.days(20, 300),
            details=f"{self.rng.choice(INSURERS)}; told about Shared Lives",
        )
        course = self.today + self.days(7, 30)
        self._check(
            story,
            CheckKind.INDUCTION,
            CheckStatus.REQUESTED,
            subject=CheckSubject.APPLICANT,
            requested=min(until, began + self.days(7, 14)),
            details=f"{self.scheme.name} induction",
            notes=f"Booked on the course starting {course:%-d %b %Y}.",
        )

    def _complete_checks(
        self,
        story: Story,
        done_by: datetime.date,
        *,
        concern: bool = False,
        signed_concern: bool = False,
        as_of: datetime.date | None = None,
    ) -> None:
        """Every check a household needs before panel, complete by ``done_by``.

        ``as_of``: for an approved household, the day to bring renewals up to
        (today, or the day it left); the original check stands where it has not lapsed."""
        rng, carer = self.rng, story.carer

        def renewed(kind: str, issued: datetime.date) -> tuple[datetime.date, bool]:
            if as_of is None:  # an applicant: what lapses yearly was done this year
                yearly = DEFAULT_RULES[kind].renewal_months == 12
                return (max(issued, self.today - 300 * DAY) if yearly else issued), False
            return self._in_force(kind, issued, as_of)

        for subject, member in self._dbs_people(story, as_of or self.today):
            sixteen = add_months(member.date_of_birth, 16 * 12) if member else None
            if as_of == self.today and sixteen and sixteen > self.today - 30 * DAY:
                # Turned 16 since the last renewal: the check has been asked for.
                requested = min(self.today, sixteen + self.days(0, 7))
                self._check(
                    story,
                    CheckKind.DBS,
                    CheckStatus.REQUESTED,
                    subject=subject,
                    household_member=member,
                    requested=requested,
                    notes="Turned 16, so needs their own check.",
                )
                continue
            issued, was_renewed = renewed(CheckKind.DBS, done_by - self.days(20, 50))
            fields = {}
            if concern and subject == CheckSubject.APPLICANT:
                fields = {
                    "status": CheckStatus.CONCERN,
                    "notes": CONCERN_NOTE,
                    "risk_assessment": CONCERN_RISK,
                }
            elif signed_concern and subject == CheckSubject.APPLICANT:
                fields = {
                    "status": CheckStatus.CONCERN,
                    "notes": SIGNED_CONCERN_NOTE,
                    "risk_assessment": SIGNED_CONCERN_RISK,
                    "signed_off_by": self.manager,
                    "signed_off_at": self.moment(done_by - self.days(1, 5)),
                }
            check = self._dbs(story, subject, member, issued, **fields)
            # (Not a household member's: re-dated, it might predate their 16th birthday.)
            if was_renewed and subject != CheckSubject.MEMBER:
                self._note_renewal(story, check, as_of)
        for referee in rng.sample(REFEREES, 2):
            asked = done_by - self.days(50, 90)
            self._check(
                story,
                CheckKind.REFERENCE,
                requested=asked,
                received=asked + self.days(5, 25),
                details=referee,
            )
        asked = done_by - self.days(50, 90)
        self._check(
            story,
            CheckKind.GP_REFERENCE,
            requested=asked,
            received=asked + self.days(10, 30),
            details=f"Dr {rng.choice(GP_NAMES)}, the household's GP",
        )
        asked = done_by - self.days(30, 70)
        self._check(
            story,
            CheckKind.LANDLORD_PERMISSION,
            requested=asked,
            received=asked + self.days(5, 20),
            details=rng.choice(PERMISSIONS),
        )
        renewables = [
            (
                CheckKind.HEALTH_AND_SAFETY,
                (10, 40),
                "Fire, gas and hazards checked; smoke alarms on each floor",
            ),
            (CheckKind.GAS_SAFETY, (20, 200), "Gas Safe engineer's certificate"),
            (CheckKind.HOME_INSURANCE, (30, 200), f"{rng.choice(INSURERS)}; told about Shared Lives"),
        ]
        if carer.will_drive_people:
            renewables.append((CheckKind.CAR_INSURANCE, (30, 200), f"{rng.choice(INSURERS)}; business use"))
        for kind, before, details in renewables:
            issued, was_renewed = renewed(kind, done_by - self.days(*before))
            check = self._check(story, kind, issued_on=issued, details=details)
            if was_renewed:
                self._note_renewal(story, check, as_of)
        training = [(CheckKind.INDUCTION, f"{self.scheme.name} induction (three days)")]
        if carer.new_to_care:
            training.append((CheckKind.CARE_CERTIFICATE, TRAINING[CheckKind.CARE_CERTIFICATE]))
        for kind, details in training:
            self._check(
                story,
                kind,
                subject=CheckSubject.APPLICANT,
                issued_on=done_by - self.days(7, 50),
                details=details,
            )

    def _approved_checks(self, story: Story, approved_on: datetime.date, as_of: datetime.date) -> None:
        ready_on = story.entered_on(S.READY_FOR_PANEL)
        self._complete_checks(story, ready_on, as_of=as_of)
        self._assessment(story, ready_on)
        # Refresher training, first done in the months after approval.
        for kind in self.rng.sample(REFRESHERS, self.rng.randint(3, 5)):
            first = min(as_of - 7 * DAY, approved_on + self.days(20, 200))
            done, was_renewed = self._in_force(kind, first, as_of)
            check = self._check(
                story, kind, subject=CheckSubject.APPLICANT, issued_on=done, details=TRAINING[kind]
            )
            if was_renewed:
                self._note_renewal(story, check, as_of)

    def _in_force(self, kind: str, first: datetime.date, as_of: datetime.date) -> tuple[datetime.date, bool]:
        """When the record of ``kind`` in force on ``as_of`` was issued, and
        whether it is a renewal: the first one while it lasts (with weeks to
        spare), else a renewal some time in the last renewal period."""
        months = DEFAULT_RULES[kind].renewal_months
        if months is None or add_months(first, months) > as_of + 40 * DAY:
            return first, False
        low, high = max(first, add_months(as_of, -months) + 40 * DAY), as_of - 7 * DAY
        return low + self.rng.randint(0, max(0, (high - low).days)) * DAY, True

    def _note_renewal(self, story: Story, check: Check, as_of: datetime.date | None) -> None:
        # Approved households' renewals can be re-dated to lapse (_vary_expiry_dates).
        if as_of == self.today and story.carer.status == S.APPROVED:
            self._renewed.append(check)

    def _expire(self, check: Check, expires_on: datetime.date) -> None:
        """Re-date ``check`` so that it lapses on about ``expires_on``."""
        months = DEFAULT_RULES[check.kind].renewal_months
        check.issued_on = add_months(expires_on, -months)
        check.expires_on = add_months(check.issued_on, months)
        if check.requested_on:
            check.requested_on = check.issued_on - self.days(10, 30)
        if check.received_on:
            check.received_on = check.issued_on + self.days(2, 7)

    def _vary_expiry_dates(self) -> None:
        """Among approved households' renewed checks, one or two that have
        lapsed (a DBS check among them) and a few that lapse within a month."""
        renewed = self._renewed
        if len(renewed) < 40:  # a small scheme keeps its records in date
            return
        dbs = [check for check in renewed if check.kind == CheckKind.DBS]
        lapsed = self.rng.sample(dbs, 1) if dbs else []
        rest = [check for check in renewed if check not in lapsed]
        others = [check for check in rest if check.kind != CheckKind.DBS]
        lapsed += self.rng.sample(others, min(1, len(others)))
        for check in lapsed:
            self._expire(check, self.today - self.days(3, 40))
        for check in self.rng.sample([check for check in rest if check not in lapsed], 5):
            self._expire(check, self.today + self.days(5, 30))

    # Saving -------------------------------------------------------------------

    def save(self) -> str:
        """Write everything planned (the households must be saved by now)."""
        # Parents first: bulk_create fills in each child's foreign key from its saved parent.
        models = (PanelMeeting, PanelItem, ApprovalDecision, ApprovalTerms, Assessment, Check)
        for model in (*models, StageChange, CarerReview):
            model.objects.bulk_create(self.rows[model], batch_size=BATCH_SIZE)
        counts = [
            (len(self.rows[StageChange]), "stage changes"),
            (len(self.rows[Check]), "checks"),
            (len(self.rows[ApprovalTerms]), "sets of terms"),
            (len(self.rows[PanelMeeting]), "panel meetings"),
            (len(self.rows[CarerReview]), "carer reviews"),
        ]
        return "approval: " + ", ".join(f"{count:,} {what}" for count, what in counts)
