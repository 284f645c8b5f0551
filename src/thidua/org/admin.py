"""Django admin for ministry admins.

Reference data (units' names and profiles, clusters, rule sets, people) is edited here, and
every edit is an entry in the installation's audit chain (`AuditedAdmin`).
Everything with rules attached — cycles, phases, hand-overs, lineage events — is read-only
here and changed through the app's pages, whose services check those rules.

The admin site is for the ministry's admins (the app's ADMIN role), not for any staff account:
see `require_admin_role`. Lists and inlines load the related rows they show with the page, so
that a page costs the same number of queries however many rows it has.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from thidua.audit.services import record as audit
from thidua.core.policy import Role
from thidua.core.record import AuditAction
from thidua.org.authz import roles_for
from thidua.org.models import (
    ApiToken,
    Cluster,
    Cycle,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    PhaseEvent,
    RuleSet,
    Unit,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


#: Fields never copied into the audit log: a password hash is a secret, a sign-in time noise.
UNAUDITED_FIELDS = frozenset({"password", "last_login"})


def _row(obj) -> dict:
    """The stored values of `obj`'s own columns (foreign keys as ids), as the log keeps them."""
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in UNAUDITED_FIELDS
    }


class AuditedAdmin(admin.ModelAdmin):
    """An admin whose every addition, change and deletion is an entry in the installation's
    audit chain, with the values before and after, in the admin's own transaction: reference
    data (a unit's name, a rule set, an account) changes what pages and documents say, so an
    edit here must be as visible as one made through the app's services."""

    def _audit(self, request, action: AuditAction, obj, before, after) -> None:
        opts = obj._meta
        audit(
            actor=request.user,
            action=action,
            object_type=f"{opts.app_label}.{opts.model_name}",
            object_id=obj.pk,
            before=before,
            after=after,
        )
        request.audited_by_admin = True

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        before = _row(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        after = _row(obj)
        if before is not None:  # only what changed, both sides
            changed = [name for name in after if before.get(name) != after[name]]
            before = {name: before.get(name) for name in changed}
            after = {name: after[name] for name in changed}
        action = AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD
        self._audit(request, action, obj, before, after)

    def delete_model(self, request, obj):
        self._audit(request, AuditAction.ADMIN_DELETE, obj, _row(obj), None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action runs outside the admin's transactions.
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, AuditAction.ADMIN_DELETE, obj, _row(obj), None)
            super().delete_queryset(request, queryset)

    def log_change(self, request, obj, message):
        # A change saved outside `save_model` (an account's new password): still recorded,
        # without the secret itself.
        if not getattr(request, "audited_by_admin", False):
            with transaction.atomic():
                self._audit(request, AuditAction.ADMIN_CHANGE, obj, None, {"message": message})
        return super().log_change(request, obj, message)


def require_admin_role(site: admin.AdminSite) -> None:
    """Let into `site` only active staff accounts that also hold the app's ADMIN role."""
    if getattr(site, "requires_admin_role", False):
        return
    staff_only = site.has_permission

    def has_permission(request) -> bool:
        return staff_only(request) and Role.ADMIN in roles_for(request.user, appointed=False)

    site.has_permission = has_permission
    site.requires_admin_role = True


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    #: The related rows shown in each line, loaded with the inline's query.
    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Validity follows the lineage events once the unit takes part in one.
        if obj is not None and obj.lineage_links.exists():
            return ["code", "valid_from", "valid_to"]
        return ["code"] if obj is not None else []


class LineageLinkInline(ReadOnlyInline):
    model = LineageLink
    fields = ["role", "unit"]
    related = ("unit", "event")


@admin.register(LineageEvent)
class LineageEventAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "legal_basis", "recorded_at"]
    inlines = [LineageLinkInline]


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    list_display = ["name", "code", "parent_body"]


@admin.register(RuleSet)
class RuleSetAdmin(AuditedAdmin):
    list_display = ["name", "code", "version", "effective_from", "effective_to"]


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["unit"]
    related = ("unit", "cycle")  # the line's title names both


class PhaseEventInline(ReadOnlyInline):
    model = PhaseEvent
    fields = ["phase", "action", "actor", "at", "reason"]
    related = ("actor", "cycle")  # the line's title names the cycle


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ["cluster", "year", "leader", "deputy", "phase", "phase_is_open"]
    list_select_related = ["cluster", "leader", "deputy"]
    list_filter = ["cluster", "year"]
    inlines = [MembershipInline, PhaseEventInline]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["cluster", "year", "leader", "deputy", "method", "recorded_by", "recorded_at"]
    list_select_related = ["cluster", "leader", "deputy", "recorded_by"]
    list_filter = ["cluster"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "unit", "kind", "is_active"]
    list_select_related = ["unit"]
    list_filter = ["kind", "is_active", "unit"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Đơn vị"), {"fields": ("unit", "kind")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Đơn vị"), {"fields": ("unit", "kind")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    exclude = ["key_hash"]
