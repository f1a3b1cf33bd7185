"""Payment rates: scheme settings, each with the history of its amounts.

A rate (a live-in band, a nightly rate, a sessional rate) is named once;
its amounts change over time as ``RateAmount`` rows that never overlap, so
a payment for any past day uses the amount in force that day and an uplift
never rewrites what was paid before it."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models

from sharedlives.choices import values_check
from sharedlives.models import audited
from sharedlives.ranges import Range


class RateKind(models.TextChoices):
    LIVE_IN_WEEKLY = "live_in_weekly", "Live-in weekly band"
    SHORT_BREAK_NIGHTLY = "short_break_nightly", "Short-break nightly rate"
    DAY_SUPPORT_SESSION = "day_support_session", "Day-support sessional rate"


class PaymentRateQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Money is for the scheme's staff only."""
        if membership is None or not membership.is_staff_role:
            return self.none()
        return self.filter(scheme_id=membership.scheme_id)


@audited
class PaymentRate(models.Model):
    """A named rate the scheme pays carers, e.g. "Live-in band 2"."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.CASCADE, related_name="payment_rates")
    kind = models.CharField(max_length=30, choices=RateKind.choices)
    name = models.CharField(max_length=100, help_text="For example: Live-in band 2.")
    description = models.CharField(max_length=200, blank=True, help_text="Who the rate is for.")

    objects = PaymentRateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="payment_rate_unique_name"),
            values_check("kind", RateKind, "payment_rate_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def amount_on(self, day):
        """The amounts in force on ``day`` (prefetch ``amounts`` for many)."""
        for amount in self.amounts.all():
            if amount.effective_from <= day and (amount.effective_to is None or day <= amount.effective_to):
                return amount
        return None


@audited
class RateAmount(models.Model):
    """What a rate pays from one date to another. A live-in band is a weekly
    care payment, rent and household contribution; a nightly or sessional
    rate is one amount (a session may add an uplift for each extra person)."""

    rate = models.ForeignKey(PaymentRate, on_delete=models.CASCADE, related_name="amounts")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Blank while it is still in force.")
    care_payment = models.DecimalField(
        "care payment, £ a week", max_digits=8, decimal_places=2, null=True, blank=True
    )
    rent = models.DecimalField("rent, £ a week", max_digits=8, decimal_places=2, null=True, blank=True)
    household_contribution = models.DecimalField(
        "household contribution, £ a week", max_digits=8, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(
        "amount, £ a night or session", max_digits=8, decimal_places=2, null=True, blank=True
    )
    session_hours = models.DecimalField(
        "hours in a session", max_digits=4, decimal_places=2, null=True, blank=True
    )
    extra_person_uplift = models.DecimalField(
        "uplift for each extra person, £", max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="rate_amount_ends_after_it_starts",
                violation_error_message="The end date must be on or after the start date.",
            ),
            # A weekly band has its three parts; a nightly or sessional rate its amount.
            models.CheckConstraint(
                condition=models.Q(amount__isnull=False)
                | models.Q(
                    care_payment__isnull=False, rent__isnull=False, household_contribution__isnull=False
                ),
                name="rate_amount_has_amounts",
                violation_error_message="Give the amount, or for a weekly band its three parts.",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="rate_amount_not_negative",
            ),
            # One amount in force on any day: a rate change ends the old
            # amount and starts a new one, so past payments keep their rate.
            ExclusionConstraint(
                name="rate_amount_periods_do_not_overlap",
                expressions=[
                    (Range("rate", "rate", function="int8range"), RangeOperators.OVERLAPS),
                    (
                        Range(
                            "effective_from",
                            "effective_to",
                            function="daterange",
                            bounds="[]",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message="This rate already has an amount for some of these dates.",
            ),
        ]

    def __str__(self):
        return f"{self.rate} from {self.effective_from:%-d %b %Y}"

    @property
    def weekly_total(self):
        parts = (self.care_payment, self.rent, self.household_contribution)
        return sum(parts) if all(part is not None for part in parts) else None
