"""Encoders that turn text into vectors, and the FAISS index that searches them."""
from embeddings.encoder import DEFAULT_ENCODER, Encoder, HashEncoder, load_encoder, vector_space
from embeddings.vector_index import VectorIndex

__all__ = ["DEFAULT_ENCODER", "Encoder", "HashEncoder", "VectorIndex", "load_encoder", "vector_space"]
