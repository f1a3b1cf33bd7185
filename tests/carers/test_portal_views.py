"""The carers' own portal (/my/): their household as the scheme holds it,
the changes they send, dates away, certificates, checks and the people who
live with or visit them. Every page works on the signed-in carer's own
household; staff get 403, another household's ids 404."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.changes import decline_change, propose_change
from carers.forms.portal import EXTENSIONS
from carers.models import (
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    CheckKind,
    CheckStatus,
    HouseholdMember,
    Pet,
    Room,
    Smoking,
    Unavailability,
)
from carers.views.portal import DONE, UNCHANGED, WAITING
from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from tests.factories import (
    ApprovalTermsFactory,
    ArrangementFactory,
    CertificateFactory,
    ChangeRequestFactory,
    CheckFactory,
    ContactFactory,
    HouseholdMemberFactory,
    PersonFactory,
    PetFactory,
    RoomFactory,
    UnavailabilityFactory,
)
from tests.sharedlives.pages import Page, text

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
TODAY = NOW.date()
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
# Pages that only read; every other portal page is a form (GET and POST).
READING_PAGES = ["portal_home", "portal_household", "portal_changes", "portal_checks", "portal_people"]
FORM_PAGES = [
    "portal_contact",
    "portal_member_add",
    "portal_pet_add",
    "portal_room_add",
    "portal_smoking",
    "portal_interests",
    "portal_availability",
    "portal_certificates",
]
# Pages about one household member, pet or room: the URL's id, and which.
RECORD_PAGES = [
    ("portal_member_remove", "member"),
    ("portal_pet_remove", "pet"),
    ("portal_room_change", "room"),
    ("portal_room_remove", "room"),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path, monkeypatch):
    """Uploads go to a temporary folder, never into var/. The file field made
    its storage when the model was imported, so it is pointed there too."""
    settings.UPLOADS_ROOT = tmp_path
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


@pytest.fixture
def household(carer_household, coordinator):
    """Asha Patel's household: her son Ravi (20), a dog, a back bedroom, and
    approval terms in force; her coordinator is known."""
    carer = carer_household
    carer.coordinator = coordinator
    carer.address_line_1, carer.email = "12 Hawthorn Road", "asha.patel@example.org"
    carer.interests = ["gardening", "music"]
    carer.languages = ["english", "gujarati"]
    carer.next_review_due = dt.date(2027, 1, 5)
    carer.save()
    HouseholdMemberFactory(
        carer=carer, name="Ravi Patel", relationship="son", date_of_birth=dt.date(2006, 3, 1)
    )
    PetFactory(carer=carer, kind=PetKind.DOG, name="Biscuit", notes="Friendly")
    RoomFactory(carer=carer, name="Back bedroom", ground_floor=True, own_bathroom=True)
    ApprovalTermsFactory(
        carer=carer,
        max_people=2,
        needs_groups=[NeedsGroup.LEARNING_DISABILITY, NeedsGroup.AUTISM],
        conditions="Short breaks only at weekends.",
        probation_ends_on=dt.date(2027, 1, 5),
    )
    return carer


@pytest.fixture
def signed_in(client, carer):
    client.force_login(carer)
    return client


def _membership(user):
    return user.memberships.get()


def _url(name, *args):
    return reverse(name, args=args)


def _own_ids(carer):
    return {
        "member": carer.household_members.first().pk,
        "pet": carer.pets.first().pk,
        "room": carer.rooms.first().pk,
    }


def _every_page(carer):
    """Every portal page, with the carer's own member, pet or room."""
    ids = _own_ids(carer)
    return [_url(name) for name in READING_PAGES + FORM_PAGES] + [
        _url(name, ids[record]) for name, record in RECORD_PAGES
    ]


# --- Home ---


def test_a_carers_start_page_is_their_portal(signed_in, household):
    response = signed_in.get("/")

    assert response.status_code == 302
    assert response.url == _url("portal_home")


