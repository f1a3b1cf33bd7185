"""The carers' own portal, at /my/. Every page works on the signed-in carer's
household (``request.membership.carer``), never on one named in the address;
a household member, pet or room is looked up within that household only, so
another household's ids answer 404. Staff have their own pages: here they get
403. Each change goes through carers.changes.propose_change, which either
waits for a coordinator or takes effect at once."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from carers.changes import propose_change
from carers.checklist import DBS_AGE, lapsed_required, lapses_on, rules_for
from carers.forms.portal import (
    CertificateForm,
    ContactForm,
    InterestsForm,
    MemberForm,
    PetForm,
    RoomForm,
    SmokingForm,
    UnavailabilityForm,
)
from carers.models import (
    NEEDS_ACCEPTANCE,
    ApprovalTerms,
    Carer,
    ChangeKind,
    ChangeRequest,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    HouseholdMember,
)
from placements.models import Arrangement, MonitoringSettings
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused

WAITING = "Thank you. The scheme will check this and let you know."
DONE = "Done. Your coordinator has been told."
UNCHANGED = "Nothing has changed, so there was nothing to send."
FORM_METHODS = ["GET", "HEAD", "POST"]


def _carer(request, queryset=None) -> Carer:
    """The signed-in carer's own household; staff have no household here."""
    membership = request.membership
    if not membership.is_carer:
        raise PermissionDenied("These pages are for carers.")
    queryset = Carer.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(membership), pk=membership.carer_id)


def _propose(request, carer, kind, values=None, target_id=None, then="portal_household", extra=""):
    """Ask for the change. Returns a redirect that says what happens next,
    or None when it is refused (the reasons are then shown on the page)."""
    try:
        change = propose_change(
            carer=carer, membership=request.membership, kind=kind, values=values, target_id=target_id
        )
    except WorkflowRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        return None
    messages.info(request, (WAITING if change.needs_acceptance else DONE) + extra)
    return redirect(then)


# Each form page's heading, and a line on why the scheme asks.
ROOMS_WHY = "The scheme matches people with rooms that suit them, so tell us what the room has."
FORM_PAGES = {
    ChangeKind.CONTACT: ("Your phone and e-mail", "The scheme uses these to reach you."),
    ChangeKind.INTERESTS: ("Interests and languages", "These help the scheme match you with people."),
    ChangeKind.ADD_MEMBER: (
        "Someone has moved in",
        "Anyone aged 16 or over will need a DBS check; the scheme will contact you.",
    ),
    ChangeKind.ADD_PET: ("A new pet", "Some people are allergic to or afraid of animals."),
    ChangeKind.ADD_ROOM: ("A room to offer", ROOMS_WHY),
    ChangeKind.CHANGE_ROOM: ("Change a room", ROOMS_WHY),
    ChangeKind.SMOKING: ("Smoking at home", "Some people need a smoke-free home."),
}


def _change(request, carer, kind, form, *, target_id=None, also_say=None, title=None):
    """A page with a form for one change: on a valid POST, ask for it.
    ``also_say(values)`` adds to the message that says it was sent."""
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, UNCHANGED)
            return redirect("portal_household")
        more = also_say(form.cleaned_data) if also_say else ""
        if done := _propose(request, carer, kind, form.cleaned_data, target_id, extra=more):
            return done
    default_title, intro = FORM_PAGES[kind]
    context = {
        "form": form,
        "title": title or default_title,
        "intro": intro,
        "waits": kind in NEEDS_ACCEPTANCE,
    }
    return render(request, "portal/change_form.html", context)


def _remove(request, carer, kind, target, then="portal_household", **page):
    """A page that asks "has it gone?" with a button that tells the scheme.
    ``page`` gives the template its title, question and button label."""
    if request.method == "POST" and (done := _propose(request, carer, kind, target_id=target.pk, then=then)):
        return done
    return render(request, "portal/confirm.html", page)


