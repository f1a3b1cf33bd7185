"""Two staff editing the same record: the second save is refused, and the
refusal shows what the first changed (each field: as it was opened, their
value, what this user entered), who saved it and when, with what this user
typed kept in the form."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from carers.models import CarerStatus
from carers.services import move_carer
from people.forms import OnePageProfileForm
from people.models import OnePageProfile
from sharedlives.forms import STALE_MESSAGE
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    FeedbackFactory,
    IncidentFactory,
    MonitoringVisitFactory,
    OnePageProfileFactory,
    PersonFactory,
    ReferralFactory,
)
from tests.sharedlives.pages import Page, form_data

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, 15, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def two_staff(coordinator, manager):
    """The coordinator and the registered manager, each signed in in a browser of their own."""
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(manager)
    return first, second


def _opened(client, url) -> dict:
    """What the edit page sends back if its user changes nothing."""
    context = client.get(url).context
    return form_data(context["form"], *context.get("formsets", []))


def _conflict_rows(page) -> list[tuple[str, ...]]:
    """The refusal's table, as (field, when you opened it, their change, what you entered)."""
    return [
        tuple(cell.text for cell in row.children if not isinstance(cell, str))
        for row in page.root.iter()
        if row.attrs.get("class") == "conflict-change"
    ]


def _carer(scheme):
    return reverse("carer_edit", args=[CarerFactory(scheme=scheme, town="Leeds").pk])


def _person(scheme):
    return reverse("person_edit", args=[PersonFactory(scheme=scheme, faith="Anglican").pk])


def _arrangement(scheme):
    return reverse("arrangement_edit", args=[ArrangementFactory(scheme=scheme, notes="Settling in").pk])


def _referral(scheme):
    referral = ReferralFactory(scheme=scheme, risks="None known.", agreed_amount=None)
    return reverse("referral_edit", args=[referral.pk])


def _profile(scheme):
    profile = OnePageProfileFactory(person__scheme=scheme, how_to_support_me="Speak slowly.")
    return reverse("person_profile_edit", args=[profile.person.pk])


def _incident(scheme):
    return reverse("incident_edit", args=[IncidentFactory(scheme=scheme, follow_up="Call the GP").pk])


def _feedback(scheme):
    return reverse("feedback_edit", args=[FeedbackFactory(scheme=scheme, summary="Thank you.").pk])


# Every form built on VersionedModelForm: (its page, the field, its label, its value when opened).
FORMS = {
    "carer": (_carer, "town", "Town or city", "Leeds"),
    "person": (_person, "faith", "Faith or belief", "Anglican"),
    "arrangement": (_arrangement, "notes", "Staff notes", "Settling in"),
    "referral": (_referral, "risks", "Risks", "None known."),
    "profile": (_profile, "how_to_support_me", "How best to support me", "Speak slowly."),
    "incident": (_incident, "follow_up", "Follow-up", "Call the GP"),
    "feedback": (_feedback, "summary", "What they said", "Thank you."),
}


@pytest.mark.parametrize("record", FORMS)
def test_the_second_save_is_refused_showing_what_the_first_changed(scheme, two_staff, manager, record):
    page_of, field, label, was = FORMS[record]
    url = page_of(scheme)
    coordinator_browser, manager_browser = two_staff
    first, second = _opened(coordinator_browser, url), _opened(manager_browser, url)
    assert manager_browser.post(url, {**first, field: "Theirs"}).status_code == 302

    response = coordinator_browser.post(url, {**second, field: "Mine"})

    page = Page(response)
    assert response.status_code == 200
    assert STALE_MESSAGE in page.main_text
    assert f"{manager.display_name} saved a change at 10:15 on 20 Nov 2026." in page.main_text
    assert _conflict_rows(page) == [(label, was, "Theirs", "Mine (you changed it too)")]
    assert page.value_of(field) == "Mine"  # what they typed is kept
    assert Page(coordinator_browser.get(url)).value_of(field) == "Theirs"  # and nothing of it saved


