"""Offline Q&A over Chinese government reports: files → Report → Chunk → vectors and BM25 → Hit → Answer."""
from assistant.api import Assistant
from assistant.records import Answer, Chunk, Hit, Report, ReportMeta
from assistant.search.filters import Filters
from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "Chunk", "Filters", "Hit", "Report", "ReportMeta", "Settings"]