# --- Checks and training, as a carer sees them ---

# What a check's status means to the carer. A concern is the scheme's to
# weigh (and may be about someone else in the home), so it reads as "being
# checked" until it is resolved.
CARER_STATUS = {
    CheckStatus.NOT_STARTED: "Not started",
    CheckStatus.REQUESTED: "Asked for",
    CheckStatus.RECEIVED: "Received: the scheme is checking it",
    CheckStatus.SATISFACTORY: "Complete",
    CheckStatus.CONCERN: "The scheme is checking it",
}


@dataclass
class CheckRow:
    record: Check
    lapses_on: datetime.date | None
    today: datetime.date
    # Due soon this many days before it lapses (the scheme's monitoring setting).
    warning_days: int
    # Required by the scheme, and lapsed: nobody can move in until it is renewed.
    required_and_lapsed: bool = False

    @property
    def label(self) -> str:
        kind = self.record.get_kind_display()
        if self.record.subject == CheckSubject.HOUSEHOLD:
            return kind
        return f"{kind}: {self.record.subject_name}"

    @property
    def status(self) -> str:
        if self.days_left is not None and self.days_left < 0:
            return "Expired"
        if self.record.is_complete(self.today):
            return "Complete"
        return CARER_STATUS[self.record.status]

    @property
    def days_left(self) -> int | None:
        return None if self.lapses_on is None else (self.lapses_on - self.today).days

    @property
    def soon(self) -> bool:
        """Expired, or lapsing within the warning period."""
        return self.days_left is not None and self.days_left <= self.warning_days

    @property
    def expiry(self) -> str:
        days, on = self.days_left, self.lapses_on
        if days is None:
            return "Does not expire"
        if days < 0:
            return f"Expired on {on:%-d %b %Y}"
        if days == 0:
            return "Expires today"
        if days == 1:
            return "Expires tomorrow"
        if days <= self.warning_days:
            return f"Expires in {days} days, on {on:%-d %b %Y}"
        return f"Expires on {on:%-d %b %Y}"


def _check_rows(carer, today, warning_days: int) -> list[CheckRow]:
    """The newest record of each check (a renewal replaces the one before),
    in the order of the checklist. Needs ``checks`` (with their household
    members), ``household_members`` and ``scheme__check_settings`` prefetched."""
    rules = rules_for(carer.scheme)
    lapsed = {item.latest.pk for item in lapsed_required(carer, today, rules)}
    newest = {}
    by_date = sorted(
        carer.checks.all(),
        key=lambda c: (c.issued_on or c.received_on or datetime.date.min, c.pk),
        reverse=True,
    )
    for record in by_date:
        # Two references are two checks; anything else is renewed by a newer record.
        key = (
            record.pk
            if record.kind == CheckKind.REFERENCE
            else (record.kind, record.subject, record.household_member_id)
        )
        newest.setdefault(key, record)
    order = list(CheckKind.values)
    records = sorted(newest.values(), key=lambda c: (order.index(c.kind), c.subject_name))
    return [
        CheckRow(r, lapses_on(r, rules[r.kind].renewal_months), today, warning_days, r.pk in lapsed)
        for r in records
    ]


def _with_checks():
    return Carer.objects.select_related("scheme").prefetch_related(
        "scheme__check_settings",
        "household_members",
        Prefetch("checks", queryset=Check.objects.select_related("household_member")),
    )


def _open_arrangements(request):
    return (
        Arrangement.objects.visible_to(request.membership)
        .open()
        .select_related("person")
        .order_by("start_date", "id")
    )


def _pending():
    return Prefetch("change_requests", queryset=ChangeRequest.objects.pending(), to_attr="pending_changes")


def _with_about(changes):
    """Each change with a few words on what it is about: the first value it
    shows (a name, a kind of pet, the new setting)."""
    for change in changes:
        shown = [value for value in [*change.after.values(), *change.before.values()] if value != "—"]
        change.about = shown[0] if shown else ""
    return changes


