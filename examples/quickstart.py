"""Quickstart: create an assistant, load documents, stream an answer with citations, fetch
context, score the answer, clean up.

    python examples/quickstart.py      # the embedded emulator; set PINECONE_API_KEY for Pinecone
"""

from __future__ import annotations

import asyncio
from typing import Any

from _common import SAMPLE_DOCS, connect, unique_name

from pinecone_assistant_async.citations import CitedText

QUESTION = "How many vacation days does a full-time employee get?"
GROUND_TRUTH = "Every full-time employee gets 25 vacation days per calendar year."


async def main() -> dict[str, Any]:
    async with connect() as client:
        name = unique_name("quickstart")
        # Waits until the assistant is Ready (wait=False returns at once).
        await client.assistants.create(name, instructions="Answer from the Lumen Labs documents.")
        docs = client.assistant(name)  # the same calls, with the assistant's name filled in
        try:
            # Every sample document, 4 at a time; returns once each one is Available.
            report = await docs.files.upload_many([SAMPLE_DOCS], concurrency=4)
            print(f"uploaded {len(report.available)} files, {len(report.failed)} failed")

            # The answer streams in as it is generated, with a [n] marker where each citation
            # points; final() assembles the whole reply. Each distinct source is listed once.
            cited = CitedText()
            async with docs.chat_stream(QUESTION) as stream:
                async for chunk in stream:
                    print(cited.feed(chunk), end="", flush=True)
                reply = await stream.final()
            print(cited.finish())
            for source in cited.sources:
                print(f"  {source}")  # [1] handbook.md p. 1

            # The snippets retrieval finds, without generating an answer.
            context = await docs.context(query="home office budget", top_k=3)
            print("context for 'home office budget' (score, file):")
            for snippet in context.snippets:
                print(f"  {snippet.score:.2f} {snippet.reference.file.name}")

            # How well does the answer match what we expected?
            evaluation = await client.evaluation.alignment(
                question=QUESTION, answer=reply.message.content, ground_truth_answer=GROUND_TRUTH
            )
            scores = evaluation.metrics
            print(
                f"correctness {scores.correctness:.2f}, completeness {scores.completeness:.2f}, "
                f"alignment {scores.alignment:.2f}"
            )
            for verdict in evaluation.reasoning.evaluated_facts:  # each expected fact, judged
                print(f"  {verdict.entailment}: {verdict.fact.content}")
        finally:
            await docs.delete()  # waits until the assistant and its files are gone
    return {
        "uploaded": len(report.available),
        "answer": reply.message.content,
        "marked": cited.marked,
        "cited": [source.file_name for source in cited.sources],
        "snippets": len(context.snippets),
        "alignment": evaluation.metrics.alignment,
        "facts": [
            (f.fact.content, str(f.entailment)) for f in evaluation.reasoning.evaluated_facts
        ],
    }


if __name__ == "__main__":
    asyncio.run(main())
