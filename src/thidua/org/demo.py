"""The demo organisation: real units, places and published facts; invented people.

- All 63 provincial police departments as they stood before 2025, the 2025-01-01 change of
  Thừa Thiên Huế into a centrally-run city, and the 2025-07-01 reorganisation into 34
  provinces (Nghị quyết 202/2025/QH15) as lineage events.
- Cụm thi đua số II – Bộ Công an, the 7 northern border provinces, year 2020 led by Hà Giang
  (published) and handed over to Lào Cai for 2021 at the conference of 16/11/2020
  (published); Cụm thi đua số I (Hà Nội, TP. Hồ Chí Minh, Hải Phòng, Đà Nẵng, Cần Thơ).
- The cluster year is walked through its phases by `thidua.web.demo`, which lets each stage
  (statistics, scoring, voting) add its part while its phase is open.
- What the sources do not give is illustrative (the deputies, Cụm I's leadership, whether
  2021's leader was elected or assigned, the days before the conference): the about page
  and the README say so in one place (`thidua.web.tour.ILLUSTRATIVE`), not each stored note.

Loading is idempotent: whatever exists already is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from thidua.audit import clock
from thidua.core.phases import PHASES, Phase
from thidua.org import selectors, services
from thidua.org.authz import SYSTEM
from thidua.org.models import (
    Cluster,
    Cycle,
    LineageEvent,
    LineageLink,
    PhaseDeadline,
    RuleSet,
    Unit,
    UnitKind,
    User,
    UserKind,
)

DEMO_PASSWORD = "thidua2020"  # noqa: S105 - printed for the demo logins, never for production

# (code, short name, is a centrally-run city) for the 63 units before 2025.
UNITS_BEFORE_2025 = [
    ("ha-noi", "Hà Nội", True),
    ("ho-chi-minh", "TP. Hồ Chí Minh", True),
    ("hai-phong", "Hải Phòng", True),
    ("da-nang", "Đà Nẵng", True),
    ("can-tho", "Cần Thơ", True),
    ("ha-giang", "Hà Giang", False),
    ("cao-bang", "Cao Bằng", False),
    ("bac-kan", "Bắc Kạn", False),
    ("tuyen-quang", "Tuyên Quang", False),
    ("lao-cai", "Lào Cai", False),
    ("dien-bien", "Điện Biên", False),
    ("lai-chau", "Lai Châu", False),
    ("son-la", "Sơn La", False),
    ("yen-bai", "Yên Bái", False),
    ("hoa-binh", "Hòa Bình", False),
    ("thai-nguyen", "Thái Nguyên", False),
    ("lang-son", "Lạng Sơn", False),
    ("quang-ninh", "Quảng Ninh", False),
    ("bac-giang", "Bắc Giang", False),
    ("phu-tho", "Phú Thọ", False),
    ("vinh-phuc", "Vĩnh Phúc", False),
    ("bac-ninh", "Bắc Ninh", False),
    ("hai-duong", "Hải Dương", False),
    ("hung-yen", "Hưng Yên", False),
    ("thai-binh", "Thái Bình", False),
    ("ha-nam", "Hà Nam", False),
    ("nam-dinh", "Nam Định", False),
    ("ninh-binh", "Ninh Bình", False),
    ("thanh-hoa", "Thanh Hóa", False),
    ("nghe-an", "Nghệ An", False),
    ("ha-tinh", "Hà Tĩnh", False),
    ("quang-binh", "Quảng Bình", False),
    ("quang-tri", "Quảng Trị", False),
    ("thua-thien-hue", "Thừa Thiên Huế", False),
    ("quang-nam", "Quảng Nam", False),
    ("quang-ngai", "Quảng Ngãi", False),
    ("binh-dinh", "Bình Định", False),
    ("phu-yen", "Phú Yên", False),
    ("khanh-hoa", "Khánh Hòa", False),
    ("ninh-thuan", "Ninh Thuận", False),
    ("binh-thuan", "Bình Thuận", False),
    ("kon-tum", "Kon Tum", False),
    ("gia-lai", "Gia Lai", False),
    ("dak-lak", "Đắk Lắk", False),
    ("dak-nong", "Đắk Nông", False),
    ("lam-dong", "Lâm Đồng", False),
    ("binh-phuoc", "Bình Phước", False),
    ("tay-ninh", "Tây Ninh", False),
    ("binh-duong", "Bình Dương", False),
    ("dong-nai", "Đồng Nai", False),
    ("ba-ria-vung-tau", "Bà Rịa – Vũng Tàu", False),
    ("long-an", "Long An", False),
    ("tien-giang", "Tiền Giang", False),
    ("ben-tre", "Bến Tre", False),
    ("tra-vinh", "Trà Vinh", False),
    ("vinh-long", "Vĩnh Long", False),
    ("dong-thap", "Đồng Tháp", False),
    ("an-giang", "An Giang", False),
    ("kien-giang", "Kiên Giang", False),
    ("hau-giang", "Hậu Giang", False),
    ("soc-trang", "Sóc Trăng", False),
    ("bac-lieu", "Bạc Liêu", False),
    ("ca-mau", "Cà Mau", False),
]

HUE_RENAME = {
    "date": date(2025, 1, 1),
    "source": "thua-thien-hue",
    "target": ("hue", "Huế", True),
    "legal_basis": "Nghị quyết 175/2024/QH15",
}

REORGANISATION_2025 = date(2025, 7, 1)
REORGANISATION_2025_BASIS = "Nghị quyết 202/2025/QH15"
# New unit (short name, is a city) ← the units merged into it, effective 2025-07-01.
MERGES_2025 = [
    (("Tuyên Quang", False), ["ha-giang", "tuyen-quang"]),
    (("Lào Cai", False), ["yen-bai", "lao-cai"]),
    (("Thái Nguyên", False), ["bac-kan", "thai-nguyen"]),
    (("Phú Thọ", False), ["vinh-phuc", "hoa-binh", "phu-tho"]),
    (("Bắc Ninh", False), ["bac-giang", "bac-ninh"]),
    (("Hưng Yên", False), ["thai-binh", "hung-yen"]),
    (("Hải Phòng", True), ["hai-duong", "hai-phong"]),
    (("Ninh Bình", False), ["ha-nam", "nam-dinh", "ninh-binh"]),
    (("Quảng Trị", False), ["quang-binh", "quang-tri"]),
    (("Đà Nẵng", True), ["quang-nam", "da-nang"]),
    (("Quảng Ngãi", False), ["kon-tum", "quang-ngai"]),
    (("Gia Lai", False), ["binh-dinh", "gia-lai"]),
    (("Khánh Hòa", False), ["ninh-thuan", "khanh-hoa"]),
    (("Lâm Đồng", False), ["dak-nong", "binh-thuan", "lam-dong"]),
    (("Đắk Lắk", False), ["phu-yen", "dak-lak"]),
    (("TP. Hồ Chí Minh", True), ["ba-ria-vung-tau", "binh-duong", "ho-chi-minh"]),
    (("Đồng Nai", False), ["binh-phuoc", "dong-nai"]),
    (("Tây Ninh", False), ["long-an", "tay-ninh"]),
    (("Cần Thơ", True), ["soc-trang", "hau-giang", "can-tho"]),
    (("Vĩnh Long", False), ["ben-tre", "tra-vinh", "vinh-long"]),
    (("Đồng Tháp", False), ["tien-giang", "dong-thap"]),
    (("Cà Mau", False), ["bac-lieu", "ca-mau"]),
    (("An Giang", False), ["kien-giang", "an-giang"]),
]

TITLES = [
    {
        "code": "co_chinh_phu",
        "name": "Cờ thi đua của Chính phủ",
        "level": "government",  # who awards it: the register's level of a proposal
        "seats": 1,
        "requires_rank": 1,
        # one flag a year: the Government-flag nominee is proposed for it instead of the
        # Ministry flag (Cụm II 2017 and 2018: four different units each year)
        "excludes": ["co_bo_cong_an"],
        "note": (
            "Đơn vị đủ tiêu chuẩn Cờ của Bộ và dẫn đầu cụm được đề nghị Cờ của Chính phủ thay "
            "cho Cờ của Bộ (mỗi năm một cờ); cụm đề nghị 1 đơn vị mỗi năm, bình xét trước."
        ),
    },
    {
        "code": "co_bo_cong_an",
        "name": "Cờ thi đua của Bộ Công an",
        "level": "ministry",
        "seats": 3,
        "note": (
            "Cụm II đề nghị 3 trong 7 đơn vị mỗi năm (thực tế 2017, 2018), bình xét sau Cờ của "
            "Chính phủ, trong các đơn vị còn lại."
        ),
    },
]
# The cluster conference's own nomination vote: commonly more than half of the delegates.
CLUSTER_VOTE = {
    "threshold": "1/2",
    "comparison": ">",
    "base": "electorate",
    "quorum": None,
    "blank_valid": True,
    "written_counted": True,
}
ELECTION = dict(CLUSTER_VOTE)
# The emulation council's secret ballot for flags (Nghị định 98/2023, Điều 30): at least 80 %
# of all council members, written opinions of absent members counted.
COUNCIL_VOTE_2023 = {
    "threshold": "4/5",
    "comparison": ">=",
    "base": "electorate",
    "quorum": None,
    "blank_valid": True,
    "written_counted": True,
}


# The conference's score ballot (phiếu chấm điểm, core.score_ballots): a single 0–100 score
# that only informs the nomination vote after it, or three criteria groups whose ranking
# nominates (the top units with an average of at least the minimum). The trimmed mean (the
# highest and lowest score dropped) is computed on paper ballots only: encrypted ballots are
# decrypted as sums, which cannot be trimmed.
SCORE_VOTE_INFORM = {
    "maximum": 100,
    "partial": "refuse",
    "trimmed": False,
    "decimals": 2,
    "titles": "inform",
}
SCORE_VOTE_RANKING = {
    "groups": [50, 30, 20],
    "partial": "skip",
    "trimmed": True,
    "decimals": 2,
    "titles": "ranking",
    "minimum": "85",
}


def _voting(council: dict | None, note: str = "", score_vote: dict | None = None) -> dict:
    data = {"titles": TITLES, "cluster_vote": CLUSTER_VOTE, "election": ELECTION}
    if score_vote is not None:
        data["score_vote"] = score_vote
    if council is not None:
        data["council_vote"] = council
    if note:
        data["note"] = note
    return {"voting": data}


# The instruments a document cites ("Căn cứ …"), per rule set, each with the years it applies
# to where it took effect inside the rule set's period (core.paperwork.grounds_for). Only what
# our sources confirm: the police circular under the 2023 and 2025 decrees is not entered.
GROUNDS_2017 = [
    {
        "text": "Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003; Luật sửa đổi, bổ sung một "
        "số điều của Luật Thi đua, khen thưởng năm 2005 và năm 2013"
    },
    {
        "text": "Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi "
        "tiết thi hành một số điều của Luật Thi đua, khen thưởng"
    },
    {
        "text": "Thông tư số 40/2014/TT-BCA ngày 23 tháng 9 năm 2014 của Bộ trưởng Bộ Công an "
        "hướng dẫn thực hiện công tác thi đua, khen thưởng trong Công an nhân dân, Công an xã, "
        "Bảo vệ dân phố và phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "to_year": 2018,
    },
    {
        "text": "Thông tư số 12/2019/TT-BCA của Bộ trưởng Bộ Công an quy định về công tác thi "
        "đua, khen thưởng trong Công an nhân dân",
        "from_year": 2019,
    },
]
LAW_2022 = {"text": "Luật Thi đua, khen thưởng số 06/2022/QH15"}
GROUNDS_2023 = [
    LAW_2022,
    {
        "text": "Nghị định số 98/2023/NĐ-CP của Chính phủ quy định chi tiết thi hành một số "
        "điều của Luật Thi đua, khen thưởng"
    },
]
GROUNDS_2025 = [LAW_2022, {"text": "Nghị định số 152/2025/NĐ-CP của Chính phủ"}]

# Eligibility rules (core.eligibility), per rule set: each cites its legal source or is the
# cluster's own decision. The individual titles follow domain-rules (Chiến sĩ thi đua cơ sở,
# cấp bộ, toàn quốc); the facts they read ("hoàn thành xuất sắc nhiệm vụ", a recognised
# initiative) are lines of the same register. Article numbers are not cited: not checked.
# "Leads the cluster" (kind "rank") stays the voting title's `requires_rank`, checked on the
# counted vote as before: as an eligibility rule it would take the 2020 non-leaders off the
# Government-flag ballot.
ELIGIBILITY_NAMES = {
    "co_chinh_phu": "Cờ thi đua của Chính phủ",
    "co_bo_cong_an": "Cờ thi đua của Bộ Công an",
    "chien_si_tien_tien": "Chiến sĩ tiên tiến",
    "lao_dong_tien_tien": "Lao động tiên tiến",
    "hoan_thanh_xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
    "sang_kien": "Sáng kiến, đề tài hoặc giải pháp được công nhận",
    "sang_kien_toan_luc_luong": "Sáng kiến có phạm vi ảnh hưởng toàn lực lượng",
    "sang_kien_toan_quoc": "Sáng kiến có phạm vi ảnh hưởng toàn quốc",
    "chien_si_thi_dua_co_so": "Chiến sĩ thi đua cơ sở",
    "chien_si_thi_dua_cap_bo": "Chiến sĩ thi đua cấp bộ",
    "chien_si_thi_dua_toan_quoc": "Chiến sĩ thi đua toàn quốc",
}
UNIT_ELIGIBILITY = [
    {
        "code": "mot-co-mot-nam",
        "title": "co_bo_cong_an",
        "kind": "one_flag",
        "of": ["co_chinh_phu"],
        "source": "cluster_decision",
        # as Cụm II proposed in 2017 and 2018: four different units each year
        "note": "Đơn vị đã được đề nghị Cờ thi đua của Chính phủ thì không đề nghị Cờ thi đua "
        "của Bộ Công an cùng năm (mỗi năm một cờ).",
    },
    {
        "code": "co-chinh-phu-luan-phien",
        "title": "co_chinh_phu",
        "kind": "not_within",
        "of": ["co_chinh_phu"],
        "years": 3,
        "source": "cluster_decision",
        # Illustrative: a rule of the cluster's own that no source gives (said on /about/),
        # worded as a real cluster's Quy chế would word it.
        "note": "Đơn vị đã được tặng Cờ thi đua của Chính phủ trong 3 năm liền trước không được "
        "đề nghị lại.",
    },
]


def _individual_eligibility(source: str) -> list[dict]:
    """Chiến sĩ thi đua cơ sở, cấp bộ, toàn quốc (domain-rules), citing `source`."""
    return [
        {
            "code": "cstd-co-so",
            "title": "chien_si_thi_dua_co_so",
            "kind": "same_year",
            "condition": {
                "all": [
                    {"any": ["chien_si_tien_tien", "lao_dong_tien_tien"]},
                    {"any": ["hoan_thanh_xuat_sac", "sang_kien"]},
                ]
            },
            "source": source,
        },
        {
            "code": "cstd-cap-bo-3-nam",
            "title": "chien_si_thi_dua_cap_bo",
            "kind": "consecutive_years",
            "of": "chien_si_thi_dua_co_so",
            "years": 3,
            "including_current": True,
            "source": source,
        },
        {
            "code": "cstd-cap-bo-sang-kien",
            "title": "chien_si_thi_dua_cap_bo",
            "kind": "same_year",
            "condition": "sang_kien_toan_luc_luong",
            "source": source,
        },
        {
            "code": "cstd-toan-quoc-2-lan",
            "title": "chien_si_thi_dua_toan_quoc",
            "kind": "consecutive_times",
            "of": "chien_si_thi_dua_cap_bo",
            "times": 2,
            "every": 3,
            "including_current": True,
            "source": source,
        },
        {
            "code": "cstd-toan-quoc-sang-kien",
            "title": "chien_si_thi_dua_toan_quoc",
            "kind": "same_year",
            "condition": "sang_kien_toan_quoc",
            "source": source,
        },
    ]


def _eligibility(source: str) -> dict:
    return {
        "eligibility": {
            "names": ELIGIBILITY_NAMES,
            "rules": [*UNIT_ELIGIBILITY, *_individual_eligibility(source)],
        }
    }


LAW_2003 = "Luật Thi đua, khen thưởng 2003 (sửa đổi, bổ sung 2005, 2013); Nghị định 91/2017/NĐ-CP"
LAW_2022_ELIGIBILITY = "Luật Thi đua, khen thưởng số 06/2022/QH15"

#: Default deadlines of the phases, in days after 1 January of the cycle's year: the agreement
#: by the end of the first quarter, figures by late November, the conference in mid-January
#: of the next year (as Cụm II worked; no written rule was found, so these are editable data).
DEADLINE_OFFSETS = {
    "planning": 58,
    "midyear": 195,  # sơ kết 6 tháng: the first half's figures by mid-July
    "agreement": 89,
    "reporting": 323,
    "scoring": 343,
    "conference": 379,
}

RULE_SETS = [
    {
        "code": "thi-dua-cand",
        "version": 1,
        "name": "Quy định thi đua, khen thưởng theo Nghị định 91/2017/NĐ-CP",
        "legal_basis": "Luật Thi đua, khen thưởng 2003 (sửa đổi 2013); Nghị định 91/2017/NĐ-CP",
        "effective_from": date(2017, 7, 31),
        "effective_to": date(2023, 12, 31),
        "data": {
            **_voting(
                None,
                "Ngưỡng của hội đồng thi đua theo Nghị định 91/2017 chưa nhập.",
                SCORE_VOTE_INFORM,
            ),
            "grounds": GROUNDS_2017,
            "deadlines": DEADLINE_OFFSETS,
            **_eligibility(LAW_2003),
        },
    },
    {
        "code": "thi-dua-cand",
        "version": 2,
        "name": "Quy định thi đua, khen thưởng theo Nghị định 98/2023/NĐ-CP",
        "legal_basis": "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 98/2023/NĐ-CP",
        "effective_from": date(2024, 1, 1),
        "effective_to": date(2025, 6, 30),
        "data": {
            **_voting(COUNCIL_VOTE_2023, score_vote=SCORE_VOTE_RANKING),
            "grounds": GROUNDS_2023,
            "deadlines": DEADLINE_OFFSETS,
            **_eligibility(f"{LAW_2022_ELIGIBILITY}; Nghị định 98/2023/NĐ-CP"),
        },
    },
    {
        "code": "thi-dua-cand",
        "version": 3,
        "name": "Quy định thi đua, khen thưởng theo Nghị định 152/2025/NĐ-CP",
        "legal_basis": "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP",
        "effective_from": date(2025, 7, 1),
        "effective_to": None,
        "data": {
            **_voting(
                COUNCIL_VOTE_2023,
                "Chưa đối chiếu Nghị định 152/2025; ngưỡng tạm lấy như Nghị định 98/2023.",
                SCORE_VOTE_RANKING,
            ),
            "grounds": GROUNDS_2025,
            "deadlines": DEADLINE_OFFSETS,
            **_eligibility(f"{LAW_2022_ELIGIBILITY}; Nghị định 152/2025/NĐ-CP"),
        },
    },
]

CLUSTER_II = {
    "code": "cum-2",
    "name": "Cụm thi đua số II – Bộ Công an",
    "note": "7 tỉnh biên giới phía Bắc (thành phần 2016–2023).",
    "members_2020": [
        "ha-giang",
        "dien-bien",
        "lai-chau",
        "lang-son",
        "lao-cai",
        "son-la",
        "cao-bang",
    ],
}
CLUSTER_I = {
    "code": "cum-1",
    "name": "Cụm thi đua số I – Bộ Công an",
    "note": "Công an 5 thành phố trực thuộc Trung ương (trước năm 2025).",
    "members_2020": ["ha-noi", "ho-chi-minh", "hai-phong", "da-nang", "can-tho"],
}

# Invented people: (family and middle name, given name).
INVENTED_NAMES = [
    ("Nguyễn Văn", "An"),
    ("Trần Thị", "Bình"),
    ("Lê Minh", "Châu"),
    ("Phạm Quốc", "Dũng"),
    ("Hoàng Thị", "Hà"),
    ("Vũ Đức", "Hải"),
    ("Đặng Thu", "Hằng"),
    ("Bùi Văn", "Hùng"),
    ("Đỗ Thị", "Lan"),
    ("Hồ Quang", "Long"),
    ("Ngô Thị", "Mai"),
    ("Dương Văn", "Nam"),
    ("Lý Thị", "Nga"),
    ("Đinh Công", "Phong"),
    ("Mai Thị", "Phương"),
    ("Tạ Văn", "Quân"),
    ("Lò Văn", "Sơn"),
    ("Hà Thị", "Thảo"),
    ("Vàng A", "Thắng"),
    ("Sùng Thị", "Thu"),
    ("Nông Văn", "Tiến"),
    ("Lương Thị", "Trang"),
    ("Triệu Văn", "Tuấn"),
    ("Chu Thị", "Vân"),
    ("Cao Văn", "Việt"),
    ("Kiều Thị", "Xuân"),
    ("Phan Văn", "Yên"),
    ("La Thị", "Hoa"),
    ("Tòng Văn", "Khánh"),
    ("Quàng Thị", "Liên"),
    ("Mạc Văn", "Lực"),
    ("Giàng A", "Lử"),
    ("Lường Thị", "Minh"),
    ("Sầm Văn", "Ninh"),
    ("Hầu A", "Páo"),
    ("Bế Thị", "Quyên"),
    ("Vi Văn", "Sinh"),
    ("Ma Thị", "Tâm"),
    ("Nguyễn Thị", "Hạnh"),
    ("Trần Văn", "Khoa"),
    ("Lê Thị", "Loan"),
    ("Phạm Văn", "Mạnh"),
    ("Hoàng Văn", "Nghĩa"),
    ("Vũ Thị", "Oanh"),
    ("Đặng Văn", "Phúc"),
    ("Bùi Thị", "Quỳnh"),
    ("Đỗ Văn", "Sáng"),
    ("Hồ Thị", "Tuyết"),
    ("Ngô Văn", "Uy"),
    ("Dương Thị", "Vui"),
    ("Lý Văn", "Xuyên"),
    ("Đinh Thị", "Yến"),
    ("Mai Văn", "Bảo"),
    ("Tạ Thị", "Cúc"),
]

# The year 2020 as it went: the conference of 16/11/2020 is published; the days of the steps
# before it are illustrative, in their order and before it. Each step's writes are recorded
# on its day (`clock.dated`), so the cycle's timeline and its log read as the year did.
CONFERENCE_2020 = date(2020, 11, 16)
DAYS_2020 = {
    Phase.PLANNING: datetime(2020, 1, 6, 8, 0),  # the year created, planning open
    Phase.AGREEMENT: datetime(2020, 3, 2, 9, 0),  # the agreement signed
    Phase.REPORTING: datetime(2020, 10, 1, 8, 0),  # the year's statistics
    Phase.SCORING: datetime(2020, 10, 26, 8, 0),  # the score sheets
    Phase.CONFERENCE: datetime(2020, 11, 9, 8, 0),  # a week before the conference
}


def day_2020(phase: Phase) -> datetime:
    """The moment the demo's step of `phase` in 2020 is recorded at (local time)."""
    return timezone.make_aware(DAYS_2020[phase])


