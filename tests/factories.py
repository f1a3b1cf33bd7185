"""factory-boy factories for the core records, with British fake data."""

import datetime

import factory
from factory.django import DjangoModelFactory

from carers.models import Carer, CarerStatus, HouseholdMember, Pet, Room
from people.models import Contact, ContactKind, Person
from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from sharedlives.models import Membership, Role, Scheme, User

factory.Faker._DEFAULT_LOCALE = "en_GB"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = Scheme

    name = factory.Sequence(lambda n: f"Shared Lives scheme {n}")
    cqc_location_id = factory.Sequence(lambda n: f"1-{100000000 + n}")


class CarerFactory(DjangoModelFactory):
    class Meta:
        model = Carer

    scheme = factory.SubFactory(SchemeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")
    phone = "0113 496 0000"
    address_line_1 = factory.Faker("street_address")
    town = "Leeds"
    postcode = "LS6 2AB"
    status = CarerStatus.APPROVED


class HouseholdMemberFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    carer = factory.SubFactory(CarerFactory)
    name = factory.Faker("name")
    relationship = "son"
    date_of_birth = datetime.date(2005, 3, 1)


class PetFactory(DjangoModelFactory):
    class Meta:
        model = Pet

    carer = factory.SubFactory(CarerFactory)
    kind = PetKind.DOG
    name = "Biscuit"


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room

    carer = factory.SubFactory(CarerFactory)
    name = "Back bedroom"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    scheme = factory.SubFactory(SchemeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1990, 6, 15)
    needs_groups = factory.LazyFunction(lambda: [NeedsGroup.LEARNING_DISABILITY])


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    kind = ContactKind.FAMILY
    name = factory.Faker("name")
    relationship = "sister"


class ArrangementFactory(DjangoModelFactory):
    class Meta:
        model = Arrangement

    scheme = factory.SubFactory(SchemeFactory)
    person = factory.SubFactory(PersonFactory, scheme=factory.SelfAttribute("..scheme"))
    carer = factory.SubFactory(CarerFactory, scheme=factory.SelfAttribute("..scheme"))
    kind = ArrangementKind.LIVE_IN
    status = ArrangementStatus.CURRENT
    start_date = datetime.date(2025, 1, 6)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    scheme = factory.SubFactory(SchemeFactory)
    role = Role.COORDINATOR
