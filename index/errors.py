"""Exceptions raised by the index package."""

from __future__ import annotations


class IndexError_(Exception):
    """Base class for retrieval errors."""


class EmptyQueryError(IndexError_):
    """The query is empty or only whitespace."""

    def __init__(self) -> None:
        super().__init__("问题不能为空 / the question is empty")


class IndexMissingError(IndexError_):
    """No index has been built yet."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"还没有建立索引（{where}）。请先运行 `eldercare index build`。 / "
            f"No index at {where}: run `eldercare index build` first."
        )


class IndexStaleError(IndexError_):
    """The index was built from other content or another encoder."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"索引已过期（知识库或模型已更改）。请运行 `eldercare index build`。 / "
            f"The index at {where} is stale (corpus, catalog or model changed): run `eldercare index build`."
        )


class EncoderError(IndexError_):
    """The embedding model cannot be loaded."""
