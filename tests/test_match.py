"""match/: linking invented editions of one organisation's register."""

from __future__ import annotations

import pandas as pd
import pytest

from match import LinkResult, OverridesError, format_summary, link_records, read_overrides
from match.assign import MIN_SAME
from match.similarity import Vocabularies, entries_from_rows, similarity_matrix
from riskreg.schema import LINKS

ORG = "Borsetshire County Council"
SLUG = "borsetshire-county-council"

# Distinct risks of an invented council, each with the fields registers usually print.
BUDGET = dict(
    title="Failure to deliver the medium term financial strategy and planned budget savings",
    category="Financial",
    consequences="Overspend in year; reserves depleted; cuts to services at short notice",
    controls="Monthly budget monitoring; savings tracker reported to Cabinet",
    residual_score=16,
)
CHILDREN = dict(
    title="Failure to adequately protect and safeguard children",
    category="Social",
    consequences="Children are put at risk of harm; Ofsted intervention; national media attention",
    controls="Safeguarding board oversight; audit of case files; multi-agency hub",
    residual_score=16,
)
CYBER = dict(
    title="Cyber attack",
    category="Technology",
    consequences="Ransomware encrypts council systems; loss of personal data; ICO fines",
    controls="Firewalls and patching; staff phishing training; offline backups",
    residual_score=12,
)
WASTE = dict(
    title="Procurement of the new waste disposal contract",
    category="Operational",
    consequences="Landfill tax costs rise; recycling targets missed",
    controls="Procurement board; legal advice on contract terms",
    residual_score=9,
)
FLOODING = dict(
    title="Flooding",
    category="Environmental",
    consequences="Homes and roads under water; emergency rest centres opened",
    controls="Flood defence maintenance; emergency planning exercises with the Environment Agency",
    residual_score=12,
)
WORKFORCE = dict(
    title="Failure to recruit and retain social workers and independent reviewing officers",
    category="Organisational",
    consequences="High caseloads; agency spend; vacant reviewing officer posts delay care plan reviews",
    controls="Recruitment campaign; market supplement for social workers; reviewing officer pool",
    residual_score=16,
)
ROADS = dict(
    title="Deterioration of the highway network (potholes and bridges)",
    category="Infrastructure",
    consequences="Claims for vehicle damage; bridge weight restrictions; resident complaints",
    controls="Highway asset management plan; annual condition survey",
    residual_score=12,
)

PERIODS = {
    "2019/20 Q1": "2019-04-01",
    "2019/20 Q2": "2019-07-01",
    "2019/20 Q3": "2019-10-01",
    "2019/20 Q4": "2020-01-01",
}


def record(period: str, ref: str, fields: dict, kind: str = "risk", **changes) -> dict:
    row = dict(
        organisation=ORG,
        period=period,
        period_start=PERIODS[period],
        edition=f"{SLUG}/{period}",
        kind=kind,
        ref=ref,
        risk_uid=None,
    )
    row.update(fields)
    row.update(changes)
    return row


