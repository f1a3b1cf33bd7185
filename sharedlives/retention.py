"""Retention: once a scheme's period has passed since a person's last
arrangement ended (or their last referral closed, for someone who never had
an arrangement), or since a household's approval ended, its carers resigned
or the applicants withdrew or were declined, the records are anonymised.

What reports count is kept: kinds of arrangement, needs groups, stages and
their dates, the dates of arrangements, reviews and visits, categories and
outcomes, amounts. What identifies anyone goes: names, contact details,
addresses, the day and month of birth, free text, uploaded files, contacts
and the one-page profile; and the same in the history of changes, and in
the view log (which keeps only whose record it was and who looked). A legal
hold stops it. A record already anonymised is not touched again.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear
from django.utils import timezone

from carers.models import Carer, CarerStatus, Certificate, HouseholdMember, StageChange
from people.models import Contact, Person
from placements.models import OPEN_REFERRAL_STAGES, OPEN_STATUSES, Arrangement, Referral
from sharedlives.audit import rewriting_history
from sharedlives.models import Membership, RecordView, RetentionSettings, Role, Scheme
from sharedlives.records_held import DELETE, HOUSEHOLD, KEEP, PERSON, Branch

PLACEHOLDER = "Anonymised"
# A household that has left the scheme, by whichever door.
LEFT = (CarerStatus.APPROVAL_ENDED, CarerStatus.RESIGNED, CarerStatus.WITHDRAWN, CarerStatus.DECLINED)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year - years, day=28)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Who is due ---


def people_due(scheme: Scheme, today: datetime.date, *, held: bool = False):
    """The scheme's people whose records are past its retention period on
    ``today``, each with ``ended_on`` (when the relationship ended); with
    ``held=True``, those a legal hold keeps instead."""
    cutoff = years_before(today, RetentionSettings.for_scheme(scheme).person_years)
    arrangements = Arrangement.objects.filter(person=OuterRef("pk"))
    referrals = Referral.objects.filter(person=OuterRef("pk"))
    last_ended = arrangements.filter(end_date__isnull=False).order_by("-end_date").values("end_date")[:1]
    last_closed = referrals.order_by("-stage_changed_at").values("stage_changed_at")[:1]
    return (
        Person.objects.filter(scheme=scheme, anonymised_at__isnull=True, legal_hold=held)
        .exclude(Exists(arrangements.filter(status__in=OPEN_STATUSES)))
        .exclude(Exists(referrals.filter(stage__in=OPEN_REFERRAL_STAGES)))
        .annotate(last_ended=Subquery(last_ended), last_closed=Subquery(last_closed))
        # With no open arrangement, every arrangement has ended; with none
        # at all, the last referral's closing counts.
        .filter(Q(last_ended__lt=cutoff) | Q(last_ended__isnull=True, last_closed__lt=_start_of(cutoff)))
        .order_by("pk")
    )


def households_due(scheme: Scheme, today: datetime.date, *, held: bool = False):
    """The scheme's households that left (approval ended, resigned, withdrew
    or were declined) longer ago than its retention period, by the stage
    history's date of that move; with ``held=True``, those on legal hold."""
    cutoff = years_before(today, RetentionSettings.for_scheme(scheme).carer_years)
    moved = StageChange.objects.filter(carer=OuterRef("pk"), to_status=OuterRef("status"))
    return (
        Carer.objects.filter(scheme=scheme, status__in=LEFT, anonymised_at__isnull=True, legal_hold=held)
        .exclude(Exists(Arrangement.objects.filter(carer=OuterRef("pk"), status__in=OPEN_STATUSES)))
        .annotate(
            left_at=Coalesce(
                Subquery(moved.order_by("-changed_at").values("changed_at")[:1]), F("status_changed_at")
            )
        )
        .filter(left_at__lt=_start_of(cutoff))
        .order_by("pk")
    )


# --- What anonymising writes ---


def _year_only(name: str):
    """The year of birth kept, the day and month not: 1 July of that year."""
    year = Cast(ExtractYear(name), models.IntegerField())
    return Func(year, Value(7), Value(1), function="make_date", output_field=models.DateField())


