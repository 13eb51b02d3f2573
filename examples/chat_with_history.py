"""A conversation: each turn sends the history, so follow-up questions can lean on earlier ones.

python examples/chat_with_history.py
"""

from __future__ import annotations

import asyncio

from _common import SAMPLE_DOCS, connect, unique_name

from pinecone_assistant_async import Message


async def main() -> list[Message]:
    async with connect() as client:
        name = unique_name("history")
        await client.assistants.create(name)
        docs = client.assistant(name)
        try:
            await docs.files.upload(SAMPLE_DOCS / "release_notes_2026.md")
            history: list[Message] = []

            # Turn 1: a plain call returns the whole reply.
            history.append(Message(role="user", content="What does firmware 4.2 add to the lamp?"))
            reply = await docs.chat(history)
            history.append(reply.message)
            print(f"> {history[-2].content}\n{reply.message.content}\n")

            # Turn 2: streamed; the earlier turns travel with the new question.
            history.append(Message(role="user", content="And what did firmware 4.0 introduce?"))
            async with docs.chat_stream(history) as stream:
                print(f"> {history[-1].content}")
                async for text in stream.text():
                    print(text, end="", flush=True)
                reply = await stream.final()
            print()
            history.append(reply.message)
        finally:
            await docs.delete()
    return history


if __name__ == "__main__":
    asyncio.run(main())
