"""carbon: energy and greenhouse-gas accounting for ESG reports (China, Hong Kong)."""

__version__ = "0.1.0"
