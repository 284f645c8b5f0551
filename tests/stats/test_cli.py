"""`thidua import-stats`: the same all-or-nothing import from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from thidua.stats.excel import FIRST_ROW
from thidua.stats.models import Report

pytestmark = pytest.mark.django_db


def filled_template(client: Client, tmp_path, bad: bool = False):
    workbook = load_workbook(
        io.BytesIO(client.get("/clusters/cum-2/2021/stats/template.xlsx").content)
    )
    for sheet in workbook.worksheets:
        for row in range(FIRST_ROW, sheet.max_row + 1):
            if sheet[f"A{row}"].value == "social_order_cases":
                sheet[f"D{row}"] = "sai" if bad and sheet.title == "Lào Cai" else 100
    path = tmp_path / "bao-cao.xlsx"
    workbook.save(path)
    return path


def test_import_with_progress(client_for, reporting_cycle, tmp_path, capsys):
    path = filled_template(client_for("laocai.thuky"), tmp_path)
    call_command("import-stats", str(path), cycle="cum-2/2021", submit=True)
    out, err = capsys.readouterr()
    assert "7 report(s) imported into cum-2/2021" in out
    assert "7/7" in err
    assert Report.objects.filter(year=2021, period="Y", status="submitted").count() == 7


def test_a_bad_cell_imports_nothing_and_says_where(client_for, reporting_cycle, tmp_path, capsys):
    path = filled_template(client_for("laocai.thuky"), tmp_path, bad=True)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-stats", str(path), cycle="cum-2/2021")
    err = capsys.readouterr().err
    assert "Trang “Lào Cai”, hàng" in err
    assert "“sai” không phải là một số." in err
    assert not Report.objects.filter(year=2021, period="Y").exists()


def test_acting_as_a_user_applies_their_rights(client_for, reporting_cycle, tmp_path):
    path = filled_template(client_for("laocai.thuky"), tmp_path)
    with pytest.raises(CommandError):
        call_command("import-stats", str(path), cycle="cum-2/2021", user="sonla.canbo")
    assert not Report.objects.filter(year=2021, period="Y").exists()
    with pytest.raises(CommandError, match="no cycle"):
        call_command("import-stats", str(path), cycle="cum-9/2021")
