"""Arrangements, the short-break bookings and day-support sessions within
them, and the rule that a household never has more people staying on a night
than it is approved for."""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models

from sharedlives.choices import ArrangementKind, values_check
from sharedlives.models import VersionedModel, audited
from sharedlives.ranges import Range


class ArrangementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CURRENT = "current", "Current"
    ENDED = "ended", "Ended"


OPEN_STATUSES = (ArrangementStatus.PLANNED, ArrangementStatus.CURRENT)

ARRANGEMENT_CAPACITY_CHECK = (
    "PERFORM placements_check_capacity(NEW.carer_id, daterange(NEW.start_date, NEW.end_date, '[)'));"
    " RETURN NULL;"
)
BOOKING_CAPACITY_CHECK = "PERFORM placements_check_capacity(NEW.carer_id, NEW.dates); RETURN NULL;"
# Taken before a booking's row goes in: two bookings of one room made at the
# same moment would otherwise each wait on the other's row in the exclusion
# check (a deadlock), rather than the second seeing the first and refusing.
LOCK_HOUSEHOLD = "PERFORM 1 FROM carers_carer WHERE id = NEW.carer_id FOR UPDATE; RETURN NEW;"

# Kinds where the person sleeps at the carer's home for the whole
# arrangement. Short breaks count night by night, through their bookings.
STAYING_KINDS = (ArrangementKind.LIVE_IN, ArrangementKind.HOME_FROM_HOSPITAL, ArrangementKind.EMERGENCY)

# The household's capacity, checked by the database after every change to a
# stay or a booking (see the triggers on Arrangement and ShortBreakBooking).
# Occupancy only rises where a stay or booking begins, so the nights worth
# checking are the first night of the change and each start within it. The
# household's row is locked first, so two bookings made at the same moment
# are checked one after the other and cannot both take the last place.
CAPACITY_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION placements_check_capacity(p_carer bigint, p_nights daterange)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    night date;
    people integer;
    allowed integer;
BEGIN
    IF p_nights IS NULL OR isempty(p_nights) THEN
        RETURN;
    END IF;
    PERFORM 1 FROM carers_carer WHERE id = p_carer FOR UPDATE;
    FOR night IN
        SELECT lower(p_nights)
        UNION
        SELECT a.start_date FROM placements_arrangement a
        WHERE a.carer_id = p_carer AND a.kind IN ('live_in', 'home_from_hospital', 'emergency')
          AND a.start_date <@ p_nights
        UNION
        SELECT lower(b.dates) FROM placements_shortbreakbooking b
        WHERE b.carer_id = p_carer AND b.status = 'booked' AND lower(b.dates) <@ p_nights
    LOOP
        SELECT
            (SELECT count(*) FROM placements_arrangement a
             WHERE a.carer_id = p_carer AND a.kind IN ('live_in', 'home_from_hospital', 'emergency')
               AND daterange(a.start_date, a.end_date, '[)') @> night)
          + (SELECT count(*) FROM placements_shortbreakbooking b
             WHERE b.carer_id = p_carer AND b.status = 'booked' AND b.dates @> night)
        INTO people;
        -- The terms in force that night; three, the most any carer may
        -- support, where none are (the services refuse that case first).
        SELECT t.max_people INTO allowed FROM carers_approvalterms t
        WHERE t.carer_id = p_carer AND t.starts_on <= night AND (t.ends_on IS NULL OR t.ends_on >= night)
        ORDER BY t.starts_on DESC LIMIT 1;
        IF people > coalesce(allowed, 3) THEN
            RAISE EXCEPTION 'placements_capacity: % people would stay with carer % on %, approved for %',
                people, p_carer, night, coalesce(allowed, 3)
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
END;
$$;
"""


class EndReason(models.TextChoices):
    PLANNED_MOVE = "planned_move", "Planned move"
    PERSONS_CHOICE = "persons_choice", "The person's choice"
    BREAKDOWN = "breakdown", "Arrangement broke down"
    HOSPITAL = "hospital", "Hospital admission"
    DEATH = "death", "Death"
    CARER_RESIGNED = "carer_resigned", "Carer resigned"
    COMPLETED = "completed", "Completed as planned"
    OTHER = "other", "Other"


class ArrangementQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Staff see their scheme's arrangements; a carer only their own."""
        if membership is None:
            return self.none()
        if membership.is_staff_role:
            return self.filter(scheme_id=membership.scheme_id)
        return self.filter(carer_id=membership.carer_id, scheme_id=membership.scheme_id)

    def open(self):
        """Planned or current: the person lives with or visits the carer."""
        return self.filter(status__in=OPEN_STATUSES)

    def current(self):
        return self.filter(status=ArrangementStatus.CURRENT)

    def review_due_by(self, day):
        """Current arrangements whose next review is due on or before ``day``
        (overdue ones included)."""
        return self.current().filter(next_review_due__lte=day)


