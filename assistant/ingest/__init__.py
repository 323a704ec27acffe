"""file → Report → Chunks: read, decode, clean, read metadata, split by section."""
