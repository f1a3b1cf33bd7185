"""Hostile values sent to every form of the app.

Every page that takes a POST is found by walking the URL patterns; its form
is read from the page that shows it, as the user allowed to use it sees it
(a coordinator's form as the registered manager, a portal form as the carer),
and sent back with hostile values: overlong text, control characters, markup
and script, SQL, impossible dates, infinite, huge and negative numbers,
letters for numbers, values that are not among the choices, a list where one
value is wanted, and nothing at all. Whatever is sent: no server error; what
the form must refuse is refused with a message and nothing is saved; what it
accepts is shown back as text, never as markup."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import URLPattern, get_resolver, resolve, reverse

from carers.models import CarerStatus, ChangeKind, ChangeStatus, CheckStatus
from carers.urls import panel_urlpatterns
from placements.models import ArrangementStatus, IntroductionKind, ReferralStage
from placements.payment_runs import approve_payment_run, create_payment_run, mark_reviewed
from sharedlives.choices import ArrangementKind
from tests.factories import (
    AbsenceFactory,
    ApprovalTermsFactory,
    ArrangementFactory,
    ArrangementReviewFactory,
    AssessmentFactory,
    CertificateFactory,
    ChangeRequestFactory,
    CheckFactory,
    CqcNotificationFactory,
    DaySessionFactory,
    FeedbackFactory,
    HouseholdMemberFactory,
    IntroductionFactory,
    MonitoringVisitFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    PaymentRateFactory,
    PetFactory,
    ProposalFactory,
    RateAmountFactory,
    ReferralFactory,
    ReviewActionFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UnavailabilityFactory,
    applicant_with_checks_complete,
    approved_carer,
)
from tests.sharedlives.hostile import (
    ERROR_MESSAGE,
    RAW_MARKUP,
    changed_tables,
    error_marks,
    hostile_queries,
    markup_data,
    post_forms,
    row_counts,
    variants,
)

NOW = dt.datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Europe/London"))
# The URL modules walked: the domain apps, the carers' portal and the root.
WALKED = {"carers.urls", "people.urls", "placements.urls", "placements.referral_urls"}
WALKED |= {"placements.incident_urls", "placements.payment_urls", "placements.feedback_urls"}
WALKED |= {"sharedlives.report_urls", "carers.portal_urls", "panels", "sharedlives.urls"}
# Addresses that are not pages with forms: the health check, the benchmark's
# floor, signing out (the menu's button), and staying signed in (posted by
# the page's script).
NOT_PAGES = {"healthz", "bench_floor", "logout", "session_keepalive"}

# The record whose id fills each id of a page's address: by the page's own
# name first, then by the id's name and the URL module.
RECORD_BY_PAGE = {
    "carer_decision": "panel_applicant",
    "panel_recommendation": "panel_applicant_item_meeting",
    "panel_add_applicant": "future_panel",
    "arrangement_start": "planned",
    "arrangement_booking_create": "short_breaks",
    "arrangement_booking_cancel": "short_breaks",
    "arrangement_sessions": "day_support",
    "payment_run_approve": "reviewed_run",
    "payment_run_adjust": "approved_run",
    "check_sign_off": "carer",
}
RECORD_BY_ID = {
    "check_pk": "concern",
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
    "member_pk": "member",
    "pet_pk": "pet",
    "room_pk": "room",
    "away_pk": "away",
}
RECORD_BY_MODULE = {
    "carers.urls": "carer",
    "people.urls": "person",
    "placements.urls": "arrangement",
    "placements.referral_urls": "referral",
    "placements.incident_urls": "incident",
    "placements.payment_urls": "draft_run",
    "placements.feedback_urls": "feedback",
    "panels": "panel",
}
# Buttons shown on another page: the page that shows each one's form.
SHOWN_ON = {
    "change_accept": "change_queue",
    "change_decline": "change_queue",
    "change_note": "change_queue",
    "certificate_verify": "carer_approval",
    "carer_move": "carer_approval",
    "check_sign_off": "carer_approval",
    "panel_add_applicant": "panel_detail",
    "referral_move": "referral_detail",
    "referral_answer": "referral_detail",
    "referral_introduction_plan": "referral_detail",
    "referral_introduction_record": "referral_detail",
    "referral_propose": "referral_matching",
    "arrangement_booking_cancel": "arrangement_detail",
    "arrangement_absence_remove": "arrangement_detail",
    "arrangement_action_done": "arrangement_detail",
    "payment_run_recalculate": "payment_run_detail",
    "payment_run_review": "payment_run_detail",
    "payment_run_approve": "payment_run_detail",
    "notification_sent": "incident_detail",
}


def _walk():
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLPattern):
            yield "sharedlives.urls", entry
            continue
        module = entry.urlconf_name
        name = "panels" if module is panel_urlpatterns else getattr(module, "__name__", "")
        if name in WALKED:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern), f"{name} includes {pattern}: walk it too"
                yield name, pattern


PATTERNS = {pattern.name: (module, pattern) for module, pattern in _walk() if pattern.name not in NOT_PAGES}


def _methods(view) -> set:
    """The methods a view takes: Django's method decorators keep them in the
    wrapper's closure. A view without one takes any."""
    for cell in getattr(view, "__closure__", None) or ():
        if isinstance(cell.cell_contents, list) and all(isinstance(m, str) for m in cell.cell_contents):
            return set(cell.cell_contents)
    return {"GET", "POST"}


