"""Tests for analysis.stance: the committed int8 ONNX stance model, its input, its scores and its errors.

Every case runs the real model in ``models/stance/`` on real sentences; the
story's own sentences (issue 13's failures of the linear model) are cases here.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import shutil
import socket
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

from analysis import stance
from analysis.paths import PROJECT_ROOT
from analysis.sentiment import load_newsmtsc, load_target_model


def _row(sentence: str, mention: str, occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = sentence.index(mention, start + 1)
    return {"sentence": sentence, "start": start, "end": start + len(mention)}


JIVANI_CRITIC = ("While his messages centred on the need for collaboration on the imperiled free trade deal "
                 "(U.S. President Donald Trump has recently said “America doesn’t need it”) Jivani also criticized "
                 "the “divisiveness” between Conservatives and Liberals.")
JIVANI_CRITIC_SHORT = "Jivani also criticized the “divisiveness” between Conservatives and Liberals."
SNUBBED = ("Jivani, a university friend of U.S. Vice-President JD Vance, offered to work with the Liberals before "
           "heading on the trip, but says he was snubbed.")
CITY_HALL = "Hundreds of tenants rallied outside city hall on Saturday to demand a freeze on rents."
FREE_TRADE = ("U.S. officials have been critical of the deals, saying they may impact Canada’s free trade "
              "negotiations with the United States.")
JOLY = ("“I haven’t heard him once, not only denouncing what GM is doing, but also promoting the interests of the "
        "workers at GM that are facing unjustified, and unjustifiable, tariffs by the American administration,” she said.")
PRAISE_AND_ATTACK = "Smith praised Jones for his courage but called Brown a liar."
POSSESSIVE_PRAISE_AND_ATTACK = "Smith praised Jones's courage but called Brown a liar."

# (sentence, target mention, labels allowed). The first four are the linear model's errors in issue 13.
CASES = [
    pytest.param(JIVANI_CRITIC, "Jivani", {"neutral", "positive"}, id="critic-is-not-the-target"),
    pytest.param(SNUBBED, "Liberals", {"negative", "neutral"}, id="snubbed-by-liberals-not-positive"),
    pytest.param(CITY_HALL, "city hall", {"neutral"}, id="rallied-outside-city-hall-neutral"),
    pytest.param(FREE_TRADE, "Canada", {"negative", "neutral"}, id="free-trade-is-not-praise-of-canada"),
    pytest.param(FREE_TRADE, "U.S. officials", {"negative", "neutral"}, id="critics-not-positive"),
    pytest.param(JOLY, "him", {"negative"}, id="never-heard-him-promoting-is-negative",
                 marks=pytest.mark.xfail(strict=True, reason="documented limit in the model card: a negation that "
                                         "governs a long clause ('I haven't heard him once ... promoting the interests "
                                         "of ...') is missed; the blend lowers the score from +0.26 to +0.04")),
    pytest.param(PRAISE_AND_ATTACK, "Jones", {"positive"}, id="praised-target-positive"),
    pytest.param(PRAISE_AND_ATTACK, "Brown", {"negative"}, id="attacked-target-negative"),
    pytest.param(PRAISE_AND_ATTACK, "Smith", {"neutral", "positive"}, id="speaker-of-praise-and-attack"),
    pytest.param(POSSESSIVE_PRAISE_AND_ATTACK, "Jones", {"positive"}, id="attack-does-not-spill-onto-praised-target"),
    pytest.param(POSSESSIVE_PRAISE_AND_ATTACK, "Brown", {"negative"}, id="possessive-attacked-target-negative"),
    pytest.param(JIVANI_CRITIC_SHORT, "Jivani", {"neutral", "positive"}, id="critic-short-sentence"),
    pytest.param(SNUBBED, "Jivani", {"neutral", "negative"}, id="snubbed-one-not-positive"),
    pytest.param("The senator was convicted of fraud and bribery on Tuesday.", "The senator", {"negative"},
                 id="convicted-negative"),
    pytest.param("Voters across the state praised the governor for her calm, decisive handling of the floods.",
                 "the governor", {"positive"}, id="praised-governor-positive"),
    pytest.param("The minister will travel to Ottawa on Monday, her office said.", "The minister", {"neutral"},
                 id="itinerary-neutral"),
]


@pytest.mark.parametrize(("sentence", "mention", "allowed"), CASES)
def test_stance_cases(sentence, mention, allowed):
    out = stance.score_stance(pd.DataFrame([_row(sentence, mention)])).iloc[0]
    assert out["label"] in allowed, (out["label"], round(out["polarity"], 3), mention)


def test_same_sentence_two_targets_two_stances():
    rows = pd.DataFrame([_row(PRAISE_AND_ATTACK, "Jones"), _row(PRAISE_AND_ATTACK, "Brown")])
    out = stance.score_stance(rows)
    assert out["polarity"].iloc[0] > 0 > out["polarity"].iloc[1]


def test_dev_macro_f1_is_that_of_the_model_card():
    """The committed scorer on NewsMTSC dev matches the figure its metrics.json records (and beats the linear model's 0.68)."""
    dev = load_newsmtsc("dev")
    out = stance.score_stance(dev)
    gold = np.asarray(stance.LABELS, dtype=object)[dev["polarity"].to_numpy() + 1]
    macro = f1_score(gold, out["label"], average="macro")
    metrics = json.loads((stance.STANCE_DIR / "metrics.json").read_text())
    recorded = metrics["blend"]["dev"] if stance.fast_weight(stance.load_stance_model()) else metrics["dev_int8"]
    assert macro == pytest.approx(recorded["macro_f1"], abs=0.005)
    assert macro >= 0.80


# --- the blend with the linear model ----------------------------------------------------


def test_blend_is_the_weighted_mean_of_encoder_and_linear_model():
    model = stance.load_stance_model()
    rows = pd.DataFrame([_row(JOLY, "him"), _row(PRAISE_AND_ATTACK, "Jones"), _row(CITY_HALL, "city hall")])
    encoder = stance.predict_proba(model, rows["sentence"], rows["start"], rows["end"])
    linear = load_target_model().predict_proba(rows)
    w = stance.fast_weight(model)
    assert w == json.loads((stance.STANCE_DIR / "config.json").read_text()).get("fast_weight", 0.0)
    scored = stance.score_stance(rows, model=model)[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    assert np.allclose(scored, (1 - w) * encoder + w * linear)
    alone = dataclasses.replace(model, config={**model.config, "fast_weight": 0.0})
    assert np.allclose(stance.score_stance(rows, model=alone)[["p_negative", "p_neutral", "p_positive"]], encoder)


def test_blend_weight_must_be_a_share(tmp_path):
    for name in stance.MODEL_FILES:
        shutil.copy(stance.STANCE_DIR / name, tmp_path / name)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "fast_weight": 1.5}))
    with pytest.raises(stance.StanceModelError, match=r"config\.json: fast_weight must be in \[0, 1\)"):
        stance.load_stance_model(tmp_path)


