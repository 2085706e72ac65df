from django.contrib import admin

from console.access.models import AuditEntry, HostRole, Team


class HostRoleInline(admin.TabularInline):
    model = HostRole
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    filter_horizontal = ["members"]
    inlines = [HostRoleInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "host_name", "action", "target", "ok"]
    list_filter = ["action", "ok"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