def records(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def same_pairs(result: LinkResult) -> set[tuple[str, str, str, str]]:
    """The `same` links as (from period, from ref, to period, to ref)."""
    return pairs(result, "same")


def pairs(result: LinkResult, relation: str) -> set[tuple[str, str, str, str]]:
    links = result.links[result.links["relation"] == relation]
    return {
        (f.split("/", 1)[1], fr, t.split("/", 1)[1], tr)
        for f, fr, t, tr in links[["from_edition", "from_ref", "to_edition", "to_ref"]].itertuples(
            index=False
        )
    }


def check_invariants(frame: pd.DataFrame, result: LinkResult) -> None:
    """What holds for every result: the schema's columns, no link within one edition, one uid
    per record, at most one `same` successor and predecessor per entry."""
    assert list(result.links.columns) == LINKS.names
    assert (result.links["from_edition"] != result.links["to_edition"]).all()
    assert result.links["score"].between(0, 1).all()
    assert result.risk_uid.index.equals(frame.index)
    assert result.risk_uid.notna().all()
    same = result.links[result.links["relation"] == "same"]
    assert not same.duplicated(["from_edition", "from_kind", "from_ref"]).any()
    assert not same.duplicated(["to_edition", "to_kind", "to_ref"]).any()
    uid_edition = pd.DataFrame({"uid": result.risk_uid, "edition": frame["edition"]})
    assert not uid_edition.duplicated().any(), "two entries of one edition share a risk_uid"


def link(frame: pd.DataFrame, **kwargs) -> LinkResult:
    result = link_records(frame, **kwargs)
    check_invariants(frame, result)
    return result


def uid_of(frame: pd.DataFrame, result: LinkResult, period: str, ref: str) -> str:
    mask = (frame["period"] == period) & (frame["ref"] == ref)
    assert mask.sum() == 1
    return result.risk_uid[mask].iloc[0]


# --- consecutive editions -------------------------------------------------------------------


def test_identical_editions_link_every_entry_to_itself():
    frame = records(
        *(
            record(p, ref, f)
            for p in ("2019/20 Q1", "2019/20 Q2")
            for ref, f in (("CR1", BUDGET), ("CR2", CHILDREN), ("CR3", CYBER))
        )
    )
    result = link(frame)
    assert same_pairs(result) == {("2019/20 Q1", r, "2019/20 Q2", r) for r in ("CR1", "CR2", "CR3")}
    assert (result.links["score"] > 0.95).all()
    assert pairs(result, "related") == set()


def test_renumbered_entries_follow_their_text_not_their_ref():
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", CHILDREN),
        record("2019/20 Q1", "CR3", CYBER),
        record("2019/20 Q1", "CR4", ROADS),
        record("2019/20 Q2", "CR1", CHILDREN),
        record("2019/20 Q2", "CR2", ROADS),
        record("2019/20 Q2", "CR3", BUDGET),
        record("2019/20 Q2", "CR4", CYBER),
    )
    assert same_pairs(link(frame)) == {
        ("2019/20 Q1", "CR1", "2019/20 Q2", "CR3"),
        ("2019/20 Q1", "CR2", "2019/20 Q2", "CR1"),
        ("2019/20 Q1", "CR3", "2019/20 Q2", "CR4"),
        ("2019/20 Q1", "CR4", "2019/20 Q2", "CR2"),
    }


def test_reworded_and_renumbered_entry_is_the_same_risk():
    reworded = dict(
        CHILDREN,
        title="Protect and safeguard children",
        category="People/Service delivery",
        consequences="Children are put at risk of harm; early Ofsted inspection and DfE intervention",
        controls="Oversight at all levels from Chief Executive to front-line managers; case audits",
    )
    frame = records(
        record("2019/20 Q1", "CR5", CHILDREN),
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR7", WASTE),
        record("2019/20 Q2", "CR2", reworded),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR3", WASTE),
    )
    result = link(frame)
    assert ("2019/20 Q1", "CR5", "2019/20 Q2", "CR2") in same_pairs(result)
    assert ("2019/20 Q1", "CR7", "2019/20 Q2", "CR3") in same_pairs(result)
    assert len(same_pairs(result)) == 3


def test_new_and_closed_entries_are_left_unlinked_and_reported():
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", WASTE),
        record("2019/20 Q1", "CR3", CHILDREN),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR3", CHILDREN),
        record("2019/20 Q2", "CR4", ROADS),
    )
    result = link(frame)
    assert same_pairs(result) == {
        ("2019/20 Q1", "CR1", "2019/20 Q2", "CR1"),
        ("2019/20 Q1", "CR3", "2019/20 Q2", "CR3"),
    }
    summary = result.summary[ORG]
    assert [e[2] for e in summary["new"]] == ["CR4"]
    assert [e[2] for e in summary["disappeared"]] == ["CR2"]
    assert uid_of(frame, result, "2019/20 Q2", "CR4") != uid_of(frame, result, "2019/20 Q1", "CR2")


def test_split_links_one_part_as_same_and_the_other_as_related():
    social_workers = dict(
        WORKFORCE,
        title="Failure to recruit and retain social workers",
        consequences="High caseloads; agency spend on social workers",
        controls="Recruitment campaign; market supplement for social workers",
    )
    reviewing_officers = dict(
        WORKFORCE,
        title="Failure to recruit and retain independent reviewing officers",
        consequences="Vacant reviewing officer posts delay care plan reviews",
        controls="Reviewing officer pool",
    )
    frame = records(
        record("2019/20 Q1", "CR7", WORKFORCE),
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q2", "CR7", social_workers),
        record("2019/20 Q2", "CR8", reviewing_officers),
        record("2019/20 Q2", "CR1", BUDGET),
    )
    result = link(frame)
    from_cr7 = {
        (t, rel)
        for f, t, rel in result.links[["from_ref", "to_ref", "relation"]].itertuples(index=False)
        if f == "CR7"
    }
    assert {t for t, _ in from_cr7} == {"CR7", "CR8"}
    assert sorted(rel for _, rel in from_cr7) == ["related", "same"]
    assert result.summary[ORG]["new"] == []  # the split-off part is not a new risk


