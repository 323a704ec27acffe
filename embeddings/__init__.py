"""Encoders that turn text into vectors, and the FAISS index that searches them."""
from embeddings.encoder import Encoder, HashEncoder, load_encoder
from embeddings.vector_index import VectorIndex

__all__ = ["Encoder", "HashEncoder", "VectorIndex", "load_encoder"]