def test_a_field_only_they_changed_is_shown_as_you_opened_it(client, coordinator, manager, scheme):
    url = _carer(scheme)
    coordinator_browser, manager_browser = Client(), Client()
    coordinator_browser.force_login(coordinator)
    manager_browser.force_login(manager)
    first, second = _opened(coordinator_browser, url), _opened(manager_browser, url)
    manager_browser.post(url, {**first, "town": "Bradford", "phone": "0113 496 0123"})

    response = coordinator_browser.post(url, {**second, "phone": "0113 496 0123", "faith": "Sikh"})

    page = Page(response)
    assert _conflict_rows(page) == [
        ("Phone", "0113 496 0000", "0113 496 0123", "0113 496 0123 (the same as theirs)"),
        ("Town or city", "Leeds", "Bradford", "Leeds (as you opened it)"),
    ]
    assert page.value_of("faith") == "Sikh"


def test_a_change_made_by_another_step_is_shown_as_not_on_this_form(two_staff, manager, scheme):
    household = CarerFactory(scheme=scheme, status=CarerStatus.ENQUIRY)
    url = reverse("carer_edit", args=[household.pk])
    coordinator_browser, _ = two_staff
    opened = _opened(coordinator_browser, url)
    move_carer(
        carer=household, to=CarerStatus.INITIAL_VISIT, membership=manager.memberships.get(), reason="Booked."
    )

    response = coordinator_browser.post(url, {**opened, "town": "Otley"})

    page = Page(response)
    assert ("Status", "Enquiry", "Initial visit", "(not on this form)") in _conflict_rows(page)
    assert page.value_of("town") == "Otley"


def test_sending_the_refused_form_again_is_refused_again(two_staff, scheme):
    url = _person(scheme)
    coordinator_browser, manager_browser = two_staff
    first, second = _opened(coordinator_browser, url), _opened(manager_browser, url)
    manager_browser.post(url, {**first, "faith": "Catholic"})
    coordinator_browser.post(url, {**second, "faith": "Methodist"})

    again = coordinator_browser.post(url, {**second, "faith": "Methodist"})

    assert _conflict_rows(Page(again)) == [
        ("Faith or belief", "Anglican", "Catholic", "Methodist (you changed it too)")
    ]
    assert Page(coordinator_browser.get(url)).value_of("faith") == "Catholic"


def test_what_they_wrote_is_shown_as_text_not_as_markup(two_staff, scheme):
    url = _arrangement(scheme)
    coordinator_browser, manager_browser = two_staff
    first, second = _opened(coordinator_browser, url), _opened(manager_browser, url)
    manager_browser.post(url, {**first, "notes": "<script>alert(1)</script>"})

    response = coordinator_browser.post(url, {**second, "notes": "<b>Mine</b>"})

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
    assert _conflict_rows(Page(response))[0][1:3] == ("Settling in", "<script>alert(1)</script>")


def test_two_first_profiles_at_once_show_the_one_written(two_staff, manager, scheme):
    person = PersonFactory(scheme=scheme)
    url = reverse("person_profile_edit", args=[person.pk])
    coordinator_browser, manager_browser = two_staff
    first, second = _opened(coordinator_browser, url), _opened(manager_browser, url)
    written = {"important_to_me": "My cat, Pepper.", "written_with": "Jo", "written_on": "2026-11-20"}
    assert manager_browser.post(url, {**first, **written}).status_code == 302

    response = coordinator_browser.post(
        url, {**second, "important_to_me": "Swimming.", "written_on": "2026-11-20"}
    )

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert ("What is important to me", "—", "My cat, Pepper.", "Swimming. (you changed it too)") in (
        _conflict_rows(page)
    )
    assert f"{manager.display_name} saved a change" in page.main_text
    assert page.value_of("important_to_me") == "Swimming."


def test_a_save_by_no_signed_in_user_is_someone_elses(scheme):
    """A change made outside a request (a management command) has nobody to name."""
    profile = OnePageProfileFactory(person__scheme=scheme, written_with="Jo")
    form = OnePageProfileForm(
        {**form_data(OnePageProfileForm(instance=profile)), "written_with": "Jo and Sam"}, instance=profile
    )
    assert form.is_valid()
    OnePageProfile.objects.filter(pk=profile.pk).update(written_with="Beth", version=2)

    assert form.save_versioned() is False

    conflict = form.edit_conflict
    assert conflict.who == "Someone else"
    assert [(c.label, c.was, c.theirs, c.yours) for c in conflict.changes] == [
        ("Written with", "Jo", "Beth", "Jo and Sam")
    ]


