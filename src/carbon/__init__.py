"""carbon: energy and greenhouse-gas accounting for ESG reports (China, Hong Kong).

The library's public names (``carbon.read_inventory``, ``carbon.compute``, ``carbon.restate`` …)
are those of :mod:`carbon.api`; they load on first use, so ``import carbon`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.4"

__all__ = ["InputError", "Inventory", "Restatement", "Result", "Status", "__version__",
           "compute", "factor_set", "factor_sets", "read_inventory", "restate", "status"]

if TYPE_CHECKING:
    from carbon.api import (
        InputError,
        Inventory,
        Restatement,
        Result,
        Status,
        compute,
        factor_set,
        factor_sets,
        read_inventory,
        restate,
        status,
    )


def __getattr__(name: str) -> Any:
    if name in __all__:
        from carbon import api

        return getattr(api, name)
    raise AttributeError(f"module 'carbon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
