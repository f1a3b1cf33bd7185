from django.urls import path

from people import views
from sharedlives import views_rights, views_viewlog

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/contacts/", views.person_contacts, name="person_contacts"),
    path("<int:pk>/history/", views.person_history, name="person_history"),
    path("<int:pk>/profile/", views.person_profile, name="person_profile"),
    path("<int:pk>/profile/edit/", views.person_profile_edit, name="person_profile_edit"),
    path("<int:pk>/profile/print/", views.person_profile_print, name="person_profile_print"),
    # Who has looked at this record: the registered manager's.
    path("<int:pk>/viewers/", views_viewlog.person_viewers, name="person_viewers"),
    # Subject access: everything held about the person, as one ZIP (the manager's).
    path("<int:pk>/export/", views_rights.person_export, name="person_export"),
]
