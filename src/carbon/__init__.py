"""carbon: energy and greenhouse-gas accounting for ESG reports (China, Hong Kong)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("carbon")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