def test_home_shows_the_household_whats_waiting_and_whats_due(signed_in, household, carer, scheme):
    ChangeRequestFactory(carer=household, proposed_by=carer)
    CheckFactory(
        carer=household,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2025, 12, 10),
        expires_on=dt.date(2026, 12, 10),
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.GAS_SAFETY,
        issued_on=dt.date(2025, 11, 1),
        expires_on=dt.date(2026, 11, 1),
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.FIRST_AID,
        issued_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2029, 1, 1),
    )
    ArrangementFactory(scheme=scheme, carer=household, person__first_name="Lena", person__last_name="Ward")

    response = signed_in.get(_url("portal_home"))

    assert response.status_code == 200
    page = Page(response)
    main = page.main_text
    assert page.find("h1").text == "Hello " + carer.first_name
    assert "Your household Asha Patel Approval: Approved" in main
    assert "Your next annual review is due by 5 Jan 2027." in main
    assert "A new pet : Cat Sent on 20 Nov 2026 · Waiting for the scheme" in main
    assert "Home insurance Expires in 20 days, on 10 Dec 2026" in main
    assert "Gas safety certificate Expired on 1 Nov 2026" in main
    assert "First aid" not in main
    assert "Lena Ward Live-in · Current since 6 Jan 2025" in main
    buttons = {
        a.text for a in page.find("main").iter() if a.tag == "a" and "btn-lg" in a.attrs.get("class", "")
    }
    assert {"Tell us about a change", "Upload a certificate", "Dates away"} <= buttons


def test_home_for_a_new_household_says_nothing_is_waiting_or_due(signed_in, carer_household):
    main = text(signed_in.get(_url("portal_home")))

    assert "Nothing is waiting for the scheme." in main
    assert "Nothing is due in the next 60 days." in main
    assert "No one at the moment." in main


def test_home_says_when_the_annual_review_is_overdue(signed_in, household):
    household.next_review_due = dt.date(2026, 11, 1)
    household.save()

    main = text(signed_in.get(_url("portal_home")))

    assert "Your annual review was due on 1 Nov 2026: your coordinator will arrange it with you." in main


def test_the_carers_menu_leads_to_the_portal(signed_in, household):
    nav = Page(signed_in.get(_url("portal_home"))).find("nav", **{"aria-label": "Main"})

    links = {a.text: a.attrs["href"] for a in nav.iter() if a.tag == "a"}
    assert links["My home"] == _url("portal_home")
    assert links["My household"] == _url("portal_household")
    assert links["Dates away"] == _url("portal_availability")
    assert "Carers" not in links


# --- The household as the scheme holds it ---


def test_the_household_page_shows_what_the_scheme_holds(signed_in, household):
    household.joint_first_name, household.joint_last_name = "Dev", "Patel"
    household.save()

    response = signed_in.get(_url("portal_household"))

    main = Page(response).main_text
    assert "Carer Asha Patel Joint carer Dev Patel Phone 0113 496 0000" in main
    assert "E-mail asha.patel@example.org Address 12 Hawthorn Road, Leeds, LS6 2AB" in main
    assert "Ravi Patel , son, aged 20" in main
    assert "Dog (Biscuit) : Friendly" in main
    assert "Back bedroom Ground floor: yes · Step-free access: no · Own bathroom: yes" in main
    assert "No one smokes" in main
    assert "Interests gardening, music Languages english, gujarati" in main
    assert "Kinds of arrangement Live-in, Short breaks Most people at a time 2" in main
    assert "Needs you are approved to support Learning disability, Autism" in main
    assert "Conditions Short breaks only at weekends." in main
    assert "Probation ends on 5 Jan 2027" in main


def test_each_item_on_the_household_page_links_to_its_change(signed_in, household):
    ids = _own_ids(household)

    page = Page(signed_in.get(_url("portal_household")))

    hrefs = {a.attrs.get("href") for a in page.find("main").iter() if a.tag == "a"}
    assert {
        _url("portal_contact"),
        _url("portal_smoking"),
        _url("portal_interests"),
        _url("portal_member_add"),
        _url("portal_member_remove", ids["member"]),
        _url("portal_pet_add"),
        _url("portal_pet_remove", ids["pet"]),
        _url("portal_room_add"),
        _url("portal_room_change", ids["room"]),
        _url("portal_room_remove", ids["room"]),
    } <= hrefs


