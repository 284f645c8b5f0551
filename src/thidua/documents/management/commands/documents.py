"""`thidua documents --cycle cum-2/2020 --out DIR [--pdf] [--compare-pages]`: every document
of the cycle; with --compare-pages, each DOCX is printed by LibreOffice (as Word would lay it
out) and by the app's own PDF engine, and the command fails where their page counts differ."""

import io
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thidua.documents import builders, pdf
from thidua.org import selectors
from thidua.progress import progress_bar
from thidua.scoring import selectors as scoring_selectors


class Command(BaseCommand):
    help = "Build every document of a cycle (DOCX, XLSX, and PDF when an engine is there)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help="cluster/year, e.g. cum-2/2020")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--pdf", dest="with_pdf", action="store_true", help="also convert each DOCX to PDF"
        )
        parser.add_argument(
            "--compare-pages",
            action="store_true",
            help="print each DOCX with LibreOffice and with WeasyPrint; fail where the page "
            "counts differ",
        )

    def handle(self, *args, cycle, out, with_pdf: bool, compare_pages: bool = False, **options):
        cluster, _slash, year = cycle.partition("/")
        found = selectors.get_cycle(cluster, int(year)) if year.isdigit() else None
        if found is None:
            raise CommandError(f"no cycle {cycle!r} (expected cluster/year, e.g. cum-2/2020)")
        out.mkdir(parents=True, exist_ok=True)
        with scoring_selectors.results_shared():  # computed once for all the documents
            self._write(found, out, with_pdf, compare_pages)

    def _write(self, found, out: Path, with_pdf: bool, compare_pages: bool) -> None:
        plans = builders.plans(found)
        ready = [plan for plan in plans if plan.ready]
        show = progress_bar(lambda text: self.stderr.write(text, ending=""))
        for index, plan in enumerate(ready, start=1):
            built = plan.build()
            (out / built.filename).write_bytes(built.content)
            if with_pdf and built.filename.endswith(".docx"):
                converted = pdf.to_pdf(built.content, built.filename)
                if converted is None:
                    self.stderr.write(
                        _("Bỏ qua bản PDF: máy này chưa có LibreOffice hay WeasyPrint.")
                    )
                else:
                    (out / built.filename.replace(".docx", ".pdf")).write_bytes(converted)
            show(index, len(ready))
        if compare_pages:
            self._compare_pages(ready, out)
        for plan in plans:
            if not plan.ready:
                self.stdout.write(f"– {plan.label}: {' '.join(plan.missing)}")
        written = ngettext(
            "Đã ghi %(count)s văn bản vào %(out)s.",
            "Đã ghi %(count)s văn bản vào %(out)s.",
            len(ready),
        )
        self.stdout.write(self.style.SUCCESS(written % {"count": len(ready), "out": out}))

    def _compare_pages(self, ready, out: Path) -> None:
        """Each DOCX's pages as LibreOffice prints it (written beside it) and as the app's
        WeasyPrint copy does; a difference means the app's PDF is not the document."""
        if not (shutil.which("soffice") and pdf.weasyprint_available()):
            raise CommandError("--compare-pages needs LibreOffice (soffice) and WeasyPrint")
        try:
            from pypdf import PdfReader
        except ImportError as error:
            raise CommandError("--compare-pages needs pypdf (pip install -e '.[test]')") from error
        differ = []
        for plan in ready:
            built = plan.build()
            if not built.filename.endswith(".docx"):
                continue
            office = pdf.to_pdf(built.content, built.filename, using="libreoffice")
            app = pdf.to_pdf(built.content, built.filename, using="weasyprint")
            if office is None or app is None:
                raise CommandError(f"{built.filename}: a PDF engine failed")
            (out / built.filename.replace(".docx", ".pdf")).write_bytes(office)
            pages = tuple(len(PdfReader(io.BytesIO(made)).pages) for made in (office, app))
            self.stdout.write(f"{built.filename}: {pages[0]} trang (LibreOffice), {pages[1]} (app)")
            if pages[0] != pages[1]:
                differ.append(built.filename)
        if differ:
            raise CommandError(f"page counts differ: {', '.join(differ)}")
