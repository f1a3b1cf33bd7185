"""The History tab of an arrangement."""

from django.urls import reverse

from tests.factories import ArrangementFactory
from tests.sharedlives.pages import history_entries


def test_ending_an_arrangement_shows_who_ended_it_when_and_why(client, coordinator, arrangement):
    client.force_login(coordinator)
    url = reverse("arrangement_end", args=[arrangement.pk])
    ended = {"end_date": "2025-05-30", "reason": "hospital", "note": ""}
    assert client.post(url, ended).status_code == 302

    newest = history_entries(client.get(reverse("arrangement_history", args=[arrangement.pk])))[0]

    assert newest["title"] == "Arrangement changed"
    assert newest["byline"].endswith(f"by {coordinator.display_name}")
    assert sorted(newest["changes"]) == [
        ("End date", "—", "30 May 2025"),
        ("End reason", "—", "Hospital admission"),
        ("Status", "Current", "Ended"),
    ]


def test_the_carer_cannot_open_the_history_of_their_arrangement(client, carer, arrangement):
    client.force_login(carer)

    assert client.get(reverse("arrangement_history", args=[arrangement.pk])).status_code == 403


def test_the_history_of_another_schemes_arrangement_cannot_be_found(client, coordinator, other_scheme):
    theirs = ArrangementFactory(scheme=other_scheme)
    client.force_login(coordinator)

    assert client.get(reverse("arrangement_history", args=[theirs.pk])).status_code == 404