def test_something_already_asked_for_shows_as_waiting_not_as_a_link(signed_in, household, carer):
    ids = _own_ids(household)
    propose_change(
        carer=household, membership=_membership(carer), kind=ChangeKind.REMOVE_PET, target_id=ids["pet"]
    )

    page = Page(signed_in.get(_url("portal_household")))

    assert "Gone: waiting for the scheme" in page.main_text
    hrefs = {a.attrs.get("href") for a in page.find("main").iter() if a.tag == "a"}
    assert _url("portal_pet_remove", ids["pet"]) not in hrefs


# --- Changes that take effect at once ---


def test_new_contact_details_take_effect_at_once(signed_in, household):
    response = signed_in.post(
        _url("portal_contact"), {"phone": "07700 900123", "email": "asha@example.org"}, follow=True
    )

    assert response.redirect_chain == [(_url("portal_household"), 302)]
    assert DONE in Page(response).messages
    household.refresh_from_db()
    assert (household.phone, household.email) == ("07700 900123", "asha@example.org")
    change = ChangeRequest.objects.get(carer=household)
    assert (change.kind, change.status) == (ChangeKind.CONTACT, ChangeStatus.DONE)


def test_contact_details_need_one_way_to_reach_the_carer(signed_in, household):
    response = signed_in.post(_url("portal_contact"), {"phone": "", "email": ""})

    assert response.status_code == 200
    assert "Give us a phone number or an e-mail address" in Page(response).main_text
    assert not ChangeRequest.objects.exists()


def test_sending_the_same_details_again_sends_nothing(signed_in, household):
    data = {"phone": household.phone, "email": household.email}

    response = signed_in.post(_url("portal_contact"), data, follow=True)

    assert UNCHANGED in Page(response).messages
    assert not ChangeRequest.objects.exists()


def test_new_interests_and_languages_take_effect_at_once(signed_in, household):
    response = signed_in.post(
        _url("portal_interests"),
        {"interests": "Walking, baking, walking", "languages": "English, Urdu"},
        follow=True,
    )

    assert DONE in Page(response).messages
    household.refresh_from_db()
    assert household.interests == ["walking", "baking"]
    assert household.languages == ["english", "urdu"]
    assert ChangeRequest.objects.get().status == ChangeStatus.DONE


def test_dates_away_are_added_at_once(signed_in, household):
    data = {"starts_on": "2026-12-20", "ends_on": "2027-01-03", "note": "Family holiday"}

    response = signed_in.post(_url("portal_availability"), data, follow=True)

    assert response.redirect_chain == [(_url("portal_availability"), 302)]
    page = Page(response)
    assert DONE in page.messages
    assert "20 Dec 2026 to 3 Jan 2027 Family holiday" in page.main_text
    away = Unavailability.objects.get(carer=household)
    assert (away.starts_on, away.ends_on) == (dt.date(2026, 12, 20), dt.date(2027, 1, 3))
    assert ChangeRequest.objects.get().kind == ChangeKind.AVAILABILITY


def test_dates_given_by_mistake_can_be_taken_back(signed_in, household):
    away = UnavailabilityFactory(
        carer=household, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 1, 3)
    )
    url = _url("portal_availability_remove", away.pk)
    assert "Can you offer short breaks from 20 Dec 2026 to 3 Jan 2027 after all?" in text(signed_in.get(url))

    response = signed_in.post(url, follow=True)

    assert response.redirect_chain == [(_url("portal_availability"), 302)]
    assert DONE in Page(response).messages
    assert not Unavailability.objects.filter(carer=household).exists()
    change = ChangeRequest.objects.get()
    assert (change.kind, change.status) == (ChangeKind.REMOVE_AVAILABILITY, ChangeStatus.DONE)
    assert change.before == {"Starts on": "20 Dec 2026", "Ends on": "3 Jan 2027", "Note": away.note}


def test_another_households_dates_away_cannot_be_taken_back(signed_in, other_carer_household):
    away = UnavailabilityFactory(carer=other_carer_household)

    assert signed_in.post(_url("portal_availability_remove", away.pk)).status_code == 404
    assert Unavailability.objects.filter(pk=away.pk).exists()


