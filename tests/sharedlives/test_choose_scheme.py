"""Someone who works in two schemes picks one, then sees only its records."""

import pytest
from django.urls import reverse

from sharedlives.models import Membership, Role
from tests.factories import CarerFactory, MembershipFactory, SchemeFactory, UserFactory
from tests.sharedlives.pages import Page, text

CHOOSE = reverse("choose_scheme")


@pytest.fixture
def two_scheme_user(scheme, other_scheme):
    """A coordinator in Leeds who is also the manager in York."""
    user = UserFactory(username="both")
    MembershipFactory(user=user, scheme=scheme, role=Role.COORDINATOR)
    MembershipFactory(user=user, scheme=other_scheme, role=Role.MANAGER)
    return user


@pytest.fixture
def carers(scheme, other_scheme):
    return {
        "leeds": CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel"),
        "york": CarerFactory(scheme=other_scheme, first_name="Ian", last_name="Moss"),
    }


def _carers_listed(client) -> list[str]:
    body = Page(client.get(reverse("carer_list"))).find("tbody")
    return [row.first("a").text for row in body.iter() if row.tag == "tr"]


@pytest.mark.parametrize(
    ("path", "next_param"),
    [
        ("/", "%2F"),
        ("/carers/", "%2Fcarers%2F"),
        ("/people/?q=lee&page=2", "%2Fpeople%2F%3Fq%3Dlee%26page%3D2"),
    ],
)
def test_someone_in_two_schemes_is_asked_which_first(client, two_scheme_user, path, next_param):
    client.force_login(two_scheme_user)

    response = client.get(path)

    # The page they asked for, filters and all, comes back after choosing.
    assert response.status_code == 302
    assert response.url == f"{CHOOSE}?next={next_param}"


def test_the_choice_offers_their_schemes_and_roles(client, two_scheme_user, scheme):
    SchemeFactory(name="Hull Shared Lives")
    client.force_login(two_scheme_user)

    page = text(client.get(CHOOSE))

    assert "Leeds Shared Lives (Coordinator)" in page
    assert "York Shared Lives (Registered manager)" in page
    assert "Hull" not in page


def test_after_choosing_they_see_only_that_schemes_records(client, two_scheme_user, other_scheme, carers):
    client.force_login(two_scheme_user)

    response = client.post(CHOOSE, {"scheme": other_scheme.pk, "next": "/carers/"}, follow=True)

    assert response.redirect_chain == [("/carers/", 302)]
    assert "Done: You are now working in York Shared Lives." in Page(response).messages
    assert _carers_listed(client) == ["Ian Moss"]
    assert client.get(reverse("carer_detail", args=[carers["leeds"].pk])).status_code == 404


def test_changing_scheme_changes_what_they_see(client, two_scheme_user, scheme, other_scheme, carers):
    client.force_login(two_scheme_user)
    client.post(CHOOSE, {"scheme": other_scheme.pk})

    client.post(CHOOSE, {"scheme": scheme.pk})

    assert _carers_listed(client) == ["Asha Patel"]
    assert client.get(reverse("carer_detail", args=[carers["york"].pk])).status_code == 404


def test_after_choosing_the_menu_offers_to_change_scheme(client, two_scheme_user, scheme):
    client.force_login(two_scheme_user)
    client.post(CHOOSE, {"scheme": scheme.pk})

    nav = Page(client.get("/")).find("nav", **{"aria-label": "Main"})

    assert "Change scheme" in nav.text


@pytest.mark.parametrize("chosen", ["other", "", "not-a-number"])
def test_a_scheme_they_do_not_belong_to_is_refused(client, two_scheme_user, carers, chosen):
    elsewhere = SchemeFactory(name="Hull Shared Lives")
    CarerFactory(scheme=elsewhere, first_name="Hidden", last_name="Hull")
    client.force_login(two_scheme_user)

    response = client.post(
        CHOOSE, {"scheme": elsewhere.pk if chosen == "other" else chosen, "next": "/carers/"}
    )

    assert response.status_code == 200
    assert "Problem: Choose one of your schemes." in Page(response).messages
    assert client.get("/carers/").url == f"{CHOOSE}?next=%2Fcarers%2F"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/carers/", "http://testserver.evil/"]
)
def test_a_next_address_on_another_host_is_not_followed(client, two_scheme_user, scheme, next_url):
    client.force_login(two_scheme_user)

    response = client.post(CHOOSE, {"scheme": scheme.pk, "next": next_url})

    assert response.status_code == 302
    assert response.url == "/"


def test_a_next_address_on_this_site_is_followed(client, two_scheme_user, scheme):
    client.force_login(two_scheme_user)

    response = client.post(CHOOSE, {"scheme": scheme.pk, "next": "/people/?q=lee"})

    assert response.url == "/people/?q=lee"


def test_someone_in_one_scheme_goes_straight_to_their_dashboard(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/")

    assert response.status_code == 200
    assert "You are working in Leeds Shared Lives as coordinator." in text(response)


def test_losing_the_chosen_schemes_membership_asks_again(
    client, two_scheme_user, scheme, other_scheme, carers
):
    client.force_login(two_scheme_user)
    client.post(CHOOSE, {"scheme": other_scheme.pk})
    Membership.objects.filter(user=two_scheme_user, scheme=other_scheme).delete()

    # With one membership left, that one is used; York's records are gone.
    assert _carers_listed(client) == ["Asha Patel"]
    assert client.get(reverse("carer_detail", args=[carers["york"].pk])).status_code == 404
