from django.urls import path

from carers import views

urlpatterns = [
    path("", views.carer_list, name="carer_list"),
    path("new/", views.carer_create, name="carer_create"),
    path("<int:pk>/", views.carer_detail, name="carer_detail"),
    path("<int:pk>/edit/", views.carer_edit, name="carer_edit"),
    path("<int:pk>/household/", views.carer_household, name="carer_household"),
    path("<int:pk>/history/", views.carer_history, name="carer_history"),
]
