"""Reference normal form and reference detection."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise.refs import (
    is_ref_like,
    looks_like_ref,
    normalise_ref,
    read_twice,
    ref_prefixes,
    repair_ref,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param("CR 5", "CR5", id="space"),
        pytest.param("CR05", "CR5", id="leading-zero"),
        pytest.param("CR01", "CR1", id="leading-zero-1"),
        pytest.param("cr3 ", "CR3", id="lower-case"),
        pytest.param("COR-2019-02", "COR-2019-02", id="dashed-kept"),
        pytest.param("RSK-001", "RSK-001", id="dashed-zeros-kept"),
        pytest.param("9.", "9", id="trailing-dot"),
        pytest.param("(4)", "4", id="brackets"),
        pytest.param("4.1", "4.1", id="dotted"),
        pytest.param("05", "5", id="number-leading-zero"),
        pytest.param("CR10", "CR10", id="trailing-zero-kept"),
        pytest.param("CRO1", "CRO1", id="printed-letters-trusted-without-prefixes"),
        pytest.param("CO1", "CO1", id="letter-O-prefix-kept"),
        pytest.param("CRl", "CR1", id="ocr-l-in-number"),
        pytest.param("CR1I", "CR11", id="ocr-I-in-number"),
        pytest.param("CRI2", "CRI2", id="capital-I-opening-number-is-a-letter"),
        pytest.param("C0R-2019-02", "COR-2019-02", id="ocr-0-in-letters"),
        pytest.param("C02", "C2", id="ambiguous-without-prefixes"),
    ],
)
def test_normalise_ref(raw, expected):
    assert normalise_ref(raw) == expected


@pytest.mark.parametrize(
    "raw, refs, expected",
    [
        pytest.param("C02", ["CO1", "CR2"], "CO2", id="known-prefix-CO"),
        pytest.param("R01", ["R2", "R3"], "R1", id="known-prefix-R"),
        pytest.param("CRO1", ["CR2", "CRO3"], "CR1", id="O-prefix-dropped-when-shorter-used"),
        pytest.param("CO1", ["CR1", "CO2", "CO4"], "CO1", id="letter-O-prefix-in-use"),
        pytest.param("C01", ["C01", "C02", "CO4", "CO5"], "CO1", id="zero-and-letter-O-mixed"),
        pytest.param("CRO7", ["CR01", "CR02", "CR03", "CRO7"], "CR7", id="zero-padded-family"),
        pytest.param("CO2", ["CR1", "CR2", "co2", "Cco4"], "CO2", id="doubled-letter-not-a-prefix"),
    ],
)
def test_normalise_ref_with_document_prefixes(raw, refs, expected):
    assert normalise_ref(raw, ref_prefixes(refs)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        *[
            pytest.param(t, True, id=f"ref-{t}")
            for t in (
                "CR1",
                "CO2",
                "R12",
                "SR3",
                "4",
                "4.1",
                "COR-2019-02",
                "RSK-001",
                "CR 5",
                "CRl",
                "9.",
            )
        ],
        *[
            pytest.param(t, False, id=f"not-{t}")
            for t in (
                "16 Major",
                "Major",
                "2019",
                "2019/20",
                "the",
                "All",
                "Il",
                "12345",
                "A",
                "",
                "Risk Owner",
            )
        ],
    ],
)
def test_looks_like_ref(text, expected):
    assert looks_like_ref(text) is expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_normalise_is_idempotent_and_safe(text):
    once = normalise_ref(text)
    assert normalise_ref(once) == once
    assert " " not in once
    looks_like_ref(text)


@settings(max_examples=200, deadline=None)
# "O" is left out: "CRO1" is read as an OCR'd "CR01" unless the document's prefixes say so.
@given(st.from_regex(r"[A-NP-Z]{1,4}[1-9][0-9]{0,2}", fullmatch=True))
def test_clean_refs_are_refs_and_unchanged(ref):
    assert looks_like_ref(ref)
    assert normalise_ref(ref) == ref


@pytest.mark.parametrize(
    "raw, prefixes, expected",
    [
        pytest.param("col", {"CR", "CO"}, "CO1", id="lower-case-l-for-one"),
        pytest.param("co2", {"CR", "CO"}, "CO2", id="lower-case-prefix"),
        pytest.param("Cco4", {"CR", "CO"}, "CO4", id="doubled-letter"),
        pytest.param("COs", {"CR", "CO"}, "CO5", id="s-for-five"),
        pytest.param("$T2", {"ST"}, "ST2", id="dollar-for-S"),
        pytest.param("CR3O", {"CR"}, "CR30", id="O-for-zero"),
        pytest.param("xyz", {"CR", "CO"}, None, id="no-digits-no-repair"),
        pytest.param("Also", {"CR", "CO", "AL"}, None, id="word-not-a-ref"),
        pytest.param("QX7", {"CR", "CO"}, None, id="unknown-prefix-not-guessed"),
    ],
)
def test_repair_ref_with_document_prefixes(raw, prefixes, expected):
    assert repair_ref(raw, prefixes) == expected


def test_is_ref_like_accepts_repairable_tokens_only_with_prefixes():
    assert not is_ref_like("col")
    assert is_ref_like("col", {"CO"})
    assert is_ref_like("CR12")
    assert not is_ref_like("Risk Owner", {"CR"})


@pytest.mark.parametrize(
    "raws, expected",
    [
        pytest.param(["CO1", "CO2", "cos", "CO4"], ["CO1", "CO2", "CO3", "CO4"], id="s-between-2-and-4-is-3"),
        pytest.param(["CO1", "CO2", "CO4", "COs"], ["CO1", "CO2", "CO4", "CO5"], id="s-after-4-is-5"),
        pytest.param(["CR1", "col", "CO2", "CR3"], ["CR1", "CO1", "CO2", "CR3"], id="lower-l-is-one"),
    ],
)
def test_settle_refs_reads_damaged_refs_by_their_neighbours(raws, expected):
    from normalise import settle_refs
    from normalise.record import Record

    records = [Record(kind="opportunity", ref="", ref_raw=raw) for raw in raws]
    settle_refs(records)
    assert [r.ref for r in records] == expected


def test_a_prefix_letter_read_twice():
    assert read_twice("Cco2", {"CO"}) and read_twice("CCR 12", {"CR", "CO"})
    assert not read_twice("CO2", {"CO"})  # read right: no damage
    assert not read_twice("of 31", {"ON"})  # a look-alike letter is not a letter read twice
    assert not read_twice("Ccol", {"CO"})  # no digit after the letters
