"""Cleaning of raw policy documents into readable, citable text.

The raw files are exports of Word and PDF documents. Cleaning removes export marks
(``[bookmark: …]``, ``**``), rejoins sentences and titles broken across page or line
breaks, normalises spacing and heading brackets, and turns the tables into Markdown
tables. The wording itself is never changed, apart from explicit per-file corrections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.documents import Correction

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
CJK = r"\u3400-\u9fff\uf900-\ufaff"
_NEAR = rf"[{CJK}0-9\u3000-\u303f\uff00-\uffef“”‘’《》]"
SINGLE_SPACE = re.compile(rf"(?<={_NEAR}) (?={_NEAR})")
SPACE_RUN = re.compile(r"[ \t]{2,}")
HALF_WIDTH_HEADING = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*")
BULLET = re.compile(r"^[-•]\s+")

CN_NUM = "一二三四五六七八九十"
# A paragraph that starts a new unit: never the continuation of the one before it.
NEW_UNIT = re.compile(
    rf"^(?:[{CN_NUM}]+、"
    rf"|（[{CN_NUM}]+）"
    r"|\d{1,2}\s*[.．、](?!\d)"
    r"|附件"
    rf"|第[{CN_NUM}]+阶段"
    r"|[（(]\s*牵头单位"
    r"|※"
    r"|\|"
    rf"|[{CN_NUM}\u4e00-\u9fff]{{2,6}}[：:])"
)
NAME_THEN_SPACE = re.compile(r"^\S{1,4} ")
HEADING_MARKER = re.compile(rf"^(?:[{CN_NUM}]+、|（[{CN_NUM}]+）|\d{{1,2}}\s*[.．、])")
TERMINAL = set("。；：！？”」）)…")
SENTENCE_PUNCT = set("，、；。")
TITLE_BREAKERS = set("，。；、（）()")
BRACKETS = (("《", "》"), ("（", "）"), ("(", ")"), ("“", "”"))


@dataclass
class _Block:
    """A paragraph or a table, as the cleaner assembles them."""

    text: str
    is_table: bool = False
    follows_blank: bool = True


def clean_text(raw: str, corrections: Sequence[Correction] = ()) -> str:
    """Clean one raw document into paragraphs separated by blank lines and Markdown tables."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    for fix in corrections:
        text = text.replace(fix.find, fix.replace)
    text = BOOKMARK.sub("", text).replace("**", "")
    blocks = _join_broken_lines(_split_blocks(text.split("\n")))
    return "\n\n".join(b.text for b in blocks if b.text) + "\n"


def normalize_spacing(line: str) -> str:
    """Strip a line, drop spaces between Chinese characters or digits, fold space runs."""
    line = line.replace("\u3000", " ").replace("\u00a0", " ").strip()
    line = SINGLE_SPACE.sub("", line)
    line = SPACE_RUN.sub(" ", line)
    line = BULLET.sub("", line)
    return HALF_WIDTH_HEADING.sub(lambda m: f"（{m.group(1)}）", line)


def _split_blocks(lines: list[str]) -> list[_Block]:
    """Group raw lines into paragraphs and tables."""
    blocks: list[_Block] = []
    i = 0
    blank_before = True
    while i < len(lines):
        line = lines[i]
        if _is_tsv_row(line):
            j = i
            while j < len(lines) and _is_tsv_row(lines[j]):
                j += 1
            blocks.append(_Block(_tsv_table(lines[i:j]), is_table=True))
            i, blank_before = j, True
            continue
        if _is_cell_line(line) and line.strip():
            j = _cell_table_end(lines, i)
            blocks.append(_Block(_cell_table(lines[i:j]), is_table=True))
            i, blank_before = j, True
            continue
        if line.lstrip().startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            rows = [normalize_spacing(row) for row in lines[i:j]]
            blocks.append(_Block("\n".join(rows), is_table=True))
            i, blank_before = j, True
            continue
        text = normalize_spacing(line)
        if text:
            blocks.append(_Block(text, follows_blank=blank_before))
            blank_before = False
        else:
            blank_before = True
        i += 1
    return blocks


def _join_broken_lines(blocks: list[_Block]) -> list[_Block]:
    """Rejoin sentences split by page breaks and titles split over lines."""
    out: list[_Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev and not prev.is_table and not block.is_table and _continues(prev, block):
            prev.text = normalize_spacing(prev.text + block.text)
        else:
            out.append(_Block(block.text, block.is_table, block.follows_blank))
    return out


def _continues(prev: _Block, cur: _Block) -> bool:
    """Whether paragraph ``cur`` is the continuation of paragraph ``prev``."""
    p, c = prev.text, cur.text
    if NEW_UNIT.match(c):
        return False
    if any(p.count(o) > p.count(e) for o, e in BRACKETS):
        return True
    body = HEADING_MARKER.sub("", p)
    if p[-1] not in TERMINAL and SENTENCE_PUNCT & set(body) and not NAME_THEN_SPACE.match(c):
        return True
    return (
        not cur.follows_blank
        and len(p) >= 8
        and len(c) <= 8
        and not TITLE_BREAKERS & set(p)
        and re.fullmatch(rf"[{CJK}]+", c) is not None
        and re.match(rf".*[{CJK}]$", p) is not None
    )


def _is_tsv_row(line: str) -> bool:
    return line.count("\t") >= 2


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and line.count("\t") == 1


def _cell_table_end(lines: list[str], start: int) -> int:
    """End of a one-cell-per-line table: it runs until a plain line after a blank line."""
    j = start
    after_blank = False
    while j < len(lines):
        line = lines[j]
        if not line.strip() and not _is_cell_line(line):
            after_blank = True
        elif not _is_cell_line(line) and after_blank:
            break
        else:
            after_blank = False
        j += 1
    return j


def _cell_table(lines: list[str]) -> str:
    """Turn a table exported one cell per tab-indented line into a Markdown table."""
    cells: list[list[str]] = []
    for line in lines:
        if _is_cell_line(line):
            cells.append([])
            rest = normalize_spacing(line)
            if rest:
                cells[-1].append(rest)
        elif line.strip() and cells:
            cells[-1].append(normalize_spacing(line))
    texts = [" ".join(parts) for parts in cells]
    ncols = next((k for k, t in enumerate(texts) if t == "1"), len(texts)) or len(texts)
    rows = [texts[k : k + ncols] for k in range(0, len(texts), ncols)]
    return _markdown(rows[0], rows[1:])


def _tsv_table(lines: list[str]) -> str:
    """Turn a tab-separated table (one row per line) into a Markdown table."""
    rows = [[normalize_spacing(c) for c in line.rstrip("\n").split("\t")] for line in lines]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header, body = rows[0], rows[1:]
    if body and not body[0][0] and "" in header:
        header = _merge_header(header, body[0])
        body = body[1:]
    while body and not any(body[-1]):
        body.pop()
    return _markdown(header, body)


def _merge_header(groups: list[str], subs: list[str]) -> list[str]:
    """Merge a two-row header: group names carry over the columns they span."""
    merged: list[str] = []
    group = ""
    for top, sub in zip(groups, subs, strict=True):
        group = top or group
        if sub and group:
            merged.append(f"{group}·{sub}")
        else:
            merged.append(top or sub)
    return merged


def _markdown(header: list[str], body: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in body:
        padded = row + [""] * (len(header) - len(row))
        lines.append("| " + " | ".join(padded) + " |")
    return "\n".join(lines)
