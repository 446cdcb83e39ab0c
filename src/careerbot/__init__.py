"""careerbot: grounded, cited career advice from a corpus of career profiles.

Importing this package is cheap: it builds no model, opens no store and reads
no environment variable. Heavy pieces load on first use through
:func:`build_service`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Answer", "ChatService", "Source", "Status", "__version__", "build_service"]

if TYPE_CHECKING:
    from careerbot.schema import Answer, Source, Status
    from careerbot.service import ChatService, build_service

_LAZY = {
    "Answer": "careerbot.schema",
    "Source": "careerbot.schema",
    "Status": "careerbot.schema",
    "ChatService": "careerbot.service",
    "build_service": "careerbot.service",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'careerbot' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
