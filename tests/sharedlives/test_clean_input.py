"""Characters nobody types are taken out of what is sent, before any view
sees it; text keeps its line breaks, tabs and right-to-left letters."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from carers.models import Carer
from sharedlives.clean_input import CleanInputMiddleware, without_unsafe_characters
from sharedlives.forms import TEXT_MAX_LENGTH
from tests.sharedlives.pages import Page, form_data


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Ann\x00 Lee", "Ann Lee"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2066isolated\u2069", "isolated"),
        ("line one\r\nline two\tand a tab", "line one\r\nline two\tand a tab"),
        ("نور احمد", "نور احمد"),
        ("Zoë Brontë – “quoted”", "Zoë Brontë – “quoted”"),
    ],
)
def test_only_characters_nobody_types_are_taken_out(sent, kept):
    assert without_unsafe_characters(sent) == kept


def test_the_query_and_the_form_a_view_sees_are_cleaned():
    seen = {}

    def view(request):
        seen.update(query=request.GET.get("q"), form=request.POST.getlist("name"))

    request = RequestFactory().post("/?q=a%00b", {"name": ["Ann\x00", "Lee\u202e"]})
    CleanInputMiddleware(view)(request)

    assert seen == {"query": "ab", "form": ["Ann", "Lee"]}


def test_a_search_with_a_nul_is_answered(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("carer_list"), {"q": "Pat\x00el"})

    assert response.status_code == 200


def test_a_name_is_saved_without_its_direction_override(client, coordinator, carer_household):
    client.force_login(coordinator)
    url = reverse("carer_edit", args=[carer_household.pk])

    client.post(url, {**_form(client, url), "first_name": "As\u202eha", "notes": "Line one\nline two"})

    carer = Carer.objects.get(pk=carer_household.pk)
    assert (carer.first_name, carer.notes) == ("Asha", "Line one\nline two")


def test_a_note_longer_than_the_limit_is_refused_with_a_message(client, coordinator, carer_household):
    client.force_login(coordinator)
    url = reverse("carer_edit", args=[carer_household.pk])

    response = client.post(url, {**_form(client, url), "notes": "x" * (TEXT_MAX_LENGTH + 1)})

    assert Page(response).error_for("notes") == (
        "This is too long: keep it to 10,000 characters (it has 10,001)."
    )
    assert Page(response).find("textarea", name="notes").attrs["maxlength"] == "10000"
    carer_household.refresh_from_db()
    assert carer_household.notes == ""


def _form(client, url) -> dict:
    return form_data(client.get(url).context["form"])
