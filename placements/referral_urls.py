"""Referrals and matching, at /referrals/."""

from django.urls import path

from placements.views import matching, referrals

urlpatterns = [
    path("", referrals.referral_list, name="referral_list"),
    path("new/", referrals.referral_create, name="referral_create"),
    path("<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path("<int:pk>/edit/", referrals.referral_edit, name="referral_edit"),
    path("<int:pk>/history/", referrals.referral_history, name="referral_history"),
    path("<int:pk>/move/", referrals.referral_move, name="referral_move"),
    path(
        "<int:pk>/proposals/<int:proposal_pk>/answer/",
        referrals.referral_answer,
        name="referral_answer",
    ),
    path(
        "<int:pk>/proposals/<int:proposal_pk>/introductions/",
        referrals.referral_introduction_plan,
        name="referral_introduction_plan",
    ),
    path(
        "<int:pk>/introductions/<int:introduction_pk>/",
        referrals.referral_introduction_record,
        name="referral_introduction_record",
    ),
    path("<int:pk>/matching/", matching.referral_matching, name="referral_matching"),
    path("<int:pk>/propose/", matching.referral_propose, name="referral_propose"),
]
