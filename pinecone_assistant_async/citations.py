"""An answer's sources, numbered once each, and ``[n]`` markers in its text, whole or streamed.

An answer often cites the same file and pages several times (one citation per sentence). Here
each distinct source (file and pages) gets one number, so three citations of ``handbook.md``
page 1 all read ``[1]`` and the list under the answer names it once.

Streamed, a citation arrives *after* the text it supports (the service sends it once the
sentence is written, so its position is already behind the text received). To put its marker
where it belongs, :class:`CitedText` holds back the sentence being written and lets text out
sentence by sentence; a citation later than that gets its marker where the text stands.

    cited = CitedText()
    async with client.chat_stream("docs", question) as stream:
        async for chunk in stream:
            print(cited.feed(chunk), end="", flush=True)
    print(cited.finish())
    for source in cited.sources:
        print(source)                   # [1] handbook.md p. 1

For a whole answer: ``CitedText.from_reply(reply).marked``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import ChatResponse, Citation, CitationChunk, ContentChunk

__all__ = ["CitedText", "Source"]

SENTENCE_ENDS = ".!?:;\n"
HOLD_BACK_LIMIT = 120
"""Characters of an unfinished sentence held back at most; past that, text is let out up to
the last space, so a very long sentence still streams."""


@dataclass
class Source:
    """One distinct source of an answer: a file and the pages cited in it."""

    number: int
    file_name: str
    file_id: str
    pages: tuple[int, ...]
    highlights: list[str] = field(default_factory=list)
    """The cited passages (with ``include_highlights=True``), each once, in arrival order."""

    def __str__(self) -> str:
        pages = f" p. {', '.join(map(str, self.pages))}" if self.pages else ""
        return f"[{self.number}] {self.file_name}{pages}"


class CitedText:
    """Places ``[n]`` markers in an answer's text as its chunks arrive, numbering sources once.

    :meth:`feed` (or :meth:`add_text` / :meth:`add_citation`) returns the text that may be
    shown now, markers included; :meth:`finish` returns the rest. ``hold_back=False`` lets
    every piece of text out at once (markers of late citations then land where the text
    stands).
    """

    def __init__(self, *, hold_back: bool = True) -> None:
        self.hold_back = hold_back
        self.citations: list[Citation] = []
        self._sources: dict[tuple[str, tuple[int, ...]], Source] = {}
        self._text = ""  # the answer received so far
        self._shown = 0  # how much of it has been let out
        self._pending: list[tuple[int, str]] = []  # (position, marker) not reached yet
        self._marked_at: dict[int, set[int]] = {}  # position -> numbers already marked there
        self._out: list[str] = []

    @property
    def sources(self) -> list[Source]:
        """The distinct sources, in the order of their numbers."""
        return list(self._sources.values())

    @property
    def marked(self) -> str:
        """Everything let out so far: the text with its markers."""
        return "".join(self._out)

    @classmethod
    def from_reply(cls, reply: ChatResponse) -> CitedText:
        """A whole (non-streamed) answer, every marker in place."""
        cited = cls()
        for citation in reply.citations:
            cited.add_citation(citation)
        cited.add_text(reply.message.content)
        cited.finish()
        return cited

    def feed(self, chunk: object) -> str:
        """Take any stream chunk; text and citation chunks give what to show, others ``""``."""
        if isinstance(chunk, ContentChunk):
            return self.add_text(chunk.delta.content)
        if isinstance(chunk, CitationChunk):
            return self.add_citation(chunk.citation)
        return ""

    def add_citation(self, citation: Citation) -> str:
        self.citations.append(citation)
        position = max(0, citation.position)
        numbers = self._marked_at.setdefault(position, set())
        marker = ""
        for number in self.number(citation):
            if number not in numbers:
                numbers.add(number)
                marker += f"[{number}]"
        if not marker:
            return ""
        if position <= self._shown:
            # at the point the text stands (or behind it, when it came late): show it now
            return self._emit(marker)
        self._pending.append((position, marker))
        self._pending.sort(key=lambda item: item[0])
        return self._release(self._ready())

    def add_text(self, delta: str) -> str:
        self._text += delta
        return self._release(self._ready())

    def finish(self) -> str:
        """The text still held back and the markers not reached (past the end), at once."""
        shown = self._release(len(self._text))
        tail = "".join(marker for _, marker in self._pending)
        self._pending.clear()
        return shown + self._emit(tail)

    def number(self, citation: Citation) -> list[int]:
        """The numbers of a citation's sources; a source not seen before gets the next one.

        For a page that places its own markers: number each citation, and list the sources
        that ``sources`` gained."""
        numbers = []
        for ref in citation.references:
            key = (ref.file.id or ref.file.name, tuple(ref.pages))
            source = self._sources.get(key)
            if source is None:
                source = Source(len(self._sources) + 1, ref.file.name, ref.file.id, key[1])
                self._sources[key] = source
            if ref.highlight is not None and ref.highlight.content not in source.highlights:
                source.highlights.append(ref.highlight.content)
            if source.number not in numbers:
                numbers.append(source.number)
        return numbers

    def _ready(self) -> int:
        """How far the received text may be let out now."""
        text, end = self._text, len(self._text)
        if not self.hold_back:
            return end
        # the end of the last finished sentence: its punctuation followed by a space
        for at in range(end - 1, self._shown, -1):
            if text[at].isspace() and text[at - 1] in SENTENCE_ENDS:
                return at
        if end - self._shown > HOLD_BACK_LIMIT:
            space = text.rfind(" ", self._shown, end)
            return space if space > self._shown else end
        return self._shown

    def _release(self, upto: int) -> str:
        """Let the text out up to ``upto``, with the markers that fall inside it."""
        pieces: list[str] = []
        start = self._shown
        while self._pending and self._pending[0][0] <= upto:
            position, marker = self._pending.pop(0)
            pieces += [self._text[start:position], marker]
            start = position
        pieces.append(self._text[start:upto])
        self._shown = max(self._shown, upto)
        return self._emit("".join(pieces))

    def _emit(self, text: str) -> str:
        if text:
            self._out.append(text)
        return text
