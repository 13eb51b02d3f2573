"""CitedText: one number per distinct source, and markers where citations point, streamed or not."""

from __future__ import annotations

from typing import Any

from pinecone_assistant_async.citations import HOLD_BACK_LIMIT, CitedText
from pinecone_assistant_async.models import ChatResponse, Citation

ANSWER = "Staff get 25 days per year. Unused days carry over. Ask early."
YEAR_END = ANSWER.index(" Unused")  # right after "year."
OVER_END = ANSWER.index(" Ask")


def citation(
    position: int,
    name: str = "handbook.md",
    pages: list[int] | None = None,
    highlight: str | None = None,
) -> Citation:
    ref: dict[str, Any] = {"file": {"id": f"id-{name}", "name": name}, "pages": pages or [1]}
    if highlight is not None:
        ref["highlight"] = {"type": "text", "content": highlight}
    return Citation.model_validate({"position": position, "references": [ref]})


def stream(pieces: list[str | Citation], *, hold_back: bool = True) -> tuple[list[str], CitedText]:
    cited = CitedText(hold_back=hold_back)
    shown = [cited.add_text(p) if isinstance(p, str) else cited.add_citation(p) for p in pieces]
    shown.append(cited.finish())
    assert "".join(shown) == cited.marked
    return shown, cited


def chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def like_the_service(cites: list[Citation], size: int = 8) -> list[str | Citation]:
    """ANSWER in chunks of ``size``, each citation sent in the chunk after its text passed."""
    pieces: list[str | Citation] = []
    waiting, received = list(cites), 0
    for piece in chunks(ANSWER, size):
        pieces.append(piece)
        received += len(piece)
        pieces += [c for c in waiting if c.position < received]
        waiting = [c for c in waiting if c.position >= received]
    return pieces + waiting


def test_a_citation_arriving_after_its_sentence_lands_where_it_points() -> None:
    # the service sends a citation once the sentence is written and a few characters more
    _, cited = stream(like_the_service([citation(YEAR_END), citation(OVER_END, pages=[2])]))
    assert cited.marked == ("Staff get 25 days per year.[1] Unused days carry over.[2] Ask early.")


def test_a_citation_at_the_very_end_of_the_text_is_kept() -> None:
    # the end of the answer: position == everything received (dropped when `>` was used)
    _, cited = stream([ANSWER, citation(len(ANSWER))])
    assert cited.marked == ANSWER + "[1]"
    _, shown_at_once = stream([ANSWER, citation(len(ANSWER))], hold_back=False)
    assert shown_at_once.marked == ANSWER + "[1]"


def test_the_same_file_and_pages_cited_three_times_is_one_source() -> None:
    cites = [citation(YEAR_END), citation(OVER_END), citation(len(ANSWER))]
    _, cited = stream(like_the_service(cites))
    assert [str(s) for s in cited.sources] == ["[1] handbook.md p. 1"]
    assert cited.marked.count("[1]") == 3
    assert len(cited.citations) == 3


def test_other_pages_or_files_get_their_own_numbers_in_order_of_first_citation() -> None:
    _, cited = stream(
        [
            ANSWER,
            citation(YEAR_END, "faq.json"),
            citation(OVER_END, pages=[2]),
            citation(len(ANSWER), "faq.json"),
        ]
    )
    assert [str(s) for s in cited.sources] == ["[1] faq.json p. 1", "[2] handbook.md p. 2"]
    assert cited.marked.endswith("early.[1]")


def test_a_citation_with_two_references_gets_both_numbers_once() -> None:
    both = Citation.model_validate(
        {
            "position": YEAR_END,
            "references": [
                {"file": {"id": "a", "name": "a.md"}},
                {"file": {"id": "b", "name": "b.md"}},
                {"file": {"id": "a", "name": "a.md"}},
            ],
        }
    )
    _, cited = stream(like_the_service([both]))
    assert "year.[1][2] Unused" in cited.marked
    assert [str(s) for s in cited.sources] == ["[1] a.md", "[2] b.md"]


def test_highlights_are_kept_per_source_without_repeats() -> None:
    _, cited = stream(
        [
            ANSWER,
            citation(YEAR_END, highlight="25 days"),
            citation(OVER_END, highlight="carry over"),
            citation(len(ANSWER), highlight="25 days"),
        ]
    )
    assert cited.sources[0].highlights == ["25 days", "carry over"]


def test_text_streams_sentence_by_sentence_not_at_the_end() -> None:
    shown, _ = stream(chunks(ANSWER, 5))
    assert shown[-1] == " Ask early."  # only the last, unfinished sentence waited for finish()
    assert "".join(shown[:-1]) == ANSWER[:OVER_END]


def test_a_long_sentence_is_let_out_at_a_space_before_it_ends() -> None:
    long = "word " * (HOLD_BACK_LIMIT // 2)
    shown, _ = stream([long])
    assert shown[0] and shown[0].endswith("word") and len(shown[0]) > HOLD_BACK_LIMIT // 2


def test_a_citation_later_than_the_text_shown_is_marked_where_the_text_stands() -> None:
    _, cited = stream([ANSWER[: OVER_END + 1], citation(YEAR_END), ANSWER[OVER_END + 1 :]])
    assert cited.marked == "Staff get 25 days per year. Unused days carry over.[1] Ask early."


def test_a_whole_reply_is_marked_like_the_stream() -> None:
    reply = ChatResponse.model_validate(
        {
            "id": "r",
            "model": "gpt-4o",
            "message": {"role": "assistant", "content": ANSWER},
            "citations": [citation(YEAR_END).model_dump(), citation(len(ANSWER)).model_dump()],
        }
    )
    whole = CitedText.from_reply(reply)
    _, streamed = stream(like_the_service([citation(YEAR_END), citation(len(ANSWER))], size=7))
    assert whole.marked == "Staff get 25 days per year.[1] Unused days carry over. Ask early.[1]"
    assert whole.marked == streamed.marked
