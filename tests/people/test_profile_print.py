"""The one-page profile's page to print: the person's own copy, on one sheet
of A4, that the carers they live with or visit may print too."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.factories import ArrangementFactory, OnePageProfileFactory, PersonFactory
from tests.sharedlives.pages import Page, text

NOW = dt.datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme, carer_household):
    """Danny, who lives with ``carer_household``, and his profile."""
    person = PersonFactory(scheme=scheme, first_name="Daniel", preferred_name="Danny", last_name="Reid")
    ArrangementFactory(scheme=scheme, carer=carer_household, person=person)
    OnePageProfileFactory(
        person=person,
        like_and_admire="I make people laugh.",
        important_to_me="Seeing my sister Beth on Sundays.\nMy own room.",
        how_to_support_me="Give me time to answer.",
        written_with="my sister Beth",
        written_on=dt.date(2026, 11, 2),
    )
    return person


@pytest.fixture
def url(person):
    return reverse("person_profile_print", args=[person.pk])


def test_the_page_to_print_has_the_persons_words_under_their_name(client, coordinator, url):
    client.force_login(coordinator)

    response = client.get(url)

    assert response.status_code == 200
    page = Page(response)
    headings = [e.text for e in page.find("main").iter() if e.tag == "h1"]
    assert headings == ["Danny"]
    assert page.find("article").text == (
        "Danny My name is Daniel Reid. I like to be called Danny. "
        "What people like and admire about me I make people laugh. "
        "What is important to me Seeing my sister Beth on Sundays. My own room. "
        "How best to support me Give me time to answer. "
        "Written with my sister Beth on 2 Nov 2026."
    )
    assert page.find("br") is not None  # each line as the person wrote it


def test_the_page_prints_alone_and_carries_no_inline_script_or_style(client, coordinator, url):
    client.force_login(coordinator)

    response = client.get(url)

    page = Page(response)
    # The print stylesheet hides all but the profile and puts it on its own A4 page.
    assert page.find("body", **{"class": "profile-sheet"}) is not None
    assert "use your browser's Print" in page.main_text
    # The Print button is hidden until its script (a static file) shows it.
    [button] = [e for e in page.root.iter() if "data-print-button" in e.attrs]
    assert button.text == "Print" and "hidden" in button.attrs
    assert "no-print" in button.parent.attrs["class"]
    scripts = [e for e in page.root.iter() if e.tag == "script"]
    assert scripts and all(e.attrs.get("src") for e in scripts)
    assert any(e.attrs["src"].endswith("/js/print.js") for e in scripts)
    assert not [e for e in page.root.iter() if e.tag == "style" or "style" in e.attrs]
    stylesheet = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    assert "size: A4;" in stylesheet


def test_a_person_without_a_profile_gets_a_page_that_says_so(client, coordinator, scheme):
    someone = PersonFactory(scheme=scheme, first_name="Ruth", last_name="Gale")
    client.force_login(coordinator)

    response = client.get(reverse("person_profile_print", args=[someone.pk]))

    assert response.status_code == 200
    assert "Nobody has written a one-page profile with Ruth yet." in text(response)


def test_the_carer_the_person_lives_with_may_print_it(client, carer, url):
    client.force_login(carer)

    response = client.get(url)

    assert response.status_code == 200
    assert "Seeing my sister Beth on Sundays." in text(response)
    assert "Edit" not in text(response)


def test_another_carer_cannot_find_it(client, other_carer, url):
    client.force_login(other_carer)

    response = client.get(url)

    assert response.status_code == 404
    assert "Beth" not in response.content.decode()


def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, url):
    client.force_login(other_coordinator)

    assert client.get(url).status_code == 404


def test_the_page_takes_no_post(client, coordinator, url):
    client.force_login(coordinator)

    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