@audited
class Arrangement(VersionedModel):
    """An arrangement (placement): a person living with or visiting a carer."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="arrangements")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="arrangements")
    carer = models.ForeignKey("carers.Carer", on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(max_length=20, choices=ArrangementKind.choices)
    status = models.CharField(
        max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.PLANNED
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave blank if it has no planned end.")
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    notes = models.TextField("staff notes", blank=True)
    referral = models.OneToOneField(
        "placements.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrangement",
        help_text="The referral it came from, if any.",
    )
    room = models.ForeignKey(
        "carers.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrangements",
        help_text="For live-in and other stays: the person's room.",
    )
    agreement_recorded_on = models.DateField(
        "arrangement agreement signed on",
        null=True,
        blank=True,
        help_text="The agreement that describes the support.",
    )
    licence_recorded_on = models.DateField(
        "licence agreement signed on",
        null=True,
        blank=True,
        help_text="Live-in only: the person rents their room and has their own key.",
    )
    weekly_rent = models.DecimalField(
        "weekly rent, £",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="From the licence agreement.",
    )
    payment_rate = models.ForeignKey(
        "placements.PaymentRate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrangements",
        verbose_name="payment band or rate",
    )
    end_note = models.TextField("about the ending", blank=True)
    # Set when it starts and by each review (placements.monitoring).
    next_review_due = models.DateField("next review due", null=True, blank=True)

    objects = ArrangementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        indexes = [
            models.Index(fields=["scheme", "-start_date", "id"], name="arrangement_scheme_start_idx"),
            models.Index(fields=["scheme", "status", "kind"], name="arrangement_scheme_status_idx"),
            models.Index(fields=["carer", "status"], name="arrangement_carer_status_idx"),
            models.Index(fields=["person", "status"], name="arrangement_person_status_idx"),
            # Matching's experience points: a carer's first arrangement with
            # someone of the person's needs, in date order, read from the index.
            models.Index(
                fields=["carer", "start_date"],
                include=["person", "status"],
                name="arrangement_carer_start_idx",
            ),
            # One status by date, e.g. the dashboard's arrangements starting soon.
            models.Index(fields=["scheme", "status", "start_date"], name="arrangement_status_start_idx"),
            models.Index(
                fields=["scheme", "next_review_due"],
                condition=models.Q(status="current"),
                name="arrangement_review_due_idx",
            ),
            # Matching's capacity rule: a scheme's stays not over by the start
            # wanted (no end date, or a later one), read from the index rather
            # than from every arrangement the scheme has ever had.
            models.Index(
                fields=["scheme", "end_date"],
                include=["carer", "person", "start_date"],
                condition=models.Q(kind__in=STAYING_KINDS),
                name="arrangement_stays_idx",
            ),
            # Scheme at a glance, from the index alone: the current
            # arrangements by kind and the people they support (in order,
            # for counting each person once), and who stays tonight in each
            # household; then the arrangements that ended in a period.
            models.Index(
                fields=["scheme", "person"],
                include=["id", "kind", "carer", "start_date", "end_date"],
                condition=models.Q(status="current"),
                name="arrangement_current_idx",
            ),
            models.Index(
                fields=["scheme", "end_date"],
                include=["id", "end_reason"],
                condition=models.Q(status="ended"),
                name="arrangement_ended_idx",
            ),
        ]
        constraints = [
            values_check("kind", ArrangementKind, "arrangement_kind_valid"),
            values_check("status", ArrangementStatus, "arrangement_status_valid"),
            models.CheckConstraint(
                condition=models.Q(end_reason="") | models.Q(end_reason__in=EndReason.values),
                name="arrangement_end_reason_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="arrangement_ends_after_it_starts",
                violation_error_message="The end date must be on or after the start date.",
            ),
            # An ended arrangement says when and why it ended.
            models.CheckConstraint(
                condition=~models.Q(status=ArrangementStatus.ENDED)
                | (models.Q(end_date__isnull=False) & ~models.Q(end_reason="")),
                name="arrangement_ended_has_date_and_reason",
                violation_error_message="An ended arrangement needs its end date and the reason it ended.",
            ),
            # Nobody starts an arrangement without the agreement that
            # describes the support, nor a live-in one without the licence
            # (the person rents their room) and its weekly rent.
            models.CheckConstraint(
                condition=models.Q(status=ArrangementStatus.PLANNED)
                | models.Q(agreement_recorded_on__isnull=False),
                name="arrangement_started_has_agreement",
                violation_error_message="Record the date the arrangement agreement was signed.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ArrangementStatus.PLANNED)
                | ~models.Q(kind=ArrangementKind.LIVE_IN)
                | models.Q(licence_recorded_on__isnull=False, weekly_rent__isnull=False),
                name="arrangement_live_in_has_licence",
                violation_error_message="A live-in arrangement needs its licence agreement and weekly rent.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekly_rent__isnull=True) | models.Q(weekly_rent__gte=0),
                name="arrangement_rent_not_negative",
            ),
            # A person has one home at a time: two live-in arrangements for the
            # same person never overlap. The person's id goes in as a one-value
            # range because plain integer equality in a GiST index would need
            # the btree_gist extension, which the embedded server lacks. It is
            # named "person", not "person_id": form validation substitutes the
            # new row's values by field name, and an unmatched "person_id"
            # would compare every row with itself (any overlap would clash).
            ExclusionConstraint(
                name="arrangement_one_live_in_home_at_a_time",
                expressions=[
                    (Range("person", "person", function="int8range"), RangeOperators.OVERLAPS),
                    # The end day is left out of the range so that someone can
                    # move out of one home and into the next on the same day.
                    (
                        Range(
                            "start_date",
                            "end_date",
                            function="daterange",
                            bounds="[)",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=models.Q(kind=ArrangementKind.LIVE_IN),
                violation_error_message=(
                    "This person already has a live-in arrangement for some of these dates. "
                    "End that one first, or change the dates."
                ),
            ),
        ]
        # Checked when a stay is added, or changed so that it could take up
        # more nights (another carer, an earlier start, a later end). A change
        # that cannot add anyone (notes, an earlier end) is not checked, so a
        # household whose approved number was lowered can still be managed.
        triggers = [
            pgtrigger.Trigger(
                name="arrangement_within_capacity",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                condition=pgtrigger.Q(new__kind__in=STAYING_KINDS),
                func=ARRANGEMENT_CAPACITY_CHECK,
            ),
            pgtrigger.Trigger(
                name="arrangement_change_within_capacity",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "NEW.kind IN ('live_in', 'home_from_hospital', 'emergency') AND ("
                    "OLD.carer_id IS DISTINCT FROM NEW.carer_id OR OLD.kind IS DISTINCT FROM NEW.kind"
                    " OR NEW.start_date < OLD.start_date"
                    " OR (OLD.end_date IS NOT NULL"
                    " AND (NEW.end_date IS NULL OR NEW.end_date > OLD.end_date)))"
                ),
                func=ARRANGEMENT_CAPACITY_CHECK,
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person} with {self.carer}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class WeeklySession(models.Model):
    """A day of the week and the hours: day support recurs weekly."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    weekday = models.PositiveSmallIntegerField("day", choices=Weekday.choices)
    starts_at = models.TimeField("from")
    ends_at = models.TimeField("until")

    class Meta:
        abstract = True
        ordering = ["weekday", "starts_at", "id"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M} to {self.ends_at:%H:%M}"

    @staticmethod
    def session_constraints(prefix: str) -> list:
        return [
            models.CheckConstraint(condition=models.Q(weekday__range=(0, 6)), name=f"{prefix}_weekday_valid"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name=f"{prefix}_ends_after_it_starts",
                violation_error_message="The session must end after it starts.",
            ),
        ]

    @property
    def hours(self) -> float:
        start = self.starts_at.hour * 60 + self.starts_at.minute
        end = self.ends_at.hour * 60 + self.ends_at.minute
        return (end - start) / 60


