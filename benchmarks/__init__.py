"""Benchmarks for pinecone_assistant_async: ``python -m benchmarks`` (see ``run.py``)."""