def test_dates_away_that_overlap_are_refused_next_to_the_field(signed_in, household):
    UnavailabilityFactory(carer=household, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 1, 3))
    data = {"starts_on": "2027-01-02", "ends_on": "2027-01-10", "note": ""}

    response = signed_in.post(_url("portal_availability"), data)

    assert response.status_code == 200
    assert Page(response).error_for("starts_on") == "These dates overlap dates you have already given."
    assert Unavailability.objects.count() == 1
    assert not ChangeRequest.objects.exists()


def test_another_households_dates_away_do_not_clash(signed_in, household, other_carer_household):
    UnavailabilityFactory(carer=other_carer_household, starts_on=dt.date(2026, 12, 20))

    response = signed_in.post(
        _url("portal_availability"), {"starts_on": "2026-12-20", "ends_on": "2026-12-27"}
    )

    assert response.status_code == 302
    assert Unavailability.objects.filter(carer=household).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"starts_on": "2026-11-19", "ends_on": "2026-11-25"},
            "starts_on",
            "The first day has passed: give dates from today.",
        ),
        (
            {"starts_on": "2026-12-10", "ends_on": "2026-12-01"},
            "ends_on",
            "The last day must be on or after the first day.",
        ),
    ],
    ids=["past", "backwards"],
)
def test_dates_away_in_the_past_or_backwards_are_refused(signed_in, household, data, field, error):
    response = signed_in.post(_url("portal_availability"), data)

    assert Page(response).error_for(field) == error
    assert not Unavailability.objects.exists()


# --- Changes that wait for the scheme ---


def test_a_new_household_member_waits_for_the_scheme(signed_in, household):
    data = {"name": "Priya Patel", "relationship": "daughter", "date_of_birth": "2008-09-14"}

    response = signed_in.post(_url("portal_member_add"), data, follow=True)

    assert response.redirect_chain == [(_url("portal_household"), 302)]
    assert (
        WAITING + " Priya Patel will need a DBS check; the scheme will contact you."
        in Page(response).messages
    )
    change = ChangeRequest.objects.get()
    assert (change.kind, change.status) == (ChangeKind.ADD_MEMBER, ChangeStatus.PENDING)
    assert change.after == {"Name": "Priya Patel", "Relationship": "daughter", "Date of birth": "14 Sep 2008"}
    assert not HouseholdMember.objects.filter(name="Priya Patel").exists()
    assert "Someone has moved in : Priya Patel" in Page(response).main_text


def test_a_young_child_needs_no_dbs_check(signed_in, household):
    data = {"name": "Mia Patel", "relationship": "granddaughter", "date_of_birth": "2020-05-01"}

    response = signed_in.post(_url("portal_member_add"), data, follow=True)

    assert WAITING in Page(response).messages


def test_the_member_form_says_who_needs_a_dbs_check(signed_in, household):
    main = text(signed_in.get(_url("portal_member_add")))

    assert "Anyone aged 16 or over will need a DBS check; the scheme will contact you." in main


def test_a_date_of_birth_in_the_future_is_refused(signed_in, household):
    data = {"name": "Priya Patel", "relationship": "daughter", "date_of_birth": "2026-11-21"}

    response = signed_in.post(_url("portal_member_add"), data)

    assert response.status_code == 200
    assert Page(response).error_for("date_of_birth") == "This date is in the future."
    assert not ChangeRequest.objects.exists()


def test_a_member_moving_out_is_confirmed_then_waits(signed_in, household):
    member = household.household_members.get()
    url = _url("portal_member_remove", member.pk)

    confirm = Page(signed_in.get(url))
    response = signed_in.post(url, follow=True)

    assert "Has Ravi Patel (son) moved out?" in confirm.main_text
    assert (
        next(e for e in confirm.find("main").iter() if e.tag == "button").text
        == "Yes, Ravi Patel has moved out"
    )
    assert WAITING in Page(response).messages
    change = ChangeRequest.objects.get()
    assert (change.kind, change.status, change.target_id) == (
        ChangeKind.REMOVE_MEMBER,
        ChangeStatus.PENDING,
        member.pk,
    )
    assert HouseholdMember.objects.filter(pk=member.pk).exists()


