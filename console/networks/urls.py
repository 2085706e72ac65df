from django.urls import path

from console.networks import views

app_name = "networks"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("new/", views.network_create, name="create"),
    path("prune/", views.network_prune, name="prune"),
    path("connect/", views.network_connect, name="connect"),
    path("disconnect/", views.network_disconnect, name="disconnect"),
    # Pages link networks by id: a network may be named "new" or contain a slash.
    path("<str:ref>/", views.network_detail, name="detail"),
    path("<str:ref>/remove/", views.network_remove, name="remove"),
]
