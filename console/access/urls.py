from django.urls import path

from console.access import teams, users

app_name = "access"
urlpatterns = [
    path("", teams.team_list, name="list"),
    path("new/", teams.team_new, name="new"),
    path("<int:pk>/", teams.team_detail, name="detail"),
    path("<int:pk>/rename/", teams.team_rename, name="rename"),
    path("<int:pk>/delete/", teams.team_delete, name="delete"),
    path("<int:pk>/members/add/", teams.member_add, name="member_add"),
    path("<int:pk>/members/remove/", teams.member_remove, name="member_remove"),
    path("<int:pk>/members/new/", teams.user_new, name="user_new"),
    path("<int:pk>/roles/grant/", teams.role_grant, name="role_grant"),
    path("<int:pk>/roles/revoke/", teams.role_revoke, name="role_revoke"),
    path("users/", users.user_list, name="users"),
    path("users/<int:pk>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/password/", users.user_password_reset, name="user_password_reset"),
]