def test_telling_us_twice_shows_why_it_is_refused(signed_in, household):
    pet = household.pets.get()
    signed_in.post(_url("portal_pet_remove", pet.pk))

    response = signed_in.post(_url("portal_pet_remove", pet.pk))

    assert response.status_code == 200
    assert "You have already told us about this; it is waiting for the scheme." in " ".join(
        Page(response).messages
    )
    assert ChangeRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("portal_pet_add", {"kind": "cat", "name": "Pepper", "notes": ""}, ChangeKind.ADD_PET),
        (
            "portal_room_add",
            {"name": "Box room", "ground_floor": "on", "step_free": "on", "notes": ""},
            ChangeKind.ADD_ROOM,
        ),
        ("portal_smoking", {"smoking": Smoking.OUTSIDE}, ChangeKind.SMOKING),
    ],
    ids=["pet", "room", "smoking"],
)
def test_a_change_the_scheme_relies_on_waits(signed_in, household, name, data, kind):
    response = signed_in.post(_url(name), data, follow=True)

    assert WAITING in Page(response).messages
    change = ChangeRequest.objects.get()
    assert (change.kind, change.status) == (kind, ChangeStatus.PENDING)
    household.refresh_from_db()
    assert household.smoking == Smoking.NO_ONE
    assert Pet.objects.filter(carer=household).count() == 1
    assert Room.objects.filter(carer=household).count() == 1


def test_a_room_change_waits_and_says_what_changes(signed_in, household):
    room = household.rooms.get()
    data = {
        "name": "Back bedroom",
        "ground_floor": "on",
        "step_free": "on",
        "own_bathroom": "on",
        "notes": "",
    }

    response = signed_in.post(_url("portal_room_change", room.pk), data, follow=True)

    assert WAITING in Page(response).messages
    change = ChangeRequest.objects.get()
    assert (change.kind, change.target_id) == (ChangeKind.CHANGE_ROOM, room.pk)
    assert change.before["Step-free access"] == "No"
    assert change.after["Step-free access"] == "Yes"
    room.refresh_from_db()
    assert room.step_free is False


def test_the_room_form_opens_with_the_room_as_it_is(signed_in, household):
    room = household.rooms.get()

    page = Page(signed_in.get(_url("portal_room_change", room.pk)))

    assert page.value_of("name") == "Back bedroom"
    assert "checked" in page.find("input", name="ground_floor").attrs
    assert "checked" not in page.find("input", name="step_free").attrs


@pytest.mark.parametrize(
    ("name", "record", "kind"),
    [
        ("portal_pet_remove", "pet", ChangeKind.REMOVE_PET),
        ("portal_room_remove", "room", ChangeKind.REMOVE_ROOM),
    ],
)
def test_a_pet_or_room_going_waits(signed_in, household, name, record, kind):
    target = _own_ids(household)[record]

    response = signed_in.post(_url(name, target), follow=True)

    assert WAITING in Page(response).messages
    assert ChangeRequest.objects.get().kind == kind
    assert Pet.objects.filter(carer=household).exists()
    assert Room.objects.filter(carer=household).exists()


# --- The changes they have sent ---


def test_the_changes_page_shows_each_change_and_the_schemes_answer(signed_in, household, carer, coordinator):
    membership = _membership(carer)
    propose_change(
        carer=household, membership=membership, kind=ChangeKind.CONTACT, values={"phone": "07700 900123"}
    )
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        declined = propose_change(
            carer=household,
            membership=membership,
            kind=ChangeKind.SMOKING,
            values={"smoking": Smoking.INSIDE},
        )
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        decline_change(change=declined, membership=_membership(coordinator), reason="Please call us first.")

    main = text(signed_in.get(_url("portal_changes")))

    assert (
        "Smoking at home Sent on 20 Nov 2026. Declined on 22 Nov 2026. "
        "Before Smoking No one smokes After Smoking Someone smokes indoors "
        "The scheme said: Please call us first."
    ) in main
    assert "Contact details Sent on 20 Nov 2026. Done: it took effect at once." in main
    assert main.index("Smoking at home") < main.index("Contact details")


def test_a_carer_sees_only_their_own_changes(signed_in, household, other_carer_household):
    ChangeRequestFactory(carer=other_carer_household, after={"Kind": "Horse", "Name": "Thunder"})

    main = text(signed_in.get(_url("portal_changes")))

    assert "Thunder" not in main
    assert "You have not sent any changes yet." in main


