from django.urls import path

from placements.views import arrangements as views

urlpatterns = [
    path("", views.arrangement_list, name="arrangement_list"),
    path("new/", views.arrangement_create, name="arrangement_create"),
    path("<int:pk>/", views.arrangement_detail, name="arrangement_detail"),
    path("<int:pk>/edit/", views.arrangement_edit, name="arrangement_edit"),
    path("<int:pk>/history/", views.arrangement_history, name="arrangement_history"),
]
