"""Offline Q&A over Chinese government reports: files → Report → Chunk → vectors and BM25 → Hit → Answer."""
from assistant.assistant import Assistant
from assistant.documents import Answer, Chunk, Hit, Report, ReportMeta
from assistant.query import Filters
from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "Chunk", "Filters", "Hit", "Report", "ReportMeta", "Settings"]
