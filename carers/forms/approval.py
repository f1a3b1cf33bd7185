"""Forms for the steps of a carer's approval: a check, the assessment, the
decision and its terms, a change of terms and the annual review.

The forms check what a user can put right on the page; the workflow's guards
(who may decide, what stage the household is at) stay in carers.services."""

import datetime
import hashlib

from django import forms
from django.db import transaction
from django.utils import timezone

from carers.checklist import CheckRule
from carers.models import Assessment, Carer, Check, CheckKind, CheckSubject, DecisionOutcome
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.dates import add_months
from sharedlives.forms import STALE_MESSAGE, DateInput, Form, ModelForm, StaffChoiceField
from sharedlives.shortcuts import scheme_staff

MOST_PEOPLE = 3


def _day(value: datetime.date) -> str:
    return f"{value:%-d %b %Y}"


def _refuse_future(form, names_and_messages) -> None:
    today = timezone.localdate()
    for name, message in names_and_messages:
        value = form.cleaned_data.get(name)
        if value and value > today:
            form.add_error(name, message)


CHECK_FIELDS = [
    "kind",
    "subject",
    "household_member",
    "status",
    "details",
    "requested_on",
    "received_on",
    "issued_on",
    "expires_on",
    "notes",
    "risk_assessment",
]


def fingerprint(check: Check) -> str:
    """What a check looked like when a form opened it: when it was last saved
    and what it said. Checks have no version number; this serves instead, and
    still tells two saves apart if they fall in the same microsecond."""
    values = [check.recorded_at.isoformat()]
    values += [repr(getattr(check, Check._meta.get_field(name).attname)) for name in CHECK_FIELDS]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()


