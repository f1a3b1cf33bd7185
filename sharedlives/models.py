import pghistory
import pghistory.models
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from sharedlives.choices import values_check

# True unless the transaction is inside sharedlives.audit.rewriting_history():
# the condition of every append-only trigger on the audit tables.
NOT_REWRITING_SQL = "coalesce(current_setting('sharedlives.rewriting_history', true), '') <> 'on'"
NOT_REWRITING_HISTORY = pgtrigger.Condition(NOT_REWRITING_SQL)


def append_only(name: str = "append_only") -> pgtrigger.Protect:
    """A trigger that refuses every UPDATE and DELETE of the table's rows, for
    the app's database role too, except through rewriting_history()."""
    return pgtrigger.Protect(
        name=name, operation=pgtrigger.Update | pgtrigger.Delete, condition=NOT_REWRITING_HISTORY
    )


def audited(model):
    """Record every insert, update and delete of ``model`` in its audit
    history, by database triggers so that no write escapes it. The history
    (the generated ``<Model>Event`` table) is append-only."""
    # A save that only bumps the edit-lock version or the "updated at" stamp
    # (as saving a household's members does to the household) changes no
    # personal data, so it is not an event.
    names = {field.name for field in model._meta.concrete_fields}
    bookkeeping = sorted(names & {"version", "updated_at"})
    update = pghistory.UpdateEvent(
        condition=pgtrigger.AnyChange(exclude=bookkeeping) if bookkeeping else pgtrigger.AnyChange()
    )
    return pghistory.track(
        pghistory.InsertEvent(),
        update,
        pghistory.DeleteEvent(),
        meta={"triggers": [append_only()]},
    )(model)


class User(AbstractUser):
    """A login. What it may see and do comes from its memberships of schemes."""

    def __str__(self):
        # Choices, history and admin show people by name, not login.
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_from(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_from(first_name: str, last_name: str, username: str) -> str:
        """How a login is shown, from its columns (for lists that skip the objects)."""
        return f"{first_name} {last_name}".strip() or username


@audited
class Scheme(models.Model):
    """A service registered with CQC. Every carer, person and arrangement
    belongs to exactly one scheme, and staff see only their own schemes."""

    name = models.CharField(max_length=200, unique=True)
    cqc_location_id = models.CharField(
        "CQC location ID", max_length=20, unique=True, help_text="Like 1-123456789."
    )
    registered_manager = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # CQC location IDs are "1-" followed by digits.
            models.CheckConstraint(
                condition=models.Q(cqc_location_id__regex=r"^1-[0-9]{6,11}$"),
                name="scheme_cqc_location_id_format",
            )
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    MANAGER = "manager", "Registered manager"
    COORDINATOR = "coordinator", "Coordinator"
    CARER = "carer", "Carer"


STAFF_ROLES = (Role.MANAGER, Role.COORDINATOR)


@audited
class Membership(models.Model):
    """A user's role in one scheme. A carer's membership names their household."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    carer = models.ForeignKey(
        "carers.Carer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="logins",
        help_text="For a carer's login: their household.",
    )

    class Meta:
        ordering = ["scheme__name"]
        constraints = [
            # One role per person per scheme keeps "what may I do here" unambiguous.
            models.UniqueConstraint(fields=["user", "scheme"], name="membership_one_role_per_scheme"),
            values_check("role", Role, "membership_role_valid"),
            # A carer's login must name their household; staff logins must not.
            models.CheckConstraint(
                condition=(models.Q(role=Role.CARER) & models.Q(carer__isnull=False))
                | (~models.Q(role=Role.CARER) & models.Q(carer__isnull=True)),
                name="membership_carer_household_iff_carer_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.scheme}"

    def clean(self):
        if self.carer_id and self.scheme_id and self.carer.scheme_id != self.scheme_id:
            raise ValidationError({"carer": "This household belongs to another scheme."})

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_carer(self) -> bool:
        return self.role == Role.CARER


class VersionedModel(models.Model):
    """A record two staff may edit at once. Each save through a form bumps
    ``version``; a form opened at an older version is refused rather than
    silently overwriting the newer change (see sharedlives.forms)."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ReminderDigest(models.Model):
    """One day's reminder e-mail to one member of staff (``send_reminders``).
    The unique constraint is what makes running the command twice safe."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="digests")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    item_count = models.PositiveIntegerField(help_text="How many records the e-mail named.")

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "sent_on"], name="digest_one_a_day"),
        ]

    def __str__(self):
        return f"Reminders for {self.membership.user} on {self.sent_on:%-d %b %Y}"


class RecordViewKind(models.TextChoices):
    PAGE = "page", "Opened a page"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded a file"
    SUBJECT_ACCESS = "subject_access", "Subject access export"


class RecordView(models.Model):
    """Who looked at a person's or a carer household's record: a page, an
    export or a download. Kept apart from the change history, append-only,
    and read by the registered manager."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="record_views")
    viewed_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, choices=RecordViewKind.choices, default=RecordViewKind.PAGE)
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carer = models.ForeignKey(
        "carers.Carer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    path = models.CharField("page or file", max_length=300)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        indexes = [
            # "Who has looked at this record" and "what has this user looked at".
            models.Index(fields=["person", "-viewed_at"], name="record_view_person_idx"),
            models.Index(fields=["carer", "-viewed_at"], name="record_view_carer_idx"),
            models.Index(fields=["user", "-viewed_at"], name="record_view_user_idx"),
        ]
        constraints = [
            values_check("kind", RecordViewKind, "record_view_kind_valid"),
        ]
        triggers = [
            # Append-only: nobody edits or deletes who looked at what (the
            # retention command anonymises through sharedlives.audit).
            append_only("record_view_append_only"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display().lower()} {self.path}"


class HistoryContext(pghistory.models.Context):
    """pghistory's context table: who made each change in the history, and on
    which page. A proxy only so that its append-only triggers live here."""

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Protect(
                name="history_context_kept", operation=pgtrigger.Delete, condition=NOT_REWRITING_HISTORY
            ),
            # pghistory itself updates the current request's context row as
            # the request goes on (an upsert); any other row is settled.
            pgtrigger.Protect(
                name="history_context_settled",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    f"{NOT_REWRITING_SQL} AND OLD.id::text IS DISTINCT FROM "
                    "nullif(current_setting('pghistory.context_id', true), '')"
                ),
            ),
        ]


class RetentionSettings(models.Model):
    """How long a scheme keeps records after the relationship ends, before
    ``manage.py anonymise_expired`` removes what identifies people."""

    scheme = models.OneToOneField(Scheme, on_delete=models.CASCADE, related_name="retention_settings")
    person_years = models.PositiveSmallIntegerField(
        "keep a person's records for, in years after their last arrangement ends", default=8
    )
    carer_years = models.PositiveSmallIntegerField(
        "keep a carer household's records for, in years after approval ends or they withdraw", default=6
    )

    class Meta:
        verbose_name_plural = "retention settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person_years__range=(1, 100)) & models.Q(carer_years__range=(1, 100)),
                name="retention_1_to_100_years",
            ),
        ]

    def __str__(self):
        return f"Retention for {self.scheme}"

    @classmethod
    def for_scheme(cls, scheme) -> "RetentionSettings":
        return cls.objects.filter(scheme=scheme).first() or cls(scheme=scheme)
