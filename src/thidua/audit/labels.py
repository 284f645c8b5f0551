"""What each audited action is called on the audit page (the code stays in the log itself)."""

from django.utils.translation import gettext_lazy as _

from thidua.core.record import AuditAction

ACTIONS = {
    AuditAction.CYCLE_CREATE: _("Tạo năm thi đua"),
    AuditAction.CYCLE_UPDATE: _("Sửa năm thi đua"),
    AuditAction.PHASE_OPEN: _("Mở giai đoạn"),
    AuditAction.PHASE_CLOSE: _("Đóng giai đoạn"),
    AuditAction.PHASE_REOPEN: _("Mở lại giai đoạn"),
    AuditAction.HANDOVER_RECORD: _("Ghi nhận bàn giao cụm trưởng, cụm phó"),
    AuditAction.LINEAGE_RECORD: _("Ghi nhận sáp nhập, chia tách đơn vị"),
    AuditAction.DEADLINE_SET: _("Đặt thời hạn giai đoạn"),
    AuditAction.TOKEN_CREATE: _("Tạo khóa API"),
    AuditAction.TOKEN_REVOKE: _("Thu hồi khóa API"),
    AuditAction.UNIT_PROFILE: _("Sửa thông tin đơn vị"),
    AuditAction.TITLE_RECORD: _("Ghi sổ danh hiệu thi đua"),
    AuditAction.TITLE_IMPORT: _("Nhập sổ danh hiệu thi đua từ Excel"),
    AuditAction.DECISION_RECORD: _("Ghi nhận quyết định khen thưởng"),
    AuditAction.REPORT_SAVE: _("Lưu nháp báo cáo số liệu"),
    AuditAction.REPORT_SUBMIT: _("Nộp báo cáo số liệu"),
    AuditAction.REPORT_RETURN: _("Trả lại báo cáo số liệu để sửa"),
    AuditAction.BASELINE_RECORD: _("Ghi số liệu năm trước"),
    AuditAction.PUBLISHED_SET: _("Ghi số liệu đã công bố"),
    AuditAction.RULES_SET: _("Đặt quy tắc chấm điểm"),
    AuditAction.TABLE_REPLACE: _("Thay bảng tiêu chí"),
    AuditAction.TARGETS_SET: _("Giao chỉ tiêu"),
    AuditAction.AGREEMENT_SIGN: _("Ký kết giao ước thi đua"),
    AuditAction.AGREEMENT_CONFIRM: _("Thủ trưởng đơn vị xác nhận giao ước thi đua"),
    AuditAction.AGREEMENT_WITHDRAW: _("Thủ trưởng đơn vị rút xác nhận giao ước thi đua"),
    AuditAction.AGREEMENT_EXCUSE: _("Ghi lý do đơn vị chưa xác nhận giao ước thi đua"),
    AuditAction.FACTS_RECORD: _("Ghi nhận kết quả tiêu chí"),
    AuditAction.EVIDENCE_ADD: _("Thêm tài liệu minh chứng"),
    AuditAction.SHEET_SAVE: _("Lưu nháp phiếu chấm điểm"),
    AuditAction.SHEET_SUBMIT: _("Nộp phiếu chấm điểm"),
    AuditAction.REVIEW_REASONS: _("Ghi lý do chấm thấp hơn điểm tự chấm"),
    AuditAction.REVIEW_FILE: _("Nộp giải trình điểm"),
    AuditAction.REVIEW_ANSWER: _("Đơn vị chấm trả lời giải trình"),
    AuditAction.REVIEW_FINALISE: _("Kết luận giải trình điểm"),
    AuditAction.SHEET_REOPEN: _("Mở lại phiếu chấm điểm"),
    AuditAction.CONFERENCE_SET: _("Sửa thông tin hội nghị"),
    AuditAction.DELEGATE_ADD: _("Thêm đại biểu"),
    AuditAction.DELEGATE_CHECK_IN: _("Điểm danh đại biểu"),
    AuditAction.POLL_CREATE: _("Tạo cuộc bỏ phiếu"),
    AuditAction.POLL_OPEN: _("Mở bỏ phiếu"),
    AuditAction.POLL_CLOSE: _("Đóng bỏ phiếu và kiểm phiếu"),
    AuditAction.POLL_VOID: _("Kiểm phiếu không hợp lệ (số phiếu không thể đúng)"),
    AuditAction.POLL_REVOTE: _("Cho bỏ phiếu lại sau kiểm phiếu không hợp lệ"),
    AuditAction.DELEGATE_REISSUE: _("Cấp lại mã điểm danh cho đại biểu"),
    AuditAction.CEREMONY_START: _("Bắt đầu lễ tạo khóa của ban kiểm phiếu"),
    AuditAction.CEREMONY_STEP: _("Thành viên ban kiểm phiếu làm một bước của lễ tạo khóa"),
    AuditAction.CEREMONY_READY: _("Khóa của ban kiểm phiếu sẵn sàng"),
    AuditAction.CEREMONY_FAIL: _("Lễ tạo khóa không thành công"),
    AuditAction.POLL_SEAL: _("Đóng hòm phiếu mã hóa, chờ ban kiểm phiếu giải mã"),
    AuditAction.POLL_DECRYPT: _("Thành viên ban kiểm phiếu giải mã phần của mình"),
    AuditAction.REPORT_TEXT_SAVE: _("Sửa nội dung báo cáo tổng kết"),
    AuditAction.DOCUMENT_ISSUE: _("Phát hành văn bản để ký"),
    AuditAction.RECORD_IMPORT: _("Nhập hồ sơ năm thi đua"),
    AuditAction.RECORD_RECEIVE: _("Nhận bản ghi năm thi đua từ máy của cụm"),
    AuditAction.KEY_REGISTER: _("Đăng ký khóa ký của máy"),
    AuditAction.CHECKPOINT: _("Mốc ký xác nhận nhật ký"),
}


def action_label(code: str) -> str:
    """The readable name of `code`, or the code itself for one this list does not know yet."""
    return str(ACTIONS.get(code, code))
