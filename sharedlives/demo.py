"""Believable demo data, and a large data set for benchmarks.

Used by ``manage.py seed_demo``. Everything comes from a Faker (en_GB) and a
``random.Random`` with fixed seeds, so two runs on the same day give the same
records (dates are set relative to today, so that "current" stays current).

Records are made as unsaved model instances and saved with ``bulk_create``:
the same code builds the 40-household demo and a 10,000-household benchmark
scheme, and neither calls ``save()`` row by row. The pghistory triggers still
record every insert, as they would for any other write.

Phone numbers come from the ranges Ofcom keeps for drama (07700 900xxx,
0113 496 0xxx, 01632 960xxx) and e-mail addresses use example.org, so nobody
real is ever called or written to from a demo.
"""

import datetime
import itertools
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from carers.models import Carer, CarerStatus, HouseholdMember, Pet, Room, Smoking
from people.models import Contact, ContactKind, Person, SmokingPreference
from placements.capacity import LEGAL_MAXIMUM
from placements.models import OPEN_STATUSES, STAYING_KINDS, Arrangement, ArrangementStatus, EndReason
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from sharedlives.demo_approval import LEEDS_PANEL, NORTH_YORKSHIRE_PANEL, SCALE_PANEL, ApprovalBuilder
from sharedlives.demo_incident_words import SMALL_FEEDBACK, SMALL_STORIES
from sharedlives.demo_matching import (
    LEEDS_RATES,
    LEEDS_REGION,
    NORTH_YORKSHIRE_RATES,
    NORTH_YORKSHIRE_REGION,
    MatchingBuilder,
)
from sharedlives.demo_monitoring import MonitoringBuilder
from sharedlives.demo_payments import build_payments
from sharedlives.demo_portal import build_portal, save_dates_away
from sharedlives.demo_second_factor import register_second_factor
from sharedlives.models import Membership, Role, Scheme, User

PASSWORD = "sharedlives-demo"
SEED = 2611
BATCH_SIZE = 2000
# Carers support at most three people at a time (some schemes set two).
MAX_OPEN_PER_CARER = 3
# How many people to try before giving up on placing one arrangement.
ATTEMPTS = 25
# How many households to try for a stay before giving up on a room of its own.
HOUSEHOLD_ATTEMPTS = 5
ROOM_KINDS = (*STAYING_KINDS, ArrangementKind.SHORT_BREAKS)

Report = Callable[[str], None]


def quiet(message: str) -> None:
    pass


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

# One list for carers and people, so that matching on shared interests works.
INTERESTS = (
    "gardening",
    "football",
    "music",
    "cooking",
    "walking",
    "art",
    "swimming",
    "cinema",
    "crafts",
    "animals",
    "board games",
    "church",
    "fishing",
    "dancing",
    "reading",
)


@dataclass(frozen=True)
class Area:
    """A postcode district, with the middle of it on the map."""

    district: str
    name: str
    town: str
    latitude: float
    longitude: float


LEEDS_AREAS = (
    Area("LS1", "Leeds city centre", "Leeds", 53.7965, -1.5478),
    Area("LS4", "Kirkstall", "Leeds", 53.8090, -1.5900),
    Area("LS6", "Headingley", "Leeds", 53.8210, -1.5760),
    Area("LS7", "Chapel Allerton", "Leeds", 53.8290, -1.5370),
    Area("LS8", "Roundhay", "Leeds", 53.8270, -1.5100),
    Area("LS9", "Burmantofts", "Leeds", 53.7990, -1.5150),
    Area("LS11", "Beeston", "Leeds", 53.7790, -1.5560),
    Area("LS12", "Armley", "Leeds", 53.7960, -1.5920),
    Area("LS13", "Bramley", "Leeds", 53.8100, -1.6350),
    Area("LS15", "Cross Gates", "Leeds", 53.8050, -1.4500),
    Area("LS16", "Cookridge", "Leeds", 53.8500, -1.5900),
    Area("LS17", "Moortown", "Leeds", 53.8600, -1.5300),
    Area("LS18", "Horsforth", "Leeds", 53.8400, -1.6400),
    Area("LS19", "Yeadon", "Leeds", 53.8650, -1.6850),
    Area("LS20", "Guiseley", "Leeds", 53.8750, -1.7120),
    Area("LS21", "Otley", "Otley", 53.9050, -1.6930),
    Area("LS22", "Wetherby", "Wetherby", 53.9280, -1.3860),
    Area("LS25", "Garforth", "Leeds", 53.7930, -1.3880),
    Area("LS26", "Rothwell", "Leeds", 53.7480, -1.4780),
    Area("LS27", "Morley", "Morley", 53.7450, -1.6000),
    Area("LS28", "Pudsey", "Pudsey", 53.7950, -1.6650),
    Area("LS29", "Ilkley", "Ilkley", 53.9250, -1.8220),
)

NORTH_YORKSHIRE_AREAS = (
    Area("HG1", "Harrogate", "Harrogate", 53.9940, -1.5380),
    Area("HG4", "Ripon", "Ripon", 54.1380, -1.5240),
    Area("BD23", "Skipton", "Skipton", 53.9620, -2.0170),
    Area("DL7", "Northallerton", "Northallerton", 54.3390, -1.4330),
    Area("YO8", "Selby", "Selby", 53.7830, -1.0670),
    Area("YO12", "Scarborough", "Scarborough", 54.2800, -0.4200),
    Area("YO17", "Malton", "Malton", 54.1360, -0.7970),
)

# Letters a postcode's inward code may end with (never C, I, K, M, O or V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STREET_ENDINGS = (
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Grove",
    "Crescent",
    "Terrace",
    "Drive",
    "Way",
    "Gardens",
    "Mount",
    "View",
    "Place",
    "Court",
    "Walk",
)


@dataclass(frozen=True)
class Background:
    """A family background: the languages besides English, the faiths and the
    names that go with it. Empty name lists mean Faker's en_GB names."""

    weight: int
    languages: tuple[str, ...] = ()
    faiths: tuple[str, ...] = (
        "Christian",
        "Church of England",
        "Roman Catholic",
        "Methodist",
        "No religion",
        "No religion",
        "",
    )
    female_names: tuple[str, ...] = ()
    male_names: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()