def _numbered(words: str):
    return Concat(Value(words), Cast("id", models.CharField()), output_field=models.CharField())


def _if_given(name: str, words: str):
    return Case(When(**{name: ""}, then=Value("")), default=Value(words), output_field=models.CharField())


# Where a record needs more than "Anonymised" in place of free text.
OVERRIDES = {
    Person: {
        "first_name": Value(PLACEHOLDER),
        "last_name": _numbered("person "),
        "preferred_name": Value(""),
        "date_of_birth": _year_only("date_of_birth"),
        "postcode": Value(""),
        "legal_hold_reason": Value(""),
    },
    Carer: {
        "first_name": Value(PLACEHOLDER),
        "last_name": _numbered("household "),
        # A joint approval stays joint: the yearly count counts two carers.
        "joint_first_name": _if_given("joint_first_name", PLACEHOLDER),
        "joint_last_name": _if_given("joint_last_name", "joint carer"),
        "phone": Value(""),
        "address_line_2": Value(""),
        "town": Value(""),
        "postcode": Value(""),
        "latitude": Value(None, output_field=models.DecimalField()),
        "longitude": Value(None, output_field=models.DecimalField()),
        "legal_hold_reason": Value(""),
    },
    HouseholdMember: {"date_of_birth": _year_only("date_of_birth")},
    Contact: {"phone": Value("")},
    Referral: {"referrer_phone": Value("")},
}
# Text that says nothing about anyone, and that constraints need as it is.
KEPT = {Certificate: {"content_type"}}


def scrubbed_values(model) -> dict:
    """For ``model``'s rows (and its history's, which has the same columns):
    free text to "Anonymised" (blank stays blank), e-mail addresses and lists
    of words emptied, uploaded files' names cleared; choices, dates, numbers
    and links kept."""
    values = {}
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if model_field.is_relation or model_field.primary_key or model_field.generated:
            continue
        if name in KEPT.get(model, ()):
            continue
        if isinstance(model_field, ArrayField):
            if not model_field.base_field.choices:
                values[name] = Value([], output_field=model_field)
        elif isinstance(model_field, models.JSONField):
            values[name] = Value(model_field.get_default(), output_field=model_field)
        elif isinstance(model_field, models.FileField | models.EmailField):
            values[name] = Value("")
        elif isinstance(model_field, models.CharField | models.TextField) and not model_field.choices:
            values[name] = _if_given(name, PLACEHOLDER)
    values.update(OVERRIDES.get(model, {}))
    return values


def event_models() -> dict[type, type]:
    """Each audited model's history (pghistory event) model."""
    return {
        model.pgh_tracked_model: model
        for model in apps.get_models()
        if getattr(model, "pgh_tracked_model", None) is not None
    }


# --- Anonymising ---


@dataclass
class Found:
    """The records of one branch: those there now, and those in the history
    only (removed since), whose own records may still be held."""

    branch: Branch
    parent_ids: set
    live_ids: set
    gone_ids: set


def _find(branch: Branch, parent_ids: set, events: dict) -> list[Found]:
    if branch.anonymise == KEEP:
        return []
    model, event_model = branch.model, events.get(branch.model)
    if branch.link is None:
        live_ids = set(model._default_manager.filter(pk__in=parent_ids).values_list("pk", flat=True))
        gone_ids = set()
    else:
        live = model._default_manager.filter(**{f"{branch.link}__in": parent_ids})
        if branch.only is not None:
            live = live.filter(branch.only)
        live_ids = set(live.values_list("pk", flat=True))
        gone_ids = set()
        if event_model is not None:
            seen = set(_linked_events(branch, event_model, parent_ids).values_list("pgh_obj_id", flat=True))
            gone_ids = seen - set(model._default_manager.filter(pk__in=seen).values_list("pk", flat=True))
    found = [Found(branch, parent_ids, live_ids, gone_ids)]
    for child in branch.children:
        found += _find(child, live_ids | gone_ids, events)
    return found


