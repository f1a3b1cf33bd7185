"""What carers tell the scheme through their portal: changes to their
household, dates they are unavailable, and certificates they upload."""

import secrets

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property

from carers.models.approval import CheckKind
from carers.models.household import Carer
from sharedlives.choices import values_check
from sharedlives.models import audited
from sharedlives.ranges import Range
from sharedlives.uploads import EXTENSIONS


class ChangeKind(models.TextChoices):
    CONTACT = "contact", "Contact details"
    ADD_MEMBER = "add_member", "Someone has moved in"
    REMOVE_MEMBER = "remove_member", "Someone has moved out"
    ADD_PET = "add_pet", "A new pet"
    REMOVE_PET = "remove_pet", "A pet has gone"
    ADD_ROOM = "add_room", "A room to offer"
    CHANGE_ROOM = "change_room", "A room has changed"
    REMOVE_ROOM = "remove_room", "A room is no longer offered"
    SMOKING = "smoking", "Smoking at home"
    INTERESTS = "interests", "Interests and languages"
    AVAILABILITY = "availability", "Dates away or unavailable"
    REMOVE_AVAILABILITY = "remove_availability", "Dates away taken back"


# What the scheme relies on when it matches and approves: a coordinator
# accepts or declines these. The rest take effect at once.
NEEDS_ACCEPTANCE = (
    ChangeKind.ADD_MEMBER,
    ChangeKind.REMOVE_MEMBER,
    ChangeKind.ADD_PET,
    ChangeKind.REMOVE_PET,
    ChangeKind.ADD_ROOM,
    ChangeKind.CHANGE_ROOM,
    ChangeKind.REMOVE_ROOM,
    ChangeKind.SMOKING,
)
TAKES_EFFECT_AT_ONCE = tuple(kind for kind in ChangeKind if kind not in NEEDS_ACCEPTANCE)


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the scheme"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DONE = "done", "Done"


class ChangeRequestQuerySet(models.QuerySet):
    def visible_to(self, membership):
        return self.filter(carer__in=Carer.objects.visible_to(membership))

    def pending(self):
        return self.filter(status=ChangeStatus.PENDING)

    def unseen(self):
        """Changes that took effect at once and no coordinator has noted yet."""
        return self.filter(status=ChangeStatus.DONE, noted_at__isnull=True)


@audited
class ChangeRequest(models.Model):
    """A change a carer asked for, with the household before and after, and
    what the scheme decided."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    # Display-ready snapshots: {"Label": "value"}; before_rows and after_rows
    # give them in the order to show them.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # The values to apply, keyed by model field name.
    data = models.JSONField(default=dict, blank=True)
    # The household member, pet or room the change is about, if any.
    target_id = models.BigIntegerField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # For a change that took effect at once: when a coordinator noted it.
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    noted_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            # The coordinators' queue: pending changes, oldest first.
            models.Index(fields=["status", "proposed_at"], name="change_status_proposed_idx"),
            models.Index(fields=["carer", "-proposed_at"], name="change_carer_idx"),
        ]
        constraints = [
            values_check("kind", ChangeKind, "change_kind_valid"),
            values_check("status", ChangeStatus, "change_status_valid"),
            # What the scheme relies on waits for a decision; the rest is done at once.
            models.CheckConstraint(
                condition=(models.Q(kind__in=NEEDS_ACCEPTANCE) & ~models.Q(status=ChangeStatus.DONE))
                | (models.Q(kind__in=TAKES_EFFECT_AT_ONCE) & models.Q(status=ChangeStatus.DONE)),
                name="change_status_fits_kind",
            ),
            # A decision says who made it and when; a pending change has none.
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=[ChangeStatus.ACCEPTED, ChangeStatus.DECLINED])
                    & models.Q(decided_by__isnull=False, decided_at__isnull=False)
                )
                | (
                    ~models.Q(status__in=[ChangeStatus.ACCEPTED, ChangeStatus.DECLINED])
                    & models.Q(decided_by__isnull=True, decided_at__isnull=True)
                ),
                name="change_decided_iff_accepted_or_declined",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ChangeStatus.DECLINED) | ~models.Q(reason=""),
                name="change_declined_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.carer}"

    @property
    def needs_acceptance(self) -> bool:
        return self.kind in NEEDS_ACCEPTANCE

    def _rows(self, snapshot: dict) -> list[tuple[str, str]]:
        from carers.changes import snapshot_labels  # the services import this module

        order = snapshot_labels(self.kind)
        return sorted(
            snapshot.items(), key=lambda row: order.index(row[0]) if row[0] in order else len(order)
        )

    @property
    def before_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the order to show them: a JSON column keeps no order."""
        return self._rows(self.before)

    @property
    def after_rows(self) -> list[tuple[str, str]]:
        return self._rows(self.after)


