"""Users for each role, and the scheme they work in.

``scheme`` is where most tests happen; ``other_scheme`` belongs to someone
else, so its records must stay out of reach of ``scheme``'s users."""

import pytest
from django.core.cache import cache

from sharedlives.models import Role
from tests.factories import ArrangementFactory, CarerFactory, MembershipFactory, SchemeFactory, UserFactory
from tests.second_factor import register_totp


@pytest.fixture(autouse=True)
def _empty_cache():
    """django-allauth keeps its rate limits (sign-ins from an address this
    minute) and the two-step codes already used in the cache, which outlives
    a test: each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    """Certificates tests upload go to a folder of the test's own, not var/."""
    settings.UPLOADS_ROOT = tmp_path / "uploads"


@pytest.fixture
def scheme(db):
    return SchemeFactory(name="Leeds Shared Lives")


@pytest.fixture
def other_scheme(db):
    return SchemeFactory(name="York Shared Lives")


def _member(scheme, role, username, carer=None):
    user = UserFactory(username=username)
    MembershipFactory(user=user, scheme=scheme, role=role, carer=carer)
    return user


@pytest.fixture
def manager(scheme):
    return _member(scheme, Role.MANAGER, "manager")


@pytest.fixture
def coordinator(scheme):
    return _member(scheme, Role.COORDINATOR, "coordinator")


@pytest.fixture
def other_coordinator(other_scheme):
    """A coordinator of another scheme."""
    return _member(other_scheme, Role.COORDINATOR, "other-coordinator")


@pytest.fixture
def carer_household(scheme):
    return CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel")


@pytest.fixture
def carer(carer_household):
    """A carer's login, for the household ``carer_household``."""
    return _member(carer_household.scheme, Role.CARER, "carer", carer=carer_household)


@pytest.fixture
def other_carer_household(scheme):
    return CarerFactory(scheme=scheme, first_name="Tom", last_name="Barker")


@pytest.fixture
def other_carer(other_carer_household):
    """Another carer of the same scheme, with a household of their own."""
    return _member(other_carer_household.scheme, Role.CARER, "carer2", carer=other_carer_household)


@pytest.fixture
def arrangement(scheme, carer_household):
    """A current live-in arrangement with ``carer_household``."""
    return ArrangementFactory(scheme=scheme, carer=carer_household)


@pytest.fixture
def admin_user(db):
    """A system administrator, with their authenticator app set up (admin
    wants its code: tests.second_factor.sign_in_with_code)."""
    user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    register_totp(user)
    return user