def _linked_events(branch: Branch, event_model, parent_ids):
    events = event_model.objects.filter(**{f"{branch.link}_id__in": parent_ids})
    return events.filter(branch.only) if branch.only is not None else events


def _anonymise(root: Branch, subject, now: datetime.datetime, record: dict) -> None:
    events = event_models()
    found = _find(root, {subject.pk}, events)
    files = []
    for each in found:
        model = each.branch.model
        rows = model._default_manager.filter(pk__in=each.live_ids)
        if each.branch.anonymise == DELETE:
            if model is Certificate:
                files += [(cert.file.storage, cert.file.name) for cert in rows if cert.file]
            rows.delete()
        else:
            rows.update(**scrubbed_values(model))
    root.model._default_manager.filter(pk=subject.pk).update(anonymised_at=now)
    # The history last: it now also holds what the changes above removed.
    for each in found:
        _scrub_admin_log(each.branch.model, each.live_ids | each.gone_ids)
        event_model = events.get(each.branch.model)
        if event_model is None:
            continue
        wanted = Q(pgh_obj_id__in=each.live_ids | each.gone_ids)
        if each.branch.link is not None:
            wanted |= Q(pk__in=_linked_events(each.branch, event_model, each.parent_ids).values("pk"))
        fields = {f.name for f in event_model._meta.concrete_fields}
        values = {name: value for name, value in scrubbed_values(each.branch.model).items() if name in fields}
        event_model.objects.filter(wanted).update(**values)
    # Who looked stays; the address they opened keeps no search words.
    RecordView.objects.filter(**record).update(
        path=Func(F("path"), Value(r"\?.*$"), Value(""), function="regexp_replace")
    )
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _scrub_admin_log(model, ids) -> None:
    if ids:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=PLACEHOLDER, change_message="")


def anonymise_person(person: Person, *, today: datetime.date, now: datetime.datetime | None = None) -> bool:
    """Anonymise ``person``'s records and their history, if their retention
    period has passed on ``today``. Refused (False) if it has not (checked
    again once their row is locked: a new referral may just have come in),
    if they are on legal hold, or if they are anonymised already."""
    with rewriting_history():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if not people_due(locked.scheme, today).filter(pk=locked.pk).exists():
            return False
        _anonymise(PERSON, locked, now or timezone.now(), {"person": locked})
    return True


def anonymise_household(carer: Carer, *, today: datetime.date, now: datetime.datetime | None = None) -> bool:
    """Anonymise ``carer``'s household records and their history, and close
    the carers' portal logins, if its retention period has passed on
    ``today``. Refused (False) as for a person."""
    with rewriting_history():
        locked = Carer.objects.select_for_update().get(pk=carer.pk)
        if not households_due(locked.scheme, today).filter(pk=locked.pk).exists():
            return False
        _anonymise(HOUSEHOLD, locked, now or timezone.now(), {"carer": locked})
        _close_logins(locked)
    return True


def _close_logins(carer: Carer) -> None:
    """The household's portal logins, unless the same login is also staff or
    the carer of a household not yet anonymised: no name, no e-mail address,
    no password, signed in nowhere."""
    logins = Membership.objects.filter(carer=carer).select_related("user")
    for membership in logins:
        user = membership.user
        others = user.memberships.exclude(carer=carer).filter(
            ~Q(role=Role.CARER) | Q(carer__anonymised_at__isnull=True)
        )
        if user.is_staff or user.is_superuser or others.exists():
            continue
        old_username = user.username
        user.username = f"anonymised-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        _forget_sign_in(user, old_username)


def _forget_sign_in(user, old_username: str) -> None:
    """What the sign-in packages keep about a login: its e-mail addresses and
    second factors go, and the sign-in logs name it by its new username."""
    if apps.is_installed("allauth.account"):
        apps.get_model("account", "EmailAddress").objects.filter(user=user).delete()
    if apps.is_installed("allauth.mfa"):
        apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()
    if apps.is_installed("axes"):
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
            apps.get_model("axes", name).objects.filter(username=old_username).update(username=user.username)
