"""Target-directed stance: how a sentence treats the mention at ``sentence[start:end]``.

The "accurate" scorer of the workbench (``analysis.sentiment`` holds the
"fast" fallback). A small transformer encoder, fine-tuned on NewsMTSC train
(``training/train_stance.py``, ``make train-stance``), exported to ONNX and
quantised to int8, runs here with ONNX Runtime and a ``tokenizers`` tokenizer;
no torch, nothing downloaded. The model files live in :data:`STANCE_DIR`
(``models/stance/``: ``model.onnx``, ``tokenizer.json``, ``config.json``, and
``MODEL_CARD.md`` with data, metrics, speed and the base model's licence).

The target is marked in the input: the two marker tokens named in
``config.json`` are put around ``sentence[start:end]`` and the encoder reads
the marked sentence (a window of at most ``max_length`` tokens centred on the
target when the sentence is longer). The classifier sees the ``[CLS]`` vector
and the vector of the opening marker, so it scores *this* mention, not the
sentence's mood: "Voters praised the governor, but the mayor was convicted of
fraud" is positive toward the governor and negative toward the mayor.

The encoder's class probabilities are blended with those of the linear
model of :mod:`analysis.sentiment`, ``(1 - w) * p_encoder + w * p_fast``
(``fast_weight`` in ``config.json``, chosen on a held-out fold of NewsMTSC
train: :func:`blend_fast`); the two err differently, and the blend scores
higher on dev than either (model card).

Scores (:data:`STANCE_SCHEMA`): ``label`` is the most probable of
:data:`LABELS`; ``polarity`` is ``p_positive - p_negative`` for a positive or
negative label and exactly 0 for a neutral one, so its sign always agrees with
the label; ``confidence`` is the highest class probability.

>>> s = "Voters praised the governor, but the mayor was convicted of fraud."
>>> rows = pd.DataFrame({"sentence": [s, s], "start": [15, 33], "end": [27, 42]})
>>> score_stance(rows)["label"].tolist()
['positive', 'negative']

Limits, plainly:

- Trained on NewsMTSC (US political news 2016-2020, 8,739 targets); Canadian
  names, issues and idioms are out of domain. Dev macro-F1 and speed are in the
  model card and ``benchmarks/bench_target_sentiment.py``.
- One sentence (or window) at a time: stance carried by earlier sentences, or
  irony, is not seen.
- In a sentence that praises one person and attacks another, the attack can
  spill onto the praised one: "Smith praised Jones's courage but called Brown a
  liar" reads barely positive toward Jones (+0.08; the encoder alone -0.11),
  "Smith praised Jones for his courage but called Brown a liar" clearly (+0.65);
  with other names the possessive form can stay negative (-0.05 in
  ``tests/test_measures.py``; the encoder alone -0.34).
- A negation governing a long clause is missed: Joly's "I haven't heard him
  once, not only denouncing what GM is doing, but also promoting the interests
  of the workers ..." reads +0.04 toward "him" (the encoder alone +0.26).
- NewsMTSC's annotators mostly marked the subject of "attacked", "slammed",
  "criticized" as negatively portrayed (24 of the 36 train targets just before
  such a verb), and the model learnt it: an attacker often reads negative.
- A mention inside a quotation is scored as the text treats it; deciding who
  voices that stance (the quote's speaker) is the caller's job, as
  :func:`analysis.sentiment.actor_sentiment` does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.paths import MODELS_DIR

LABELS = ("negative", "neutral", "positive")
"""Stance labels, in the order of the model's outputs (NewsMTSC polarity -1, 0, 1)."""

STANCE_DIR = MODELS_DIR / "stance"
"""Default folder of the committed model files."""

MODEL_FILES = ("model.onnx", "tokenizer.json", "config.json")