# --- Pages that save several records as one change (contacts, a household) --------


# Committed, as two requests are: inside one test transaction every change
# has the same time (the database's now()), so "the last change" would be a
# tie broken by the events' ids, which differ from table to table.
@pytest.mark.django_db(transaction=True)
def test_a_refused_page_of_contacts_says_who_saved_last_and_when(two_staff, manager, scheme):
    person = PersonFactory(scheme=scheme)
    url = reverse("person_contacts", args=[person.pk])
    coordinator_browser, manager_browser = two_staff

    def opened(browser):
        response = browser.get(url)
        return {**form_data(response.context["formset"]), "version": Page(response).value_of("version")}

    first, second = opened(coordinator_browser), opened(manager_browser)
    manager_browser.post(url, {**first, "contacts-0-kind": "family", "contacts-0-name": "Beth Reid"})

    mine = {"contacts-0-kind": "gp", "contacts-0-name": "Dr Shah"}
    response = coordinator_browser.post(url, {**second, **mine})

    page = Page(response)
    assert (
        f"{STALE_MESSAGE} {manager.display_name} saved the last change, at 10:15 on 20 Nov 2026; "
        "the History tab shows what it was."
    ) in page.main_text
    assert page.value_of("contacts-0-name") == "Dr Shah"


# Committed, as two requests are: inside one test transaction every change
# has the same time (the database's now()), so "the last change" would be a
# tie broken by the events' ids, which differ from table to table.
@pytest.mark.django_db(transaction=True)
def test_contacts_saved_meanwhile_refuse_the_details_without_a_field_to_show(two_staff, manager, scheme):
    person = PersonFactory(scheme=scheme)
    url, contacts = reverse("person_edit", args=[person.pk]), reverse("person_contacts", args=[person.pk])
    coordinator_browser, manager_browser = two_staff
    opened = _opened(coordinator_browser, url)
    response = manager_browser.get(contacts)
    added = {**form_data(response.context["formset"]), "version": Page(response).value_of("version")}
    manager_browser.post(contacts, {**added, "contacts-0-kind": "family", "contacts-0-name": "Beth Reid"})

    response = coordinator_browser.post(url, {**opened, "faith": "Methodist"})

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert f"{manager.display_name} saved a change at 10:15 on 20 Nov 2026." in page.main_text
    assert "None of the details on this form changed" in page.main_text
    assert _conflict_rows(page) == []


# --- A monitoring visit is recorded once ------------------------------------------


def test_a_visit_recorded_by_someone_else_meanwhile_keeps_what_you_wrote(two_staff, manager, scheme):
    arrangement = ArrangementFactory(scheme=scheme, start_date=dt.date(2026, 9, 7))
    visit = MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 11, 7))
    url = reverse("arrangement_visit_record", args=[arrangement.pk, visit.pk])
    coordinator_browser, manager_browser = two_staff
    coordinator_browser.get(url)
    theirs = {"held_on": "2026-11-18", "saw_the_person": "yes", "notes": "All well; new bedroom curtains."}
    assert manager_browser.post(url, theirs).status_code == 302

    response = coordinator_browser.post(
        url, {"held_on": "2026-11-19", "saw_the_person": "no", "notes": "Carer worried about sleep."}
    )

    page = Page(response)
    assert response.status_code == 200
    assert (
        "Not saved: This visit has already been recorded as held on 18 Nov 2026. "
        f"{manager.display_name} recorded it at 10:15 on 20 Nov 2026. What you wrote is below, to copy."
    ) in page.messages
    assert "All well; new bedroom curtains." in page.main_text
    assert page.find("dd", **{"class": "col-sm-8 unsaved-notes"}).text == "Carer worried about sleep."
    visit.refresh_from_db()
    assert (visit.held_on, visit.notes) == (dt.date(2026, 11, 18), "All well; new bedroom curtains.")