BACKGROUNDS = (
    Background(weight=60),
    Background(
        weight=8,
        languages=("Urdu", "Punjabi"),
        faiths=("Muslim",),
        female_names=("Aisha", "Nadia", "Shazia", "Yasmin", "Sana", "Rubina", "Farah"),
        male_names=("Imran", "Tariq", "Sajid", "Asif", "Khalid", "Zahid", "Bilal"),
        surnames=("Hussain", "Khan", "Ahmed", "Akhtar", "Iqbal", "Mahmood", "Ali", "Shah"),
    ),
    Background(
        weight=4,
        languages=("Punjabi",),
        faiths=("Sikh",),
        female_names=("Harpreet", "Manjit", "Gurpreet", "Jaspreet", "Kamaljit"),
        male_names=("Jaswinder", "Harjit", "Sukhdev", "Rajinder", "Amarjit"),
        surnames=("Singh", "Grewal", "Sandhu", "Gill", "Dhillon", "Bains"),
    ),
    Background(
        weight=5,
        languages=("Polish",),
        faiths=("Roman Catholic", "Roman Catholic", "No religion"),
        female_names=("Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Ewa", "Anna"),
        male_names=("Tomasz", "Piotr", "Marek", "Pawel", "Krzysztof", "Jakub"),
        surnames=("Nowak", "Kowalczyk", "Wozniak", "Mazur", "Krawczyk", "Kaczmarek"),
    ),
    Background(
        weight=4,
        languages=("Bengali", "Sylheti"),
        faiths=("Muslim",),
        female_names=("Shamima", "Farhana", "Rokeya", "Nasima", "Salma"),
        male_names=("Abdul", "Rahim", "Jamal", "Shahid", "Anwar"),
        surnames=("Rahman", "Uddin", "Hoque", "Miah", "Islam", "Chowdhury"),
    ),
    Background(
        weight=4,
        languages=("Gujarati",),
        faiths=("Hindu", "Hindu", "Jain"),
        female_names=("Priya", "Hetal", "Bhavna", "Kiran", "Nisha", "Meera"),
        male_names=("Nikhil", "Jayesh", "Rakesh", "Sanjay", "Dilip", "Vikram"),
        surnames=("Patel", "Mistry", "Parmar", "Solanki", "Shah", "Chauhan"),
    ),
    Background(
        weight=5,
        faiths=("Christian", "Pentecostal", "Seventh-day Adventist", ""),
        female_names=("Grace", "Marcia", "Beverley", "Joy", "Pauline", "Sonia"),
        male_names=("Delroy", "Winston", "Clive", "Errol", "Leon", "Marcus"),
        surnames=("Campbell", "Williams", "Brown", "Thomas", "Francis", "Reid"),
    ),
)

# First names that people often shorten; used for preferred names.
SHORT_NAMES = {
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "Christopher": "Chris",
    "Michael": "Mike",
    "Jonathan": "Jon",
    "Katherine": "Kate",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "William": "Billy",
    "Rebecca": "Becky",
    "Daniel": "Danny",
    "Jennifer": "Jenny",
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Joseph": "Joe",
    "Matthew": "Matt",
    "Victoria": "Vicky",
    "Abigail": "Abbie",
    "Nicholas": "Nick",
    "Anthony": "Tony",
    "Susan": "Sue",
    "Patricia": "Pat",
    "Deborah": "Debbie",
    "Stephen": "Steve",
    "Edward": "Eddie",
    "Kimberley": "Kim",
    "Gemma": "Gem",
    "Robert": "Bob",
}
FEMALE_SHORTENED = (
    "Elizabeth",
    "Margaret",
    "Katherine",
    "Rebecca",
    "Jennifer",
    "Victoria",
    "Abigail",
    "Susan",
    "Patricia",
    "Deborah",
    "Kimberley",
    "Gemma",
)
MALE_SHORTENED = tuple(name for name in SHORT_NAMES if name not in FEMALE_SHORTENED)

HOW_HEARD = (
    "Word of mouth",
    "Local radio advert",
    "Facebook",
    "Another Shared Lives carer",
    "Council website",
    "Leaflet at the GP surgery",
    "Community event",
    "Shared Lives Plus website",
    "Newspaper article",
    "",
)

STATUS_NOTES = {
    CarerStatus.ENQUIRY: "Rang after seeing a leaflet; initial visit to arrange.",
    CarerStatus.INITIAL_VISIT: "Initial visit booked. Keen to offer short breaks to start with.",
    CarerStatus.APPLICATION: "Application form received; references requested.",
    CarerStatus.ASSESSMENT: "Assessment under way. DBS checks sent for everyone in the home aged 16 or over.",
    CarerStatus.READY_FOR_PANEL: "Assessment report shared with the applicant; waiting for a panel date.",
    CarerStatus.PANEL: "Going to this month's panel.",
    CarerStatus.APPROVED: "",
    CarerStatus.DECLINED: "Panel had concerns about the space available; decision letter sent.",
    CarerStatus.WITHDRAWN: "Withdrew during assessment after a change in family circumstances.",
    CarerStatus.SUSPENDED: "Approval suspended while a concern is looked into. No new arrangements.",
    CarerStatus.RESIGNED: "Resigned on retiring, after giving 28 days' notice.",
    CarerStatus.APPROVAL_ENDED: "Approval ended after the annual review.",
}

PET_WEIGHTS = {
    PetKind.DOG: 40,
    PetKind.CAT: 35,
    PetKind.RABBIT: 10,
    PetKind.BIRD: 8,
    PetKind.OTHER: 5,
    PetKind.HORSE: 2,
}
PET_NAMES = (
    "Bella",
    "Max",
    "Poppy",
    "Alfie",
    "Molly",
    "Charlie",
    "Luna",
    "Teddy",
    "Daisy",
    "Milo",
    "Bonnie",
    "Archie",
    "Rosie",
    "Biscuit",
    "Smudge",
    "Pepper",
    "Oscar",
    "",
)
PET_NOTES = (
    "Friendly and used to visitors.",
    "Elderly and sleeps most of the day.",
    "Stays out of the bedrooms.",
    "Lively; needs walking twice a day.",
    "",
    "",
)

UPSTAIRS_ROOMS = ("Back bedroom", "Front bedroom", "Attic room", "Box room")
DOWNSTAIRS_ROOMS = ("Downstairs bedroom", "Garden annexe")
ROOM_NOTES = (
    "Double bed and a fitted wardrobe.",
    "Looks out over the garden.",
    "Bathroom is next door.",
    "Recently redecorated.",
    "",
    "",
)

# Main needs group of every 30 people: two thirds have a learning disability.
NEEDS_PER_30 = {
    NeedsGroup.LEARNING_DISABILITY: 20,
    NeedsGroup.AUTISM: 3,
    NeedsGroup.MENTAL_HEALTH: 2,
    NeedsGroup.DEMENTIA: 1,
    NeedsGroup.PHYSICAL: 2,
    NeedsGroup.SENSORY: 1,
    NeedsGroup.OLDER_PERSON: 1,
}
# Needs that often come together, to give some people a second needs group.
SECOND_NEEDS = {
    NeedsGroup.LEARNING_DISABILITY: (NeedsGroup.AUTISM, NeedsGroup.PHYSICAL, NeedsGroup.SENSORY),
    NeedsGroup.AUTISM: (NeedsGroup.MENTAL_HEALTH, NeedsGroup.LEARNING_DISABILITY),
    NeedsGroup.MENTAL_HEALTH: (NeedsGroup.AUTISM,),
    NeedsGroup.DEMENTIA: (NeedsGroup.OLDER_PERSON,),
    NeedsGroup.PHYSICAL: (NeedsGroup.SENSORY, NeedsGroup.OLDER_PERSON),
    NeedsGroup.SENSORY: (NeedsGroup.LEARNING_DISABILITY, NeedsGroup.OLDER_PERSON),
    NeedsGroup.OLDER_PERSON: (NeedsGroup.DEMENTIA, NeedsGroup.PHYSICAL),
}
OLDER_NEEDS = {NeedsGroup.DEMENTIA, NeedsGroup.OLDER_PERSON}

