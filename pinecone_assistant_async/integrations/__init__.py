"""Integrations with agent frameworks, each in its own module and optional extra.

Nothing here is imported by ``import pinecone_assistant_async``; import the module you use:

>>> from pinecone_assistant_async.integrations import langchain  # doctest: +SKIP
"""
