from django.shortcuts import render
from django.views.decorators.http import require_safe

from sharedlives.access import require_staff


@require_safe
def referral_list(request):
    require_staff(request)
    return render(request, "placements/referral_list.html", {})