# Plain-English summaries, written about the person by name.
SUPPORT_SENTENCES = {
    NeedsGroup.LEARNING_DISABILITY: (
        "{name} needs help to plan meals, manage money and keep to appointments.",
        "{name} can do a lot independently with a clear daily routine and a reminder now and then.",
        "{name} wants to learn to cook simple meals and to use the bus on their own.",
    ),
    NeedsGroup.AUTISM: (
        "{name} finds busy, noisy places hard and likes plenty of notice before any change.",
        "{name} does best with a quiet room to go to and the same routine each day.",
    ),
    NeedsGroup.MENTAL_HEALTH: (
        "{name} is recovering after a long stay in hospital and wants to rebuild confidence.",
        "{name} needs encouragement to keep up with medication and to get out each day.",
    ),
    NeedsGroup.DEMENTIA: (
        "{name} is living with dementia and needs prompting with meals, washing and medication.",
        "{name} can become anxious in the late afternoon; a calm, familiar home helps.",
    ),
    NeedsGroup.PHYSICAL: (
        "{name} needs help with washing and dressing, and uses a walking frame indoors.",
        "{name} needs a step-free home and help getting in and out of bed.",
    ),
    NeedsGroup.SENSORY: (
        "{name} is partially sighted and gets about best in a home that stays arranged the same way.",
        "{name} is Deaf and needs a household willing to learn some British Sign Language.",
    ),
    NeedsGroup.OLDER_PERSON: (
        "{name} wants company and a little help at home after a fall last winter.",
        "{name} has become isolated since losing their partner and would like to live with a family.",
    ),
}
COMMUNICATION_NEEDS = (
    "Speaks clearly and enjoys a chat.",
    "Uses some Makaton signs alongside speech.",
    "Prefers short sentences, and pictures to explain plans for the day.",
    "Has a communication passport; please read it before meeting.",
    "Understands more than they can say; give time to answer.",
    "Uses British Sign Language; an interpreter is needed for meetings.",
    "Wears hearing aids; face them and speak clearly.",
    "",
)

FAMILY = {
    "younger": ("mother", "father", "sister", "brother", "aunt", "grandmother"),
    "older": ("daughter", "son", "niece", "nephew", "friend"),
}
FEMALE_RELATIONS = {"mother", "sister", "aunt", "grandmother", "daughter", "niece"}

