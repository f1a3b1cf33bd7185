from django.urls import path

from carers.views import approval, availability, changes, expiring, panels, pipeline, records
from sharedlives import views_rights, views_viewlog

urlpatterns = [
    path("", records.carer_list, name="carer_list"),
    path("new/", records.carer_create, name="carer_create"),
    path("pipeline/", pipeline.pipeline, name="approval_pipeline"),
    # Checks and training that have lapsed or lapse soon, across the scheme.
    path("checks/expiring/", expiring.expiring_checks, name="expiring_checks"),
    # What carers tell the scheme through the portal, for coordinators to answer.
    path("changes/", changes.change_queue, name="change_queue"),
    path("changes/<int:change_pk>/accept/", changes.change_accept, name="change_accept"),
    path("changes/<int:change_pk>/decline/", changes.change_decline, name="change_decline"),
    path("changes/<int:change_pk>/note/", changes.change_note, name="change_note"),
    # Certificates carers upload: served to the carer and their scheme's staff only.
    path("certificates/<int:certificate_pk>/file/", changes.certificate_file, name="certificate_file"),
    path("certificates/<int:certificate_pk>/verify/", changes.certificate_verify, name="certificate_verify"),
    path("<int:pk>/", records.carer_detail, name="carer_detail"),
    path("<int:pk>/edit/", records.carer_edit, name="carer_edit"),
    path("<int:pk>/household/", records.carer_household, name="carer_household"),
    path("<int:pk>/history/", records.carer_history, name="carer_history"),
    # Who has looked at this record: the registered manager's.
    path("<int:pk>/viewers/", views_viewlog.carer_viewers, name="carer_viewers"),
    # Subject access: everything held about the household, as one ZIP (the manager's).
    path("<int:pk>/export/", views_rights.carer_export, name="carer_export"),
    # Night by night for the coming months: who stays, places free, dates away.
    path("<int:pk>/availability/", availability.carer_availability, name="carer_availability"),
    # Approval: the checklist, the assessment, moves between stages, the
    # decision and its terms, and annual reviews.
    path("<int:pk>/approval/", approval.approval_tab, name="carer_approval"),
    path("<int:pk>/move/", approval.move, name="carer_move"),
    path("<int:pk>/checks/new/", approval.check_create, name="check_create"),
    path("<int:pk>/checks/<int:check_pk>/edit/", approval.check_edit, name="check_edit"),
    path("<int:pk>/checks/<int:check_pk>/sign-off/", approval.check_sign_off, name="check_sign_off"),
    path("<int:pk>/assessment/", approval.assessment_edit, name="assessment_edit"),
    path("<int:pk>/decision/", approval.decision, name="carer_decision"),
    path("<int:pk>/terms/", approval.terms_change, name="terms_change"),
    path("<int:pk>/reviews/new/", approval.review_create, name="carer_review_create"),
]

panel_urlpatterns = [
    path("", panels.panel_list, name="panel_list"),
    path("new/", panels.panel_create, name="panel_create"),
    path("<int:pk>/", panels.panel_detail, name="panel_detail"),
    path("<int:pk>/edit/", panels.panel_edit, name="panel_edit"),
    path("<int:pk>/agenda/", panels.panel_add_applicant, name="panel_add_applicant"),
    path(
        "<int:pk>/items/<int:item_pk>/recommendation/",
        panels.panel_recommendation,
        name="panel_recommendation",
    ),
    path("<int:pk>/pack/", panels.panel_pack, name="panel_pack"),
]
