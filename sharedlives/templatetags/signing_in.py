from allauth.mfa.models import Authenticator
from django import template

from sharedlives.accounts import staff_logins

register = template.Library()


@register.filter
def must_use_second_factor(user) -> bool:
    """Staff must keep two-step sign-in on; carers choose."""
    return user.is_authenticated and staff_logins().filter(pk=user.pk).exists()


@register.filter
def second_factor_on(user) -> bool:
    """Whether signing in asks this user for a code from their app."""
    return (
        user.is_authenticated
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )
