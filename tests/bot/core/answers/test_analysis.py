"""Question analysis: kinds, people and ages; what clauses state."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.answers.analysis import Kind, Rules, analyse, describe_clause, load_rules, states_what_is_asked


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("金台区的老年食堂中午几点开饭？", Kind.WHEN),
        ("申请居家养老服务补贴要带什么材料？", Kind.HOW_APPLY),
        ("高龄津贴去哪里办？", Kind.HOW_APPLY),
        ("宝鸡80岁以上老人每月补多少钱", Kind.HOW_MUCH),
        ("民政局电话多少", Kind.CONTACT),
        ("我妈这种情况能不能领补贴", Kind.WHO),
        ("社区有没有老年食堂", Kind.EXISTS),
        ("辽宁的社区养老服务中心都有哪些功能？", Kind.WHAT),
        ("日间照料中心在哪", Kind.WHERE),
        ("家庭养老床位", Kind.WHAT),
    ],
)
def test_the_kind_of_question_is_the_first_rule_that_matches(rules: Rules, text: str, kind: Kind) -> None:
    assert analyse(rules, text).kind is kind


def test_the_person_described_and_their_age_are_read(rules: Rules) -> None:
    question = analyse(rules, "我妈八十二岁，失能在床，家里是低保户")
    assert question.age == 82
    assert {"失能", "低保"} <= question.statuses


def test_traditional_characters_are_analysed_like_simplified(rules: Rules) -> None:
    assert analyse(rules, "申請養老補貼要帶什麼材料").kind is Kind.HOW_APPLY


def test_a_clause_states_an_amount_an_age_and_the_people_it_is_for(rules: Rules) -> None:
    clause = describe_clause(
        rules, "对低保家庭中70周岁及以上老年人，按每人每月不低于当地低保标准的20%增发保障金。"
    )
    assert "amount" in clause.kinds and "eligibility" in clause.kinds
    assert clause.min_age == 70
    assert "低保" in clause.statuses
    assert not clause.heading


def test_a_heading_answers_nothing_and_an_amount_question_needs_an_amount(rules: Rules) -> None:
    heading = describe_clause(rules, "（二）推进居家养老服务")
    assert heading.heading
    question = analyse(rules, "助餐补贴多少钱")
    assert not states_what_is_asked(question, heading)
    procedure = describe_clause(rules, "由本人向社区提出申请，街道审核后报区民政局审批。")
    assert not states_what_is_asked(question, procedure)
    assert states_what_is_asked(analyse(rules, "怎么申请"), procedure)


def test_pilot_applications_between_governments_are_told_apart(rules: Rules) -> None:
    clause = describe_clause(rules, "省级民政、财政部门收到申报地区试点申请后，对申报材料进行审核。")
    assert "government" in clause.kinds
    assert not analyse(rules, "申请居家养老补贴要带什么材料").worker
    assert analyse(rules, "我们县想申报试点要准备什么").worker


def test_rules_are_read_from_a_file_people_maintain(tmp_path: Path) -> None:
    shipped = load_rules()
    path = tmp_path / "rules.yaml"
    text = (Path(__file__).parents[4] / "bot/core/answers/rules.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("电话|号码|", "电话|号码|座机|"), encoding="utf-8")
    edited = load_rules(path)
    assert analyse(edited, "居委会座机").kind is Kind.CONTACT
    assert analyse(shipped, "居委会座机").kind is not Kind.CONTACT


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("社区多久来一回", True),
        ("这个补贴是咋回事", True),
        ("六助是哪六助", True),
        ("俺们村有老饭桌不", True),
        ("谢谢你", False),
        ("我在金台区", False),
    ],
)
def test_a_question_is_told_from_a_statement(rules: Rules, text: str, asks: bool) -> None:
    assert rules.is_question(text) is asks


def test_a_question_about_what_a_person_gets_is_told_from_one_about_a_benefit(rules: Rules) -> None:
    assert rules.asks_what_a_person_gets("我妈85岁独居，能享受哪些补贴")
    assert not rules.asks_what_a_person_gets("家属能参加护理培训吗")


def test_every_specific_thing_asked_must_be_stated(rules: Rules) -> None:
    from bot.core.answers.analysis import share_of_kinds_stated

    question = analyse(rules, "适老化改造补多少钱，去哪里申请")
    amount_only = describe_clause(rules, "对特困老年人家庭适老化改造每户补助3000元。")
    assert 0 < share_of_kinds_stated(question, amount_only) < 1
    assert share_of_kinds_stated(analyse(rules, "有没有老年食堂"), amount_only) == 1.0


def test_exact_addresses_and_fees_are_noticed(rules: Rules) -> None:
    assert analyse(rules, "民政局在哪条路上").exact
    assert not analyse(rules, "日间照料中心建在哪").exact
    assert analyse(rules, "洗一次澡要交钱吗").fee
    assert "address" not in describe_clause(rules, "在社区设置服务站点。").kinds
    assert "fee" in describe_clause(rules, "为特困老人提供免费助餐。").kinds


@pytest.mark.parametrize(
    ("text", "gates"),
    [
        ("宝鸡高龄补贴一个月给多少钱", {"money"}),
        ("高龄津贴按什么标准定的，给多少钱", set()),  # how it is set, not the sum
        ("民政局电话是多少", {"phone"}),
        ("日间照料中心早上几点开门", {"hours"}),
        ("台州每年改造多少户", set()),  # a count of households is not money
        ("社区有没有老年食堂", set()),
        ("办老年优待证要带啥证件", {"materials"}),
        ("丧葬补助费去哪领", {"how_to_apply", "where_to_go"}),
        ("为老服务项目清单在哪能查到", {"where_to_go"}),
        ("市里的养老护理员实训基地设在哪儿", {"where_to_go"}),
        ("老伴不乐意咋办", set()),
        ("示范中心建在我们哪个街道", {"which_place"}),
        ("辽宁省补资金每个试点县能拿到多少", {"money"}),
        ("社区多久来看我一回", {"time", "frequency"}),  # how often: a date is no answer
        ("多久能办下来", {"time"}),
        ("村里老年公寓一个月收几钿", {"money"}),
        ("12349是不是二十四小时都有人接", {"hours"}),
        ("老旧小区补建养老用房要补多大面积", {"area"}),
        ("养老补贴能不能在网上申请，有没有小程序", {"online"}),
        ("第五批专家评审结果什么时候公布", {"time"}),
        ("日间照料中心每天几点开门", {"hours"}),  # the hour, not the date
    ],
)
def test_the_specific_facts_a_question_asks_are_gated(rules: Rules, text: str, gates: set[str]) -> None:
    assert {g.name for g in analyse(rules, text).gates} == gates


def test_a_gate_is_passed_only_by_a_text_stating_the_fact(rules: Rules) -> None:
    money, phone, hours = rules.gates["money"], rules.gates["phone"], rules.gates["hours"]
    assert money.stated_by("对特困老年人家庭适老化改造每户补助3000元。")
    assert money.stated_by("为特困老人提供免费助餐。")
    assert not money.stated_by("进一步完善高龄津贴制度，确保及时足额发放到位。")
    assert phone.stated_by("咨询电话：0917-3261234") and not phone.stated_by("公布服务热线。")
    assert hours.stated_by("每天8:00至17:30开放") and not hours.stated_by("提供日间照料服务。")
    place = rules.gates["which_place"]
    assert place.stated_by("在白塔街道、城关镇建设") and not place.stated_by("在街道层面建设示范中心。")
    time = rules.gates["time"]
    for text in ("考核验收（2021年5月-6月）", "每季度上门走访", "持续运营一年（含）以上", "在首期进行建设"):
        assert time.stated_by(text), text
    assert not time.stated_by("定期提供“六助一巡访”服务。")
    often = rules.gates["frequency"]
    assert often.stated_by("每季度上门走访") and often.stated_by("每月不少于1次的探访慰问")
    assert not often.stated_by("到2023年底，定期提供“六助一巡访”服务。")
    assert rules.gates["area"].stated_by("建筑面积为700平方米以上")
    assert not rules.gates["area"].stated_by("按照人均用地标准规划设置养老服务设施")
    online = rules.gates["online"]
    assert online.stated_by("全面实现老年优待证无感知办理") and not online.stated_by("向民政部门提出申请。")
    where = rules.gates["where_to_go"]
    assert where.stated_by("依托市社会福利院建立市级养老护理员实训基地")
    assert where.stated_by("领导小组办公室设在市民政局")
    assert not where.stated_by("探索智慧养老服务模式，建立老年人基本信息动态管理数据库。")


def test_gates_are_read_from_the_rules_file(tmp_path: Path) -> None:
    text = (Path(__file__).parents[4] / "bot/core/answers/rules.yaml").read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("missing: 联系电话", "missing: 电话号码"), encoding="utf-8")
    assert load_rules(path).gates["phone"].missing == "电话号码"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("儿子不给赡养费，我能去法院告他吗", "legal"),
        ("吃点啥能年轻十岁", "nonsense"),
        ("康养联合体是哪个足球队", "nonsense"),
        ("我妈糖尿病，早上能喝小米粥不", "advice"),
        ("老人走了先不销户，津贴还能接着领吧", "safety"),
        ("老人失眠怎么办", "advice"),
        ("高血压吃什么药好", "advice"),
        ("老人睡不好，能不能吃安眠药", "advice"),
        ("长期卧床的人怎么护理褥疮", "advice"),
        ("我爸老忘事，老年痴呆早期有什么表现", "advice"),
        ("把养老补贴的申请表打印一份寄给我", "modality"),
        ("你帮我把高龄津贴直接办下来吧", "modality"),
    ],
)
def test_requests_no_document_answers_are_refused_by_kind(rules: Rules, text: str, kind: str) -> None:
    refusal = rules.refusal(text)
    assert refusal is not None and refusal[0] == kind


@pytest.mark.parametrize(
    "text",
    ["我爸腿疼走不了路，能申请上门助浴吗", "我妈血压高，能申请家庭医生上门吗", "高龄老人住院治疗有补贴吗"],
)
def test_a_condition_mentioned_in_a_question_about_a_service_is_not_a_request_for_advice(
    rules: Rules, text: str
) -> None:
    assert rules.refusal(text) is None


def test_the_legal_refusal_names_mediation_and_legal_aid(rules: Rules) -> None:
    refusal = rules.refusal("女儿不肯赡养我，要打官司找谁")
    assert refusal is not None and "12348" in refusal[1]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("养老补贴找谁申请", Kind.HOW_APPLY), ("哪几个街道有日间照料中心", Kind.WHERE)],
)
def test_whom_to_apply_to_and_which_streets_are_kinds(rules: Rules, text: str, kind: Kind) -> None:
    assert analyse(rules, text).kind is kind


def test_amounts_a_question_states_without_a_unit_or_in_square_metres_are_read(rules: Rules) -> None:
    assert analyse(rules, "养老护理员每年补3000是吧").stated == ("3000",)
    assert analyse(rules, "面积不到500平也能评上吗").stated == ("500平",)
    assert analyse(rules, "平台上能约吗").stated == ()
    assert analyse(rules, "老人能吃上热饭不").stated == ()


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("我要找人工", True),
        ("俺不会打字，叫人给俺打电话", True),
        ("能不能让工作人员给我回个电话", True),
        ("喊个人来", True),
        ("我一个人在家住，想找养老服务平台叫个服务，该打哪个电话？", False),
        ("社区养老服务中心能提供哪些服务", False),
    ],
)
def test_a_request_for_a_person_is_told_from_a_question_about_a_service(
    rules: Rules, text: str, person: bool
) -> None:
    assert rules.asks_for_a_person(text) is person


def test_the_level_of_government_a_question_names_is_read(rules: Rules) -> None:
    assert analyse(rules, "护理员培训 省里方案有安排吗").levels == {"province"}
    assert analyse(rules, "不是国家试点的省份自己能不能搞").levels == {"national"}  # 省份 is no level
    assert analyse(rules, "宝鸡市有啥补贴").levels == frozenset()  # a place, not a level
    assert analyse(rules, "省里钱拨到市里以后 市里多久给县里").levels == {"province", "city", "district"}


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("台州这个方案是正式文件还是征求意见稿", True),
        ("宝鸡的试点方案是什么时候印发的", True),
        ("宝鸡低保老人每月多领多少", False),
    ],
)
def test_questions_about_a_document_itself_are_told_apart(rules: Rules, text: str, about: bool) -> None:
    assert rules.asks_about_a_document(text) is about
