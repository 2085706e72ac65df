from django.urls import path

from console.containers import merged_logs
from console.hosts import events, stats, views

app_name = "hosts"
urlpatterns = [
    path("", views.host_list, name="list"),
    path("new/", views.host_new, name="new"),
    path("<slug:slug>/", views.host_detail, name="detail"),
    path("<slug:slug>/edit/", views.host_edit, name="edit"),
    path("<slug:slug>/delete/", views.host_delete, name="delete"),
    path("<slug:slug>/test/", views.host_test, name="test"),
    path("<slug:slug>/trust-key/", views.host_trust_key, name="trust_key"),
    path("<slug:slug>/stats/", stats.host_stats_page, name="stats"),
    path("<slug:slug>/events/", events.events_page, name="events"),
    path("<slug:slug>/logs/", merged_logs.merged_logs_page, name="logs"),
]
