"""The home page, the about page and the dashboards."""

from django.urls import path

from thidua.web import dashboard, views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("dashboard/", dashboard.overview, name="overview"),
]

# under clusters/<code>/<year>/
cycle_urls = [
    path("dashboard/", dashboard.cycle_dashboard, name="dashboard"),
]
