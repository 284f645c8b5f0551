"""Names vulture (`make lint`) cannot see used, each with where it is used instead.

Patterns for Django, ninja and pytest conventions are in pyproject.toml ([tool.vulture]);
this list is for the rest. A name here is never checked again: add one only after reading
its uses, and remove it with them. Vulture reads this file; nothing imports it.
"""

_ = object

# Read by templates only
_.better  # stats.selectors' change cell: stats/*.html, web/dashboard.html colour it
_.reopen_reasons  # org.selectors.PhaseRow: org/cycle_detail.html
_.quorum_needed  # voting.selectors.Turnout: voting/close_confirm.html
_.ticked  # set on a candidate by voting.views.poll: voting/poll.html
_.missing_names  # stats.selectors.Baseline: stats/report_form.html
_.joined_note  # set on a member unit by org.selectors.member_units: org/cycle_detail.html

# Django's Meta options, read by Django
_.abstract  # org.models.EnteredOnBehalf: the report and the score sheet inherit its fields

# A choice offered by forms and the register's import, never named in code
_.UNIT  # org.models.TitleLevel: "Cơ sở" (unit-level titles), chosen by users
_.GOVERNMENT  # org.models.TitleLevel: the Government flag's level, given by rule-set data

# API output fields (ninja schemas): read by the API's clients
_.pdf_url
_.from_year
_.not_ready
_.login_key
_.implausible  # stats.api.CellOut: a cell's implausible change against last year

# Model columns and choices: stored and shown in the admin, never read by name in Python
_.email
_.key_hash
_.server_fingerprints
_.copied_from
_.turnout_typed
_.MINISTRY_DEPARTMENT
_.NONE
_.NOT_YET

# Named in settings.py by string (AUTHENTICATION_BACKENDS, LOGGING)
_.UserBackend
_.QuietRefusals
_.exc_text  # logging.LogRecord's cached traceback, cleared by QuietRefusals

# Attributes set for libraries: python-docx, openpyxl, cheroot, Django's auth
_.autofit
_.header_distance
_.line_spacing_rule
_.horizontalCentered
_.page_margins
_.keep_alive_conn_limit
_.ssl_adapter
_.max_request_body_size
_.is_staff
_.get_session_auth_hash  # org.models.User: Django's auth calls it (login, get_user)
_.quick_style  # python-docx styles: shown in Word's style gallery …
_.next_paragraph_style  # … and the style Enter gives the next paragraph
_.subject  # python-docx core properties, shown in the file's properties
_.category
_.revision
_.time_cost  # Django's Argon2PasswordHasher: tests/conftest.py sets its least cost …
_.memory_cost  # … for the tests' process
_.parallelism
# python-docx paragraph formats set by documents.layout, read by documents.html by name
_.first_line_indent
_.left_indent
_.right_indent
_.space_before
_.space_after

# Tests: typed fields the record parser is tried on, parameters a signature needs
_.BLUE
_.flag
_.anything
_.config  # pytest_collection_modifyitems(config, items)
_.seconds  # a stand-in for time.sleep(seconds)
_.handle_starttag  # html.parser.HTMLParser callbacks (tests/web/crawl.py)
_.handle_endtag
_.handle_data
_.confirmation  # UnitConfirmation.confirmation, read by scoring/agreement.html
_.old_value  # Explanation.old_value, read by scoring/review.html
_.pending_label  # ReviewLine.pending_label, read by scoring/review.html
_.service  # a connection as waitress hands it to its dispatcher (tests/test_lanes.py)
_.cancel