# --- Certificates ---


def _upload(content, name="certificate.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "detected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (HEIC, "image/heic")],
    ids=["pdf", "png", "jpeg", "heic"],
)
def test_a_certificate_is_uploaded_and_waits_to_be_checked(signed_in, household, carer, content, detected):
    data = {
        "kind": CheckKind.GAS_SAFETY,
        "note": "This year's",
        "file": _upload(content, "C:\\scans\\gas.pdf"),
    }

    response = signed_in.post(_url("portal_certificates"), data, follow=True)

    assert response.redirect_chain == [(_url("portal_certificates"), 302)]
    page = Page(response)
    assert WAITING in page.messages
    certificate = Certificate.objects.get()
    assert (certificate.carer, certificate.kind, certificate.uploaded_by) == (household, "gas_safety", carer)
    assert (certificate.original_name, certificate.content_type) == ("gas.pdf", detected)
    assert certificate.size == len(content)
    # Stored under a made-up name with the extension of what it really is.
    assert certificate.file.name.endswith(EXTENSIONS[detected])
    assert "gas" not in certificate.file.name
    assert certificate.note == "This year's"
    with certificate.file.open("rb") as stored:
        assert stored.read() == content
    assert "Gas safety certificate gas.pdf" in page.main_text
    assert "Waiting for the scheme to check it" in page.main_text


def test_a_renamed_text_file_is_refused(signed_in, household):
    data = {"kind": CheckKind.DBS, "file": _upload(b"Just some text, not a PDF.\n", "dbs.pdf")}

    response = signed_in.post(_url("portal_certificates"), data)

    assert response.status_code == 200
    assert Page(response).error_for("file") == (
        "This file is not a PDF or a photo (JPEG, PNG or HEIC). Choose another."
    )
    assert not Certificate.objects.exists()


def test_a_file_over_10_mb_is_refused(signed_in, household):
    too_big = PDF + b"\0" * (10 * 1024 * 1024 + 1 - len(PDF))
    data = {"kind": CheckKind.DBS, "file": _upload(too_big)}

    response = signed_in.post(_url("portal_certificates"), data)

    assert response.status_code == 200
    assert Page(response).error_for("file") == (
        "This file is too big (10.0 MB): the most we can take is 10 MB. Try a smaller photo, or a PDF."
    )
    assert not Certificate.objects.exists()


def test_a_certificate_needs_a_file_and_a_kind(signed_in, household):
    response = signed_in.post(_url("portal_certificates"), {"kind": "", "note": "here"})

    page = Page(response)
    assert page.error_for("file") == "This field is required."
    assert page.error_for("kind") == "This field is required."
    assert not Certificate.objects.exists()


def test_the_certificates_page_says_which_are_checked(
    signed_in, household, coordinator, other_carer_household
):
    CertificateFactory(carer=household, original_name="dbs-update.pdf")
    CertificateFactory(
        carer=household,
        kind=CheckKind.HOME_INSURANCE,
        original_name="insurance.pdf",
        verified_by=coordinator,
        verified_at=NOW,
    )
    CertificateFactory(carer=other_carer_household, original_name="tom-barker.pdf")

    main = text(signed_in.get(_url("portal_certificates")))

    assert "dbs-update.pdf" in main
    assert (
        "Home insurance insurance.pdf (13 bytes), sent on 20 Nov 2026 Checked by the scheme on 20 Nov 2026"
        in main
    )
    assert "tom-barker.pdf" not in main


# --- Checks and training ---


