"""PDF copies of the DOCX files.

The DOCX is what people sign and edit; the PDF is a convenience. Two engines:
LibreOffice (headless, `soffice` on the PATH, e.g. Debian's libreoffice-writer-nogui) renders
the DOCX itself and is used when installed; otherwise WeasyPrint (a Python dependency; it
needs the system's Pango) prints `documents.html`'s rendering of the DOCX. Without either the
PDF is simply not offered. Fonts: Times New Roman is named in the files; where it is missing,
Liberation Serif (metric-compatible, full Vietnamese) stands in.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError):  # OSError: the Pango library is missing
        return None
    return weasyprint


def engine() -> str | None:
    """The engine that will make the PDFs: "libreoffice", "weasyprint" or None."""
    if shutil.which("soffice"):
        return "libreoffice"
    if _weasyprint() is not None:
        return "weasyprint"
    return None


def weasyprint_available() -> bool:
    return _weasyprint() is not None


def available() -> bool:
    return engine() is not None


def to_pdf(
    docx: bytes, name: str = "document.docx", timeout: int = 120, using: str | None = None
) -> bytes | None:
    """The PDF of `docx` made by `using` (default: `engine()`), or None when it is missing or
    fails."""
    using = using or engine()
    if using == "libreoffice":
        return _with_libreoffice(docx, name, timeout)
    if using == "weasyprint":
        return _with_weasyprint(docx)
    return None


def _with_weasyprint(docx: bytes) -> bytes | None:
    weasyprint = _weasyprint()
    if weasyprint is None:
        return None
    from thidua.documents.html import docx_to_html

    return weasyprint.HTML(string=docx_to_html(docx)).write_pdf()


def _with_libreoffice(docx: bytes, name: str, timeout: int) -> bytes | None:
    office = shutil.which("soffice")
    if office is None:
        return None
    with tempfile.TemporaryDirectory(prefix="thidua-pdf-") as folder:
        source = Path(folder) / name
        source.write_bytes(docx)
        profile = Path(folder) / "profile"
        try:
            subprocess.run(  # noqa: S603 - fixed program, our own temporary files
                [
                    office,
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        target = source.with_suffix(".pdf")
        return target.read_bytes() if target.exists() else None