STANCE_SCHEMA = pa.DataFrameSchema(
    {
        "label": pa.Column(str, pa.Check.isin(LABELS)),
        "polarity": pa.Column(float, pa.Check.in_range(-1.0, 1.0)),
        "confidence": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "p_negative": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "p_neutral": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "p_positive": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="stance_scores",
)
"""One row per target: ``label``, ``polarity`` (sign agrees with ``label``, 0 when neutral), ``confidence``, class probabilities."""


class StanceModelError(FileNotFoundError):
    """A model file is missing or unreadable; the message names the file."""


@dataclass(frozen=True)
class StanceModel:
    """A loaded stance model: ONNX Runtime session, tokenizer and its config. Make one with :func:`load_stance_model`."""

    directory: Path
    session: object
    tokenizer: object
    config: dict

    @property
    def max_length(self) -> int:
        return int(self.config["max_length"])


def encode_mentions(tokenizer, config: dict, sentences: Sequence[str], starts: Sequence[int], ends: Sequence[int]) -> list[list[int]]:
    """Token ids of each sentence with its target between the two markers, cut to a window around it.

    ``config`` gives ``markers`` (two tokens the tokenizer keeps whole),
    ``max_length`` (tokens, with ``[CLS]``/``[SEP]``), ``cls_id`` and
    ``sep_id``. When the marked sentence is longer, the window keeps the
    target and as many tokens on each side as fit, split evenly. The training
    script uses this same function, so training and scoring read the same input.

    >>> model = load_stance_model()
    >>> ids = encode_mentions(model.tokenizer, model.config, ["Brown lied."], [0], [5])[0]
    >>> model.tokenizer.decode(ids, skip_special_tokens=False).split()[:4]
    ['[CLS]', '[unused0]', 'brown', '[unused1]']
    """
    open_marker, close_marker = config["markers"]
    marked = [f"{s[:a]} {open_marker} {s[a:b]} {close_marker} {s[b:]}" for s, a, b in zip(sentences, starts, ends)]
    open_id = tokenizer.token_to_id(open_marker)
    close_id = tokenizer.token_to_id(close_marker)
    budget = int(config["max_length"]) - 2
    out = []
    for encoding in tokenizer.encode_batch(marked, add_special_tokens=False):
        ids = encoding.ids
        if len(ids) > budget:
            first = ids.index(open_id)
            last = ids.index(close_id, first)
            spare = max(budget - (last - first + 1), 0)
            left = max(first - spare // 2, 0)
            right = min(left + budget, len(ids))
            left = max(right - budget, 0)
            ids = ids[left:right]
        out.append([int(config["cls_id"]), *ids, int(config["sep_id"])])
    return out


def _pad(batch: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(ids) for ids in batch)
    input_ids = np.full((len(batch), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for i, ids in enumerate(batch):
        input_ids[i, : len(ids)] = ids
        mask[i, : len(ids)] = 1
    return input_ids, mask


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def label_probabilities(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(label, polarity, confidence)`` from rows of (p_negative, p_neutral, p_positive).

    ``label`` is the argmax; an exact tie between negative and positive is
    neutral. ``polarity`` is ``p_positive - p_negative`` for a positive or
    negative label and 0 for neutral, so ``sign(polarity)`` always matches the
    label. ``confidence`` is the highest probability (the label's, except in
    that tie).

    >>> label, polarity, confidence = label_probabilities(np.array([[0.1, 0.3, 0.6], [0.4, 0.5, 0.1]]))
    >>> label.tolist(), polarity.round(2).tolist(), confidence.round(2).tolist()
    (['positive', 'neutral'], [0.5, 0.0], [0.6, 0.5])
    """
    proba = np.asarray(proba, dtype=float)
    index = proba.argmax(axis=1)
    diff = proba[:, 2] - proba[:, 0]
    index = np.where((index != 1) & (diff == 0), 1, index)
    polarity = np.where(index == 1, 0.0, np.clip(diff, -1.0, 1.0))
    confidence = proba.max(axis=1)
    return np.asarray(LABELS, dtype=object)[index], polarity, confidence


_CACHE: dict[tuple[str, int], StanceModel] = {}
_CACHE_LOCK = threading.Lock()


def load_stance_model(model_dir: str | Path | None = None, threads: int = 1) -> StanceModel:
    """The stance model in ``model_dir`` (default :data:`STANCE_DIR`), loaded once per process and cached.

    ``threads`` is ONNX Runtime's intra-op thread count (1: one core per
    process, which is how the pipeline's workers use it). A missing or
    unreadable file raises :class:`StanceModelError` naming it. Nothing is
    downloaded.

    >>> load_stance_model().config["labels"]
    ['negative', 'neutral', 'positive']
    """
    directory = Path(model_dir) if model_dir is not None else STANCE_DIR
    key = (str(directory.resolve()), int(threads))
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        missing = [str(directory / name) for name in MODEL_FILES if not (directory / name).is_file()]
        if missing:
            raise StanceModelError(
                f"stance model file(s) missing: {', '.join(missing)}; they are committed under models/stance/ "
                "(or rebuild them with `make train-stance`)"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StanceModelError(f"cannot read {directory / 'config.json'}: {exc}") from exc
        if list(config.get("labels", [])) != list(LABELS):
            raise StanceModelError(f"{directory / 'config.json'}: labels must be {list(LABELS)}, not {config.get('labels')}")
        try:
            tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise StanceModelError(f"cannot read {directory / 'tokenizer.json'}: {exc}") from exc
        tokenizer.no_truncation()
        tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise StanceModelError(f"cannot load {directory / 'model.onnx'}: {exc}") from exc
        model = StanceModel(directory, session, tokenizer, config)
        fast_weight(model)  # a bad weight is refused here, naming config.json
        _CACHE[key] = model
        return model


def predict_proba(model: StanceModel, sentences: Sequence[str], starts: Sequence[int], ends: Sequence[int],
                  batch_size: int = 1) -> np.ndarray:
    """Probabilities of (negative, neutral, positive) for each target; rows in input order.

    Tokenising is batched; the encoder runs ``batch_size`` mentions at a time
    (sorted by length, so little padding is computed). Keep the default of 1:
    the int8 model quantises activations dynamically, one scale per tensor,
    so in a larger batch a mention's probabilities depend on its batch-mates
    (by up to 0.2 on NewsMTSC dev at 32, 8 of 343 labels changed). One at a
    time, a mention's score depends on its own input only, and the speed per
    core is about the same (the model is small and the sentences short).
    """
    encoded = encode_mentions(model.tokenizer, model.config, sentences, starts, ends)
    order = np.argsort([len(ids) for ids in encoded], kind="stable")
    proba = np.zeros((len(encoded), len(LABELS)))
    pad_id = int(model.config["pad_id"])
    for begin in range(0, len(order), batch_size):
        rows = order[begin : begin + batch_size]
        input_ids, mask = _pad([encoded[i] for i in rows], pad_id)
        (logits,) = model.session.run(["logits"], {"input_ids": input_ids, "attention_mask": mask})
        proba[rows] = _softmax(logits.astype(float))
    return proba


def fast_weight(model: StanceModel) -> float:
    """The linear model's share ``w`` in the blend (``fast_weight`` in ``config.json``; 0: the encoder alone)."""
    w = float(model.config.get("fast_weight", 0.0))
    if not 0.0 <= w < 1.0:
        raise StanceModelError(f"{model.directory / 'config.json'}: fast_weight must be in [0, 1), not {w}")
    return w


def blend_fast(model: StanceModel, proba: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """``(1 - w) * proba + w * p_fast``: the encoder's probabilities blended with the linear model's.

    ``w`` is :func:`fast_weight`, chosen on a held-out fold of NewsMTSC train
    (``training/choose_fast_weight.py``); the linear model is
    :func:`analysis.sentiment.load_target_model` (trained on train on first
    use, cached). The two err differently: the linear model weighs negations
    and opinion words near the target, which the encoder can miss ("I haven't
    heard him once ... promoting the interests of ..."). With ``w = 0`` the
    encoder's probabilities are returned unchanged.

    >>> model = load_stance_model()
    >>> rows = pd.DataFrame({"sentence": ["Critics called Brown a liar."], "start": [15], "end": [20]})
    >>> p = predict_proba(model, rows["sentence"], rows["start"], rows["end"])
    >>> bool(np.allclose(blend_fast(model, p, rows).sum(axis=1), 1.0))
    True
    """
    w = fast_weight(model)
    if w == 0.0 or len(frame) == 0:
        return proba
    from analysis.sentiment import load_target_model

    return (1.0 - w) * proba + w * load_target_model().predict_proba(frame)


def score_stance(frame: pd.DataFrame, model: StanceModel | None = None, batch_size: int = 1) -> pd.DataFrame:
    """Stance toward ``sentence[start:end]`` for each row (:data:`STANCE_SCHEMA`), same index as ``frame``.

    ``frame`` needs ``sentence``, ``start``, ``end`` (character offsets into
    that sentence; pass a window of text around a mention with offsets into the
    window). Every bad row is listed in one ``ValueError``. Uses
    :func:`load_stance_model` unless a ``model`` is given; ``batch_size``: see
    :func:`predict_proba`. The probabilities are the encoder's blended with the
    linear model's by the model's ``fast_weight`` (:func:`blend_fast`).

    >>> score_stance(pd.DataFrame({"sentence": ["Critics called Brown a liar and a fraud."],
    ...                            "start": [15], "end": [20]}))["label"].tolist()
    ['negative']
    """
    missing = {"sentence", "start", "end"} - set(frame.columns)
    if missing:
        raise KeyError(f"score_stance needs columns sentence, start, end; missing {sorted(missing)}")
    sentences = [str(s) for s in frame["sentence"]]
    starts = [int(a) for a in frame["start"]]
    ends = [int(b) for b in frame["end"]]
    bad = [(i, a, b, len(s)) for i, s, a, b in zip(frame.index, sentences, starts, ends)
           if not 0 <= a < b <= len(s) or not s[a:b].strip()]
    if bad:
        listed = "; ".join(f"row {i}: start={a}, end={b}, len(sentence)={n}" for i, a, b, n in bad)
        raise ValueError(f"{len(bad)} row(s) need 0 <= start < end <= len(sentence) and a non-blank target: {listed}")
    columns = list(STANCE_SCHEMA.columns)
    if not sentences:
        return STANCE_SCHEMA.validate(pd.DataFrame({c: pd.Series(dtype=str if c == "label" else float) for c in columns}))
    model = model if model is not None else load_stance_model()
    proba = predict_proba(model, sentences, starts, ends, batch_size=batch_size)
    proba = blend_fast(model, proba, pd.DataFrame({"sentence": sentences, "start": starts, "end": ends}))
    label, polarity, confidence = label_probabilities(proba)
    out = pd.DataFrame(
        {"label": label, "polarity": polarity, "confidence": confidence,
         "p_negative": proba[:, 0], "p_neutral": proba[:, 1], "p_positive": proba[:, 2]},
        index=frame.index,
    )
    return STANCE_SCHEMA.validate(out)


STANCES = ("fast", "accurate")
"""Scorers :func:`score_targets` offers: the linear model of :mod:`analysis.sentiment`, or this module's encoder."""


def score_targets(frame: pd.DataFrame, stance: str = "accurate", model: object | None = None) -> pd.DataFrame:
    """Score ``sentence[start:end]`` for each row with the chosen scorer, as :data:`STANCE_SCHEMA`.

    ``stance="accurate"`` is :func:`score_stance`; ``stance="fast"`` is
    :func:`analysis.sentiment.target_sentiments` (``model`` is then its
    ``TargetModel``), whose probabilities go through
    :func:`label_probabilities` so that its label and polarity agree too.

    >>> rows = pd.DataFrame({"sentence": ["Critics called Brown a liar and a fraud."], "start": [15], "end": [20]})
    >>> [score_targets(rows, stance=s)["label"].item() for s in STANCES]
    ['negative', 'negative']
    """
    if stance == "accurate":
        return score_stance(frame, model=model)
    if stance != "fast":
        raise ValueError(f"stance must be one of {STANCES}, not {stance!r}")
    from analysis.sentiment import target_sentiments

    scored = target_sentiments(frame, model=model)
    proba = scored[["p_negative", "p_neutral", "p_positive"]].to_numpy(dtype=float)
    label, polarity, confidence = label_probabilities(proba) if len(proba) else ([], [], [])
    out = pd.DataFrame({"label": label, "polarity": polarity, "confidence": confidence,
                        "p_negative": proba[:, 0], "p_neutral": proba[:, 1], "p_positive": proba[:, 2]},
                       index=scored.index)
    return STANCE_SCHEMA.validate(out.astype({"label": str, "polarity": float, "confidence": float}))