class CheckForm(ModelForm):
    """One check or training record. On an edit it carries a fingerprint of
    the record as opened, so a second person's save from an older page is
    refused rather than silently overwriting the first."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Check
        fields = CHECK_FIELDS
        labels = {"kind": "Kind of check", "household_member": "Household member"}
        widgets = {
            "requested_on": DateInput(),
            "received_on": DateInput(),
            "issued_on": DateInput(),
            "expires_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "risk_assessment": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, carer: Carer, rules: dict[str, CheckRule], **kwargs):
        super().__init__(*args, **kwargs)
        self.carer = carer
        self.rules = rules
        self.expiry_filled_from: int | None = None  # months, when the form set the expiry date
        self.sign_off_cleared = False
        member = self.fields["household_member"]
        member.queryset = carer.household_members.all()
        member.empty_label = "Not a household member"
        member.help_text = "Only when the check is for someone else who lives in the home."
        self.fields["expires_on"].help_text = self._expiry_help()
        if self.instance.pk:
            self.fields["opened"].initial = fingerprint(self.instance)

    def _expiry_help(self) -> str:
        kind = self.initial.get("kind") or self.instance.kind
        if not kind and self.is_bound:
            kind = self.data.get(self.add_prefix("kind"))
        rule = self.rules.get(kind)
        if rule and rule.renewal_months:
            return (
                f"Leave blank and it is set to {rule.renewal_months} months after the date it was "
                "issued: the scheme's renewal period for this kind of check."
            )
        return (
            "Leave blank for a check that does not lapse. For one that does (a DBS check, insurance, "
            "training refreshers), leaving it blank sets it from the date issued by the scheme's "
            "renewal period."
        )

    def clean(self):
        cleaned = super().clean()
        _refuse_future(
            self,
            [
                ("requested_on", "The date it was requested cannot be in the future."),
                ("received_on", "The date it was received cannot be in the future."),
                ("issued_on", "The date it was issued or completed cannot be in the future."),
            ],
        )
        requested, received = cleaned.get("requested_on"), cleaned.get("received_on")
        if requested and received and received < requested and "received_on" not in self.errors:
            self.add_error(
                "received_on", f"It cannot have been received before it was requested ({_day(requested)})."
            )
        self._fill_expiry(cleaned)
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", "The expiry date must be after the date it was issued.")
        self._clean_subject(cleaned)
        return cleaned

    def _fill_expiry(self, cleaned) -> None:
        rule = self.rules.get(cleaned.get("kind"))
        issued = cleaned.get("issued_on")
        blank = not cleaned.get("expires_on") and "expires_on" not in self.errors
        if rule and rule.renewal_months and issued and blank and "issued_on" not in self.errors:
            cleaned["expires_on"] = add_months(issued, rule.renewal_months)
            self.expiry_filled_from = rule.renewal_months

    def _clean_subject(self, cleaned) -> None:
        subject, member = cleaned.get("subject"), cleaned.get("household_member")
        if subject == CheckSubject.MEMBER and member is None and "household_member" not in self.errors:
            self.add_error("household_member", "Choose which household member the check is for.")
        if subject and subject != CheckSubject.MEMBER and member is not None:
            self.add_error(
                "household_member",
                "Leave this as “Not a household member”, or choose “Household member” as who it is for.",
            )
        if cleaned.get("kind") == CheckKind.DBS and subject == CheckSubject.HOUSEHOLD:
            self.add_error("subject", "A DBS check is always of a person: choose who it is for.")
        if subject == CheckSubject.JOINT_CARER and not self.carer.joint_first_name:
            self.add_error("subject", "This household has no joint carer.")

    def save_checked(self, *, recorded_by) -> bool:
        """Save, unless someone else saved this check after the form was
        opened (then add an error and save nothing). A change of status or of
        the risk assessment of a signed-off check clears the sign-off: the
        manager accepted what was there before. Returns whether it saved."""
        check = self.instance
        with transaction.atomic():
            if check.pk:
                locked = Check.objects.select_for_update().get(pk=check.pk)
                if self.cleaned_data.get("opened") != fingerprint(locked):
                    self.add_error(None, STALE_MESSAGE)
                    return False
                # The sign-off as it is now, not as this page found it.
                check.signed_off_by_id, check.signed_off_at = locked.signed_off_by_id, locked.signed_off_at
                changed = (locked.status, locked.risk_assessment) != (check.status, check.risk_assessment)
                if check.signed_off_by_id and changed:
                    check.signed_off_by, check.signed_off_at = None, None
                    self.sign_off_cleared = True
            check.carer = self.carer
            check.recorded_by = recorded_by
            check.save()
        return True


class AssessmentForm(ModelForm):
    class Meta:
        model = Assessment
        field_classes = {"assessor": StaffChoiceField}
        fields = [
            "assessor",
            "home_visits",
            "report_summary",
            "report_written_on",
            "shared_with_applicant_on",
            "applicant_comments",
            "applicant_declined_to_comment",
        ]
        widgets = {
            "report_written_on": DateInput(),
            "shared_with_applicant_on": DateInput(),
            "report_summary": forms.Textarea(attrs={"rows": 6}),
            "applicant_comments": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "home_visits": "Usually 6 to 10 over the assessment.",
            "applicant_comments": "In their words.",
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = scheme_staff(scheme)
        self.fields["assessor"].empty_label = "Not chosen yet"

    def clean(self):
        cleaned = super().clean()
        _refuse_future(
            self,
            [
                ("report_written_on", "The report cannot have been written on a day in the future."),
                ("shared_with_applicant_on", "The report cannot have been shared on a day in the future."),
            ],
        )
        written, shared = cleaned.get("report_written_on"), cleaned.get("shared_with_applicant_on")
        if (
            shared
            and "shared_with_applicant_on" not in self.errors
            and "report_written_on" not in self.errors
        ):
            if not written:
                self.add_error(
                    "report_written_on", "Enter the date the report was written: it has been shared."
                )
            elif shared < written:
                self.add_error(
                    "shared_with_applicant_on",
                    f"The report can only be shared on or after the day it was written ({_day(written)}).",
                )
        if cleaned.get("applicant_declined_to_comment") and (cleaned.get("applicant_comments") or "").strip():
            self.add_error(
                "applicant_declined_to_comment",
                "Record the applicant's comments, or that they chose not to comment, not both.",
            )
        return cleaned


class TermsForm(Form):
    """The terms of approval: what a household is approved for."""

    kinds = forms.MultipleChoiceField(
        label="Kinds of arrangement",
        choices=ArrangementKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    max_people = forms.IntegerField(
        label="Most people at a time",
        help_text="Live-in and short-break people together: 1, 2 or 3.",
        widget=forms.NumberInput(attrs={"min": 1, "max": MOST_PEOPLE, "inputmode": "numeric"}),
    )
    needs_groups = forms.MultipleChoiceField(
        label="Needs they are approved to support",
        choices=NeedsGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    probation_ends_on = forms.DateField(
        label="Probation ends on",
        required=False,
        widget=DateInput(),
        help_text="For a probationary first year; leave blank if there is none.",
    )

    def clean_max_people(self):
        people = self.cleaned_data.get("max_people")
        if people is not None and people > MOST_PEOPLE:
            raise forms.ValidationError(
                "More than three people is refused: a Shared Lives carer supports at most three "
                "people at a time."
            )
        if people is not None and people < 1:
            raise forms.ValidationError("Enter 1, 2 or 3.")
        return people

    def clean(self):
        cleaned = super().clean()
        starts, probation = cleaned.get("decided_on"), cleaned.get("probation_ends_on")
        if starts and probation and probation <= starts:
            self.add_error("probation_ends_on", "The probation must end after the terms start.")
        return cleaned

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "kinds": data["kinds"],
            "max_people": data["max_people"],
            "needs_groups": data["needs_groups"],
            "conditions": data["conditions"].strip(),
            "probation_ends_on": data["probation_ends_on"],
        }


class DecisionForm(TermsForm):
    """The decision-maker's decision after panel; the terms are needed only
    when approving."""

    outcome = forms.ChoiceField(label="Decision", choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="These go to the applicant in writing.",
    )
    decided_on = forms.DateField(label="Decided on", widget=DateInput())

    field_order = ["outcome", "reasons", "decided_on"]

    TERMS_NEEDED = {
        "kinds": "Choose at least one kind of arrangement they are approved for.",
        "max_people": "Enter how many people they are approved for: 1, 2 or 3.",
        "needs_groups": "Choose at least one need they are approved to support.",
    }

    def __init__(self, *args, panel_date: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.panel_date = panel_date
        for name in self.TERMS_NEEDED:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        _refuse_future(self, [("decided_on", "The decision cannot be dated in the future.")])
        decided = cleaned.get("decided_on")
        if decided and self.panel_date and decided < self.panel_date:
            self.add_error(
                "decided_on", f"The decision cannot come before the panel met ({_day(self.panel_date)})."
            )
        if cleaned.get("outcome") == DecisionOutcome.APPROVE:
            for name, message in self.TERMS_NEEDED.items():
                if cleaned.get(name) in (None, [], "") and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class TermsChangeForm(TermsForm):
    """New terms for an approved household, replacing the ones in force."""

    reasons = forms.CharField(label="Why the terms are changing", widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(
        label="New terms start on", widget=DateInput(), help_text="The date of the decision."
    )

    field_order = ["reasons", "decided_on"]

    def __init__(self, *args, current_start: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_start = current_start

    def clean(self):
        cleaned = super().clean()
        _refuse_future(self, [("decided_on", "The decision cannot be dated in the future.")])
        decided = cleaned.get("decided_on")
        if (
            decided
            and self.current_start
            and decided <= self.current_start
            and "decided_on" not in self.errors
        ):
            self.add_error(
                "decided_on",
                f"The new terms must start after the current ones did ({_day(self.current_start)}).",
            )
        return cleaned


class CarerReviewForm(Form):
    """The annual review of a carer's approval."""

    held_on = forms.DateField(label="Held on", widget=DateInput())
    findings = forms.CharField(label="The coordinator's findings", widget=forms.Textarea(attrs={"rows": 5}))
    carer_views = forms.CharField(
        label="The carer's views",
        help_text="In their words.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Record the carer's views, in their words."},
    )
    home_safety_checked = forms.BooleanField(
        label="The yearly health and safety check of the home was done", required=False
    )
    terms_change = forms.CharField(
        label="Change of terms asked for",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A change of terms goes to the registered manager to decide. Leave blank if none.",
    )
    next_due_on = forms.DateField(
        label="Next review due on",
        required=False,
        widget=DateInput(),
        help_text="Leave blank for a year after this review.",
    )

    def clean(self):
        cleaned = super().clean()
        _refuse_future(
            self, [("held_on", "A review is recorded once it has been held: this date is in the future.")]
        )
        held, due = cleaned.get("held_on"), cleaned.get("next_due_on")
        if held and due and due <= held:
            self.add_error("next_due_on", "The next review must be after this one.")
        return cleaned
