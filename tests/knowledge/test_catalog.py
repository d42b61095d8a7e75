"""The service catalog and its citations (knowledge/catalog.py)."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.base import KnowledgeBase, KnowledgePaths
from knowledge.catalog import Catalog, ServiceType, load_catalog, resolve_citations
from knowledge.errors import CatalogError

PATHS = KnowledgePaths()


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(PATHS.catalog, target)
    return target


def edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def entry(data: dict[str, Any], kind: str, entry_id: str) -> dict[str, Any]:
    return next(e for e in data[kind] if e["id"] == entry_id)


def resolve(kb: KnowledgeBase, directory: Path) -> None:
    resolve_citations(load_catalog(directory), kb.documents, kb.chunks)


# ---------------------------------------------------------------- the real catalog


def test_real_catalog_loads(kb: KnowledgeBase) -> None:
    catalog = load_catalog(PATHS.catalog)
    assert (
        len(catalog.services),
        len(catalog.benefits),
        len(catalog.facility_types),
        len(catalog.targets),
    ) == (
        20,
        41,
        22,
        34,
    )
    assert catalog == kb.catalog


def test_every_citation_resolves_to_the_chunk_holding_it(kb: KnowledgeBase) -> None:
    total = sum(len(e.citations) for e in kb.catalog.entries())
    assert len(kb.citations) == total
    chunks = {c.id: c for c in kb.chunks}
    for cit in kb.citations:
        chunk = chunks[cit.chunk_id]
        assert chunk.doc_id == cit.doc_id
        assert cit.quote in chunk.text, (cit.entry_id, cit.quote)


def test_every_service_type_has_exactly_one_service(kb: KnowledgeBase) -> None:
    types = [s.type for s in kb.catalog.services]
    assert sorted(types, key=lambda t: t.value) == sorted(ServiceType, key=lambda t: t.value)
    assert len(ServiceType) == 20


def test_entry_ids_are_unique_across_kinds(kb: KnowledgeBase) -> None:
    ids = [e.id for e in kb.catalog.entries()]
    assert len(ids) == len(set(ids))


def test_targets_are_separate_from_benefits(kb: KnowledgeBase) -> None:
    benefits, targets = kb.catalog.benefits, kb.catalog.targets
    assert {b.id for b in benefits}.isdisjoint({t.id for t in targets})
    assert {b.name for b in benefits}.isdisjoint({t.name for t in targets})
    benefit_quotes = {(c.doc, c.quote) for b in benefits for c in b.citations}
    target_quotes = {(c.doc, c.quote) for t in targets for c in t.citations}
    assert benefit_quotes.isdisjoint(target_quotes)
    # A plan figure ("每年 … 600户") is a government target, not an entitlement.
    assert "taizhou-adaptation-600-per-year" in {t.id for t in targets}
    assert not any("600户" in (b.amount or "") + b.what for b in benefits)
    assert all(b.who for b in benefits)


def test_target_with_benefit_field_rejected(catalog_copy: Path) -> None:
    edit_yaml(
        catalog_copy / "targets.yaml",
        lambda d: entry(d, "targets", "taizhou-adaptation-600-per-year").update(who="困难老人家庭"),
    )
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "who" in str(exc.value)


# ---------------------------------------------------------------- broken copies


def test_altered_quote_is_reported_with_its_entry_id(kb: KnowledgeBase, catalog_copy: Path) -> None:
    def alter(data: dict[str, Any]) -> None:
        cit = entry(data, "benefits", "baoji-dibao-70plus-allowance")["citations"][0]
        cit["quote"] = cit["quote"].replace("20%", "25%")

    resolve(kb, catalog_copy)  # the untouched copy is fine
    edit_yaml(catalog_copy / "benefits.yaml", alter)
    with pytest.raises(CatalogError) as exc:
        resolve(kb, catalog_copy)
    message = str(exc.value)
    assert "baoji-dibao-70plus-allowance" in message
    assert "25%" in message
    assert len(message.splitlines()) == 2  # the heading line plus the one broken citation


def test_every_broken_citation_is_listed(kb: KnowledgeBase, catalog_copy: Path) -> None:
    edit_yaml(
        catalog_copy / "services.yaml",
        lambda d: entry(d, "services", "bath")["citations"][0].update(quote="上门洗澡服务全部免费提供"),
    )
    edit_yaml(
        catalog_copy / "targets.yaml",
        lambda d: entry(d, "targets", "taizhou-adaptation-600-per-year")["citations"][0].update(
            quote="每年实施困难老人家庭适老化改造700户"
        ),
    )
    with pytest.raises(CatalogError) as exc:
        resolve(kb, catalog_copy)
    assert "bath:" in str(exc.value)
    assert "taizhou-adaptation-600-per-year:" in str(exc.value)


def test_unknown_document_id_fails(kb: KnowledgeBase, catalog_copy: Path) -> None:
    edit_yaml(
        catalog_copy / "services.yaml",
        lambda d: entry(d, "services", "meal")["citations"][0].update(doc="beijing-2022-none"),
    )
    with pytest.raises(CatalogError) as exc:
        resolve(kb, catalog_copy)
    assert "meal" in str(exc.value)
    assert "beijing-2022-none" in str(exc.value)
    assert "unknown document" in str(exc.value)


def test_quote_outside_every_chunk_fails(kb: KnowledgeBase, catalog_copy: Path) -> None:
    # The heading lines above an appendix table belong to no chunk (the title goes into the row context).
    edit_yaml(
        catalog_copy / "targets.yaml",
        lambda d: entry(d, "targets", "taizhou-adaptation-600-per-year")["citations"][0].update(
            quote="台州市居家和社区养老服务改革试点重点任务分工"
        ),
    )
    with pytest.raises(CatalogError) as exc:
        resolve(kb, catalog_copy)
    assert "taizhou-adaptation-600-per-year" in str(exc.value)
    assert "outside every chunk" in str(exc.value)


def test_duplicate_entry_ids_fail(catalog_copy: Path) -> None:
    edit_yaml(
        catalog_copy / "benefits.yaml",
        lambda d: d["benefits"].append(copy.deepcopy(entry(d, "benefits", "baoji-dibao-70plus-allowance"))),
    )
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "duplicate entry ids: baoji-dibao-70plus-allowance" in str(exc.value)


def test_duplicate_ids_across_files_fail(catalog_copy: Path) -> None:
    edit_yaml(
        catalog_copy / "targets.yaml",
        lambda d: entry(d, "targets", "taizhou-adaptation-600-per-year").update(id="meal"),
    )
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "duplicate entry ids: meal" in str(exc.value)


def test_unknown_field_fails_validation(catalog_copy: Path) -> None:
    edit_yaml(catalog_copy / "services.yaml", lambda d: d["services"][0].update(colour="red"))
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "colour" in str(exc.value)


def test_unknown_service_type_fails_validation(catalog_copy: Path) -> None:
    edit_yaml(catalog_copy / "services.yaml", lambda d: d["services"][0].update(type="teleport"))
    with pytest.raises(CatalogError):
        load_catalog(catalog_copy)


def test_facility_type_without_standard_fails(catalog_copy: Path) -> None:
    def strip(data: dict[str, Any]) -> None:
        facility = data["facility_types"][0]
        for key in ("area", "beds", "construction_subsidy", "operating_subsidy", "functions"):
            facility[key] = None

    edit_yaml(catalog_copy / "facilities.yaml", strip)
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "at least one standard" in str(exc.value)


def test_facility_type_with_one_standard_is_enough(catalog_copy: Path) -> None:
    def keep_area(data: dict[str, Any]) -> None:
        facility = data["facility_types"][0]
        for key in ("beds", "construction_subsidy", "operating_subsidy", "functions"):
            facility[key] = None

    edit_yaml(catalog_copy / "facilities.yaml", keep_area)
    assert load_catalog(catalog_copy).facility_types[0].area


def test_short_quote_fails_validation(catalog_copy: Path) -> None:
    edit_yaml(catalog_copy / "services.yaml", lambda d: d["services"][0]["citations"][0].update(quote="助餐"))
    with pytest.raises(CatalogError):
        load_catalog(catalog_copy)


def test_entry_without_citations_fails_validation(catalog_copy: Path) -> None:
    edit_yaml(catalog_copy / "services.yaml", lambda d: d["services"][0].update(citations=[]))
    with pytest.raises(CatalogError):
        load_catalog(catalog_copy)


def test_unparsable_yaml_fails(catalog_copy: Path) -> None:
    (catalog_copy / "targets.yaml").write_text("targets: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "targets.yaml" in str(exc.value)


def test_top_level_must_be_a_mapping(catalog_copy: Path) -> None:
    (catalog_copy / "targets.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(catalog_copy)
    assert "mapping" in str(exc.value)


def test_missing_files_give_an_empty_catalog(tmp_path: Path) -> None:
    assert load_catalog(tmp_path) == Catalog()