def test_merge_links_one_part_as_same_and_the_other_as_related():
    social_workers = dict(
        WORKFORCE,
        title="Failure to recruit and retain social workers",
        consequences="High caseloads; agency spend on social workers",
        controls="Recruitment campaign; market supplement for social workers",
    )
    reviewing_officers = dict(
        WORKFORCE,
        title="Failure to recruit and retain independent reviewing officers",
        consequences="Vacant reviewing officer posts delay care plan reviews",
        controls="Reviewing officer pool",
    )
    frame = records(
        record("2019/20 Q1", "CR7", social_workers),
        record("2019/20 Q1", "CR8", reviewing_officers),
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q2", "CR5", WORKFORCE),
        record("2019/20 Q2", "CR1", BUDGET),
    )
    result = link(frame)
    into_cr5 = result.links[result.links["to_ref"] == "CR5"]
    assert set(into_cr5["from_ref"]) == {"CR7", "CR8"}
    assert sorted(into_cr5["relation"]) == ["related", "same"]
    assert result.summary[ORG]["disappeared"] == []  # the merged-in part did not just end


def test_risks_and_opportunities_are_never_linked_to_each_other():
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CO1", WASTE, kind="opportunity"),
        record("2019/20 Q2", "CR1", WASTE),
        record("2019/20 Q2", "CO1", BUDGET, kind="opportunity"),
    )
    result = link(frame)
    assert result.links.empty
    assert result.risk_uid.nunique() == 4


# --- traps ----------------------------------------------------------------------------------


def test_subset_title_trap_one_word_contained_in_a_longer_title_is_not_the_same_risk():
    # token_set_ratio scores these titles 100: every word of "Flooding" is in the other.
    data_centre = dict(
        title="Loss of ICT services after flooding of the data centre",
        category="Technology",
        consequences="Systems unavailable for days; payments to suppliers delayed",
        controls="Disaster recovery site; tested failover of critical systems",
        residual_score=8,
    )
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR9", FLOODING),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR9", data_centre),
    )
    result = link(frame)
    assert same_pairs(result) == {("2019/20 Q1", "CR1", "2019/20 Q2", "CR1")}
    assert pairs(result, "related") == set()


def test_subset_title_scores_below_the_identical_title():
    rows = [
        dict(title="Flooding"),
        dict(title="Flooding"),
        dict(title="Flooding of the data centre causing loss of ICT services"),
    ]
    entries = entries_from_rows(rows)
    sim = similarity_matrix(
        entries.subset([0]), entries.subset([1, 2]), Vocabularies.from_entries(entries)
    )
    assert sim[0, 0] > 0.9
    assert sim[0, 1] < MIN_SAME


def test_short_title_trap_one_shared_word_does_not_link_unrelated_risks():
    assault = dict(
        title="Physical attack on front-line staff by members of the public",
        category="Health and safety",
        consequences="Injury to staff; sickness absence; claims against the council",
        controls="Lone worker devices; conflict resolution training; warning markers",
        residual_score=12,
    )
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR3", CYBER),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR3", assault),
    )
    result = link(frame)
    assert same_pairs(result) == {("2019/20 Q1", "CR1", "2019/20 Q2", "CR1")}


def test_short_title_links_to_its_reworded_self_not_to_a_shared_word():
    reworded_cyber = dict(
        CYBER,
        title="Cyber security: ransomware and hacking",
        consequences="Council systems encrypted by ransomware; personal data lost; ICO fines",
    )
    assault = dict(
        title="Attack on staff",
        category="Health and safety",
        consequences="Injury to staff; sickness absence",
        controls="Lone worker devices; conflict resolution training",
        residual_score=12,
    )
    frame = records(
        record("2019/20 Q1", "CR3", CYBER),
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q2", "CR3", assault),
        record("2019/20 Q2", "CR6", reworded_cyber),
        record("2019/20 Q2", "CR1", BUDGET),
    )
    result = link(frame)
    assert ("2019/20 Q1", "CR3", "2019/20 Q2", "CR6") in same_pairs(result)
    assert not any(f == "CR3" and t == "CR3" for _, f, _, t in same_pairs(result))


def test_assignment_does_not_force_leftovers_together():
    # Two ended risks, two new ones: the assignment would pair them; the floor must not.
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", WASTE),
        record("2019/20 Q1", "CR3", FLOODING),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR2", ROADS),
        record("2019/20 Q2", "CR3", WORKFORCE),
    )
    assert same_pairs(link(frame)) == {("2019/20 Q1", "CR1", "2019/20 Q2", "CR1")}


# --- chains and risk_uid --------------------------------------------------------------------