@audited
class Unavailability(models.Model):
    """Dates a carer is away or cannot offer short breaks."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="unavailable_dates")
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True, help_text="For example: family holiday.")

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="unavailability_ends_after_it_starts",
                violation_error_message="The last day must be on or after the first day.",
            ),
            # One household's away dates never overlap: one entry per stretch.
            ExclusionConstraint(
                name="unavailability_no_overlap",
                expressions=[
                    (Range("carer", "carer", function="int8range"), RangeOperators.OVERLAPS),
                    (
                        Range("starts_on", "ends_on", function="daterange", output_field=DateRangeField()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message="These dates overlap dates you have already given.",
            ),
        ]

    def __str__(self):
        return f"{self.carer}: {self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"


# Certificates carers upload: PDF or image, kept outside the web root and
# served only through a view that checks who is asking.
class UploadsStorage(FileSystemStorage):
    """settings.UPLOADS_ROOT as it is when a file is saved or read (tests
    point it at a folder of their own), not as it was when models loaded."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.UPLOADS_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "UPLOADS_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def certificate_storage():
    # A callable, so migrations name it rather than this machine's path.
    return UploadsStorage(base_url=None)


# What a carer can upload a certificate for, and the file types accepted.
CERTIFICATE_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/heic")
CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024
CERTIFICATE_KINDS = (
    CheckKind.DBS,
    CheckKind.HOME_INSURANCE,
    CheckKind.CAR_INSURANCE,
    CheckKind.GAS_SAFETY,
    CheckKind.HEALTH_AND_SAFETY,
    CheckKind.INDUCTION,
    CheckKind.CARE_CERTIFICATE,
    CheckKind.FIRST_AID,
    CheckKind.SAFEGUARDING,
    CheckKind.MENTAL_CAPACITY,
    CheckKind.EQUALITY,
    CheckKind.MEDICATION,
    CheckKind.DATA_PROTECTION,
)


def certificate_path(instance, filename):
    """A random name (128 bits from the system's secure random source), so a
    stored file's name reveals nothing and cannot be guessed; its extension
    is that of the type its content showed (sharedlives.uploads), never the
    one it was uploaded with."""
    suffix = EXTENSIONS.get(instance.content_type, "")
    return f"certificates/{instance.carer_id}/{secrets.token_hex(16)}{suffix}"


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, membership):
        return self.filter(carer__in=Carer.objects.visible_to(membership))

    def unverified(self):
        return self.filter(verified_at__isnull=True)


@audited
class Certificate(models.Model):
    """A certificate a carer uploaded (a DBS update, an insurance schedule, a
    gas safety record, a training certificate), for the scheme to verify."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(
        "what it is", max_length=30, choices=[(k.value, k.label) for k in CERTIFICATE_KINDS]
    )
    file = models.FileField(storage=certificate_storage, upload_to=certificate_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True, help_text="Anything the scheme should know about it.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in CERTIFICATE_KINDS]),
                name="certificate_kind_valid",
            ),
            # 10 MB at most, as the upload form says.
            models.CheckConstraint(
                condition=models.Q(size__lte=10 * 1024 * 1024), name="certificate_at_most_10mb"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    content_type__in=["application/pdf", "image/jpeg", "image/png", "image/heic"]
                ),
                name="certificate_pdf_or_image",
            ),
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True, verified_at__isnull=True)
                | models.Q(verified_by__isnull=False, verified_at__isnull=False),
                name="certificate_verified_by_and_at",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.carer}"