# Arrangement kinds in about the proportions schemes report.
KIND_WEIGHTS = {
    ArrangementKind.LIVE_IN: 55,
    ArrangementKind.SHORT_BREAKS: 25,
    ArrangementKind.DAY_SUPPORT: 14,
    ArrangementKind.HOME_FROM_HOSPITAL: 3,
    ArrangementKind.EMERGENCY: 3,
}
# Short stays have a set length; the others are open-ended while they last.
SHORT_STAYS = {ArrangementKind.HOME_FROM_HOSPITAL, ArrangementKind.EMERGENCY}
ENDED_LENGTH_DAYS = {
    ArrangementKind.LIVE_IN: (120, 2500),
    ArrangementKind.SHORT_BREAKS: (60, 900),
    ArrangementKind.DAY_SUPPORT: (60, 900),
    ArrangementKind.HOME_FROM_HOSPITAL: (7, 42),
    ArrangementKind.EMERGENCY: (3, 28),
}
ARRANGEMENT_NOTES = {
    ArrangementKind.LIVE_IN: (
        "Moved in after introductions over six weeks.",
        "Has their own key and a licence agreement.",
        "",
    ),
    ArrangementKind.SHORT_BREAKS: (
        "One weekend a month, so the family can have a break.",
        "A week in the summer and occasional weekends.",
        "",
    ),
    ArrangementKind.DAY_SUPPORT: (
        "Tuesdays and Thursdays, 10am to 3pm.",
        "Three days a week, including a trip to the allotment.",
        "",
    ),
    ArrangementKind.HOME_FROM_HOSPITAL: (
        "Came straight from hospital after a hip operation.",
        "Getting strong enough to go home after a stay on the ward.",
    ),
    ArrangementKind.EMERGENCY: (
        "Came at short notice when their family carer was taken ill.",
        "Came at short notice after their home became unsafe.",
    ),
}


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def ascii_word(text: str) -> str:
    """'Paweł O'Neill' -> 'paweloneill', for e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


def birthday(born: datetime.date, age: int) -> datetime.date:
    """About the day someone born on ``born`` turns ``age`` (late-month birthdays
    count from the 28th, which saves special-casing 29 February)."""
    return datetime.date(born.year + age, born.month, min(born.day, 28))


# --------------------------------------------------------------------------
# Making single records
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Locale:
    """Where a scheme works: its postcode districts and local services."""

    areas: tuple[Area, ...]
    council: str
    # Ofcom's drama range for the local dialling code.
    landline_prefix: str


LEEDS = Locale(LEEDS_AREAS, "Leeds City Council Adult Social Care", "0113 496 0")
NORTH_YORKSHIRE = Locale(
    NORTH_YORKSHIRE_AREAS, "North Yorkshire Council Health and Adult Services", "01632 960"
)
YORKSHIRE = Locale(LEEDS_AREAS + NORTH_YORKSHIRE_AREAS, "Adult Social Care (test data)", "01632 960")


@dataclass
class Household:
    """A carer household and what comes with the home, not yet saved."""

    carer: Carer
    members: list[HouseholdMember]
    pets: list[Pet]
    rooms: list[Room]


class Maker:
    """Makes unsaved records with believable, repeatable details. Children
    point at their unsaved parent; bulk_create fills in the parent's id once
    the parent is saved."""

    def __init__(self, seed: int, locale: Locale, every_background: bool = False):
        # Faker is a development dependency (requirements-dev.txt), so it is
        # imported only when demo data is actually being made.
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.locale = locale
        self.today = timezone.localdate()
        self._serial = itertools.count(1)  # keeps e-mail addresses unique
        # every_background: the first households come from each background in
        # turn, so that even a small scheme has carers to match on each language.
        self._carer_backgrounds_due = list(BACKGROUNDS[1:]) if every_background else []
        self._needs_deck: list[str] = []
        self._carer_names: set[tuple[str, str]] = set()

    # Names and contact details --------------------------------------------

    def background(self) -> Background:
        return self.rng.choices(BACKGROUNDS, weights=[b.weight for b in BACKGROUNDS])[0]

    def first_name(self, background: Background, female: bool) -> str:
        names = background.female_names if female else background.male_names
        if names:
            return self.rng.choice(names)
        return self.fake.first_name_female() if female else self.fake.first_name_male()

    def last_name(self, background: Background) -> str:
        return self.rng.choice(background.surnames) if background.surnames else self.fake.last_name()

    def staff_name(self) -> tuple[str, str]:
        background = self.background()
        return self.first_name(background, self.rng.random() < 0.7), self.last_name(background)

    def email(self, first: str, last: str) -> str:
        return f"{ascii_word(first)}.{ascii_word(last)}{next(self._serial)}@example.org"

    def mobile(self) -> str:
        return f"07700 900{self.rng.randrange(1000):03d}"

    def landline(self) -> str:
        return f"{self.locale.landline_prefix}{self.rng.randrange(1000):03d}"

    def area(self) -> Area:
        return self.rng.choice(self.locale.areas)

    def postcode(self, area: Area) -> str:
        letters = "".join(self.rng.choices(INWARD_LETTERS, k=2))
        return f"{area.district} {self.rng.randint(1, 9)}{letters}"

    def street(self) -> str:
        return f"{self.fake.last_name()} {self.rng.choice(STREET_ENDINGS)}"

    def coordinates(self, area: Area) -> tuple[Decimal, Decimal]:
        # Within a kilometre or so of the middle of the district.
        lat = area.latitude + self.rng.uniform(-0.012, 0.012)
        lon = area.longitude + self.rng.uniform(-0.02, 0.02)
        return Decimal(f"{lat:.5f}"), Decimal(f"{lon:.5f}")

    def date_of_birth(self, youngest: int, oldest: int) -> datetime.date:
        days = self.rng.randint(youngest * 365 + 1, oldest * 365 + 364)
        return self.today - datetime.timedelta(days=days)

    def interests(self, fewest: int, most: int) -> list[str]:
        return self.rng.sample(INTERESTS, self.rng.randint(fewest, most))

    def languages(self, background: Background) -> list[str]:
        # Most people from a multilingual family speak its first language too,
        # and some its second.
        first, others = background.languages[:1], background.languages[1:]
        extra = [lang for lang in first if self.rng.random() < 0.85]
        extra += [lang for lang in others if self.rng.random() < 0.4]
        return ["English", *extra]

    # Carer households -----------------------------------------------------

    def household(self, scheme: Scheme, status: str, coordinator: User | None) -> Household:
        due = self._carer_backgrounds_due
        background = due.pop() if due else self.background()
        carer = self.carer(scheme, status, coordinator, background)
        return Household(
            carer, self.household_members(carer, background), self.pets(carer), self.rooms(carer)
        )

    def carer(self, scheme: Scheme, status: str, coordinator: User | None, background: Background) -> Carer:
        rng = self.rng
        female = rng.random() < 0.75  # most Shared Lives carers are women
        first, last = self.first_name(background, female), self.last_name(background)
        for _ in range(5):  # two households of one name would confuse whoever tries the demo
            if (first, last) not in self._carer_names:
                break
            first, last = self.first_name(background, female), self.last_name(background)
        self._carer_names.add((first, last))
        joint_first = joint_last = ""
        if rng.random() < 0.3:  # a joint approval with a partner
            joint_first = self.first_name(background, not female)
            joint_last = last if rng.random() < 0.8 else self.last_name(background)
        area = self.area()
        # New enquiries have not been put on the map yet.
        latitude, longitude = (None, None)
        if status != CarerStatus.ENQUIRY or rng.random() < 0.5:
            latitude, longitude = self.coordinates(area)
        return Carer(
            scheme=scheme,
            first_name=first,
            last_name=last,
            joint_first_name=joint_first,
            joint_last_name=joint_last,
            email=self.email(first, last),
            phone=self.mobile() if rng.random() < 0.7 else self.landline(),
            address_line_1=f"{rng.randint(1, 180)} {self.street()}",
            town=area.town,
            postcode=self.postcode(area),
            latitude=latitude,
            longitude=longitude,
            status=status,
            coordinator=coordinator,
            smoking=weighted(rng, {Smoking.NO_ONE: 80, Smoking.OUTSIDE: 16, Smoking.INSIDE: 4}),
            languages=self.languages(background),
            faith=rng.choice(background.faiths),
            interests=self.interests(2, 5),
            how_heard=rng.choice(HOW_HEARD),
            notes=STATUS_NOTES[status],
        )

    def household_members(self, carer: Carer, background: Background) -> list[HouseholdMember]:
        rng = self.rng
        members = []

        def add(relationship: str, female: bool, youngest: int, oldest: int) -> None:
            members.append(
                HouseholdMember(
                    carer=carer,
                    name=f"{self.first_name(background, female)} {carer.last_name}",
                    relationship=relationship,
                    date_of_birth=self.date_of_birth(youngest, oldest),
                )
            )

        if not carer.joint_first_name and rng.random() < 0.15:
            add("partner", rng.random() < 0.3, 30, 70)
        for _ in range(rng.choices((0, 1, 2, 3), weights=(45, 25, 20, 10))[0]):
            daughter = rng.random() < 0.5
            # Ages from toddlers to grown-up children still at home: many are
            # 16 or over, and so need their own DBS check.
            add("daughter" if daughter else "son", daughter, 1, 30)
        if rng.random() < 0.06:
            mother = rng.random() < 0.7
            add("mother" if mother else "father", mother, 68, 92)
        return members

    def pets(self, carer: Carer) -> list[Pet]:
        if self.rng.random() > 0.45:
            return []
        return [
            Pet(
                carer=carer,
                kind=weighted(self.rng, PET_WEIGHTS),
                name=self.rng.choice(PET_NAMES),
                notes=self.rng.choice(PET_NOTES),
            )
            for _ in range(self.rng.choices((1, 2, 3), weights=(70, 25, 5))[0])
        ]

    def rooms(self, carer: Carer) -> list[Room]:
        # Households far enough through assessment have had their rooms checked.
        if carer.status in (CarerStatus.ENQUIRY, CarerStatus.INITIAL_VISIT):
            count = self.rng.choice((0, 1))
        else:
            count = self.rng.choices((1, 2, 3), weights=(60, 32, 8))[0]
        names = self.rng.sample(UPSTAIRS_ROOMS + DOWNSTAIRS_ROOMS, count)
        return [self._room(carer, name) for name in names]

    def _room(self, carer: Carer, name: str) -> Room:
        downstairs = name in DOWNSTAIRS_ROOMS
        return Room(
            carer=carer,
            name=name,
            ground_floor=downstairs,
            step_free=downstairs and self.rng.random() < 0.6,
            own_bathroom=self.rng.random() < (0.5 if downstairs else 0.15),
            notes=self.rng.choice(ROOM_NOTES),
        )

    # People ---------------------------------------------------------------

    def needs_groups(self) -> list[str]:
        # Dealt from a shuffled deck of 30 rather than rolled, so that even the
        # demo's 60 people have the national mix, not whatever the dice give.
        if not self._needs_deck:
            self._needs_deck = [group for group, count in NEEDS_PER_30.items() for _ in range(count)]
            self.rng.shuffle(self._needs_deck)
        first = self._needs_deck.pop()
        groups = [first]
        if self.rng.random() < 0.3:
            groups.append(self.rng.choice(SECOND_NEEDS[first]))
        return groups

    def person_and_contacts(self, scheme: Scheme, coordinator: User | None) -> tuple[Person, list[Contact]]:
        background = self.background()
        person = self.person(scheme, coordinator, background)
        return person, self.contacts(person, background)

    def person(self, scheme: Scheme, coordinator: User | None, background: Background) -> Person:
        rng = self.rng
        needs = self.needs_groups()
        female = rng.random() < 0.5
        first = self.first_name(background, female)
        preferred = ""
        if background is BACKGROUNDS[0] and rng.random() < 0.2:
            first = rng.choice(FEMALE_SHORTENED if female else MALE_SHORTENED)
            preferred = SHORT_NAMES[first]
        youngest, oldest = (65, 92) if OLDER_NEEDS & set(needs) else (18, 64)
        area = self.area()
        return Person(
            scheme=scheme,
            first_name=first,
            last_name=self.last_name(background),
            preferred_name=preferred,
            date_of_birth=self.date_of_birth(youngest, oldest),
            needs_groups=needs,
            support_needs=self.support_needs(preferred or first, needs),
            communication_needs=rng.choice(COMMUNICATION_NEEDS),
            interests=self.interests(1, 4),
            languages=self.languages(background),
            faith=rng.choice(background.faiths),
            wheelchair_user=rng.random() < (0.4 if NeedsGroup.PHYSICAL in needs else 0.03),
            pets_to_avoid=(
                rng.sample([PetKind.DOG, PetKind.CAT, PetKind.RABBIT, PetKind.BIRD], rng.randint(1, 2))
                if rng.random() < 0.1
                else []
            ),
            smoking_preference=weighted(
                rng,
                {
                    SmokingPreference.NO_PREFERENCE: 60,
                    SmokingPreference.SMOKE_FREE: 30,
                    SmokingPreference.SMOKER: 10,
                },
            ),
            preferred_area=area.name if rng.random() < 0.6 else "",
            postcode=self.postcode(area) if rng.random() < 0.8 else "",
            coordinator=coordinator,
        )

    def support_needs(self, name: str, needs: Sequence[str]) -> str:
        sentences = [self.rng.choice(SUPPORT_SENTENCES[group]) for group in needs]
        return " ".join(sentences).format(name=name)

    def contacts(self, person: Person, background: Background) -> list[Contact]:
        rng = self.rng
        contacts = []
        relations = FAMILY["older" if OLDER_NEEDS & set(person.needs_groups) else "younger"]
        for relationship in rng.sample(relations, rng.choices((0, 1, 2), weights=(12, 58, 30))[0]):
            female = relationship in FEMALE_RELATIONS or (relationship == "friend" and rng.random() < 0.5)
            first = self.first_name(background, female)
            if first == person.first_name:  # a son not named after the person, please
                first = self.first_name(BACKGROUNDS[0], female)
            last = person.last_name if relationship != "friend" else self.fake.last_name()
            contacts.append(
                Contact(
                    person=person,
                    kind=ContactKind.FAMILY,
                    name=f"{first} {last}",
                    relationship=relationship,
                    phone=self.mobile(),
                    email=self.email(first, last) if rng.random() < 0.5 else "",
                )
            )
        if rng.random() < 0.9:
            contacts.append(
                self._professional(person, ContactKind.SOCIAL_WORKER, "social worker", self.locale.council)
            )
        surgery = rng.choice(("Medical Practice", "Surgery", "Health Centre"))
        contacts.append(
            self._professional(person, ContactKind.GP, "GP", f"{self.area().name} {surgery}", title="Dr")
        )
        if rng.random() < 0.25:
            contacts.append(
                self._professional(
                    person, ContactKind.ADVOCATE, "independent advocate", "Independent advocacy service"
                )
            )
        return contacts

    def _professional(self, person, kind, role, organisation, title=""):
        first, last = self.staff_name()
        name = f"{title} {first[0]} {last}" if title else f"{first} {last}"
        return Contact(
            person=person,
            kind=kind,
            name=name,
            relationship=role,
            organisation=organisation,
            phone=self.landline(),
            email=self.email(first, last) if kind != ContactKind.GP else "",
        )

    # Arrangement dates ------------------------------------------------------

    def arrangement_dates(self, kind: str, status: str) -> tuple[datetime.date, datetime.date | None]:
        rng, today = self.rng, self.today
        days = datetime.timedelta
        if status == ArrangementStatus.ENDED:
            end = today - days(rng.randint(1, 1500))
            return end - days(rng.randint(*ENDED_LENGTH_DAYS[kind])), end
        if status == ArrangementStatus.PLANNED:
            start = today + days(rng.randint(7, 90))
        elif kind in SHORT_STAYS:
            start = today - days(rng.randint(2, 25))
        else:
            start = today - days(rng.randint(14, 3000))
        end = start + days(rng.randint(21, 56)) if kind in SHORT_STAYS else None
        return start, end


# --------------------------------------------------------------------------
# Arrangements
# --------------------------------------------------------------------------


@dataclass
class Diary:
    """What one person already has booked, to keep new arrangements sensible."""

    adult_from: datetime.date  # people are 16 or over when they join a scheme
    live_in: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    open_with: set[int] = field(default_factory=set)  # carers (by index) with an open arrangement
    arrangements: list[Arrangement] = field(default_factory=list)


class ArrangementPlanner:
    """Matches people and carers to (kind, status) specs while keeping the
    rules: a person's live-in arrangements never overlap (the database's
    exclusion constraint), only approved carers have planned or current
    arrangements, and none has more than three of them. Nobody stays with a
    household on a night when three people already do (the database's
    capacity trigger); where it can, a stay goes to a household with a room
    free for it (``rooms``: how many rooms each carer has). Every started
    arrangement has its agreement, and a live-in one its licence and rent.

    The carers need not be saved yet (they are known by their place in
    ``carers``): their approval history is fitted around the arrangements
    before they are, and the terms allow as many people as ever stay."""

    def __init__(self, maker: Maker, people: list[Person], carers: list[Carer], rooms: Sequence[int] = ()):
        self.maker = maker
        self.rng = maker.rng
        self.people = people
        self.carers = carers
        self.rooms = list(rooms) or [LEGAL_MAXIMUM] * len(carers)
        self.diaries: dict[int, Diary] = {}
        # Each household's stays (live-in and other stays) as [start, end) nights.
        self.stays: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
        approved = [i for i, c in enumerate(carers) if c.status == CarerStatus.APPROVED]
        self.open_counts = dict.fromkeys(approved, 0)
        self.with_space = list(approved)
        # Ended arrangements may have been with carers who have since left.
        left = (CarerStatus.SUSPENDED, CarerStatus.RESIGNED, CarerStatus.APPROVAL_ENDED)
        self.past_carers = approved + [i for i, c in enumerate(carers) if c.status in left]

    def plan(self, specs: Sequence[tuple[str, str]]) -> list[Arrangement]:
        arrangements = []
        for kind, status in specs:
            arrangement = self._place(kind, status)
            if arrangement is None and status in OPEN_STATUSES:
                # Every approved carer is full (or this person cannot be
                # placed): make it part of someone's history instead.
                arrangement = self._place(kind, ArrangementStatus.ENDED)
            if arrangement is not None:
                arrangements.append(arrangement)
        self._some_deaths()
        return arrangements

    def _diary(self, person: Person) -> Diary:
        diary = self.diaries.get(person.pk)
        if diary is None:
            diary = self.diaries[person.pk] = Diary(adult_from=birthday(person.date_of_birth, 16))
        return diary

    def _place(self, kind: str, status: str) -> Arrangement | None:
        for _ in range(ATTEMPTS):
            # Fresh dates each time too: a long live-in may fit nobody's gaps.
            start, end = self.maker.arrangement_dates(kind, status)
            person = self.rng.choice(self.people)
            diary = self._diary(person)
            if start < diary.adult_from:
                continue
            if kind == ArrangementKind.LIVE_IN and self._clashes(diary, start, end):
                continue
            # Short breaks are booked into a room too, so they look for one free.
            nights = (start, end or datetime.date.max) if kind in ROOM_KINDS else None
            carer_index = self._carer_for(status, diary, nights)
            if carer_index is None:
                if status in OPEN_STATUSES and not self.with_space:
                    return None
                continue
            return self._record(person, diary, carer_index, kind, status, start, end)
        return None

    @staticmethod
    def _clashes(diary: Diary, start, end) -> bool:
        # Ranges include both ends, as the database's daterange(..., '[]') does.
        last = end or datetime.date.max
        return any(start <= other_end and other_start <= last for other_start, other_end in diary.live_in)

    def _staying(self, carer_index: int, nights: tuple[datetime.date, datetime.date]) -> int:
        """The most people already staying with the household on any of ``nights``."""
        first, last = nights
        stays = [(s, e) for s, e in self.stays.get(carer_index, ()) if s < last and first < e]
        starts = [first] + [s for s, _ in stays if first < s]
        return max((sum(s <= night < e for s, e in stays) for night in starts), default=0)

    def _fits(self, carer_index: int, nights, tries: int) -> bool:
        """Whether one more can stay on ``nights``: in a room of their own for
        the first tries, else anywhere within the legal maximum."""
        if nights is None:
            return True
        staying = self._staying(carer_index, nights)
        room_free = staying < self.rooms[carer_index]
        return staying < LEGAL_MAXIMUM and (room_free or tries >= HOUSEHOLD_ATTEMPTS)

    def _carer_for(self, status: str, diary: Diary, nights) -> int | None:
        if status == ArrangementStatus.ENDED:
            for tries in range(2 * HOUSEHOLD_ATTEMPTS):
                carer_index = self.rng.choice(self.past_carers)
                if self._fits(carer_index, nights, tries):
                    return carer_index
            return None
        for tries in range(2 * HOUSEHOLD_ATTEMPTS):
            if not self.with_space:
                return None
            index = self.rng.randrange(len(self.with_space))
            carer_index = self.with_space[index]
            if carer_index in diary.open_with or not self._fits(carer_index, nights, tries):
                continue
            self.open_counts[carer_index] += 1
            if self.open_counts[carer_index] >= MAX_OPEN_PER_CARER:
                # Swap-remove keeps picking a carer with space O(1).
                self.with_space[index] = self.with_space[-1]
                self.with_space.pop()
            return carer_index
        return None

    def _record(self, person, diary, carer_index, kind, status, start, end) -> Arrangement:
        if kind == ArrangementKind.LIVE_IN:
            diary.live_in.append((start, end or datetime.date.max))
        if kind in STAYING_KINDS:
            self.stays.setdefault(carer_index, []).append((start, end or datetime.date.max))
        if status in OPEN_STATUSES:
            diary.open_with.add(carer_index)
        agreement, licence, rent = self._paperwork(kind, status, start)
        arrangement = Arrangement(
            scheme_id=person.scheme_id,
            person_id=person.pk,
            carer=self.carers[carer_index],
            kind=kind,
            status=status,
            start_date=start,
            end_date=end,
            end_reason=self._end_reason(kind, carer_index) if status == ArrangementStatus.ENDED else "",
            notes=self.rng.choice(ARRANGEMENT_NOTES[kind]),
            agreement_recorded_on=agreement,
            licence_recorded_on=licence,
            weekly_rent=rent,
        )
        diary.arrangements.append(arrangement)
        return arrangement

    def _paperwork(self, kind: str, status: str, start: datetime.date):
        """When the arrangement agreement (and for live-in, the licence) was
        signed, and the weekly rent: on or before the start, and for half the
        planned arrangements not yet."""
        rng, days = self.rng, datetime.timedelta
        if status == ArrangementStatus.PLANNED:
            if rng.random() < 0.5:
                return None, None, None
            signed = self.maker.today - days(rng.randint(0, 10))
        elif kind in SHORT_STAYS:
            signed = start - days(rng.randint(0, 1))  # signed when they came
        else:
            signed = start - days(rng.randint(0, 21))
        if kind != ArrangementKind.LIVE_IN:
            return signed, None, None
        # A room's rent, guided by the Local Housing Allowance: £85 to £140 a week.
        return signed, signed, Decimal(rng.randint(34, 56)) * Decimal("2.50")

    def _end_reason(self, kind: str, carer_index: int) -> str:
        if self.carers[carer_index].status == CarerStatus.RESIGNED and self.rng.random() < 0.7:
            return EndReason.CARER_RESIGNED
        if kind in SHORT_STAYS and self.rng.random() < 0.7:
            return EndReason.COMPLETED
        return weighted(
            self.rng,
            {
                EndReason.PLANNED_MOVE: 30,
                EndReason.PERSONS_CHOICE: 25,
                EndReason.BREAKDOWN: 10,
                EndReason.HOSPITAL: 10,
                EndReason.COMPLETED: 15,
                EndReason.OTHER: 5,
            },
        )

    def _some_deaths(self) -> None:
        # Only someone with nothing booked afterwards can have died, so this
        # runs once every arrangement is placed.
        people = {p.pk: p for p in self.people}
        for person_id, diary in self.diaries.items():
            if not diary.arrangements or not OLDER_NEEDS & set(people[person_id].needs_groups):
                continue
            if any(a.status != ArrangementStatus.ENDED for a in diary.arrangements):
                continue
            if self.rng.random() < 0.3:
                max(diary.arrangements, key=lambda a: a.end_date).end_reason = EndReason.DEATH


def random_specs(rng: random.Random, count: int, status_weights: dict) -> list[tuple[str, str]]:
    return [(weighted(rng, KIND_WEIGHTS), weighted(rng, status_weights)) for _ in range(count)]


# --------------------------------------------------------------------------
# Building schemes
# --------------------------------------------------------------------------


@dataclass
class Login:
    username: str
    role: str
    scheme: str


@dataclass
class Built:
    """What one scheme ended up with."""

    scheme: Scheme
    carers: list[Carer]
    people: list[Person]
    arrangements: list[Arrangement]


def check_constraints_now() -> None:
    """Check foreign keys row by row for the rest of this transaction.

    Django makes foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL
    queues a check for every inserted row until commit, and walks that
    ever-growing queue after each statement, which added about four minutes
    to a 10,000-household build. Parents are always saved before their
    children here, so checking at once loses nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def refresh_statistics(*models) -> None:
    """ANALYZE tables this transaction has just filled.

    Each foreign-key check plans its lookup from the table statistics. Stale
    ones (which have never seen the new scheme) make PostgreSQL look a person
    up by scheme and then filter, scanning every row of the new scheme for
    each arrangement: 50,000 arrangements then take minutes, not seconds.
    ANALYZE counts this transaction's own new rows, so the plans come out right."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def save_all(model, objects: list) -> list:
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return objects


class Timer:
    """Reports each step of a long build with how long it took."""

    def __init__(self, report: Report):
        self.report = report
        self.started = perf_counter()

    def step(self, message: str) -> None:
        now = perf_counter()
        self.report(f"  {message} ({now - self.started:.1f} s)")
        self.started = now


def make_users(rows: Sequence[tuple[str, str, str]], password_hash: str, **flags) -> list[User]:
    """Users from (username, first name, last name), all with one password hash."""
    return save_all(
        User,
        [
            User(
                username=username,
                first_name=first,
                last_name=last,
                password=password_hash,
                email=f"{username}@example.org",
                **flags,
            )
            for username, first, last in rows
        ],
    )


def add_members(scheme: Scheme, users: Sequence[User], role: str) -> None:
    save_all(Membership, [Membership(user=user, scheme=scheme, role=role) for user in users])


def build_records(
    maker: Maker,
    scheme: Scheme,
    staff: Sequence[User],
    carer_statuses: Sequence[str],
    people: int,
    specs: Sequence[tuple[str, str]],
    timer: Timer,
    approval: ApprovalBuilder | None = None,
    matching: MatchingBuilder | None = None,
    monitoring: MonitoringBuilder | None = None,
) -> Built:
    """Carer households, people and arrangements for one scheme, caseloads
    shared across ``staff`` (whoever is listed more often gets more), the
    households' approval records if an ``approval`` builder is given, the
    rates, referrals and matching records if a ``matching`` one is, and the
    reviews, visits, incidents and lapsing checks if a ``monitoring`` one is."""
    rng = maker.rng

    def caseworker(unassigned: float) -> User | None:
        # Some new enquiries and referrals have no coordinator yet.
        return None if rng.random() < unassigned else rng.choice(staff)

    households = [
        maker.household(scheme, status, caseworker(0.5 if status == CarerStatus.ENQUIRY else 0))
        for status in carer_statuses
    ]
    made = [maker.person_and_contacts(scheme, caseworker(0.05)) for _ in range(people)]
    persons = save_all(Person, [person for person, _ in made])
    refresh_statistics(Person)
    contacts = save_all(Contact, [contact for _, contacts in made for contact in contacts])
    timer.step(f"{len(persons):,} people, {len(contacts):,} contacts")

    # The arrangements are planned before the households are saved, so that
    # each household's approval dates can be fitted around its arrangements.
    carers = [household.carer for household in households]
    planned = ArrangementPlanner(maker, persons, carers, [len(h.rooms) for h in households]).plan(specs)
    if approval is not None:
        approval.prepare(households, planned, persons)
    if monitoring is not None:
        portal = households_with_someone_living_in(carers, planned, monitoring.carer_logins)
        monitoring.prepare(planned, persons, approval, portal)
    save_all(Carer, carers)
    refresh_statistics(Carer)
    members = save_all(HouseholdMember, [m for household in households for m in household.members])
    pets = save_all(Pet, [pet for household in households for pet in household.pets])
    rooms = save_all(Room, [room for household in households for room in household.rooms])
    # Stays and bookings check their room is their household's: (id, carer) lookups.
    refresh_statistics(Room)
    timer.step(
        f"{len(carers):,} carer households: {len(members):,} household members, "
        f"{len(pets):,} pets, {len(rooms):,} rooms"
    )

    if matching is not None:
        # Before the arrangements, which point at their referral and rate.
        timer.step(matching.prepare(households, planned, persons, approval))
    arrangements = save_all(Arrangement, planned)
    timer.step(f"{len(arrangements):,} arrangements")
    if approval is not None:
        timer.step(approval.save())
    if monitoring is not None:
        timer.step(monitoring.save())
    return Built(scheme, carers, persons, arrangements)


def households_with_someone_living_in(
    carers: Sequence[Carer], arrangements: Sequence[Arrangement], count: int
) -> list[Carer]:
    """Approved households with a current live-in arrangement, for carer
    logins: a carer who signs in then has someone to see on every page.
    Households are told apart by identity, so this works before they are saved."""
    living_in = {
        id(a.carer)
        for a in arrangements
        if a.status == ArrangementStatus.CURRENT and a.kind == ArrangementKind.LIVE_IN
    }
    chosen = [c for c in carers if c.status == CarerStatus.APPROVED and id(c) in living_in][:count]
    if len(chosen) < count:
        raise RuntimeError("Too few approved households with someone living in for the carer logins.")
    return chosen


def add_carer_logins(built: Built, usernames: Sequence[str], password_hash: str) -> list[Login]:
    households = households_with_someone_living_in(built.carers, built.arrangements, len(usernames))
    users = save_all(
        User,
        [
            User(
                username=username,
                first_name=carer.first_name,
                last_name=carer.last_name,
                email=carer.email,
                password=password_hash,
            )
            for username, carer in zip(usernames, households, strict=True)
        ],
    )
    save_all(
        Membership,
        [
            Membership(user=user, scheme=built.scheme, role=Role.CARER, carer=carer)
            for user, carer in zip(users, households, strict=True)
        ],
    )
    return [
        Login(user.username, f"Carer ({carer.name})", built.scheme.name)
        for user, carer in zip(users, households, strict=True)
    ]


def staff_logins(users: Sequence[User], role: str, scheme: Scheme) -> list[Login]:
    return [Login(user.username, Role(role).label, scheme.name) for user in users]


# The demo -------------------------------------------------------------------

# About 40 households in every stage, most of them approved. Three at
# assessment and three at panel show each case the approval pages handle
# (see sharedlives.demo_approval).
LEEDS_CARER_STATUSES = {
    CarerStatus.APPROVED: 24,
    CarerStatus.ENQUIRY: 2,
    CarerStatus.INITIAL_VISIT: 1,
    CarerStatus.APPLICATION: 2,
    CarerStatus.ASSESSMENT: 3,
    CarerStatus.READY_FOR_PANEL: 1,
    CarerStatus.PANEL: 3,
    CarerStatus.DECLINED: 1,
    CarerStatus.WITHDRAWN: 1,
    CarerStatus.SUSPENDED: 1,
    CarerStatus.RESIGNED: 2,
    CarerStatus.APPROVAL_ENDED: 1,
}
DEMO_STATUS_WEIGHTS = {
    ArrangementStatus.CURRENT: 50,
    ArrangementStatus.PLANNED: 12,
    ArrangementStatus.ENDED: 38,
}


def _leeds_specs(rng: random.Random) -> list[tuple[str, str]]:
    # Every kind in every status once, so each filter and badge has something
    # to show, then the usual mix.
    every = list(itertools.product(ArrangementKind.values, ArrangementStatus.values))
    return every + random_specs(rng, 50 - len(every), DEMO_STATUS_WEIGHTS)


def build_demo(report: Report = quiet) -> list[Login]:
    """Two schemes with staff, households, people and arrangements, and the
    logins to try them with. Call inside a transaction."""
    timer = Timer(report)
    password_hash = make_password(PASSWORD)
    logins = [Login("admin", "Site administrator (Django admin)", "—")]
    (admin,) = make_users([("admin", "Priya", "Shah")], password_hash, is_staff=True, is_superuser=True)

    leeds = Scheme.objects.create(name="Leeds Shared Lives", cqc_location_id="1-101234567")
    manager, coordinator, coordinator3 = make_users(
        [
            ("manager", "Helen", "Marsh"),
            ("coordinator", "Amir", "Hussain"),
            ("coordinator3", "Kate", "Brennan"),
        ],
        password_hash,
    )
    leeds.registered_manager = manager
    leeds.save(update_fields=["registered_manager"])
    add_members(leeds, [manager], Role.MANAGER)
    add_members(leeds, [coordinator, coordinator3], Role.COORDINATOR)
    logins += staff_logins([manager], Role.MANAGER, leeds)
    logins += staff_logins([coordinator, coordinator3], Role.COORDINATOR, leeds)

    report("Leeds Shared Lives:")
    maker = Maker(SEED, LEEDS, every_background=True)
    statuses = [status for status, count in LEEDS_CARER_STATUSES.items() for _ in range(count)]
    maker.rng.shuffle(statuses)  # so the list is not sorted by status
    # The registered manager keeps a small caseload; the coordinators share the rest.
    staff = [coordinator, coordinator, coordinator3, coordinator3, manager]
    approval = ApprovalBuilder(SEED + 10, leeds, manager, [coordinator, coordinator3], LEEDS_PANEL)
    matching = MatchingBuilder(
        Maker(SEED + 30, LEEDS), leeds, manager, [coordinator, coordinator3], LEEDS_RATES, region=LEEDS_REGION
    )
    specs = _leeds_specs(maker.rng)
    monitoring = MonitoringBuilder(SEED + 40, leeds, manager, [coordinator, coordinator3], carer_logins=2)
    built = build_records(maker, leeds, staff, statuses, 60, specs, timer, approval, matching, monitoring)
    logins += add_carer_logins(built, ["carer", "carer2"], password_hash)
    timer.step(build_portal(SEED + 20, built.carers))
    # Bookings go around the dates away the portal has just recorded.
    timer.step(matching.finish())
    timer.step(build_payments(leeds, manager, coordinator))  # after bookings: runs pay for them

    north = Scheme.objects.create(name="North Yorkshire Shared Lives", cqc_location_id="1-109876543")
    manager2, coordinator2 = make_users(
        [("manager2", "Sarah", "Metcalfe"), ("coordinator2", "Tom", "Whitaker")], password_hash
    )
    north.registered_manager = manager2
    north.save(update_fields=["registered_manager"])
    add_members(north, [manager2], Role.MANAGER)
    add_members(north, [coordinator2], Role.COORDINATOR)
    logins += staff_logins([manager2], Role.MANAGER, north)
    logins += staff_logins([coordinator2], Role.COORDINATOR, north)

    report("North Yorkshire Shared Lives:")
    maker = Maker(SEED + 1, NORTH_YORKSHIRE)
    statuses = [CarerStatus.APPROVED] * 4 + [CarerStatus.ASSESSMENT]
    specs = [
        (ArrangementKind.LIVE_IN, ArrangementStatus.CURRENT),
        (ArrangementKind.SHORT_BREAKS, ArrangementStatus.CURRENT),
        (ArrangementKind.DAY_SUPPORT, ArrangementStatus.ENDED),
    ]
    approval = ApprovalBuilder(SEED + 11, north, manager2, [coordinator2], NORTH_YORKSHIRE_PANEL)
    # A rural county: carers further away are still worth a look.
    matching = MatchingBuilder(
        Maker(SEED + 31, NORTH_YORKSHIRE),
        north,
        manager2,
        [coordinator2],
        NORTH_YORKSHIRE_RATES,
        region=NORTH_YORKSHIRE_REGION,
        max_distance_miles=40,
    )
    monitoring = MonitoringBuilder(
        SEED + 41,
        north,
        manager2,
        [coordinator2],
        region=NORTH_YORKSHIRE_REGION,
        stories=SMALL_STORIES,
        feedback=SMALL_FEEDBACK,
    )
    build_records(maker, north, [coordinator2], statuses, 5, specs, timer, approval, matching, monitoring)
    timer.step(matching.finish())
    # Staff sign in with a code too; the demo's key is printed and in the README.
    register_second_factor([admin, manager, coordinator, coordinator3, manager2, coordinator2])
    return logins


DEMO_USERNAMES = (
    "manager",
    "coordinator",
    "coordinator3",
    "manager2",
    "coordinator2",
    "carer",
    "carer2",
    "admin",
)


def existing_demo_logins() -> list[Login]:
    """The demo logins already in the database, to remind whoever runs the
    site how to sign in."""
    memberships = Membership.objects.filter(user__username__in=DEMO_USERNAMES).select_related(
        "user", "scheme"
    )
    logins = [Login(m.user.username, m.get_role_display(), m.scheme.name) for m in memberships]
    if User.objects.filter(username="admin", is_superuser=True).exists():
        logins.append(Login("admin", "Site administrator (Django admin)", "—"))
    return sorted(logins, key=lambda login: DEMO_USERNAMES.index(login.username))


# The benchmark scheme --------------------------------------------------------

SCALE_CARER_STATUS_WEIGHTS = {
    CarerStatus.APPROVED: 78,
    CarerStatus.ENQUIRY: 4,
    CarerStatus.INITIAL_VISIT: 2,
    CarerStatus.APPLICATION: 2,
    CarerStatus.ASSESSMENT: 3,
    CarerStatus.READY_FOR_PANEL: 1,
    CarerStatus.PANEL: 1,
    CarerStatus.DECLINED: 1,
    CarerStatus.WITHDRAWN: 2,
    CarerStatus.SUSPENDED: 1,
    CarerStatus.RESIGNED: 3,
    CarerStatus.APPROVAL_ENDED: 2,
}
# Fewer open arrangements than the demo, so that three open arrangements per
# approved carer leaves room for five arrangements per household overall.
SCALE_STATUS_WEIGHTS = {
    ArrangementStatus.CURRENT: 30,
    ArrangementStatus.PLANNED: 6,
    ArrangementStatus.ENDED: 64,
}
SCALE_CARER_LOGINS = 3


def _scale_cqc_location_id(k: int) -> str:
    return f"1-{900000000 + k}"


def _free_scale_slot() -> int:
    """The lowest k for which "Scale test scheme k" and its CQC ID are unused."""
    k = 1
    while Scheme.objects.filter(
        Q(name__startswith=f"Scale test scheme {k} ") | Q(cqc_location_id=_scale_cqc_location_id(k))
    ).exists():
        k += 1
    return k


def build_scale(carers: int, report: Report = quiet) -> list[Login]:
    """A scheme with ``carers`` households, three times as many people and five
    times as many arrangements, for benchmarks. Call inside a transaction."""
    timer = Timer(report)
    k = _free_scale_slot()
    prefix = "scale" if k == 1 else f"scale{k}"
    scheme = Scheme.objects.create(
        name=f"Scale test scheme {k} ({carers:,} carers)", cqc_location_id=_scale_cqc_location_id(k)
    )
    report(f"{scheme.name}:")
    maker = Maker(SEED + 100 + k, YORKSHIRE)
    password_hash = make_password(PASSWORD)

    # About one coordinator for every 25 carers.
    coordinator_count = max(1, round(carers / 25))
    (manager,) = make_users([(f"{prefix}-manager", *maker.staff_name())], password_hash)
    coordinators = make_users(
        [(f"{prefix}-coord-{i}", *maker.staff_name()) for i in range(1, coordinator_count + 1)],
        password_hash,
    )
    scheme.registered_manager = manager
    scheme.save(update_fields=["registered_manager"])
    add_members(scheme, [manager], Role.MANAGER)
    add_members(scheme, coordinators, Role.COORDINATOR)
    register_second_factor([manager, *coordinators])
    timer.step(f"{coordinator_count:,} coordinators and a registered manager")

    rng = maker.rng
    statuses = rng.choices(
        list(SCALE_CARER_STATUS_WEIGHTS), list(SCALE_CARER_STATUS_WEIGHTS.values()), k=carers
    )
    specs = random_specs(rng, 5 * carers, SCALE_STATUS_WEIGHTS)
    approval = ApprovalBuilder(SEED + 200 + k, scheme, manager, coordinators, SCALE_PANEL, detail=False)
    matching = MatchingBuilder(
        Maker(SEED + 400 + k, YORKSHIRE), scheme, manager, coordinators, LEEDS_RATES, detail=False
    )
    monitoring = MonitoringBuilder(
        SEED + 500 + k,
        scheme,
        manager,
        coordinators,
        carer_logins=SCALE_CARER_LOGINS,
        detail=False,
    )
    built = build_records(
        maker, scheme, coordinators, statuses, 3 * carers, specs, timer, approval, matching, monitoring
    )
    timer.step(save_dates_away(SEED + 300 + k, built.carers))
    timer.step(matching.finish())

    usernames = [f"{prefix}-carer-{i}" for i in range(1, SCALE_CARER_LOGINS + 1)]
    logins = staff_logins([manager], Role.MANAGER, scheme)
    role = Role.COORDINATOR.label
    if coordinator_count > 1:
        role += f" (so are {prefix}-coord-2 to {prefix}-coord-{coordinator_count})"
    logins.append(Login(coordinators[0].username, role, scheme.name))
    logins += add_carer_logins(built, usernames, password_hash)
    return logins
