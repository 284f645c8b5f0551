"""The conference: delegates, polls, ballots, the projector screen; joining by QR code."""

from django.urls import path

from thidua.voting import views

urlpatterns = [
    path("conference/join/", views.join_by_code, name="conference_join_code"),
    path("conference/join/<str:key>/", views.join, name="conference_join"),
]

# under clusters/<code>/<year>/, first of all the site's routes: a hall of phones casting at
# once does not pay for trying the ~90 routes before it (a third of a millisecond a cast)
hall_urls = [
    path("conference/polls/<slug:poll_code>/cast/", views.cast, name="cast"),
]

# under clusters/<code>/<year>/; polls/new/ comes before polls/<poll_code>/, and a poll's
# fixed sub-pages before polls/<poll_code>/<action>/
cycle_urls = [
    path("conference/", views.conference, name="conference"),
    path("conference/screen/", views.screen, name="screen"),
    path("conference/run-of-show/", views.run_of_show, name="run_of_show"),
    path("conference/board-key/", views.board_key, name="board_key"),
    path("conference/details/", views.conference_details, name="conference_details"),
    path("conference/polls/new/", views.create_poll, name="poll_new"),
    path("conference/handover/", views.hand_over, name="conference_handover"),
    path("conference/delegates/", views.add_delegates, name="add_delegates"),
    path("conference/delegates/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("conference/polls/<slug:poll_code>/", views.poll, name="poll"),
    path("conference/polls/<slug:poll_code>/receipt.txt", views.receipt, name="receipt"),
    path("conference/polls/<slug:poll_code>/paper/", views.paper_entry, name="paper_entry"),
    path("conference/polls/<slug:poll_code>/written/", views.written, name="written"),
    path("conference/device-key/", views.device_key, name="device_key"),
    path("conference/polls/<slug:poll_code>/<slug:action>/", views.poll_action, name="poll_action"),
]
