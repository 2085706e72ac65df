from django.urls import path

from console.images import registries

app_name = "registries"
urlpatterns = [
    path("", registries.registry_list, name="list"),
    path("new/", registries.registry_new, name="new"),
    path("<int:pk>/edit/", registries.registry_edit, name="edit"),
    path("<int:pk>/delete/", registries.registry_delete, name="delete"),
]