def test_the_checks_page_says_when_each_expires_in_words(signed_in, household):
    member = household.household_members.get()
    CheckFactory(
        carer=household, kind=CheckKind.DBS, issued_on=dt.date(2024, 1, 10), expires_on=dt.date(2027, 1, 10)
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.GAS_SAFETY,
        issued_on=dt.date(2025, 11, 1),
        expires_on=dt.date(2026, 11, 1),
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.FIRST_AID,
        issued_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2029, 1, 1),
    )
    CheckFactory(carer=household, kind=CheckKind.GP_REFERENCE, issued_on=dt.date(2026, 9, 1))
    CheckFactory(
        carer=household,
        kind=CheckKind.DBS,
        household_member=member,
        status=CheckStatus.NOT_STARTED,
        issued_on=None,
        received_on=None,
        requested_on=None,
    )

    main = text(signed_in.get(_url("portal_checks")))

    assert (
        "Enhanced DBS with adults' barred list: Asha Patel Status Complete Issued or completed 10 Jan 2024 "
        "Expiry Expires in 51 days, on 10 Jan 2027"
    ) in main
    assert (
        "Enhanced DBS with adults' barred list: Ravi Patel Status Not started Issued or completed — " in main
    )
    assert (
        "Gas safety certificate Status Expired Issued or completed 1 Nov 2025 Expiry Expired on 1 Nov 2026"
        in main
    )
    assert (
        "First aid training Status Complete Issued or completed 1 Jan 2026 Expiry Expires on 1 Jan 2029"
        in main
    )
    assert (
        "GP or medical reference Status Complete Issued or completed 1 Sep 2026 Expiry Does not expire"
        in main
    )


def test_a_renewal_replaces_the_record_before(signed_in, household):
    CheckFactory(
        carer=household,
        kind=CheckKind.GAS_SAFETY,
        issued_on=dt.date(2025, 11, 1),
        expires_on=dt.date(2026, 11, 1),
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.GAS_SAFETY,
        issued_on=dt.date(2026, 10, 28),
        expires_on=dt.date(2027, 10, 28),
    )

    main = text(signed_in.get(_url("portal_checks")))

    assert "Expires on 28 Oct 2027" in main
    assert "Expired" not in main


def test_a_concern_shows_as_being_checked_without_its_notes(signed_in, household, manager):
    member = household.household_members.get()
    CheckFactory(
        carer=household,
        kind=CheckKind.DBS,
        household_member=member,
        status=CheckStatus.CONCERN,
        notes="Disclosure shows a caution from 2019.",
        risk_assessment="Low risk: discussed with Ravi.",
    )

    main = text(signed_in.get(_url("portal_checks")))

    assert "Ravi Patel Status The scheme is checking it" in main
    assert "caution" not in main
    assert "Low risk" not in main
    assert "Concern" not in main


# --- The people who live with or visit them ---


def test_the_people_page_shows_each_person_and_their_key_contacts(
    signed_in, household, scheme, other_carer_household
):
    lena = PersonFactory(scheme=scheme, first_name="Helena", preferred_name="Lena", last_name="Ward")
    ContactFactory(person=lena, name="Megan Ward", relationship="sister", phone="0113 496 0001")
    ArrangementFactory(scheme=scheme, carer=household, person=lena)
    ArrangementFactory(
        scheme=scheme,
        carer=household,
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 5),
        person__first_name="Omar",
        person__last_name="Hussain",
    )
    ArrangementFactory(
        scheme=scheme,
        carer=household,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2025, 3, 1),
        end_reason="planned_move",
        person__first_name="Ruth",
        person__last_name="Gale",
    )
    ArrangementFactory(
        scheme=scheme, carer=other_carer_household, person__first_name="Sam", person__last_name="Reid"
    )

    response = signed_in.get(_url("portal_people"))

    page = Page(response)
    main = page.main_text
    assert (
        "Lena Ward Live-in, since 6 Jan 2025 Key contacts "
        "Megan Ward : Family or friend (sister) 0113 496 0001"
    ) in main
    assert "Omar Hussain Short breaks, starting on 5 Dec 2026" in main
    assert "Helena" not in main
    assert "Ruth Gale" not in main
    assert "Sam Reid" not in main
    assert page.find("a", href="tel:01134960001").text == "0113 496 0001"


# --- Who may use the portal ---