FORM_PAGES = sorted(name for name, (_, p) in PATTERNS.items() if "POST" in _methods(p.callback))
GET_PAGES = sorted(name for name, (_, p) in PATTERNS.items() if "GET" in _methods(p.callback))


@pytest.fixture
def world(scheme, manager, coordinator, carer, carer_household, arrangement):
    """A record in the state that shows each form: the carer's household with
    its people, rooms, checks and changes; applicants on and ready for panel;
    a referral at introductions with a proposal both sides like; payment runs
    at each step; an incident waiting to be told to CQC."""
    with time_machine.travel(NOW, tick=False):
        yield _world(scheme, manager, coordinator, carer, carer_household, arrangement)


def _world(scheme, manager, coordinator, carer, household, arrangement):
    ApprovalTermsFactory(carer=household, max_people=3, kinds=list(ArrangementKind.values))
    person = arrangement.person
    records = {"scheme": scheme, "carer": household, "person": person, "arrangement": arrangement}
    # Money: a run at each step, made first, while the one arrangement has
    # its band (a run with a problem to fix cannot move on).
    band = PaymentRateFactory(scheme=scheme)
    RateAmountFactory(rate=band)
    arrangement.payment_rate = band
    arrangement.save()
    staff, boss = coordinator.memberships.get(), manager.memberships.get()
    runs = [
        create_payment_run(scheme=scheme, membership=boss, length="month", day=dt.date(2026, month, 1))
        for month in (9, 10, 11)
    ]
    approved, reviewed, records["draft_run"] = runs
    records["reviewed_run"] = mark_reviewed(run=reviewed, membership=staff)
    records["approved_run"] = approve_payment_run(
        run=mark_reviewed(run=approved, membership=staff), membership=boss
    )
    records["member"] = HouseholdMemberFactory(carer=household, name="Sam Patel")
    records["pet"] = PetFactory(carer=household)
    records["room"] = room = RoomFactory(carer=household)
    records["away"] = UnavailabilityFactory(carer=household)
    records["change"] = ChangeRequestFactory(carer=household, proposed_by=carer)
    ChangeRequestFactory(
        carer=household, kind=ChangeKind.CONTACT, status=ChangeStatus.DONE, data={"phone": "0113 496 0001"}
    )
    records["certificate"] = CertificateFactory(carer=household, uploaded_by=carer)
    records["concern"] = CheckFactory(
        carer=household, status=CheckStatus.CONCERN, risk_assessment="Spent conviction from 1998."
    )
    # Approval: one applicant ready for panel, one at panel with a recommendation.
    applicant_with_checks_complete(scheme, status=CarerStatus.READY_FOR_PANEL)
    at_panel = PanelItemFactory(
        carer__scheme=scheme, meeting__date=dt.date(2026, 11, 2), recommendation="approve", reasons="Good."
    )
    AssessmentFactory(carer=at_panel.carer)
    records.update(panel_applicant=at_panel.carer, panel_applicant_item_meeting=at_panel.meeting)
    records["panel_item"] = at_panel
    records["panel"] = records["future_panel"] = PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3))
    # Referrals and matching.
    referral = records["referral"] = ReferralFactory(scheme=scheme, stage=ReferralStage.INTRODUCTIONS)
    records["proposal"] = ProposalFactory(referral=referral, carer=household, person_answer="interested")
    liked = ProposalFactory(
        referral=referral, carer=approved_carer(scheme), person_answer="interested", carer_answer="interested"
    )
    records["introduction"] = IntroductionFactory(proposal=liked, kind=IntroductionKind.FIRST_MEETING)
    approved_carer(scheme, postcode="LS6 2AB")  # on the shortlist, to propose
    # Arrangements in each state a page needs.
    records["planned"] = ArrangementFactory(
        scheme=scheme, carer=household, status=ArrangementStatus.PLANNED, kind=ArrangementKind.SHORT_BREAKS
    )
    breaks = records["short_breaks"] = ArrangementFactory(
        scheme=scheme, carer=household, person=person, kind=ArrangementKind.SHORT_BREAKS
    )
    records["booking"] = ShortBreakBookingFactory(arrangement=breaks, room=room)
    day = records["day_support"] = ArrangementFactory(
        scheme=scheme, carer=household, kind=ArrangementKind.DAY_SUPPORT
    )
    DaySessionFactory(arrangement=day)
    review = records["review"] = ArrangementReviewFactory(arrangement=arrangement)
    records["action"] = ReviewActionFactory(review=review)
    records["visit"] = MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 11, 10))
    records["absence"] = AbsenceFactory(arrangement=arrangement)
    # Monitoring.
    records["incident"] = CqcNotificationFactory(
        incident__scheme=scheme, incident__person=person, incident__carer=household
    ).incident
    records["feedback"] = FeedbackFactory(scheme=scheme, kind="complaint", person=person)
    return records