def test_blend_weight_is_chosen_on_a_fold_of_train_not_dev():
    """The fold the weight was chosen on is a stratified quarter of train, disjoint from the rest; dev is not in it."""
    spec = importlib.util.spec_from_file_location("choose_fast_weight", PROJECT_ROOT / "training" / "choose_fast_weight.py")
    chooser = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(chooser)
    train, dev = load_newsmtsc("train"), load_newsmtsc("dev")
    rest, held = chooser.split_train_fold(train, 0, 4, 0)
    assert len(rest) + len(held) == len(train) and not set(rest["id"]) & set(held["id"])
    assert not set(held["id"]) & set(dev["id"])
    shares = held["polarity"].value_counts(normalize=True) - train["polarity"].value_counts(normalize=True)
    assert shares.abs().max() < 0.01
    blend = json.loads((stance.STANCE_DIR / "metrics.json").read_text()).get("blend")
    if blend is not None:
        assert (blend["fold"], blend["folds"], blend["seed"], blend["n_held_out"]) == (0, 4, 0, len(held))


# --- scores: label, polarity, confidence -------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=20)
       .map(lambda rows: [r for r in rows if sum(r) > 0]).filter(bool))
def test_label_and_polarity_always_agree(rows):
    proba = np.array(rows) / np.array(rows).sum(axis=1, keepdims=True)
    label, polarity, confidence = stance.label_probabilities(proba)
    sign = {"negative": -1, "neutral": 0, "positive": 1}
    assert [sign[x] for x in label] == np.sign(polarity).astype(int).tolist()
    assert np.all(np.abs(polarity) <= 1) and np.all(confidence >= 1 / 3 - 1e-9)
    assert np.allclose(confidence, proba.max(axis=1))


