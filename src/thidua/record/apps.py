from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "thidua.record"
    verbose_name = "Bản ghi năm thi đua"