def _url(name, records, ids_of=None) -> str:
    """The address of page ``name``, with the ids of page ``ids_of`` (the
    page whose form it shows) or its own."""
    module = PATTERNS[ids_of or name][0]
    kwargs = {}
    for id_name in PATTERNS[name][1].pattern.converters:
        key = RECORD_BY_PAGE.get(ids_of or name) if id_name == "pk" else RECORD_BY_ID[id_name]
        key = key or RECORD_BY_MODULE[module]
        kwargs[id_name] = records[key].pk
    return reverse(name, kwargs=kwargs)


def _user_for(name, request):
    module, _ = PATTERNS[name]
    return request.getfixturevalue("carer" if module == "carers.portal_urls" else "manager")


def _form_for(client, name, world, *, must=True):
    """The form that posts to page ``name``, from the page that shows it,
    with the number of errors that page shows before anything is sent."""
    shown_on = _url(SHOWN_ON.get(name, name), world, ids_of=name)
    response = client.get(shown_on)
    if must:
        assert response.status_code == 200, f"{shown_on} answered {response.status_code}"
    forms = [f for f in post_forms(response, shown_on) if resolve(f.action.split("?")[0]).url_name == name]
    assert forms or not must, f"no form posts to {name} on {shown_on}"
    if forms:
        forms[0].errors_before = error_marks(response.content.decode())
    return forms[0] if forms else None


