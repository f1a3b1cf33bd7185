"""Referrals and matching, at /referrals/."""

from django.urls import path

from placements.views import referrals

urlpatterns = [
    path("", referrals.referral_list, name="referral_list"),
]
