"""The reports' pages: who may open them, the choices of period and year,
the CSV export, the charts and the printable inspection report."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory, CarerFactory
from tests.sharedlives.pages import Page, text
from tests.sharedlives.reports import charts, csv_figures, table

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
REPORTS = ["report_at_a_glance", "report_yearly_count", "report_inspection"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("role", ["manager", "coordinator"])
@pytest.mark.parametrize("name", ["report_list", *REPORTS])
def test_the_schemes_staff_can_open_every_report(client, request, role, name):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert len([e for e in Page(response).root.iter() if e.tag == "h1"]) == 1


@pytest.mark.parametrize("name", ["report_list", *REPORTS])
def test_a_carer_is_refused_every_report_and_its_csv(client, carer, name):
    client.force_login(carer)

    assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse(name), {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("name", ["report_list", *REPORTS])
def test_a_report_takes_no_post(client, manager, name):
    client.force_login(manager)

    assert client.post(reverse(name)).status_code == 405


def test_the_list_says_what_each_report_answers(client, coordinator):
    client.force_login(coordinator)

    page = text(client.get(reverse("report_list")))

    assert "Scheme at a glance" in page
    assert "Yearly count for Shared Lives Plus" in page
    assert "For a CQC inspection" in page
    assert "1 April to 31 March" in page


def test_staff_find_reports_in_the_menu_and_carers_do_not(client, coordinator, carer):
    client.force_login(coordinator)
    assert Page(client.get(reverse("dashboard"))).find("a", href=reverse("report_list")) is not None

    client.force_login(carer)
    assert Page(client.get(reverse("portal_home"))).find("a", href=reverse("report_list")) is None


def test_another_scheme_sees_only_its_own_figures(
    client, scheme, other_scheme, other_coordinator, coordinator
):
    ArrangementFactory.create_batch(2, scheme=scheme)
    ArrangementFactory(scheme=other_scheme, kind=ArrangementKind.DAY_SUPPORT)

    client.force_login(other_coordinator)
    theirs = csv_figures(client.get(reverse("report_at_a_glance"), {"format": "csv"}))
    client.force_login(coordinator)
    ours = csv_figures(client.get(reverse("report_at_a_glance"), {"format": "csv"}))

    key = ("The scheme today", "Current arrangements", "")
    assert (theirs[key], ours[key]) == ("1", "2")
    assert theirs[("Report", "Scheme", "")] == "York Shared Lives"
    assert theirs[("The scheme today", "Current arrangements", "Kind of arrangement: Day support")] == "1"


def test_the_period_is_the_last_twelve_months_unless_chosen(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_at_a_glance"))

    page = Page(response)
    assert page.value_of("start") == "2025-12-01"
    assert page.value_of("end") == "2026-11-20"
    assert "for 1 Dec 2025 to 20 Nov 2026" in text(response)


def test_a_date_left_blank_is_the_defaults(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_at_a_glance"), {"start": "", "end": "2026-06-30"})

    assert "for 1 Dec 2025 to 30 Jun 2026" in text(response)
    assert "*" not in Page(response).find("label", **{"for": "id_start"}).text


def test_a_period_that_ends_before_it_starts_is_refused_next_to_the_field(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_inspection"), {"start": "2026-06-01", "end": "2026-05-31"})

    page = Page(response)
    assert response.status_code == 200
    assert "The period must end on or after the day it starts." in page.main_text
    assert page.value_of("start") == "2026-06-01"
    assert page.value_of("end") == "2026-05-31"
    assert "Correct the choices above to see the report." in page.main_text
    assert charts(response) == []


def test_a_period_longer_than_five_years_is_refused(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_at_a_glance"), {"start": "2020-01-01", "end": "2025-01-01"})

    assert "Choose a period of 5 years or less." in text(response)


def test_a_bad_date_is_refused_and_the_csv_says_why(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_at_a_glance"), {"start": "31/02/2026", "format": "csv"})

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_the_yearly_count_is_for_the_last_complete_year_unless_chosen(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_yearly_count"))

    page = Page(response)
    assert "2025 to 2026 (1 Apr 2025 to 31 Mar 2026)" in page.options_of("year")
    chosen = [e for e in page.find("select", name="year").iter() if "selected" in e.attrs]
    assert [e.attrs["value"] for e in chosen] == ["2025"]
    assert "For the year 1 Apr 2025 to 31 Mar 2026" in page.main_text


def test_a_year_not_offered_is_refused(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_yearly_count"), {"year": "1999"})

    assert "Choose one of the years in the list." in text(response)
    assert client.get(reverse("report_yearly_count"), {"year": "x", "format": "csv"}).status_code == 400


def test_the_csv_names_its_period_and_scheme(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_yearly_count"), {"year": "2025", "format": "csv"})

    figures = csv_figures(response)
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="yearly-count-2025-2026-2025-04-01-to-2026-03-31.csv"'
    )
    assert figures[("Report", "From", "")] == "2025-04-01"
    assert figures[("Report", "To", "")] == "2026-03-31"
    assert figures[("Report", "Scheme", "")] == "Leeds Shared Lives"
    assert figures[("Report", "Made on", "")] == "2026-11-20"


def test_the_page_links_to_its_csv_with_the_same_choices(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("report_inspection"), {"start": "2026-01-01", "end": "2026-06-30"})

    link = next(e for e in Page(response).root.iter() if e.tag == "a" and "download" in e.attrs)
    assert link.attrs["href"] == "?start=2026-01-01&end=2026-06-30&format=csv"


def test_a_chart_has_a_title_a_description_and_every_value_as_text(client, coordinator, scheme):
    ArrangementFactory.create_batch(3, scheme=scheme)
    ArrangementFactory(scheme=scheme, kind=ArrangementKind.SHORT_BREAKS)
    client.force_login(coordinator)

    response = client.get(reverse("report_at_a_glance"))

    chart = next(svg for svg in charts(response) if svg.first("title").text == "Current arrangements by kind")
    assert chart.attrs["role"] == "img"
    title_id, desc_id = chart.attrs["aria-labelledby"].split()
    assert chart.first("title").attrs["id"] == title_id
    assert chart.first("desc").attrs["id"] == desc_id
    assert chart.first("desc").text == (
        "Bar chart of current arrangements by kind. Live-in: 3; Short breaks: 1; Day support: 0; "
        "Home from hospital: 0; Emergency: 0."
    )
    words = [e.text for e in chart.iter() if e.tag == "text"]
    assert words[:4] == ["Live-in", "3", "Short breaks", "1"]
    assert "style" not in response.content.decode().split("<main")[1]
    # The same figures are in the table beside it.
    assert table(response, "Current arrangements by kind")["Live-in"] == ["3"]


def test_the_inspection_report_prints_without_the_menu_and_choices(client, manager):
    client.force_login(manager)

    response = client.get(reverse("report_inspection"))

    page = Page(response)
    assert page.find("body").attrs["class"] == "report-sheet"
    assert any("data-print-button" in e.attrs for e in page.root.iter() if e.tag == "button")
    assert "no-print" in page.find("form", method="get").attrs["class"]


def test_carers_who_are_not_approved_are_no_figure_of_the_scheme_today(client, coordinator, scheme):
    CarerFactory(scheme=scheme, status="resigned")
    ArrangementFactory(scheme=scheme, status=ArrangementStatus.PLANNED)
    client.force_login(coordinator)

    figures = csv_figures(client.get(reverse("report_at_a_glance"), {"format": "csv"}))

    assert figures[("The scheme today", "Approved carer households", "")] == "1"  # the planned one's carer
    assert figures[("The scheme today", "Current arrangements", "")] == "0"