@pytest.mark.parametrize("role", ["manager", "coordinator"])
def test_staff_get_403_on_every_portal_page(client, request, household, role):
    client.force_login(request.getfixturevalue(role))

    reading = {_url(name) for name in READING_PAGES}
    for url in _every_page(household):
        for method in ("get",) if url in reading else ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, f"{method.upper()} {url} answered {response.status_code}"
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(("name", "record"), RECORD_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_households_member_pet_or_room_is_not_found(
    signed_in, household, other_carer_household, name, record, method
):
    HouseholdMemberFactory(carer=other_carer_household, name="Jo Barker")
    PetFactory(carer=other_carer_household)
    RoomFactory(carer=other_carer_household)
    theirs = _own_ids(other_carer_household)[record]

    response = getattr(signed_in, method)(_url(name, theirs))

    assert response.status_code == 404
    assert "Jo Barker" not in response.content.decode()
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("name", READING_PAGES)
def test_a_reading_page_refuses_a_post(signed_in, household, name):
    response = signed_in.post(_url(name))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_form_page_takes_only_get_and_post(signed_in, household, method):
    ids = _own_ids(household)
    urls = [_url(name) for name in FORM_PAGES] + [_url(name, ids[record]) for name, record in RECORD_PAGES]

    for url in urls:
        response = getattr(signed_in, method)(url)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD, POST"


def test_staff_notes_never_appear_on_any_portal_page(signed_in, household, scheme, coordinator):
    household.notes = "STAFF-NOTE: discussed at supervision"
    household.how_heard = "HOW-HEARD: a leaflet at the library"
    household.save()
    member = household.household_members.get()
    CheckFactory(
        carer=household,
        kind=CheckKind.DBS,
        household_member=member,
        status=CheckStatus.CONCERN,
        notes="CHECK-NOTE: disclosure",
        risk_assessment="RISK-ASSESSMENT: written",
        expires_on=dt.date(2026, 12, 1),
    )
    person = PersonFactory(scheme=scheme, notes="PERSON-NOTE: staff only")
    ArrangementFactory(scheme=scheme, carer=household, person=person, notes="ARRANGEMENT-NOTE: staff only")

    for url in _every_page(household):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        for secret in (
            "STAFF-NOTE",
            "HOW-HEARD",
            "CHECK-NOTE",
            "RISK-ASSESSMENT",
            "PERSON-NOTE",
            "ARRANGEMENT-NOTE",
        ):
            assert secret not in content, f"{secret} on {url}"


def test_every_portal_page_has_one_heading_and_labelled_fields(signed_in, household):
    for url in _every_page(household):
        page = Page(signed_in.get(url))
        main = page.find("main")
        assert len([e for e in main.iter() if e.tag == "h1"]) == 1, url
        for field in (e for e in main.iter() if e.tag in ("input", "select", "textarea")):
            if field.attrs.get("type") in ("hidden", "submit", "radio"):
                continue
            assert page.find("label", **{"for": field.attrs.get("id")}), f"{url}: {field.attrs.get('name')}"


# --- Lists cost the same queries however long they are ---


def _fill(carer, scheme, n):
    """``n`` more of everything a portal list shows."""
    for _ in range(n):
        member = HouseholdMemberFactory(carer=carer)
        PetFactory(carer=carer)
        RoomFactory(carer=carer)
        ChangeRequestFactory(carer=carer)
        CertificateFactory(carer=carer)
        # A week each, one after another, so they never overlap.
        starts = dt.date(2027, 2, 1) + dt.timedelta(weeks=Unavailability.objects.filter(carer=carer).count())
        UnavailabilityFactory(carer=carer, starts_on=starts, ends_on=starts + dt.timedelta(days=6))
        CheckFactory(carer=carer, kind=CheckKind.DBS, household_member=member)
        person = PersonFactory(scheme=scheme)
        ContactFactory.create_batch(2, person=person)
        # Day support: people who visit by the day, so however many there are
        # nobody stays the night and the household stays within its approval.
        ArrangementFactory(scheme=scheme, carer=carer, person=person, kind=ArrangementKind.DAY_SUPPORT)


@pytest.mark.parametrize("name", READING_PAGES + ["portal_availability", "portal_certificates"])
def test_a_portal_list_costs_the_same_queries_however_long_it_is(
    signed_in, household, scheme, name, django_assert_max_num_queries
):
    # Each list is one query, with what its rows show joined or prefetched,
    # so a busier household must not mean more queries.
    _fill(household, scheme, 2)
    url = _url(name)
    signed_in.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(url).status_code == 200

    _fill(household, scheme, 8)
    with django_assert_max_num_queries(len(few)):
        assert signed_in.get(url).status_code == 200