UNSAFE_CHARACTERS = ("\x00", "\x1b", "\u202e")


@pytest.mark.parametrize("name", FORM_PAGES)
def test_hostile_values_are_refused_or_kept_as_plain_text(client, request, world, name):
    client.force_login(_user_for(name, request))
    problems = []
    with time_machine.travel(NOW, tick=False):
        form = _form_for(client, name, world)
        for variant in variants(form):
            before = row_counts()

            response = client.post(form.action, variant.data)

            saved = changed_tables(before, row_counts())
            found = _problems(client, form, variant, response, saved)
            problems += [f"{variant.name}: {problem}" for problem in found]
            if saved:  # the record has moved on: read its form again
                form = _form_for(client, name, world, must=False) or form
    assert not problems, "\n".join(problems)


def _problems(client, form, variant, response, saved) -> list[str]:
    if response.status_code >= 500:
        return [f"answered {response.status_code}"]
    shown = client.get(response["Location"]) if response.status_code == 302 else response
    html = "" if shown.streaming else shown.content.decode(errors="replace")  # a download
    unsafe = (*variant.shown, *UNSAFE_CHARACTERS)
    found = [f"{raw!r} is on the page as it was sent" for raw in unsafe if raw in html]
    if variant.invalid:
        if saved:
            found.append(f"saved: {saved}")
        # 400: more than the app reads at once (DATA_UPLOAD_MAX_MEMORY_SIZE).
        if response.status_code not in (200, 302, 400):
            found.append(f"answered {response.status_code}")
        elif response.status_code == 302 and ERROR_MESSAGE not in html:
            found.append("no message says what is wrong on the page it goes back to")
        elif response.status_code != 302 and error_marks(html) <= form.errors_before:
            found.append("no message says what is wrong")
    return found


ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _html(response) -> str:
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return ""  # a download or a CSV: not read as a page
    return response.content.decode(errors="replace")


def test_markup_saved_through_every_form_is_shown_as_text_on_every_page(client, request, world):
    problems, escaped_on = [], set()
    with time_machine.travel(NOW, tick=False):
        for name in sorted(FORM_PAGES, key=lambda n: PATTERNS[n][0] == "carers.portal_urls"):
            client.force_login(_user_for(name, request))
            if form := _form_for(client, name, world, must=False):
                client.post(form.action, markup_data(form))
        for name in sorted(GET_PAGES, key=lambda n: PATTERNS[n][0] == "carers.portal_urls"):
            client.force_login(_user_for(name, request))
            response = client.get(_url(name, world))
            html = _html(response)
            if response.status_code >= 500:
                problems.append(f"{name} answered {response.status_code}")
            problems += [f"{name} shows {raw!r} as markup" for raw in RAW_MARKUP if raw in html]
            if ESCAPED_SCRIPT in html:
                escaped_on.add(name)
    assert not problems, "\n".join(problems)
    # The markup was saved, and is shown where people read the records.
    records = {"carer_detail", "person_detail", "arrangement_detail", "referral_detail"}
    records |= {"incident_detail", "feedback_detail", "carer_history", "portal_household"}
    assert records <= escaped_on


def test_hostile_queries_to_every_page_are_answered_without_an_error(client, request, world):
    problems = []
    with time_machine.travel(NOW, tick=False):
        for name in sorted(GET_PAGES, key=lambda n: PATTERNS[n][0] == "carers.portal_urls"):
            client.force_login(_user_for(name, request))
            url = _url(name, world)
            page = client.get(url)
            for query in hostile_queries(post_forms(page, url, method="get")):
                response = client.get(url, query)
                if response.status_code >= 500:
                    problems.append(f"{name} answered {response.status_code} to {sorted(query)}")
                problems += [
                    f"{name} shows {raw!r} as markup" for raw in RAW_MARKUP if raw in _html(response)
                ]
    assert not problems, "\n".join(problems)
