from django.urls import path

from console.volumes import views

app_name = "volumes"
urlpatterns = [
    path("", views.volume_list, name="list"),
    path("new/", views.volume_create, name="create"),
    path("prune/", views.volume_prune, name="prune"),
    path("<str:ref>/", views.volume_detail, name="detail"),
    path("<str:ref>/remove/", views.volume_remove, name="remove"),
    path("<str:ref>/files/", views.volume_files, name="files"),
    path("<str:ref>/download/", views.volume_download, name="download"),
]
