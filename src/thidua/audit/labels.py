"""What each audited action is called on the audit page (the code stays in the log itself)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "org.cycle.create": _("Tạo năm thi đua"),
    "org.cycle.update": _("Sửa năm thi đua"),
    "org.phase.open": _("Mở giai đoạn"),
    "org.phase.close": _("Đóng giai đoạn"),
    "org.phase.reopen": _("Mở lại giai đoạn"),
    "org.handover.record": _("Ghi nhận bàn giao cụm trưởng, cụm phó"),
    "org.lineage.record": _("Ghi nhận sáp nhập, chia tách đơn vị"),
    "org.token.create": _("Tạo khóa API"),
    "org.token.revoke": _("Thu hồi khóa API"),
    "org.unit.profile": _("Sửa thông tin đơn vị"),
    "stats.report.save": _("Lưu nháp báo cáo số liệu"),
    "stats.report.submit": _("Nộp báo cáo số liệu"),
    "stats.report.return": _("Trả lại báo cáo số liệu để sửa"),
    "stats.baseline.record": _("Ghi số liệu năm trước"),
    "stats.published.set": _("Ghi số liệu đã công bố"),
    "scoring.rules.set": _("Đặt quy tắc chấm điểm"),
    "scoring.table.replace": _("Thay bảng tiêu chí"),
    "scoring.targets.set": _("Giao chỉ tiêu"),
    "scoring.agreement.sign": _("Ký kết giao ước thi đua"),
    "scoring.facts.record": _("Ghi nhận kết quả tiêu chí"),
    "scoring.evidence.add": _("Thêm tài liệu minh chứng"),
    "scoring.sheet.save": _("Lưu nháp phiếu chấm điểm"),
    "scoring.sheet.submit": _("Nộp phiếu chấm điểm"),
    "scoring.sheet.reopen": _("Mở lại phiếu chấm điểm"),
    "voting.conference.set": _("Sửa thông tin hội nghị"),
    "voting.delegate.add": _("Thêm đại biểu"),
    "voting.delegate.check_in": _("Điểm danh đại biểu"),
    "voting.poll.create": _("Tạo cuộc bỏ phiếu"),
    "voting.poll.open": _("Mở bỏ phiếu"),
    "voting.poll.close": _("Đóng bỏ phiếu và kiểm phiếu"),
    "voting.poll.void": _("Kiểm phiếu không hợp lệ (số phiếu không thể đúng)"),
    "voting.poll.revote": _("Cho bỏ phiếu lại sau kiểm phiếu không hợp lệ"),
    "voting.delegate.reissue": _("Cấp lại mã điểm danh cho đại biểu"),
    "documents.report_text.save": _("Sửa nội dung báo cáo tổng kết"),
    "record.import": _("Nhập hồ sơ năm thi đua"),
}


def action_label(code: str) -> str:
    """The readable name of `code`, or the code itself for one this list does not know yet."""
    return str(ACTIONS.get(code, code))