# --- Reading pages ---


@require_safe
def home(request):
    today = timezone.localdate()
    carer = _carer(request, _with_checks().select_related("coordinator").prefetch_related(_pending()))
    warning_days = MonitoringSettings.for_scheme(carer.scheme).expiry_warning_days
    checks_due = [row for row in _check_rows(carer, today, warning_days) if row.soon]
    context = {
        "carer": carer,
        "review_overdue": carer.next_review_due is not None and carer.next_review_due < today,
        "pending": _with_about(carer.pending_changes),
        "checks_due": checks_due,
        "checks_expired": any(row.days_left < 0 for row in checks_due),
        "warning_days": warning_days,
        "arrangements": _open_arrangements(request),
    }
    return render(request, "portal/home.html", context)


@require_safe
def household(request):
    queryset = Carer.objects.prefetch_related(
        "household_members",
        "pets",
        "rooms",
        _pending(),
        Prefetch(
            "approvals", queryset=ApprovalTerms.objects.filter(ends_on__isnull=True), to_attr="terms_in_force"
        ),
    )
    carer = _carer(request, queryset)
    # What the carer has already asked to change or remove, so it is shown as
    # waiting rather than offered again.
    waiting = {(change.kind, change.target_id) for change in carer.pending_changes}
    today = timezone.localdate()
    for member in carer.household_members.all():
        member.age = member.age_on(today)
    context = {
        "carer": carer,
        "pending": _with_about(carer.pending_changes),
        "terms": carer.terms_in_force[0] if carer.terms_in_force else None,
        "waiting_members": {t for k, t in waiting if k == ChangeKind.REMOVE_MEMBER},
        "waiting_pets": {t for k, t in waiting if k == ChangeKind.REMOVE_PET},
        "waiting_rooms": {t for k, t in waiting if k in (ChangeKind.REMOVE_ROOM, ChangeKind.CHANGE_ROOM)},
    }
    return render(request, "portal/household.html", context)


@require_safe
def changes(request):
    carer = _carer(request)
    page = paginate(request, carer.change_requests.all())
    return render(request, "portal/changes.html", {"carer": carer, "page": page})


@require_safe
def checks(request):
    today = timezone.localdate()
    carer = _carer(request, _with_checks())
    warning_days = MonitoringSettings.for_scheme(carer.scheme).expiry_warning_days
    return render(
        request, "portal/checks.html", {"carer": carer, "rows": _check_rows(carer, today, warning_days)}
    )


@require_safe
def people(request):
    arrangements = (
        _open_arrangements(request).select_related("person__profile").prefetch_related("person__contacts")
    )
    return render(request, "portal/people.html", {"carer": _carer(request), "arrangements": arrangements})


# --- Changes that take effect at once ---


@require_http_methods(FORM_METHODS)
def contact(request):
    carer = _carer(request)
    form = ContactForm(request.POST or None, initial={"phone": carer.phone, "email": carer.email})
    return _change(request, carer, ChangeKind.CONTACT, form)


@require_http_methods(FORM_METHODS)
def interests(request):
    carer = _carer(request)
    form = InterestsForm(
        request.POST or None, initial={"interests": carer.interests, "languages": carer.languages}
    )
    return _change(request, carer, ChangeKind.INTERESTS, form)


@require_http_methods(FORM_METHODS)
def availability(request):
    carer = _carer(request)
    form = UnavailabilityForm(request.POST or None, carer=carer)
    if request.method == "POST" and form.is_valid():
        done = _propose(
            request, carer, ChangeKind.AVAILABILITY, form.cleaned_data, then="portal_availability"
        )
        if done:
            return done
    away = carer.unavailable_dates.filter(ends_on__gte=timezone.localdate())
    return render(request, "portal/availability.html", {"carer": carer, "form": form, "away": away})


