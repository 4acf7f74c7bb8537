"""Layout profiles: loading, extending, validation, choosing."""

from __future__ import annotations

import pytest

from normalise.profiles import (
    FIELD_NAMES,
    ProfileError,
    available_profiles,
    choose_profile,
    load_profile,
)


def test_default_profile_has_every_field_and_stage():
    profile = load_profile()
    assert profile.name == "default"
    assert set(profile.fields) == set(FIELD_NAMES)
    assert set(profile.stages) == {"inherent", "residual", "target"}
    assert set(profile.parts) == {"impact", "likelihood", "score", "rating"}
    assert profile.lone_score_stage == "residual"
    assert profile.score_order == "auto"


def test_default_words_are_normalised_lower_case():
    profile = load_profile()
    for words in profile.fields.values():
        assert all(w == " ".join(w.lower().split()) for w in words)


def test_scale_of_default_and_four_by_four():
    default, small = load_profile(), load_profile("four-by-four")
    assert default.scale.size == (5, 5) and default.scale_value("impact", "Major") == 4
    assert small.scale.size == (4, 4) and small.scale_value("impact", "Major") == 3
    assert small.scale_value("likelihood", "almost  certain") == 4


def test_extending_profile_keeps_parent_words():
    small = load_profile("four-by-four")
    assert small.fields == load_profile().fields


def test_available_profiles_default_first():
    names = available_profiles()
    assert names[0] == "default" and "four-by-four" in names


def test_load_by_path_with_extends_and_append(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(
        "name: org\nfields:\n  owner+: [accountable director]\nstage_meaning: {current: inherent}\n"
    )
    profile = load_profile(str(path))
    assert profile.fields["owner"][-1] == "accountable director"
    assert "risk owner" in profile.fields["owner"]
    assert profile.stage_for("current", "residual") == "inherent"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("name: x\nfeilds: {}\n", "unknown key", id="misspelt-key"),
        pytest.param("name: x\nfields: {owners: [a]}\n", "unknown fields", id="unknown-field"),
        pytest.param(
            "name: x\nstage_meaning: {current: before}\n", "stage_meaning", id="unknown-stage"
        ),
        pytest.param("name: x\nscore_order: xy\n", "score_order", id="bad-score-order"),
        pytest.param("name: x\nfields: {owner: lead}\n", "list of words", id="words-not-a-list"),
        pytest.param("name: x\nmatch: ['(']\n", "not a regex", id="bad-regex"),
        pytest.param("name: x\nscales: {size: 5}\n", "scales.size", id="bad-size"),
    ],
)
def test_bad_profiles_fail_loudly(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_profile(str(path))


def test_unknown_profile_name_lists_the_shipped_ones():
    with pytest.raises(ProfileError, match="default"):
        load_profile("no-such-profile")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            ["Ref", "Risk", "Likelihood (1-4)", "Impact (1-4)"],
            "four-by-four",
            id="four-point-scale",
        ),
        pytest.param(["Ref", "Risk", "Likelihood (1-5)", "Impact"], "default", id="five-point"),
        pytest.param([], "default", id="nothing"),
        pytest.param(
            ["Current Score", "Residual Score"], "default", id="by-name-only-never-chosen"
        ),
    ],
)
def test_choose_profile(headers, expected):
    assert choose_profile(headers).name == expected


def test_choose_profile_among_given_profiles(tmp_path):
    path = tmp_path / "nhs.yaml"
    path.write_text("name: nhs\nmatch: ['\\bconsequence\\b', 'datix']\nmatch_min: 2\n")
    custom = load_profile(str(path))
    assert choose_profile(["Datix ID", "Consequence"], [custom]).name == "nhs"
    assert choose_profile(["Consequence"], [custom]).name == "default"
