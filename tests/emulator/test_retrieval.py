"""BM25 retrieval: tokenizing, ranking, top_k, the allowed predicate, removal, token counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pinecone_assistant_async.testing.documents import Chunk
from pinecone_assistant_async.testing.retrieval import Index, count_tokens, terms, tokenize


def chunk(file_id: str, ordinal: int, text: str, page: int = 1) -> Chunk:
    return Chunk(file_id, page, text, ordinal)


def corpus() -> Index:
    return Index(
        [
            chunk("a", 0, "Solar panels convert sunlight into electricity for homes."),
            chunk("a", 1, "Wind turbines generate electricity when the wind blows."),
            chunk("b", 0, "The bakery sells bread, croissants and cakes every morning."),
            chunk("b", 1, "Solar solar solar: the bakery roof has solar panels too."),
            chunk("c", 0, "Tax returns are due in April for most people."),
        ]
    )


def test_tokenize_lowercases_and_drops_stop_words() -> None:
    assert tokenize("The QUICK brown fox, and the lazy dog's 2 bones!") == [
        "quick",
        "brown",
        "fox",
        "lazy",
        "dog",
        "2",
        "bones",
    ]
    assert tokenize("über café_bar") == ["über", "café", "bar"]
    assert tokenize("") == []


def test_terms_fold_plurals() -> None:
    assert terms("Policies apply to cats and glasses, not bus") == [
        "policy",
        "apply",
        "cat",
        "glass",
        "bus",
    ]


def test_count_tokens_is_about_four_thirds_per_word() -> None:
    assert count_tokens("") == 0
    assert count_tokens("one two three") == 4
    assert count_tokens("word " * 300) == 400
    assert count_tokens("x" * 600) == 100  # no spaces: about one token per six characters


def test_best_match_ranks_first_and_scores_are_normalised() -> None:
    hits = corpus().search("solar panels", top_k=10)
    assert [(h.chunk.file_id, h.chunk.ordinal) for h in hits] == [("b", 1), ("a", 0)]
    assert all(0.0 < h.score <= 1.0 for h in hits)
    assert hits[0].score >= hits[1].score


def test_rarer_terms_weigh_more() -> None:
    hits = corpus().search("electricity tax", top_k=10)
    assert hits[0].chunk.file_id == "c"


def test_top_k_limits_and_zero_returns_nothing() -> None:
    index = corpus()
    assert len(index.search("solar electricity bakery", top_k=2)) == 2
    assert len(index.search("solar electricity bakery", top_k=100)) == 4
    assert index.search("solar", top_k=0) == []


def test_no_shared_terms_no_hits() -> None:
    assert corpus().search("quantum chromodynamics", top_k=5) == []
    assert corpus().search("the and of", top_k=5) == []
    assert Index().search("solar", top_k=5) == []


def test_allowed_predicate_filters_files_and_is_called_once_per_file() -> None:
    calls: list[str] = []

    def allowed(file_id: str) -> bool:
        calls.append(file_id)
        return file_id != "b"

    hits = corpus().search("solar panels bakery electricity", top_k=10, allowed=allowed)
    assert {h.chunk.file_id for h in hits} == {"a"}
    assert sorted(calls) == sorted(set(calls))


def test_remove_forgets_a_file() -> None:
    index = corpus()
    index.remove("b")
    index.remove("unknown")
    assert "b" not in index
    assert index.file_ids() == ["a", "c"]
    assert len(index) == 3
    assert [h.chunk.file_id for h in index.search("solar bakery", top_k=10)] == ["a"]
    index.remove("a")
    index.remove("c")
    assert len(index) == 0
    assert index.search("solar", top_k=3) == []


def test_adding_the_same_chunk_key_replaces_it() -> None:
    index = corpus()
    index.add([chunk("c", 0, "Volcano eruptions explained.", page=4)])
    assert index.search("tax", top_k=5) == []
    [hit] = index.search("volcano", top_k=5)
    assert hit.chunk.page == 4
    assert len(index) == 5
    assert [c.text for c in index.chunks("c")] == ["Volcano eruptions explained."]


def test_ties_are_broken_by_file_then_ordinal() -> None:
    index = Index([chunk(f, o, "identical words here") for f in ("z", "m", "a") for o in (1, 0)])
    order = [(h.chunk.file_id, h.chunk.ordinal) for h in index.search("identical", top_k=10)]
    assert order == [("a", 0), ("a", 1), ("m", 0), ("m", 1), ("z", 0), ("z", 1)]


@given(
    st.lists(
        st.text(alphabet="abcde ", min_size=1, max_size=30),
        min_size=1,
        max_size=12,
    ),
    st.text(alphabet="abcde ", max_size=12),
    st.integers(min_value=1, max_value=20),
)
def test_search_is_deterministic_bounded_and_sorted(
    texts: list[str], query: str, top_k: int
) -> None:
    chunks = [chunk(f"f{i % 3}", i, text) for i, text in enumerate(texts)]
    first = Index(chunks).search(query, top_k=top_k)
    again = Index(reversed(chunks)).search(query, top_k=top_k)
    assert first == again
    assert len(first) <= top_k
    assert all(0.0 <= h.score <= 1.0 for h in first)
    scores = [h.score for h in first]
    assert scores == sorted(scores, reverse=True)