_WORDS = st.sampled_from("the senator praised criticized attacked defended ignored said minister liar hero plan "
                         "voters party corrupt honest failed won lost protest".split())


@settings(max_examples=25, deadline=None)
@given(st.lists(_WORDS, min_size=2, max_size=30), st.data())
def test_model_scores_agree_on_arbitrary_text(words, data):
    """Whatever the text, the model's label, polarity sign and confidence agree with its probabilities."""
    sentence = " ".join(words) + "."
    i = data.draw(st.integers(0, len(words) - 1))
    start = len(" ".join(words[:i])) + (1 if i else 0)
    out = stance.score_stance(pd.DataFrame({"sentence": [sentence], "start": [start], "end": [start + len(words[i])]})).iloc[0]
    sign = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[out["label"]]
    assert np.sign(out["polarity"]) == sign
    proba = out[["p_negative", "p_neutral", "p_positive"]].to_numpy(dtype=float)
    assert proba.sum() == pytest.approx(1.0, abs=1e-6) and out["confidence"] == pytest.approx(proba.max())


def test_score_stance_keeps_index_and_columns():
    rows = pd.DataFrame([_row(PRAISE_AND_ATTACK, "Brown"), _row(PRAISE_AND_ATTACK, "Smith")], index=[10, 3])
    out = stance.score_stance(rows)
    assert out.index.tolist() == [10, 3]
    assert out.columns.tolist() == ["label", "polarity", "confidence", "p_negative", "p_neutral", "p_positive"]


def test_a_mention_score_does_not_depend_on_the_other_rows():
    dev = load_newsmtsc("dev").head(40)
    alone = pd.concat([stance.score_stance(dev.iloc[[i]]) for i in range(len(dev))])
    together = stance.score_stance(dev.iloc[::-1]).loc[dev.index]
    assert (alone["label"] == together["label"]).all()
    assert np.allclose(alone[["p_negative", "p_neutral", "p_positive"]], together[["p_negative", "p_neutral", "p_positive"]], atol=1e-6)


def test_empty_frame():
    out = stance.score_stance(pd.DataFrame({"sentence": [], "start": [], "end": []}))
    assert len(out) == 0 and out.columns.tolist() == list(stance.STANCE_SCHEMA.columns)


def test_bad_rows_listed_in_one_error():
    rows = pd.DataFrame({"sentence": ["Brown spoke.", "Brown spoke.", "Brown spoke.", "Brown spoke."],
                         "start": [0, 5, 3, 5], "end": [5, 5, 40, 6]})
    with pytest.raises(ValueError) as err:
        stance.score_stance(rows)
    message = str(err.value)
    assert "3 row(s)" in message and "row 1" in message and "row 2" in message and "row 3" in message
    assert "row 0" not in message


def test_missing_columns():
    with pytest.raises(KeyError, match="end"):
        stance.score_stance(pd.DataFrame({"sentence": ["x"], "start": [0]}))


# --- input encoding -------------------------------------------------------------------