def three_editions() -> pd.DataFrame:
    return records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", CHILDREN),
        record("2019/20 Q1", "CR3", ROADS),
        record("2019/20 Q2", "CR1", BUDGET, residual_score=20),
        record("2019/20 Q2", "CR2", CHILDREN, title="Protect and safeguard children"),
        record("2019/20 Q2", "CR3", ROADS),
        record("2019/20 Q3", "CR4", BUDGET, residual_score=20),
        record("2019/20 Q3", "CR1", CHILDREN, title="Protect and safeguard children"),
        record("2019/20 Q3", "CR2", ROADS),
    )


def test_three_editions_chain_into_one_uid_per_risk():
    frame = three_editions()
    result = link(frame)
    assert len(same_pairs(result)) == 6
    assert result.risk_uid.nunique() == 3
    budget = {
        uid_of(frame, result, p, r)
        for p, r in (("2019/20 Q1", "CR1"), ("2019/20 Q2", "CR1"), ("2019/20 Q3", "CR4"))
    }
    assert len(budget) == 1


def test_editions_are_ordered_by_period_start_not_by_row_order():
    frame = three_editions().iloc[::-1]
    result = link(frame)
    assert all(f < t for f, _, t, _ in same_pairs(result))  # these period labels sort by date


def test_risk_missing_for_one_quarter_links_across_the_gap():
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", CYBER),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q3", "CR1", BUDGET),
        record("2019/20 Q3", "CR5", CYBER),
    )
    result = link(frame)
    assert ("2019/20 Q1", "CR2", "2019/20 Q3", "CR5") in same_pairs(result)
    assert uid_of(frame, result, "2019/20 Q1", "CR2") == uid_of(frame, result, "2019/20 Q3", "CR5")
    assert result.summary[ORG]["disappeared"] == []


def test_uids_are_deterministic_when_rebuilt_from_scratch():
    frame = three_editions()
    first, second = link(frame), link(frame.copy())
    assert first.risk_uid.equals(second.risk_uid)
    assert first.risk_uid.str.fullmatch(r"[0-9a-f]{12}").all()


def test_uids_are_stable_when_a_new_edition_is_added():
    frame = three_editions()
    before = link(frame[frame["period"] != "2019/20 Q3"])
    kept = frame[frame["period"] != "2019/20 Q3"]
    previous = {(r.edition, r.kind, r.ref): before.risk_uid[i] for i, r in kept.iterrows()}
    after = link(frame, previous_uids=previous)
    for i in kept.index:
        assert after.risk_uid[i] == before.risk_uid[i]
    # the new edition's entries join their chains
    assert uid_of(frame, after, "2019/20 Q3", "CR4") == uid_of(frame, after, "2019/20 Q1", "CR1")
    # and rebuilding everything from scratch gives the same uids again
    assert link(frame).risk_uid.equals(after.risk_uid)


def test_existing_uids_are_kept_even_when_not_made_by_this_version():
    frame = three_editions()
    previous = {(f"{SLUG}/2019/20 Q2", "risk", "CR2"): "legacy-uid-7"}
    result = link(frame, previous_uids=previous)
    assert uid_of(frame, result, "2019/20 Q1", "CR2") == "legacy-uid-7"
    assert uid_of(frame, result, "2019/20 Q3", "CR1") == "legacy-uid-7"


def test_uids_carried_in_the_records_are_used_as_previous_uids():
    frame = three_editions()
    frame.loc[frame["ref"] == "CR3", "risk_uid"] = "roads-uid"
    result = link(frame)
    assert uid_of(frame, result, "2019/20 Q3", "CR2") == "roads-uid"


def test_a_chain_cut_in_two_gives_the_old_uid_to_the_earlier_half_only():
    frame = three_editions()
    previous = {
        (r.edition, r.kind, r.ref): u
        for (_, r), u in zip(frame.iterrows(), link(frame).risk_uid, strict=True)
    }
    forbid = overrides_frame(["2019/20 Q2", "CR3", "2019/20 Q3", "CR2", "forbid"])
    result = link(frame, overrides=forbid, previous_uids=previous)
    old = uid_of(frame, result, "2019/20 Q1", "CR3")
    assert uid_of(frame, result, "2019/20 Q2", "CR3") == old
    assert uid_of(frame, result, "2019/20 Q3", "CR2") != old


# --- overrides ------------------------------------------------------------------------------


def overrides_frame(*rows: list) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(
                organisation=ORG,
                from_period=r[0],
                from_ref=r[1],
                to_period=r[2],
                to_ref=r[3],
                action=r[4],
                note="reviewed",
            )
            for r in rows
        ]
    )


