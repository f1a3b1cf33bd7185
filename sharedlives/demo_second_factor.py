"""The demo's second factor: one authenticator-app key for every demo staff login.

Staff sign in with their password and a code from an authenticator app (see
"Signing in" in the README). So that whoever tries the demo can still sign in
as a manager, a coordinator or the administrator, ``seed_demo`` registers the
same published key for all of them and prints it. It is public: never use it
for a real account. The demo carers sign in with their password alone, as
carers do until they turn the second factor on.
"""

from collections.abc import Sequence

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.utils import encrypt

from sharedlives.models import User

DEMO_TOTP_SECRET = "SHAREDLIVESDEMOTOTPSECRETKEY2345"

HOW_TO_GET_A_CODE = (
    "Staff logins (managers, coordinators, admin) then ask for a code from an authenticator app.\n"
    f"Add the key {DEMO_TOTP_SECRET} to any authenticator app (time-based, 6 digits), or run:\n"
    "  .venv/bin/python -c "
    f"\"from sharedlives.totp import totp_code; print(totp_code('{DEMO_TOTP_SECRET}'))\"\n"
    "Carer logins need only the password."
)


def register_second_factor(users: Sequence[User]) -> None:
    """Give each user the demo key and a set of recovery codes, as if they had
    set up their authenticator app at their first sign-in."""
    secret = encrypt(DEMO_TOTP_SECRET)
    Authenticator.objects.bulk_create(
        [
            authenticator
            for user in users
            for authenticator in (
                Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": secret}),
                Authenticator(
                    user=user,
                    type=Authenticator.Type.RECOVERY_CODES,
                    data={"seed": encrypt(RecoveryCodes.generate_seed()), "used_mask": 0},
                ),
            )
        ],
        batch_size=2000,
    )
