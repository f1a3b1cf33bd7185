"""Writing a person's one-page profile with them, and changing it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from people.forms import OnePageProfileForm, printed_lines
from people.models import OnePageProfile
from sharedlives.forms import STALE_MESSAGE
from tests.factories import ArrangementFactory, OnePageProfileFactory, PersonFactory
from tests.sharedlives.pages import Page, form_data, text

NOW = dt.datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Europe/London"))
WORDS = {
    "like_and_admire": "I am kind and I make people laugh.\nI always remember birthdays.",
    "important_to_me": "Seeing my sister Beth on Sundays. Leeds United on the radio.",
    "how_to_support_me": "Give me time to answer. Tell me in the morning what is happening today.",
    "written_with": "Beth, my sister, and Ann from the scheme",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme, carer_household):
    """Danny, who lives with ``carer_household``."""
    person = PersonFactory(scheme=scheme, first_name="Daniel", preferred_name="Danny", last_name="Reid")
    ArrangementFactory(scheme=scheme, carer=carer_household, person=person)
    return person


@pytest.fixture
def url(person):
    return reverse("person_profile_edit", args=[person.pk])


def _opened(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.context["form"])


def test_a_coordinator_writes_a_first_profile_with_the_person(client, coordinator, person, url):
    client.force_login(coordinator)
    opened = _opened(client, url)
    assert opened["written_on"] == "2026-11-22"  # today, to start with

    response = client.post(url, {**opened, **WORDS}, follow=True)

    profile = OnePageProfile.objects.get(person=person)
    assert profile.important_to_me == WORDS["important_to_me"]
    assert (profile.written_on, profile.version) == (dt.date(2026, 11, 22), 1)
    assert response.redirect_chain == [(reverse("person_profile", args=[person.pk]), 302)]
    page = Page(response)
    assert "Done: Danny Reid's one-page profile has been saved." in page.messages
    assert (
        "What people like and admire about me I am kind and I make people laugh. "
        "I always remember birthdays. What is important to me Seeing my sister Beth on Sundays."
    ) in page.main_text
    assert "Written with Beth, my sister, and Ann from the scheme on 22 Nov 2026." in page.main_text


def test_a_coordinator_changes_the_profile(client, manager, person, url):
    OnePageProfileFactory(person=person)
    client.force_login(manager)

    response = client.post(url, {**_opened(client, url), "important_to_me": "My cat, Pepper."})

    assert response.status_code == 302
    profile = OnePageProfile.objects.get(person=person)
    assert profile.important_to_me == "My cat, Pepper."
    assert profile.version == 2
    assert profile.written_on == dt.date(2026, 10, 1)  # the date it was written is theirs to change


def test_a_second_save_from_an_older_page_is_refused_and_keeps_what_was_typed(
    client, coordinator, manager, person, url
):
    OnePageProfileFactory(person=person, how_to_support_me="Speak slowly.")
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)

    client.post(url, {**first, "how_to_support_me": "Speak slowly and wait for me."})
    response = other.post(url, {**second, "how_to_support_me": "Show me pictures."})

    page = Page(response)
    assert response.status_code == 200
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("how_to_support_me") == "Show me pictures."
    profile = OnePageProfile.objects.get(person=person)
    assert profile.how_to_support_me == "Speak slowly and wait for me."
    # Saving again from the same page is refused too, until they have looked.
    assert other.post(url, {**second, "how_to_support_me": "Show me pictures."}).status_code == 200


def test_two_staff_writing_the_first_profile_at_once_do_not_overwrite_each_other(
    client, coordinator, manager, person, url
):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)

    assert client.post(url, {**first, **WORDS}).status_code == 302
    response = other.post(url, {**second, **WORDS, "important_to_me": "Swimming on Fridays."})

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("important_to_me") == "Swimming on Fridays."
    assert OnePageProfile.objects.get(person=person).important_to_me == WORDS["important_to_me"]


def test_a_first_profile_saved_by_someone_else_while_the_form_is_checked_is_not_overwritten(person):
    form = OnePageProfileForm({**WORDS, "written_on": "2026-11-22"}, instance=OnePageProfile(person=person))
    assert form.is_valid()
    OnePageProfileFactory(person=person, important_to_me="Swimming on Fridays.")

    assert form.save_versioned() is False

    assert form.non_field_errors() == [STALE_MESSAGE]
    assert OnePageProfile.objects.get(person=person).important_to_me == "Swimming on Fridays."


def test_a_part_too_long_for_one_printed_page_is_refused_next_to_it(client, coordinator, person, url):
    client.force_login(coordinator)
    eleven_lines = "\n".join(f"I like {n} things." for n in range(11))

    response = client.post(url, {**_opened(client, url), **WORDS, "important_to_me": eleven_lines})

    page = Page(response)
    assert page.error_for("important_to_me") == (
        "This would take about 11 lines on the printed page, and each part has room for 10: "
        "shorten it so that the profile fits on one sheet of A4."
    )
    assert page.value_of("important_to_me") == " ".join(eleven_lines.split())  # as the page reads
    assert not OnePageProfile.objects.exists()


def test_printed_lines_counts_each_line_typed_and_the_wrapping_of_long_ones():
    assert printed_lines("Tea.\n\nBiscuits.") == 3
    assert printed_lines("x" * 80) == 1
    assert printed_lines("x" * 81) == 2


@pytest.mark.parametrize(
    ("written_on", "error"),
    [("2026-11-23", "This date is in the future."), ("1999-05-01", "Check the date: it is before 2000.")],
)
def test_an_unlikely_date_is_refused_next_to_the_field(client, coordinator, person, url, written_on, error):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), **WORDS, "written_on": written_on})

    assert Page(response).error_for("written_on") == error
    assert not OnePageProfile.objects.exists()


def test_a_first_profile_needs_some_words(client, coordinator, person, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "written_with": "Beth"})

    assert "Write at least one of the three parts with them." in Page(response).main_text
    assert not OnePageProfile.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_carer_the_person_lives_with_cannot_change_it(client, carer, person, url, method):
    OnePageProfileFactory(person=person, important_to_me="My own room.")
    client.force_login(carer)

    response = getattr(client, method)(url, {**WORDS, "version": "1"} if method == "post" else None)

    assert response.status_code == 403
    assert "You cannot do that" in text(response)
    assert OnePageProfile.objects.get(person=person).important_to_me == "My own room."


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, person, url, method):
    client.force_login(other_coordinator)

    response = getattr(client, method)(url, WORDS if method == "post" else None)

    assert response.status_code == 404
    assert not OnePageProfile.objects.exists()


def test_a_carer_the_person_does_not_live_with_cannot_find_it(client, other_carer, person, url):
    client.force_login(other_carer)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_form_takes_only_get_and_post(client, coordinator, url, method):
    client.force_login(coordinator)

    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
