"""The embedded demo OAI-PMH repository and its bundled sample records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.demo.server import DemoServer, OAIRepository, load_sample

__all__ = ["DemoServer", "OAIRepository", "load_sample"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `python -m pipelines.demo.server` does not import the
    # module twice (runpy warns when the package already imported it).
    if name in __all__:
        from pipelines.demo import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
