"""PDF copies of the DOCX files, made by LibreOffice (headless) when it is installed.

The DOCX is what people sign and edit; the PDF is a convenience. Without LibreOffice
(`soffice` on the PATH, e.g. Debian's libreoffice-writer-nogui) the PDF is simply not offered.
Fonts: Times New Roman is named in the files; where it is missing, LibreOffice substitutes
Liberation Serif (metric-compatible, full Vietnamese).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def available() -> bool:
    return shutil.which("soffice") is not None


def to_pdf(docx: bytes, name: str = "document.docx", timeout: int = 120) -> bytes | None:
    """The PDF of `docx`, or None when LibreOffice is missing or fails."""
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
