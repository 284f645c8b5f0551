"""API of the documents: what the cycle can have (and what each still needs), and downloads."""

from __future__ import annotations

from ninja import Router, Schema

from thidua.core.policy import Action
from thidua.documents import builders, pdf
from thidua.org.lookups import cycle_or_404

router = Router(tags=["documents"])


class DocumentOut(Schema):
    key: str
    label: str
    filename: str
    ready: bool
    missing: list[str]
    url: str | None
    pdf_url: str | None


@router.get("/cycles/{cluster}/{year}/documents", response=list[DocumentOut])
def list_documents(request, cluster: str, year: int):
    cycle = cycle_or_404(cluster, year, request.auth, Action.VIEW_RESULTS)
    base = f"/api/cycles/{cluster}/{year}/documents/"
    with_pdf = pdf.available()
    return [
        DocumentOut(
            key=plan.key,
            label=plan.label,
            filename=plan.filename,
            ready=plan.ready,
            missing=plan.missing,
            url=f"{base}{plan.key}" if plan.ready else None,
            pdf_url=f"{base}{plan.key}?format=pdf"
            if plan.ready and with_pdf and plan.filename.endswith(".docx")
            else None,
        )
        for plan in builders.plans(cycle)
    ]


@router.get("/cycles/{cluster}/{year}/documents/{key}")
def get_document(request, cluster: str, year: int, key: str, format: str = "file"):
    """The file itself (DOCX or XLSX), or `?format=pdf` for the PDF copy of a DOCX."""
    cycle = cycle_or_404(cluster, year, request.auth, Action.VIEW_RESULTS)
    return builders.attachment(builders.produce(cycle, key, format))