def test_markers_surround_the_target():
    model = stance.load_stance_model()
    start = PRAISE_AND_ATTACK.index("Brown")
    ids = stance.encode_mentions(model.tokenizer, model.config, [PRAISE_AND_ATTACK], [start], [start + 5])[0]
    tokens = [model.tokenizer.id_to_token(i) for i in ids]
    opener, closer = model.config["markers"]
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert tokens[tokens.index(opener) + 1 : tokens.index(closer)] == ["brown"]


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_long_sentence_window_keeps_the_target(where):
    model = stance.load_stance_model()
    filler = "the committee met again on tuesday to discuss the budget and other matters " * 30
    target = "Senator Brown, a corrupt liar,"
    sentence = {"start": target + " " + filler, "middle": filler + target + " " + filler, "end": filler + target}[where]
    start = sentence.index(target)
    ids = stance.encode_mentions(model.tokenizer, model.config, [sentence], [start], [start + len("Senator Brown")])[0]
    tokens = [model.tokenizer.id_to_token(i) for i in ids]
    assert len(ids) == model.max_length
    assert model.config["markers"][0] in tokens and model.config["markers"][1] in tokens
    out = stance.score_stance(pd.DataFrame({"sentence": [sentence], "start": [start], "end": [start + 13]}))
    assert out["label"].item() in stance.LABELS


# --- loading ----------------------------------------------------------------------------


def test_model_loads_and_scores_offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(stance, "_CACHE", {})
    model = stance.load_stance_model()
    assert stance.score_stance(pd.DataFrame([_row(PRAISE_AND_ATTACK, "Brown")]), model=model)["label"].item() == "negative"


def test_model_is_cached_and_small():
    assert stance.load_stance_model() is stance.load_stance_model()
    assert (stance.STANCE_DIR / "model.onnx").stat().st_size <= 50 * 1024 * 1024
    assert (stance.STANCE_DIR / "MODEL_CARD.md").is_file()


def test_missing_model_file_is_named(tmp_path):
    for name in ("tokenizer.json", "config.json"):
        shutil.copy(stance.STANCE_DIR / name, tmp_path / name)
    with pytest.raises(stance.StanceModelError, match=str(tmp_path / "model.onnx")):
        stance.load_stance_model(tmp_path)


def test_corrupt_model_file_is_named(tmp_path):
    for name in stance.MODEL_FILES:
        shutil.copy(stance.STANCE_DIR / name, tmp_path / name)
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(stance.StanceModelError, match="model.onnx"):
        stance.load_stance_model(tmp_path)


# --- the fast/accurate switch ---------------------------------------------------------------


@pytest.mark.parametrize("which", stance.STANCES)
def test_score_targets_both_scorers_same_schema_and_agreement(which):
    rows = pd.DataFrame([_row(PRAISE_AND_ATTACK, "Jones"), _row(PRAISE_AND_ATTACK, "Brown"), _row(CITY_HALL, "city hall")])
    out = stance.score_targets(rows, stance=which)
    assert out.columns.tolist() == list(stance.STANCE_SCHEMA.columns)
    sign = out["label"].map({"negative": -1.0, "neutral": 0.0, "positive": 1.0})
    assert (np.sign(out["polarity"]) == sign).all()
    assert out["label"].iloc[1] == "negative"


def test_score_targets_rejects_unknown_scorer():
    with pytest.raises(ValueError, match="fast"):
        stance.score_targets(pd.DataFrame([_row(PRAISE_AND_ATTACK, "Jones")]), stance="best")


# --- installation -----------------------------------------------------------------------


def test_run_time_install_brings_the_scorer_and_not_the_training_stack():
    """`make test` / `make report` install the project's dependencies: ONNX Runtime and tokenizers are among them,
    torch and transformers only in the `train` extra, and scoring imports neither of those."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = lambda deps: {re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0] for dep in deps}  # noqa: E731
    run_time = names(project["dependencies"])
    assert {"onnxruntime", "tokenizers"} <= run_time and not {"torch", "transformers"} & run_time
    assert {"torch", "transformers"} <= names(project["optional-dependencies"]["train"])
    script = ("import sys, pandas as pd\n"
              "from analysis.stance import score_stance\n"
              "out = score_stance(pd.DataFrame({'sentence': ['Critics called Brown a liar.'], 'start': [15], 'end': [20]}))\n"
              "print(out['label'].item(), 'torch' in sys.modules, 'transformers' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert done.stdout.split() == ["negative", "False", "False"]
