"""Cleaning of raw exports (knowledge/cleaning.py) and the corpus import (knowledge/corpus_import.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgePaths
from knowledge.cleaning import clean_text, normalize_spacing
from knowledge.corpus_import import import_corpus, render_cleaned, stale_documents
from knowledge.documents import Correction, load_sources

PATHS = KnowledgePaths()


def paragraphs(cleaned: str) -> list[str]:
    return cleaned.strip("\n").split("\n\n")


def corpus_text(doc_id: str) -> str:
    return (PATHS.corpus / f"{doc_id}.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- export marks


def test_bookmark_marks_are_removed() -> None:
    raw = "[bookmark: _GoBack]吴忠市利通区人民政府办公室\n\n\t[bookmark: BodyEnd]（三）加强氛围营造。\n"
    cleaned = clean_text(raw)
    assert "bookmark" not in cleaned
    assert paragraphs(cleaned)[0] == "吴忠市利通区人民政府办公室"


def test_bold_markers_are_removed() -> None:
    raw = "1. **高标准建设运营示范型居家和社区养老服务中心。**参照文件执行。\n"
    assert clean_text(raw) == "1. 高标准建设运营示范型居家和社区养老服务中心。参照文件执行。\n"


def test_crlf_and_bom_are_normalised() -> None:
    raw = "\ufeff一、总体要求\r\n坚持以人民为中心。\r\n"
    assert clean_text(raw) == "一、总体要求\n\n坚持以人民为中心。\n"


# ---------------------------------------------------------------- rejoining broken lines


def test_sentence_broken_across_page_break_is_rejoined() -> None:
    raw = "省财政安排资金，选择确定一批县（市、区）进行试点，引领带动全\n\n省养老服务发展，巩固基础地位。\n"
    assert paragraphs(clean_text(raw)) == [
        "省财政安排资金，选择确定一批县（市、区）进行试点，引领带动全省养老服务发展，巩固基础地位。"
    ]


def test_word_broken_across_page_break_is_rejoined() -> None:
    raw = "省财政厅联系人：回军；联系电话：024-22827063；电子邮\n\n箱：huijun1967@126.com。\n"
    assert paragraphs(clean_text(raw)) == [
        "省财政厅联系人：回军；联系电话：024-22827063；电子邮箱：huijun1967@126.com。"
    ]


def test_finished_sentence_is_not_joined_with_next_paragraph() -> None:
    raw = "省财政安排资金，选择确定一批县进行试点。\n\n省民政厅负责组织实施，定期通报进展。\n"
    assert paragraphs(clean_text(raw)) == [
        "省财政安排资金，选择确定一批县进行试点。",
        "省民政厅负责组织实施，定期通报进展。",
    ]


def test_title_split_over_two_lines_is_rejoined() -> None:
    raw = "台州市居家和社区养老服务\n改革试点工作方案\n(征求意见稿)\n"
    assert paragraphs(clean_text(raw)) == ["台州市居家和社区养老服务改革试点工作方案", "(征求意见稿)"]


def test_unclosed_book_title_bracket_joins_next_line() -> None:
    raw = "关于印发《吴忠市利通区关于推进养老服务\n高质量发展实施方案》的通知\n\n各乡镇人民政府：\n"
    assert paragraphs(clean_text(raw)) == [
        "关于印发《吴忠市利通区关于推进养老服务高质量发展实施方案》的通知",
        "各乡镇人民政府：",
    ]


@pytest.mark.parametrize(
    ("heading", "body"),
    [
        ("一、总体要求", "坚持以习近平新时代中国特色社会主义思想为指导，大力推进养老服务发展。"),
        ("（一）指导思想", "以习近平新时代中国特色社会主义思想为指导，坚持以人民为中心的发展思想。"),
        ("二、重点任务", "（一）推进居家和社区养老服务设施建设"),
    ],
)
def test_heading_line_is_not_joined_with_following_paragraph(heading: str, body: str) -> None:
    assert paragraphs(clean_text(f"{heading}\n{body}\n")) == [heading, body]


def test_list_of_names_is_not_joined() -> None:
    raw = (
        "组　长：宋  喜  区委副书记、政府代区长\n"
        "副组长：马  泰  区委副书记、政法委书记\n"
        "周忠德  区委常委、统战部部长、政协党组副书记\n"
        "温丽娟  区委常委、组织部部长\n"
        "洪  军  区机构编制委员会办公室主任\n"
    )
    assert paragraphs(clean_text(raw)) == [
        "组长：宋 喜 区委副书记、政府代区长",
        "副组长：马 泰 区委副书记、政法委书记",
        "周忠德 区委常委、统战部部长、政协党组副书记",
        "温丽娟 区委常委、组织部部长",
        "洪 军 区机构编制委员会办公室主任",
    ]


# ---------------------------------------------------------------- spacing and headings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021 年 2 月", "2021年2月"),
        ("提出申请（2021 年 2 月 28 日前）", "提出申请（2021年2月28日前）"),
        ("每项不超过 200 字。", "每项不超过200字。"),
        ("居家和社区养老服务改革 试点工作实施方案", "居家和社区养老服务改革试点工作实施方案"),
        ("  前后空白  ", "前后空白"),
        ("GB/T 35796", "GB/T 35796"),
    ],
)
def test_single_spaces_between_chinese_and_digits_removed(raw: str, expected: str) -> None:
    assert normalize_spacing(raw) == expected


def test_space_runs_between_names_are_folded_not_removed() -> None:
    assert normalize_spacing("宋  喜  区委副书记") == "宋 喜 区委副书记"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(一) 申报主体条件", "（一）申报主体条件"),
        ("( 二 )申报材料", "（二）申报材料"),
        ("（十） 推行综合责任险", "（十）推行综合责任险"),
        ("(征求意见稿)", "(征求意见稿)"),
    ],
)
def test_half_width_heading_brackets_become_full_width(raw: str, expected: str) -> None:
    assert normalize_spacing(raw) == expected


def test_bullets_are_stripped() -> None:
    assert normalize_spacing("- 附件：") == "附件："
    assert normalize_spacing(" - 1.居家和社区养老服务改革试点申报地区基本情况表") == (
        "1.居家和社区养老服务改革试点申报地区基本情况表"
    )


# ---------------------------------------------------------------- tables


def test_one_cell_per_line_table_becomes_markdown() -> None:
    raw = (
        "台州市居家和社区养老服务改革试点重点任务分工\n"
        "\n"
        "\t序号\n\t试点项目\n\t具体内容\n\t牵头单位\n\t配合单位\n"
        "\n"
        "\t1\n\t建立组织机构。\n\t1.成立领导小组；\n2.成立专家指导组；\n\t市民政局\n\t领导小组各成员单位\n"
        "\n"
        "\t2\n\t\n\t预拨试点项目经费。\n\t市财政局\n\t市民政局\n"
        " \n"
        "一、后面的段落。\n"
    )
    assert paragraphs(clean_text(raw)) == [
        "台州市居家和社区养老服务改革试点重点任务分工",
        "| 序号 | 试点项目 | 具体内容 | 牵头单位 | 配合单位 |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 1 | 建立组织机构。 | 1.成立领导小组； 2.成立专家指导组； | 市民政局 | 领导小组各成员单位 |\n"
        "| 2 |  | 预拨试点项目经费。 | 市财政局 | 市民政局 |",
        "一、后面的段落。",
    ]


def test_tab_separated_table_with_two_row_header_merges_header() -> None:
    raw = (
        "附件 2\n\n"
        "序号\t县区\t镇（街办）\t\t\t社区和人口分布情况\t\n"
        "\t\t合计\t街办\t镇\t社区\t万人以上社区数\n"
        "1\t金台区\t8\t7\t1\t45\t18\n"
        "2\t渭滨区\t5\t5\t0\t42\t26\n"
        "\t\t\t\t\t\t\n"
    )
    assert paragraphs(clean_text(raw)) == [
        "附件2",
        "| 序号 | 县区 | 镇（街办）·合计 | 镇（街办）·街办 | 镇（街办）·镇 "
        "| 社区和人口分布情况·社区 | 社区和人口分布情况·万人以上社区数 |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        "| 1 | 金台区 | 8 | 7 | 1 | 45 | 18 |\n"
        "| 2 | 渭滨区 | 5 | 5 | 0 | 42 | 26 |",
    ]


def test_tab_separated_table_with_one_header_row() -> None:
    raw = "县区\t街办\t镇\n金台区\t7\t1\n渭滨区\t5\t0\n"
    assert clean_text(raw) == (
        "| 县区 | 街办 | 镇 |\n| --- | --- | --- |\n| 金台区 | 7 | 1 |\n| 渭滨区 | 5 | 0 |\n"
    )


def test_existing_markdown_table_is_kept() -> None:
    raw = (
        "附件 3\n\n"
        "| | | | |\n"
        "|----------------|--|----------------|--|\n"
        "| 联系人及职务 | | 座机号码 | |\n"
        "| 2018 年 | 上级（省及市）： | | |\n"
        "\n依申请公开\n"
    )
    assert paragraphs(clean_text(raw)) == [
        "附件3",
        "| | | | |\n"
        "|----------------|--|----------------|--|\n"
        "| 联系人及职务 | | 座机号码 | |\n"
        "| 2018年 | 上级（省及市）： | | |",
        "依申请公开",
    ]


# ---------------------------------------------------------------- corrections


def test_per_file_corrections_are_applied() -> None:
    raw = "对已签订服务协议의 60 周岁以上老年人\n"
    assert "의" in clean_text(raw)
    fixed = clean_text(raw, [Correction(find="服务协议의", replace="服务协议的")])
    assert fixed == "对已签订服务协议的60周岁以上老年人\n"


def test_baoji_correction_is_declared_in_sources_yaml() -> None:
    metas = {m.id: m for m in load_sources(PATHS.sources_yaml)}
    assert [(c.find, c.replace) for c in metas["baoji-2019-pilot"].corrections] == [
        ("服务协议의", "服务协议的")
    ]
    assert "의" not in render_cleaned(metas["baoji-2019-pilot"], PATHS.sources)


# ---------------------------------------------------------------- corpus import


def test_shipped_corpus_is_up_to_date() -> None:
    assert stale_documents(PATHS.sources_yaml, PATHS.sources, PATHS.corpus) == []


def test_import_corpus_reproduces_shipped_files(tmp_path: Path) -> None:
    written = import_corpus(PATHS.sources_yaml, PATHS.sources, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(p.name for p in PATHS.corpus.glob("*.md"))
    for path in written:
        assert path.read_text(encoding="utf-8") == (PATHS.corpus / path.name).read_text(encoding="utf-8")


def test_stale_documents_reports_edited_and_missing_files(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    import_corpus(PATHS.sources_yaml, PATHS.sources, out)
    assert stale_documents(PATHS.sources_yaml, PATHS.sources, out) == []
    edited = out / "liaoning-2021-pilot.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("引领带动", "引导带动"), encoding="utf-8")
    (out / "mca-2019-pilot-batch5.md").unlink()
    assert sorted(stale_documents(PATHS.sources_yaml, PATHS.sources, out)) == [
        "liaoning-2021-pilot",
        "mca-2019-pilot-batch5",
    ]


# ---------------------------------------------------------------- the real cleaned corpus


def test_no_export_marks_left_in_corpus() -> None:
    files = sorted(PATHS.corpus.glob("*.md"))
    assert len(files) == 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "[bookmark" not in text, path.name
        assert "**" not in text, path.name


def test_baoji_correction_applied_in_corpus() -> None:
    text = corpus_text("baoji-2019-pilot")
    assert "对已签订服务协议的60周岁以上老年人" in text
    assert "의" not in text


def test_liaoning_page_breaks_rejoined_in_corpus() -> None:
    text = corpus_text("liaoning-2021-pilot")
    assert "引领带动全省养老服务发展" in text
    assert "电子邮箱：huijun1967@126.com" in text
    assert "2021年全省居家和社区养老服务改革试点工作实施方案" in paragraphs(text)


def test_baoji_facility_table_in_corpus() -> None:
    lines = corpus_text("baoji-2019-pilot").splitlines()
    assert "| 1 | 金台区 | 8 | 7 | 1 | 45 | 18 | 24 | 3 | 45 | 9 | 9 | 24 | 3 | 36 |" in lines
    header = next(line for line in lines if line.startswith("| 序号 | 县区 |"))
    cells = [c.strip() for c in header.strip("|").split("|")]
    assert cells[:6] == [
        "序号",
        "县区",
        "镇（街办）·合计",
        "镇（街办）·街办",
        "镇（街办）·镇",
        "社区和人口分布情况·社区",
    ]
    assert len(cells) == 15


def test_taizhou_task_table_in_corpus() -> None:
    lines = corpus_text("taizhou-2020-pilot-draft").splitlines()
    assert "| 序号 | 试点项目 | 具体内容 | 牵头单位 | 配合单位 |" in lines
    assert "台州市居家和社区养老服务改革试点工作方案" in lines
