from django.urls import path

from console.containers import views

app_name = "containers"
urlpatterns = [
    path("", views.container_list, name="list"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("<str:ref>/", views.container_detail, name="detail"),
    path("<str:ref>/inspect/", views.container_inspect, name="inspect"),
    path("<str:ref>/top/", views.container_top, name="top"),
    path("<str:ref>/rename/", views.container_rename, name="rename"),
    path("<str:ref>/remove/", views.container_remove, name="remove"),
    path("<str:ref>/<str:action>/", views.container_action, name="action"),
]
