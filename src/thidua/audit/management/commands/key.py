"""`thidua key show | backup --out FILE | restore FILE [--replace]`: this installation's
signing key (see thidua.audit.keys).

The passphrase is asked twice on the terminal, or read from THIDUA_KEY_PASSPHRASE (for
scripts); it never appears on the command line.
"""

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from thidua.audit import keys
from thidua.core import signing


class Command(BaseCommand):
    help = "Show, back up (with a passphrase) or restore this installation's signing key."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("show", help="the key's fingerprint, to compare on paper")
        backup = actions.add_parser("backup", help="write the key encrypted with a passphrase")
        backup.add_argument("--out", required=True, type=Path)
        restore = actions.add_parser("restore", help="install the key of a backup")
        restore.add_argument("file", type=Path)
        restore.add_argument(
            "--replace", action="store_true", help="replace a different key this machine has"
        )

    def handle(self, *args, action, **options):
        try:
            if action == "show":
                self._show()
            elif action == "backup":
                self._backup(options["out"])
            else:
                self._restore(options["file"], options["replace"])
        except keys.KeyProblem as problem:
            raise CommandError(str(problem)) from None

    def _show(self) -> None:
        fingerprint = keys.installation_fingerprint()
        self.stdout.write(_("Dấu vân tay khóa ký của máy này: %s") % signing.grouped(fingerprint))
        self.stdout.write(_("Đầy đủ: %s") % fingerprint)

    def _backup(self, out: Path) -> None:
        if out.exists():
            raise CommandError(_("%s đã có; chọn tên khác.") % out)
        content = keys.backup(self._passphrase(twice=True))
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        self.stdout.write(
            _("Đã sao lưu khóa %(key)s vào %(out)s. Cất tệp và cụm mật khẩu ở hai nơi khác nhau.")
            % {"key": signing.grouped(keys.installation_fingerprint()), "out": out}
        )

    def _restore(self, path: Path, replace: bool) -> None:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        fingerprint = keys.restore(content, self._passphrase(twice=False), replace=replace)
        self.stdout.write(_("Đã cài khóa %s cho máy này.") % signing.grouped(fingerprint))

    def _passphrase(self, *, twice: bool) -> str:
        if passphrase := os.environ.get("THIDUA_KEY_PASSPHRASE"):
            return passphrase
        first = getpass.getpass(_("Cụm mật khẩu: "))
        if twice and getpass.getpass(_("Nhập lại cụm mật khẩu: ")) != first:
            raise CommandError(_("Hai lần nhập cụm mật khẩu không giống nhau."))
        return first
