"""repost-mirror: a polite crawler and mirror that keeps a repost archive honest."""

__version__ = "0.1.0"
