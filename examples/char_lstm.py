"""A character-level LSTM language model, trained on the Declaration of Independence.

The model reads characters and predicts the next one: ``nn.Embedding`` -> ``nn.LSTM`` ->
``nn.Linear`` over the text's alphabet, trained with ``CrossEntropyLoss`` and Adam on random
windows of the bundled text (``examples/data/declaration_of_independence.txt``, public domain;
``--text`` takes any other UTF-8 file), with the gradient norm clipped as recurrent networks
need. The last tenth of the text is held out: the validation loss (in nats per character and
bits per character) is printed as it falls from about ``ln(alphabet size)`` — what guessing
uniformly costs. At the end the model writes new text one character at a time, carrying the
LSTM state from step to step and sampling from the softmax at ``--temperature``.

Writes ``loss.png`` (train/validation loss), ``char_lstm.safetensors`` (the weights and the
alphabet) and ``sample.txt`` into ``--out``.

    python examples/char_lstm.py [--steps 200] [--batch-size 32] [--seq-len 64] [--lr 5e-3]
                                 [--hidden-size 128] [--clip 1.0] [--temperature 0.7]
                                 [--prompt "We hold these "] [--seed 0] [--out runs/char_lstm]
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

# An LSTM step multiplies small matrices, once per character: waking BLAS threads for them costs
# more than it saves (on a busy 2-core machine, 10x slower than one thread). This must precede
# numpy's import; a value set in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import npgrad  # noqa: E402
from npgrad import nn  # noqa: E402
from npgrad.nn.utils import clip_grad_norm_  # noqa: E402
from npgrad.optim import Adam  # noqa: E402
from npgrad.vision.utils import plot_history  # noqa: E402

TEXT = Path(__file__).resolve().parent / "data" / "declaration_of_independence.txt"


class CharLSTM(nn.Module):
    """Embedding -> LSTM -> Linear: the logits of the next character at every position."""

    def __init__(
        self, vocab_size: int, embedding_dim: int = 32, hidden_size: int = 128, num_layers: int = 1
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(
        self, x: npgrad.Tensor, state: tuple[npgrad.Tensor, npgrad.Tensor] | None = None
    ) -> tuple[npgrad.Tensor, tuple[npgrad.Tensor, npgrad.Tensor]]:
        out, state = self.lstm(self.embedding(x), state)
        return self.decoder(out), state


def windows(ids: np.ndarray, starts: np.ndarray, seq_len: int) -> tuple[npgrad.Tensor, ...]:
    """Inputs ``ids[s : s + seq_len]`` and targets shifted by one, for every start ``s``."""
    index = starts[:, None] + np.arange(seq_len + 1)
    chunk = ids[index]
    return npgrad.from_numpy(chunk[:, :-1]), npgrad.from_numpy(chunk[:, 1:])


def mean_loss(model: CharLSTM, x: npgrad.Tensor, y: npgrad.Tensor, loss_fn) -> float:
    model.eval()
    with npgrad.no_grad():
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item()
    model.train()
    return loss


def sample(
    model: CharLSTM,
    prompt: str,
    length: int,
    stoi: dict[str, int],
    itos: list[str],
    temperature: float,
    generator: npgrad.Generator,
) -> str:
    """Continue ``prompt`` by ``length`` characters drawn one at a time from the model."""
    model.eval()
    out = []
    with npgrad.no_grad():
        x = npgrad.tensor([[stoi[c] for c in prompt]])
        logits, state = model(x)  # the prompt sets the LSTM state
        for _ in range(length):
            probs = (logits[0, -1] / temperature).softmax(dim=-1)
            nxt = int(npgrad.multinomial(probs, 1, generator=generator).item())
            out.append(itos[nxt])
            logits, state = model(npgrad.tensor([[nxt]]), state)
    model.train()
    return prompt + "".join(out)


def main(argv: list[str] | None = None) -> dict[str, float | str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=TEXT, help="a UTF-8 text file to learn")
    parser.add_argument("--steps", type=int, default=200, help="optimizer steps")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=64, help="characters per window (BPTT)")
    parser.add_argument("--embedding-dim", type=int, default=32)
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--num-layers", type=int, default=1)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--clip", type=float, default=1.0, help="max gradient norm")
    parser.add_argument("--eval-every", type=int, default=25, help="steps between reports")
    parser.add_argument("--prompt", default="We hold these ")
    parser.add_argument("--sample-length", type=int, default=300)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/char_lstm"))
    args = parser.parse_args(argv)

    text = args.text.read_text(encoding="utf-8")
    itos = sorted(set(text))
    stoi = {c: i for i, c in enumerate(itos)}
    missing = sorted(set(args.prompt) - set(stoi))
    if missing:
        parser.error(f"--prompt has characters that the text lacks: {''.join(missing)!r}")
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    split = int(0.9 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    if min(len(train_ids), len(val_ids)) <= args.seq_len:
        parser.error(f"the text ({len(ids)} characters) is too short for --seq-len {args.seq_len}")
    print(
        f"{args.text.name}: {len(ids)} characters, alphabet of {len(itos)}; "
        f"{len(train_ids)} for training, {len(val_ids)} held out"
    )

    npgrad.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    # every non-overlapping window of the held-out text, evaluated in one batch
    val_starts = np.arange(0, len(val_ids) - args.seq_len, args.seq_len)
    val_x, val_y = windows(val_ids, val_starts, args.seq_len)
    model = CharLSTM(len(itos), args.embedding_dim, args.hidden_size, args.num_layers)
    print(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=args.lr)

    initial = mean_loss(model, val_x, val_y, loss_fn)
    print(
        f"step    0: validation loss {initial:.3f} nats/char "
        f"(uniform guessing: ln {len(itos)} = {math.log(len(itos)):.3f})"
    )
    first_train = mean_loss(model, *windows(train_ids, val_starts, args.seq_len), loss_fn)
    history: dict[str, list[float]] = {"train loss": [first_train], "validation loss": [initial]}
    running, count, norms = 0.0, 0, []
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        starts = rng.integers(0, len(train_ids) - args.seq_len, args.batch_size)
        x, y = windows(train_ids, starts, args.seq_len)
        optimizer.zero_grad()
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(-1, len(itos)), y.reshape(-1))
        loss.backward()
        norms.append(clip_grad_norm_(model.parameters(), args.clip).item())
        optimizer.step()
        running, count = running + loss.item(), count + 1
        if step % args.eval_every == 0 or step == args.steps:
            val = mean_loss(model, val_x, val_y, loss_fn)
            history["train loss"].append(running / count)
            history["validation loss"].append(val)
            clipped = sum(n > args.clip for n in norms)
            print(
                f"step {step:4d}: train loss {running / count:.3f} | validation loss {val:.3f} "
                f"nats/char ({val / math.log(2):.2f} bits/char) | gradient norm "
                f"{np.mean(norms):.2f}, clipped in {clipped}/{len(norms)} steps"
            )
            running, count, norms = 0.0, 0, []
    print(f"trained in {time.perf_counter() - start:.1f} s")

    generator = npgrad.Generator().manual_seed(args.seed)
    text_out = sample(
        model, args.prompt, args.sample_length, stoi, itos, args.temperature, generator
    )
    print(f"\nsample (temperature {args.temperature}):\n{text_out}\n")

    args.out.mkdir(parents=True, exist_ok=True)
    plot_history(
        history,
        args.out / "loss.png",
        title="cross-entropy, nats per character",
        xlabel=f"evaluation (every {args.eval_every} steps; 1 = before training)",
    )
    npgrad.save(
        {"model": model.state_dict(), "alphabet": "".join(itos)}, args.out / "char_lstm.safetensors"
    )
    (args.out / "sample.txt").write_text(text_out + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'loss.png'}, {args.out / 'char_lstm.safetensors'} and sample.txt")
    return {
        "initial_loss": initial,
        "final_loss": history["validation loss"][-1],
        "sample": text_out,
    }


if __name__ == "__main__":
    main()
