"""Metadata filters: tag files when uploading, then narrow listings, chat and context to them.

python examples/metadata_filters.py
"""

from __future__ import annotations

import asyncio
from typing import Any

from _common import SAMPLE_DOCS, SAMPLE_METADATA, connect, unique_name


async def main() -> dict[str, Any]:
    async with connect() as client:
        name = unique_name("filters")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            # Upload concurrently, each file with its own metadata.
            await asyncio.gather(
                *(
                    docs.files.upload(SAMPLE_DOCS / file_name, metadata=metadata)
                    for file_name, metadata in SAMPLE_METADATA.items()
                )
            )

            # Pinecone's filter language: $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or.
            product = [f.name async for f in docs.files.list(filter={"team": "product"})]
            recent = [f.name async for f in docs.files.list(filter={"year": {"$gte": 2026}})]
            print("product files:", sorted(product))
            print("2026 files:", sorted(recent))

            # Only the 2025 release notes may answer this one.
            reply = await docs.chat(
                "Which firmware release added Wi-Fi support?",
                filter={"$and": [{"team": "product"}, {"year": 2025}]},
            )
            cited = sorted({r.file.name for c in reply.citations for r in c.references})
            print(reply.message.content, "\ncited:", cited)

            # Context retrieval takes the same filters.
            context = await docs.context(
                query="laptop", filter={"team": {"$in": ["hr", "security"]}}, top_k=5
            )
            sources = sorted({s.reference.file.name for s in context.snippets})
            print("context from:", sources)
        finally:
            await docs.delete()
    return {
        "product": sorted(product),
        "recent": sorted(recent),
        "answer": reply.message.content,
        "cited": cited,
        "context_sources": sources,
    }


if __name__ == "__main__":
    asyncio.run(main())
