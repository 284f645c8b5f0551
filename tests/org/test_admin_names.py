"""The admin is read in Vietnamese: every model it lists is named, not shown by its class name
("Api tokens")."""

from django.contrib import admin


def test_every_model_in_the_admin_has_a_name_of_its_own():
    unnamed = [
        model._meta.label
        for model in admin.site._registry
        if "verbose_name" not in model._meta.original_attrs
    ]
    assert unnamed == []
