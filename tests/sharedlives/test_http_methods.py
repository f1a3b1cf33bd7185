"""Each page answers only the methods it is for: reading pages take GET and
HEAD, forms also take POST. Anything else is a 405 that names what is allowed,
whoever asks and whatever the record."""

import pytest
from django.urls import reverse

READ_ONLY_PAGES = [
    ("dashboard", None),
    ("my_work", None),
    ("carer_list", None),
    ("carer_detail", "carer"),
    ("carer_history", "carer"),
    ("person_list", None),
    ("person_detail", "person"),
    ("person_history", "person"),
    ("arrangement_list", None),
    ("arrangement_detail", "arrangement"),
    ("arrangement_history", "arrangement"),
    ("arrangement_rates", None),
    ("carer_availability", "carer"),
]
FORM_PAGES = [
    ("choose_scheme", None),
    ("carer_create", None),
    ("carer_edit", "carer"),
    ("carer_household", "carer"),
    ("person_create", None),
    ("person_edit", "person"),
    ("person_contacts", "person"),
    ("arrangement_create", None),
    ("arrangement_edit", "arrangement"),
    ("arrangement_start", "arrangement"),
    ("arrangement_end", "arrangement"),
]


@pytest.fixture
def records(arrangement):
    return {"carer": arrangement.carer, "person": arrangement.person, "arrangement": arrangement}


def _url(name, record, records):
    return reverse(name, args=[records[record].pk]) if record else reverse(name)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize(("name", "record"), READ_ONLY_PAGES)
def test_a_reading_page_refuses_a_change(client, coordinator, records, method, name, record):
    client.force_login(coordinator)

    response = getattr(client, method)(_url(name, record, records))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(("name", "record"), FORM_PAGES)
def test_a_form_page_takes_only_get_and_post(client, coordinator, records, method, name, record):
    client.force_login(coordinator)

    response = getattr(client, method)(_url(name, record, records))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"


def test_the_health_check_answers_only_get(client, db):
    assert client.get("/healthz").content == b"ok"
    assert client.post("/healthz").status_code == 405
