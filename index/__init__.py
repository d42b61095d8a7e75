"""Hybrid retrieval over the knowledge base: dense (FAISS) plus BM25 over jieba tokens."""
