"""The structured service catalog: services, benefits, facility types and plan targets.

Every entry cites its sources as a document id plus an exact quote. Loading validates the
YAML with pydantic; ``resolve_citations`` checks each quote against the corpus and maps it
to the chunk that holds it, so that re-chunking can never silently break a citation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.chunking import Chunk
from knowledge.documents import Document
from knowledge.errors import CatalogError
from knowledge.textnorm import occurrences
from knowledge.yamlio import load_yaml

CATALOG_FILES = ("services.yaml", "benefits.yaml", "facilities.yaml", "targets.yaml")


class ServiceType(str, Enum):
    """The home and community care services the assistant knows."""

    MEAL = "meal"  # 助餐
    BATH = "bath"  # 助浴
    MEDICAL = "medical"  # 助医
    CLEANING = "cleaning"  # 助洁
    MOBILITY = "mobility"  # 助行
    EMERGENCY = "emergency"  # 助急
    HOME_VISIT_SERVICE = "home_service"  # 上门服务
    DAY_CARE = "day_care"  # 日间照料
    RESPITE = "respite"  # 全托/短托/喘息服务
    FAMILY_CARE_BED = "family_care_bed"  # 家庭照护床位
    HOME_ADAPTATION = "home_adaptation"  # 适老化改造
    VISITING = "visiting"  # 探访巡访
    FAMILY_DOCTOR = "family_doctor"  # 家庭医生签约
    LTC_INSURANCE = "ltc_insurance"  # 长期护理保险
    MUTUAL_AID = "mutual_aid"  # 互助养老
    SMART_CARE = "smart_care"  # 智慧养老
    MEDICAL_CARE_INTEGRATION = "medical_care_integration"  # 医养结合
    INSTITUTION_CARE = "institution_care"  # 机构养老/入住养老机构
    LIABILITY_INSURANCE = "liability_insurance"  # 综合责任险/意外伤害保险
    PSYCHOLOGICAL = "psychological"  # 助心/精神慰藉


class PersonStatus(str, Enum):
    """Circumstances of an elder that policies name."""

    DIBAO = "低保"
    NEAR_DIBAO = "低保边缘"
    TEKUN = "特困"
    POVERTY_REGISTERED = "建档立卡"
    DISABLED_CARE = "失能"
    SEMI_DISABLED = "半失能"
    DEMENTIA = "失智"
    LIVING_ALONE = "独居"
    EMPTY_NEST = "空巢"
    LEFT_BEHIND = "留守"
    LOST_ONLY_CHILD = "失独"
    FAMILY_PLANNING_SPECIAL = "计生特殊家庭"
    SEVERE_DISABILITY = "重度残疾"
    DISABILITY = "残疾"
    ADVANCED_AGE = "高龄"
    LOW_INCOME = "经济困难"
    SERIOUS_ILLNESS = "重病"


class Citation(BaseModel):
    """A source: document id plus a quote that appears verbatim in that document."""

    model_config = ConfigDict(extra="forbid")
    doc: str
    quote: str = Field(min_length=4)


class Entry(BaseModel):
    """Fields shared by every catalog entry."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    citations: list[Citation] = Field(min_length=1)


class Service(Entry):
    """A kind of service, with the words people use for it."""

    type: ServiceType
    plain_name: str
    aliases: list[str] = Field(default_factory=list)
    description: str


class Benefit(Entry):
    """A subsidy, allowance or guaranteed service: who gets what, how much, where."""

    region: str
    who: str
    what: str
    amount: str | None = None
    how_to_apply: str | None = None
    person_status: list[PersonStatus] = Field(default_factory=list)
    min_age: int | None = Field(default=None, ge=50, le=120)
    services: list[ServiceType] = Field(default_factory=list)


class FacilityType(Entry):
    """A type of care facility with its standards in one region."""

    region: str
    aliases: list[str] = Field(default_factory=list)
    serves: str | None = None
    area: str | None = None
    beds: str | None = None
    construction_subsidy: str | None = None
    operating_subsidy: str | None = None
    functions: str | None = None

    @model_validator(mode="after")
    def _has_a_standard(self) -> FacilityType:
        if not any((self.area, self.beds, self.construction_subsidy, self.operating_subsidy, self.functions)):
            raise ValueError("a facility type needs at least one standard (area, beds, subsidy or functions)")
        return self


class Target(Entry):
    """A government plan target: something the government means to do, not an entitlement."""

    region: str
    what: str
    figure: str
    deadline: str | None = None
    services: list[ServiceType] = Field(default_factory=list)


class Catalog(BaseModel):
    """The whole catalog."""

    services: list[Service] = Field(default_factory=list)
    benefits: list[Benefit] = Field(default_factory=list)
    facility_types: list[FacilityType] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)

    def entries(self) -> Iterator[Entry]:
        """Every entry of every kind."""
        yield from self.services
        yield from self.benefits
        yield from self.facility_types
        yield from self.targets


class ResolvedCitation(BaseModel):
    """A catalog citation mapped to the chunk that holds its quote."""

    entry_id: str
    doc_id: str
    quote: str
    chunk_id: str


def load_catalog(directory: Path) -> Catalog:
    """Load and validate the catalog YAML files in a directory."""
    data: dict[str, list[object]] = {}
    for name in CATALOG_FILES:
        path = directory / name
        if not path.exists():
            continue
        try:
            content = load_yaml(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: 无法解析 / cannot parse: {exc}") from exc
        if not isinstance(content, dict):
            raise CatalogError(f"{path}: 顶层必须是映射 / top level must be a mapping")
        for key, items in content.items():
            data.setdefault(key, []).extend(items or [])
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(f"{directory}: 目录校验失败 / catalog validation failed:\n{exc}") from exc
    ids = [e.id for e in catalog.entries()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"{directory}: 重复的条目编号 / duplicate entry ids: {', '.join(dupes)}")
    return catalog


def resolve_citations(
    catalog: Catalog, documents: Sequence[Document], chunks: Sequence[Chunk]
) -> list[ResolvedCitation]:
    """Map every citation to its chunk; raise CatalogError listing every broken one."""
    bodies = {d.id: d.body for d in documents}
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    resolved: list[ResolvedCitation] = []
    broken: list[str] = []
    for entry in catalog.entries():
        for cit in entry.citations:
            body = bodies.get(cit.doc)
            if body is None:
                broken.append(f"{entry.id}: 未知文档 / unknown document {cit.doc!r}")
                continue
            starts = occurrences(body, cit.quote)
            if not starts:
                broken.append(f"{entry.id}: 引文不在 {cit.doc} 中 / quote not in document: {cit.quote!r}")
                continue
            holder = next(
                (c for start in starts for c in by_doc.get(cit.doc, []) if c.start <= start < c.end), None
            )
            if holder is None:
                broken.append(f"{entry.id}: 引文不在任何分块中 / quote outside every chunk: {cit.quote!r}")
                continue
            resolved.append(
                ResolvedCitation(entry_id=entry.id, doc_id=cit.doc, quote=cit.quote, chunk_id=holder.id)
            )
    if broken:
        raise CatalogError("目录引文无效 / broken catalog citations:\n" + "\n".join(broken))
    return resolved