@require_http_methods(FORM_METHODS)
def availability_remove(request, away_pk):
    """Take back dates away given by mistake, or when plans change."""
    carer = _carer(request)
    stretch = get_object_or_404(carer.unavailable_dates, pk=away_pk)
    dates = f"{stretch.starts_on:%-d %b %Y} to {stretch.ends_on:%-d %b %Y}"
    return _remove(
        request,
        carer,
        ChangeKind.REMOVE_AVAILABILITY,
        stretch,
        then="portal_availability",
        title="Take back these dates",
        question=f"Can you offer short breaks from {dates} after all?",
        submit="Yes, take these dates back",
    )


# --- Changes that wait for the scheme ---


def _dbs_note(values) -> str:
    if HouseholdMember(**values).age_on(timezone.localdate()) >= DBS_AGE:
        return f" {values['name']} will need a DBS check; the scheme will contact you."
    return ""


@require_http_methods(FORM_METHODS)
def member_add(request):
    form = MemberForm(request.POST or None)
    return _change(request, _carer(request), ChangeKind.ADD_MEMBER, form, also_say=_dbs_note)


@require_http_methods(FORM_METHODS)
def member_remove(request, member_pk):
    carer = _carer(request)
    member = get_object_or_404(carer.household_members, pk=member_pk)
    return _remove(
        request,
        carer,
        ChangeKind.REMOVE_MEMBER,
        member,
        title=f"{member.name} has moved out",
        question=f"Has {member.name} ({member.relationship}) moved out?",
        submit=f"Yes, {member.name} has moved out",
    )


@require_http_methods(FORM_METHODS)
def pet_add(request):
    return _change(request, _carer(request), ChangeKind.ADD_PET, PetForm(request.POST or None))


@require_http_methods(FORM_METHODS)
def pet_remove(request, pet_pk):
    carer = _carer(request)
    pet = get_object_or_404(carer.pets, pk=pet_pk)
    return _remove(
        request,
        carer,
        ChangeKind.REMOVE_PET,
        pet,
        title=f"{pet} has gone",
        question=f"Is {pet} no longer with you?",
        submit="Yes, it has gone",
    )


@require_http_methods(FORM_METHODS)
def room_add(request):
    return _change(request, _carer(request), ChangeKind.ADD_ROOM, RoomForm(request.POST or None))


@require_http_methods(FORM_METHODS)
def room_change(request, room_pk):
    carer = _carer(request)
    room = get_object_or_404(carer.rooms, pk=room_pk)
    form = RoomForm(
        request.POST or None, initial={name: getattr(room, name) for name in RoomForm.base_fields}
    )
    return _change(
        request, carer, ChangeKind.CHANGE_ROOM, form, target_id=room.pk, title=f"Change the {room.name}"
    )


@require_http_methods(FORM_METHODS)
def room_remove(request, room_pk):
    carer = _carer(request)
    room = get_object_or_404(carer.rooms, pk=room_pk)
    return _remove(
        request,
        carer,
        ChangeKind.REMOVE_ROOM,
        room,
        title=f"Stop offering the {room.name}",
        question=f"Is the {room.name} no longer a room you can offer?",
        submit="Yes, stop offering it",
    )


@require_http_methods(FORM_METHODS)
def smoking(request):
    carer = _carer(request)
    form = SmokingForm(request.POST or None, initial={"smoking": carer.smoking})
    return _change(request, carer, ChangeKind.SMOKING, form)


# --- Certificates ---


@require_http_methods(FORM_METHODS)
def certificates(request):
    carer = _carer(request)
    # Bound on any POST: a file with no other field is still an upload to check.
    posted = request.method == "POST"
    form = CertificateForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        form.save_for(carer=carer, uploaded_by=request.user)
        messages.info(request, WAITING)
        return redirect("portal_certificates")
    page = paginate(request, carer.certificates.all())
    return render(request, "portal/certificates.html", {"carer": carer, "form": form, "page": page})
