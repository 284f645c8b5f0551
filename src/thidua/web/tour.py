"""The demo's guided tour: which login to try first, and what to do with it.

Shown on the login page of an installation the demo loader wrote to (`demo_loaded`), printed
by `thidua demo`, and written out in the README (tests/test_demo_tour.py follows it step by
step). Every password is the demo's one (`thidua.org.demo.DEMO_PASSWORD`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from thidua.audit.clock import DEMO
from thidua.audit.models import AuditEntry
from thidua.org.models import Cycle


@dataclass(frozen=True)
class Step:
    username: str
    who: Promise
    what: Promise


TOUR = (
    Step(
        "hagiang.thuky",
        _("thư ký Công an tỉnh Hà Giang, cụm trưởng năm 2020"),
        _(
            "mở Cụm thi đua số II năm 2020: các giai đoạn đã qua trước hội nghị 16/11/2020, "
            "số liệu (tỷ lệ 88,7% công bố bị đánh dấu: 1.681/2.156 là 78,0%), kết quả chấm "
            "điểm, hội nghị, văn bản và nhật ký thao tác."
        ),
    ),
    Step(
        "sonla.daibieu2",
        _("đại biểu Công an tỉnh Sơn La"),
        _(
            "bỏ phiếu kín “Bình xét Cờ thi đua của Bộ Công an năm 2020”, phiên đang mở: chọn "
            "tối đa 3 đơn vị, xác nhận, giữ mã biên nhận. 21 đại biểu của cụm đều bỏ phiếu "
            "được (tên dạng donvi.daibieu, donvi.daibieu2, donvi.daibieu3), mỗi người một lần."
        ),
    ),
    Step(
        "caobang.daibieu",
        _("thành viên ban kiểm phiếu"),
        _(
            "đóng phiên bỏ phiếu và kiểm phiếu. Chỉ ban kiểm phiếu đóng được phiên: "
            "laocai.daibieu (trưởng ban), sonla.daibieu, caobang.daibieu; thư ký thì không."
        ),
    ),
    Step(
        "laocai.thuky",
        _("thư ký Công an tỉnh Lào Cai, cụm trưởng năm 2021"),
        _(
            "nhận quyền cụm trưởng sau bàn giao: soạn và ký giao ước thi đua năm 2021 "
            "(Hà Giang không còn quyền đó)."
        ),
    ),
    Step(
        "hagiang25.thuky",
        _("thư ký Công an tỉnh Hà Giang năm 2025, từ 01/07/2025 thuộc Công an tỉnh Tuyên Quang"),
        _(
            "mở Cụm II năm 2025: giao ước do 7 đơn vị ký, từ 01/07/2025 Tuyên Quang và Lào Cai "
            "mới thay Hà Giang và Lào Cai cũ; báo cáo nháp của Hà Giang nay là của Tuyên Quang, "
            "so với cùng kỳ 2024 là tổng Hà Giang + Tuyên Quang. Tài khoản hagiang25.canbo đã "
            "đóng: đăng nhập thì được chỉ sang Tuyên Quang."
        ),
    ),
    Step(
        "quansat",
        _("quan sát viên của Bộ"),
        _("xem bảng tổng hợp các cụm (/dashboard/), chỉ đọc."),
    ),
    Step(
        "admin",
        _("quản trị viên Bộ"),
        _("tạo năm thi đua, phân công cụm trưởng; vào được trang quản trị /admin/."),
    ),
)


#: What of the demo is real and what illustrative: said once, on the about page (and in the
#: README), not on every page the data shows on, nor in the generated documents (read as signed).
ILLUSTRATIVE = (
    _(
        "Đơn vị, địa danh và các sự kiện đã công bố là thật: hội nghị tổng kết Cụm thi đua số "
        "II ngày 16/11/2020 tại Đồng Văn (Hà Giang), Hà Giang là cụm trưởng năm 2020 và bàn "
        "giao cho Lào Cai năm 2021, các số liệu tổng của cụm năm 2020 (Báo Hà Giang) và các "
        "danh hiệu năm 2017, 2018. Con người là hư cấu."
    ),
    _(
        "Là minh hoạ, vì nguồn không nêu: ngày của các bước trước hội nghị (lập kế hoạch "
        "06/01/2020, ký giao ước 02/03, báo cáo số liệu 01/10, chấm điểm 26/10, mở giai đoạn "
        "hội nghị 09/11/2020), số văn bản phân công, các cụm phó, lãnh đạo Cụm thi đua số I, "
        "việc Lào Cai được bầu hay được phân công, số liệu chia theo đơn vị và số liệu năm "
        "2019, bảng tiêu chí, điểm, chỉ tiêu và điểm chấm, đại biểu, ban kiểm phiếu, từng lá "
        "phiếu và kết quả bình xét danh hiệu năm 2020, số liệu 6 tháng đầu năm 2020 của Điện "
        "Biên do thư ký cụm trưởng nhập thay (chờ đơn vị xác nhận), số liệu 6 tháng đầu năm "
        "2021 của bốn đơn vị đã nộp và của Lạng Sơn do thư ký cụm trưởng Lào Cai nhập thay "
        "(chờ đơn vị xác nhận; Sơn La, Cao Bằng chưa nộp), những điểm nổi bật từng "
        "đơn vị ghi trong báo cáo năm 2020 (chỉ nêu số liệu và sự việc báo đưa tin); giờ "
        "khai mạc, bế mạc, giờ mở, đóng và kiểm từng cuộc bỏ phiếu, hội "
        "trường và giờ từng mục của chương trình hội nghị, chức vụ của hai khách mời thay mặt "
        "Báo Hà Giang và huyện Đồng Văn; đơn vị nêu từng ý kiến thảo luận (các chủ đề là "
        "chủ đề báo đưa tin); quy định riêng của cụm không đề nghị lại Cờ thi đua "
        "của Chính phủ trong 3 năm liền trước; lý do chấm điểm, giải trình và kết luận giải "
        "trình trên các phiếu; năm 2025 của Cụm II: ngày tạo năm, ký giao ước (như giao ước "
        "2020), mở báo cáo, số liệu năm 2024 của Hà Giang và Tuyên Quang, báo cáo nháp năm "
        "2025 của Hà Giang, tài khoản nào chuyển sang đơn vị mới và tài khoản nào bị đóng."
    ),
)


def demo_loaded() -> bool:
    """Whether the demo loader wrote to this installation (its writes carry its name)."""
    return AuditEntry.objects.filter(actor=DEMO).exists()


def tour_applies() -> bool:
    """Whether the tour's story is here: the demo with its year 2020 of Cụm II (not the
    organisation alone, `thidua demo --organisation-only`)."""
    return demo_loaded() and Cycle.objects.filter(cluster__code="cum-2", year=2020).exists()
