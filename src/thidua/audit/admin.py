from django.contrib import admin

from thidua.audit.models import AuditEntry
from thidua.org.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor", "unit", "cycle", "action", "object_id"]
    list_filter = ["action", "cycle"]
    search_fields = ["actor", "object_id"]
