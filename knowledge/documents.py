"""Policy documents: metadata model and loading of the cleaned corpus files."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.errors import CorpusError
from knowledge.yamlio import load_yaml

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


class Level(str, Enum):
    """Administrative level of the body that issued a document."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


class Status(str, Enum):
    """Whether a document is in force or only a draft for comment."""

    IN_FORCE = "in_force"
    DRAFT = "draft"


class Correction(BaseModel):
    """An exact replacement that repairs a known slip in a source file."""

    model_config = ConfigDict(extra="forbid")
    find: str
    replace: str


class DocumentMeta(BaseModel):
    """Metadata of one policy document."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    short_title: str
    doc_number: str | None = None
    issuer: str
    region: str
    level: Level
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    status: Status
    source_file: str
    corrections: list[Correction] = Field(default_factory=list)

    @property
    def status_label(self) -> str:
        """Chinese label of the status, for citations."""
        return "征求意见稿" if self.status is Status.DRAFT else "现行有效"

    def citation_title(self) -> str:
        """Title with document number, as it is cited to users."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.title}》{number}"


class Document(BaseModel):
    """A cleaned policy document: metadata plus body text."""

    meta: DocumentMeta
    body: str
    path: Path | None = None

    @property
    def id(self) -> str:
        """The document's readable id."""
        return self.meta.id


def load_sources(path: Path) -> list[DocumentMeta]:
    """Read the list of source documents and their metadata (knowledge/sources.yaml)."""
    raw = read_text(path)
    try:
        items = load_yaml(raw)
        return [DocumentMeta.model_validate(item) for item in items]
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise CorpusError(f"{path}: 元数据无效 / invalid metadata: {exc}") from exc


def dump_document(meta: DocumentMeta, body: str) -> str:
    """Render a cleaned document as front matter plus body."""
    data = meta.model_dump(mode="json", exclude={"corrections"})
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).strip()
    return f"---\n{front}\n---\n{body.rstrip()}\n"


def parse_document(text: str, path: Path) -> Document:
    """Parse a cleaned document file; raise CorpusError naming the file when invalid."""
    match = FRONT_MATTER.match(text)
    if not match:
        raise CorpusError(f"{path}: 缺少元数据 / missing front matter (--- … ---)")
    try:
        meta = DocumentMeta.model_validate(load_yaml(match.group(1)))
    except (yaml.YAMLError, ValidationError) as exc:
        raise CorpusError(f"{path}: 元数据无效 / invalid metadata: {exc}") from exc
    body = text[match.end() :]
    if not body.strip():
        raise CorpusError(f"{path}: 正文为空 / empty body")
    return Document(meta=meta, body=body, path=path)


def load_corpus(directory: Path) -> list[Document]:
    """Load every cleaned document (*.md) in a directory, sorted by id."""
    if not directory.is_dir():
        raise CorpusError(f"{directory}: 找不到语料目录 / corpus directory not found")
    docs = [parse_document(read_text(p), p) for p in sorted(directory.glob("*.md"))]
    if not docs:
        raise CorpusError(f"{directory}: 没有文档 / no documents (*.md)")
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise CorpusError(f"{doc.path}: 重复的文档编号 / duplicate document id {doc.id}")
        seen.add(doc.id)
    return sorted(docs, key=lambda d: d.id)


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: 不是 UTF-8 编码 / not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise CorpusError(f"{path}: 无法读取 / cannot read: {exc}") from exc
