"""Site-wide middleware."""

from django.contrib.auth import middleware


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Every page needs a signed-in user, except the login page and the language switch.

    The API (`/api/`) is left to its own authentication (session or bearer token), which
    answers 401 in JSON instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