@audited
class DaySession(WeeklySession):
    """A weekly day-support session of an arrangement."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="day_sessions")

    class Meta(WeeklySession.Meta):
        constraints = [
            *WeeklySession.session_constraints("day_session"),
            models.UniqueConstraint(
                fields=["arrangement", "weekday", "starts_at"], name="day_session_once_a_week_at_a_time"
            ),
        ]


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


class ShortBreakBookingQuerySet(models.QuerySet):
    def visible_to(self, membership):
        return self.filter(arrangement__in=Arrangement.objects.visible_to(membership))

    def booked(self):
        return self.filter(status=BookingStatus.BOOKED)


@audited
class ShortBreakBooking(models.Model):
    """The nights of one short break, in one room of the carer's home.

    ``dates`` runs from the day the person arrives to the day they go home
    ('[)'), so its nights are the ones slept there and a stay can begin the
    day another ends. ``carer`` repeats the arrangement's carer so that the
    database can keep a room from being booked twice (a composite foreign key
    in migration 0007 keeps it the arrangement's and the room's carer)."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="bookings")
    carer = models.ForeignKey("carers.Carer", on_delete=models.PROTECT, related_name="bookings")
    room = models.ForeignKey("carers.Room", on_delete=models.PROTECT, related_name="bookings")
    dates = DateRangeField(help_text="From the day they arrive to the day they go home.")
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    notes = models.CharField(max_length=200, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(auto_now_add=True)

    objects = ShortBreakBookingQuerySet.as_manager()

    class Meta:
        ordering = ["dates", "id"]
        indexes = [
            models.Index(fields=["carer", "status"], name="booking_carer_status_idx"),
            # Matching's capacity rule: the short breaks booked that are not
            # over by the start wanted, read from the index.
            models.Index(
                models.Func("dates", function="upper", output_field=models.DateField()),
                include=["carer", "dates", "arrangement"],
                condition=models.Q(status=BookingStatus.BOOKED),
                name="booking_booked_until_idx",
            ),
        ]
        constraints = [
            values_check("status", BookingStatus, "booking_status_valid"),
            models.CheckConstraint(
                condition=models.Q(dates__isempty=False)
                & models.Q(dates__startswith__isnull=False)
                & models.Q(dates__endswith__isnull=False),
                name="booking_has_nights",
                violation_error_message="A booking needs an arrival day and a later day to go home.",
            ),
            # One person in a room on any night. The room's id goes in as a
            # one-value range (see sharedlives.ranges.Range).
            ExclusionConstraint(
                name="booking_room_not_double_booked",
                expressions=[
                    (Range("room", "room", function="int8range"), RangeOperators.OVERLAPS),
                    ("dates", RangeOperators.OVERLAPS),
                ],
                condition=models.Q(status=BookingStatus.BOOKED),
                violation_error_message="This room is already booked for some of these nights.",
            ),
        ]
        # As for stays: checked when a booking is made, or changed so that
        # it could take up more nights (rebooked, moved, made longer).
        triggers = [
            pgtrigger.Trigger(
                name="booking_locks_household",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__status=BookingStatus.BOOKED),
                func=LOCK_HOUSEHOLD,
            ),
            pgtrigger.Trigger(
                name="booking_within_capacity",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                condition=pgtrigger.Q(new__status=BookingStatus.BOOKED),
                func=BOOKING_CAPACITY_CHECK,
            ),
            pgtrigger.Trigger(
                name="booking_change_within_capacity",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "NEW.status = 'booked' AND (OLD.status IS DISTINCT FROM NEW.status"
                    " OR OLD.carer_id IS DISTINCT FROM NEW.carer_id OR NOT (OLD.dates @> NEW.dates))"
                ),
                func=BOOKING_CAPACITY_CHECK,
            ),
        ]

    def __str__(self):
        return f"{self.dates.lower:%-d %b %Y} to {self.dates.upper:%-d %b %Y}"

    @property
    def nights(self) -> int:
        return (self.dates.upper - self.dates.lower).days