# The units' heads sign the cluster's documents; the names are invented like every person's.
HEAD_NAMES = [
    "Hoàng Văn Thanh",
    "Nguyễn Đức Minh",
    "Lê Quang Huy",
    "Trần Mạnh Hùng",
    "Phạm Ngọc Sơn",
    "Vũ Hồng Quang",
    "Đỗ Xuân Trường",
    "Bùi Tiến Dũng",
    "Ngô Thành Công",
    "Đinh Văn Toàn",
    "Lò Văn Bình",
    "Sầm Văn Hiếu",
]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    kind: str
    unit: str
    what: str


def _unit_name(short_name: str, is_city: bool) -> str:
    if short_name == "TP. Hồ Chí Minh":
        return "Công an Thành phố Hồ Chí Minh"
    return f"Công an {'thành phố' if is_city else 'tỉnh'} {short_name}"


def _ensure_unit(code: str, short_name: str, is_city: bool) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        code=code,
        defaults={
            "name": _unit_name(short_name, is_city),
            "short_name": short_name,
            "kind": UnitKind.PROVINCIAL_POLICE,
        },
    )
    return unit


def _ensure_event(kind: str, effective: date, sources: list[Unit], target: Unit, basis: str):
    if LineageLink.objects.filter(unit=target, role=LineageLink.Role.TARGET).exists():
        return
    services.record_lineage_event(
        actor=SYSTEM,
        kind=kind,
        effective_date=effective,
        sources=sources,
        targets=[target],
        legal_basis=basis,
    )


