"""Admin: the indicator catalog is edited here; reports are changed only through the app."""

from django.contrib import admin

from thidua.audit.services import log_catalog
from thidua.org.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from thidua.stats.models import Indicator, PublishedFigure, Report, ReportValue


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "section", "measure", "kind", "direction", "position", "active"]
    list_filter = ["section", "kind", "active"]
    list_editable = ["position", "active"]
    search_fields = ["code", "name", "name_en"]

    # every cycle chain of this installation logs the catalog as it now is (in the same
    # transaction as the change): its records' statistics are computed with it
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_catalog()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        log_catalog()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        log_catalog()


class ReportValueInline(ReadOnlyInline):
    model = ReportValue
    fields = ["indicator", "value"]
    related = ("indicator",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "period", "status", "cycle", "updated_at"]
    list_select_related = ["unit", "cycle"]
    list_filter = ["year", "period", "status"]
    inlines = [ReportValueInline]


@admin.register(PublishedFigure)
class PublishedFigureAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "period", "indicator", "value", "source"]
    list_select_related = ["cycle", "indicator"]