def test_override_forbid_stops_an_automatic_link():
    frame = three_editions()
    result = link(
        frame, overrides=overrides_frame(["2019/20 Q1", "CR1", "2019/20 Q2", "CR1", "forbid"])
    )
    assert ("2019/20 Q1", "CR1", "2019/20 Q2", "CR1") not in same_pairs(result)
    assert uid_of(frame, result, "2019/20 Q1", "CR1") != uid_of(frame, result, "2019/20 Q2", "CR1")


def test_override_force_wins_and_removes_conflicting_links():
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", WASTE),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR2", ROADS),
    )
    result = link(
        frame, overrides=overrides_frame(["2019/20 Q1", "CR1", "2019/20 Q2", "CR2", "force"])
    )
    assert same_pairs(result) == {("2019/20 Q1", "CR1", "2019/20 Q2", "CR2")}
    forced = result.links[result.links["relation"] == "same"].iloc[0]
    assert forced["source"] == "override"
    assert 0 <= forced["score"] <= 1
    assert uid_of(frame, result, "2019/20 Q1", "CR1") == uid_of(frame, result, "2019/20 Q2", "CR2")


def test_read_overrides_accepts_periods_or_editions(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text(
        "organisation,from_period,from_ref,to_edition,to_ref,action,note\n"
        f"{ORG},2019/20 Q1,CR1,{SLUG}/2019/20 Q2,CR2,force,checked by AB\n"
    )
    overrides = read_overrides(path)
    assert overrides.loc[0, "action"] == "force"
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR2", ROADS),
    )
    assert same_pairs(link(frame, overrides=overrides)) == {
        ("2019/20 Q1", "CR1", "2019/20 Q2", "CR2")
    }


@pytest.mark.parametrize(
    "body, message",
    [
        pytest.param(
            f"organisation,from_period,from_ref,to_period,to_ref,action\n"
            f"{ORG},2019/20 Q1,CR1,2019/20 Q2,CR2,maybe\n",
            "action",
            id="bad-action",
        ),
        pytest.param(
            f"organisation,from_ref,to_period,to_ref,action\n{ORG},CR1,2019/20 Q2,CR2,force\n",
            "from_period",
            id="no-from-edition",
        ),
    ],
)
def test_read_overrides_names_the_bad_row(tmp_path, body, message):
    path = tmp_path / "overrides.csv"
    path.write_text(body)
    with pytest.raises(OverridesError, match=rf"overrides.csv: row 2: .*{message}"):
        read_overrides(path)


def test_override_naming_a_missing_entry_warns_and_is_reported():
    frame = three_editions()
    with pytest.warns(UserWarning, match="no entry CR99"):
        result = link(
            frame, overrides=overrides_frame(["2019/20 Q1", "CR99", "2019/20 Q2", "CR1", "force"])
        )
    assert result.summary[ORG]["unmatched_overrides"]
    assert len(same_pairs(result)) == 6


# --- the outside --------------------------------------------------------------------------


def test_summary_prints_links_with_scores_new_and_disappeared():
    frame = records(
        record("2019/20 Q1", "CR1", BUDGET),
        record("2019/20 Q1", "CR2", WASTE),
        record("2019/20 Q2", "CR1", BUDGET),
        record("2019/20 Q2", "CR4", ROADS),
    )
    text = format_summary(link(frame).summary)
    assert text.startswith(f"{ORG}: 2 editions, 1 same, 0 related, 1 new, 1 disappeared")
    assert "same    1.00  CR1" in text
    assert "new:" in text and "CR4" in text.split("new:")[1]
    assert "disappeared:" in text and "CR2" in text.split("disappeared:")[1]


def test_organisations_are_linked_separately_and_index_is_kept():
    other = records(
        *(
            dict(r, organisation="Other Council", edition=r["edition"].replace(SLUG, "other"))
            for r in three_editions().to_dict("records")
        )
    )
    frame = pd.concat([three_editions(), other], ignore_index=True)
    frame.index = frame.index + 100
    result = link(frame)
    assert set(result.links["organisation"]) == {ORG, "Other Council"}
    assert set(result.summary) == {ORG, "Other Council"}
    assert not set(result.risk_uid[frame["organisation"] == ORG]) & set(
        result.risk_uid[frame["organisation"] == "Other Council"]
    )


def test_empty_records_give_empty_results():
    frame = records(record("2019/20 Q1", "CR1", BUDGET)).iloc[:0]
    result = link_records(frame)
    assert list(result.links.columns) == LINKS.names
    assert result.links.empty and result.risk_uid.empty