def _load_units() -> dict[str, Unit]:
    units = {code: _ensure_unit(code, name, city) for code, name, city in UNITS_BEFORE_2025}
    code, name, city = HUE_RENAME["target"]
    units[code] = _ensure_unit(code, name, city)
    _ensure_event(
        "rename",
        HUE_RENAME["date"],
        [units[HUE_RENAME["source"]]],
        units[code],
        HUE_RENAME["legal_basis"],
    )
    for (name, city), sources in MERGES_2025:
        code = f"{sources[-1]}-2025"
        units[code] = _ensure_unit(code, name, city)
        _ensure_event(
            "merge",
            REORGANISATION_2025,
            [units[source] for source in sources],
            units[code],
            REORGANISATION_2025_BASIS,
        )
    return units


def _load_rule_sets() -> None:
    for spec in RULE_SETS:
        RuleSet.objects.get_or_create(
            code=spec["code"],
            version=spec["version"],
            defaults={key: value for key, value in spec.items() if key not in ("code", "version")},
        )


def _ensure_user(username: str, kind: str, unit: Unit | None, names, logins, what: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        last, first = names.pop(0) if names else ("", username)
        user = User(username=username, kind=kind, unit=unit, first_name=first, last_name=last)
        if kind == UserKind.ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
    logins.append(
        Login(username, DEMO_PASSWORD, kind, unit.short_name if unit else "Bộ Công an", what)
    )
    return user


def _load_users(units: dict[str, Unit]) -> list[Login]:
    names = list(INVENTED_NAMES)
    logins: list[Login] = []
    _ensure_user("admin", UserKind.ADMIN, None, names, logins, "quản trị viên Bộ")
    _ensure_user("quansat", UserKind.OBSERVER, None, names, logins, "quan sát viên")
    for cluster in (CLUSTER_II, CLUSTER_I):
        for code in cluster["members_2020"]:
            unit = units[code]
            slug = code.replace("-", "")
            _ensure_user(f"{slug}.thuky", UserKind.SECRETARY, unit, names, logins, "thư ký")
            _ensure_user(f"{slug}.canbo", UserKind.OFFICER, unit, names, logins, "cán bộ")
            _ensure_user(f"{slug}.daibieu", UserKind.DELEGATE, unit, names, logins, "đại biểu")
            if cluster is CLUSTER_II:  # the 2020 conference: three delegates per unit
                for number in (2, 3):
                    _ensure_user(
                        f"{slug}.daibieu{number}",
                        UserKind.DELEGATE,
                        unit,
                        names,
                        logins,
                        "đại biểu",
                    )
    return logins


def _ensure_cluster(spec: dict) -> Cluster:
    cluster, _ = Cluster.objects.get_or_create(
        code=spec["code"], defaults={"name": spec["name"], "note": spec["note"]}
    )
    return cluster


def advance_to(cycle: Cycle, phase: Phase) -> Cycle:
    """Walk a demo cycle through its phases, by the book, until `phase` is open.

    A cycle already at or past `phase` is left as it is, so that loading twice changes nothing.
    """
    target = PHASES.index(phase)
    while PHASES.index(Phase(cycle.phase)) < target:
        current = Phase(cycle.phase)
        if cycle.phase_is_open:
            cycle = services.close_phase(actor=SYSTEM, cycle=cycle, phase=current)
        following = PHASES[PHASES.index(current) + 1]
        cycle = services.open_phase(actor=SYSTEM, cycle=cycle, phase=following)
    return cycle


def _load_cycles(units: dict[str, Unit], *, cluster_ii_2020: bool) -> None:
    ministry = User.objects.get(username="admin")  # the Ministry creates the years
    cluster_ii = _ensure_cluster(CLUSTER_II)
    if cluster_ii_2020 and not Cycle.objects.filter(cluster=cluster_ii, year=2020).exists():
        services.create_cycle(
            actor=ministry,
            cluster=cluster_ii,
            year=2020,
            members=[units[code] for code in CLUSTER_II["members_2020"]],
            leader=units["ha-giang"],
            deputy=units["lao-cai"],
            decision_ref="Bộ Công an phân công",
            note="Cụm trưởng Công an tỉnh Hà Giang (nguồn: Báo Hà Giang, 16/11/2020).",
        )
    cluster_i = _ensure_cluster(CLUSTER_I)
    if not Cycle.objects.filter(cluster=cluster_i, year=2020).exists():
        services.create_cycle(
            actor=ministry,
            cluster=cluster_i,
            year=2020,
            members=[units[code] for code in CLUSTER_I["members_2020"]],
            leader=units["ha-noi"],
            deputy=units["ho-chi-minh"],
        )


#: Cụm II 2020's deadlines, set by Hà Giang at the start of the year (illustrative): each
#: phase closed before its deadline (the demo's history is met, not overdue), and each step
#: is due before the conference of 16/11/2020 needs it.
DEADLINES_2020 = {
    Phase.PLANNING: date(2020, 2, 28),
    Phase.AGREEMENT: date(2020, 3, 31),
    Phase.REPORTING: date(2020, 10, 30),
    Phase.SCORING: date(2020, 11, 10),
    Phase.CONFERENCE: date(2020, 11, 20),
}


def set_deadlines_2020() -> None:
    """Set Cụm II 2020's deadlines while it is still being planned (once)."""
    cycle = Cycle.objects.filter(cluster__code=CLUSTER_II["code"], year=2020).first()
    if (
        cycle is None
        or cycle.phase != Phase.PLANNING
        or PhaseDeadline.objects.filter(cycle=cycle).exists()
    ):
        return
    for phase, due in DEADLINES_2020.items():
        services.set_deadline(actor=SYSTEM, cycle=cycle, phase=phase, due=due)


def open_2021(cycle_2020: Cycle) -> None:
    """After the 2020 conference handed the leadership over, Cụm II's year 2021 opens."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=CLUSTER_II["members_2020"])}
    if not Cycle.objects.filter(cluster=cycle_2020.cluster, year=2021).exists():
        services.create_cycle(
            actor=User.objects.get(username="admin"),  # the Ministry creates the year
            cluster=cycle_2020.cluster,
            year=2021,
            members=[units[code] for code in CLUSTER_II["members_2020"]],
        )


@transaction.atomic
def _load_heads(units: dict[str, Unit]) -> None:
    """Each member unit's head (Giám đốc), where the profile has none yet."""
    codes = [*CLUSTER_II["members_2020"], *CLUSTER_I["members_2020"]]
    for code, name in zip(codes, HEAD_NAMES, strict=True):
        Unit.objects.filter(pk=units[code].pk, head_name="").update(
            head_rank="Đại tá", head_title="Giám đốc", head_name=name
        )


def _load_directors(units: dict[str, Unit]) -> list[Login]:
    """Each 2020/2021 member unit's director (thủ trưởng), who confirms the agreement for the
    unit: an account named after the unit's head (invented names)."""
    logins: list[Login] = []
    codes = [*CLUSTER_II["members_2020"], *CLUSTER_I["members_2020"]]
    for code, name in zip(codes, HEAD_NAMES, strict=True):
        last, _space, first = name.rpartition(" ")
        _ensure_user(
            f"{code.replace('-', '')}.giamdoc",
            UserKind.DIRECTOR,
            units[code],
            [(last, first)],
            logins,
            "thủ trưởng (giám đốc)",
        )
    return logins


def load_organisation(*, cluster_ii_2020: bool = True) -> list[Login]:
    """Load (or complete) the demo organisation; returns the demo logins. Without
    `cluster_ii_2020`, Cụm II has no year yet: the browser tests walk it from the start."""
    units = _load_units()
    _load_heads(units)
    _load_rule_sets()
    logins = _load_users(units)
    logins += _load_directors(units)
    with clock.dated(day_2020(Phase.PLANNING)):
        _load_cycles(units, cluster_ii_2020=cluster_ii_2020)
        set_deadlines_2020()
    return logins


def demo_lineage_summary() -> str:
    lineage = selectors.lineage()
    return f"{len(lineage.units)} units, {len(lineage.events)} lineage events"


# --- Cụm II's year 2025, across the reorganisation of 1 July 2025 ---------------------------
# Cao Bằng leads 2025 (it hands over to Lào Cai for 2026: domain rules); the seven units of
# 2020 sign the agreement in March; on 1 July Hà Giang merges into Tuyên Quang and Lào Cai
# with Yên Bái into the new Lào Cai (`org.services.apply_merger`). The 2025 accounts below
# are invented people; the 2020/2021 accounts of Hà Giang and Lào Cai stay open, since the
# demo's 2020 and 2021 years are walked with them (a real installation closes them too).
LEADER_2025 = "cao-bang"
DAYS_2025 = {
    "created": datetime(2025, 1, 6, 8, 0),
    "signed": datetime(2025, 3, 3, 9, 0),
    "reporting": datetime(2025, 6, 2, 8, 0),
    "midyear": datetime(2025, 6, 30, 16, 0),
    "merger": datetime(2025, 7, 1, 8, 0),
}
# (username, kind, unit before the merger, what, goes with the unit to the new one)
ACCOUNTS_2025 = [
    (
        "hagiang25.thuky",
        UserKind.SECRETARY,
        "ha-giang",
        "thư ký Hà Giang 2025, từ 01/07/2025 thuộc Tuyên Quang mới",
        True,
    ),
    (
        "hagiang25.canbo",
        UserKind.OFFICER,
        "ha-giang",
        "cán bộ Hà Giang 2025, tài khoản đã đóng ngày 01/07/2025",
        False,
    ),
    (
        "tuyenquang.thuky",
        UserKind.SECRETARY,
        "tuyen-quang",
        "thư ký Tuyên Quang cũ (ngoài cụm), từ 01/07/2025 thuộc Tuyên Quang mới",
        True,
    ),
    (
        "laocai25.thuky",
        UserKind.SECRETARY,
        "lao-cai",
        "thư ký Lào Cai 2025, từ 01/07/2025 thuộc Lào Cai mới",
        True,
    ),
    (
        "yenbai.thuky",
        UserKind.SECRETARY,
        "yen-bai",
        "thư ký Yên Bái (ngoài cụm), tài khoản đã đóng ngày 01/07/2025",
        False,
    ),
]
NAMES_2025 = [
    ("Lục Thị", "Diệu"),
    ("Vương Văn", "Đông"),
    ("Sình Thị", "Gấm"),
    ("Hứa Văn", "Kiên"),
    ("Thào Thị", "Mỷ"),
]


def day_2025(step: str) -> datetime:
    return timezone.make_aware(DAYS_2025[step])


def load_accounts_2025() -> list[Login]:
    """The 2025 accounts of the merged units (invented people)."""
    logins: list[Login] = []
    units = {
        unit.code: unit for unit in Unit.objects.filter(code__in=[a[2] for a in ACCOUNTS_2025])
    }
    for (username, kind, code, what, _moves), name in zip(ACCOUNTS_2025, NAMES_2025, strict=True):
        _ensure_user(username, kind, units[code], [name], logins, what)
    return logins


def create_2025() -> Cycle:
    """Cụm II's year 2025 with the seven units of 2020, created by the Ministry (once)."""
    found = Cycle.objects.filter(cluster__code=CLUSTER_II["code"], year=2025).first()
    if found is not None:
        return found
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=CLUSTER_II["members_2020"])}
    return services.create_cycle(
        actor=User.objects.get(username="admin"),
        cluster=Cluster.objects.get(code=CLUSTER_II["code"]),
        year=2025,
        members=[units[code] for code in CLUSTER_II["members_2020"]],
        leader=units[LEADER_2025],
    )


def apply_mergers_2025(cycle: Cycle) -> Cycle:
    """On 1 July 2025 the two mergers of Cụm II's members apply to its year (once each)."""
    accounts = {
        user.username: user
        for user in User.objects.filter(username__in=[a[0] for a in ACCOUNTS_2025])
    }
    for _target, sources in MERGES_2025[:2]:  # Tuyên Quang, Lào Cai
        target = f"{sources[-1]}-2025"
        if cycle.memberships.filter(unit__code=target).exists():
            continue
        event = LineageEvent.objects.get(
            links__unit__code=target, links__role=LineageLink.Role.TARGET
        )
        mine = [a for a in ACCOUNTS_2025 if a[2] in sources]
        cycle = services.apply_merger(
            actor=User.objects.get(username="admin"),
            cycle=cycle,
            event=event,
            move=[accounts[a[0]] for a in mine if a[4]],
            close=[accounts[a[0]] for a in mine if not a[4]],
        )
    return cycle
