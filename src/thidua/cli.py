"""The `thidua` console command: Django's management commands under one name.

Examples: `thidua migrate`, `thidua demo`, `thidua serve --host 0.0.0.0`, `thidua check --deploy`.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["verify"]:  # no Django: anyone can check a record anywhere
        from thidua.verify import run

        sys.exit(run(args[1:]))
    if args[:1] == ["trustee"]:  # no Django: a board member's own computer
        from thidua.trustee import run as trustee

        sys.exit(trustee(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["thidua", *args])


if __name__ == "__main__":
    main()
