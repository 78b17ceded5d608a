"""SimpleCNN: the seed README's CNN; torch parity with the same layers and names."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.vision.datasets import Digits
from npgrad.vision.models import SimpleCNN


def torch_seed_cnn(torch, in_channels: int, num_classes: int, size: int):
    """The seed README's ``CNN``, written for PyTorch, with 64 * (size // 8) ** 2 features."""
    tnn = torch.nn

    class CNN(tnn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = tnn.Sequential(
                tnn.Conv2d(in_channels, 16, 3, padding=(1, 1)),
                tnn.MaxPool2d(2),
                tnn.ReLU(),
                tnn.Conv2d(16, 32, 3, padding=(1, 1)),
                tnn.MaxPool2d(2),
                tnn.ReLU(),
                tnn.Conv2d(32, 64, 3, padding=(1, 1)),
                tnn.MaxPool2d(2),
                tnn.ReLU(),
            )
            self.layer2 = tnn.Sequential(
                tnn.Linear(64 * (size // 8) ** 2, 128),
                tnn.Dropout(0.5),
                tnn.ReLU(),
                tnn.Linear(128, 64),
                tnn.ReLU(),
                tnn.Linear(64, num_classes),
            )

        def forward(self, x):
            x = self.layer1(x)
            x = x.reshape(x.shape[0], -1)
            return self.layer2(x)

    return CNN()


@pytest.mark.parametrize(("size", "features"), [(8, 64), (16, 256), (24, 576), (28, 576), (12, 64)])
def test_shapes_for_input_sizes(size: int, features: int) -> None:
    net = SimpleCNN(input_size=size)
    assert net.layer2[0].in_features == features
    assert net(npgrad.zeros(2, 1, size, size)).shape == (2, 10)


def test_seed_architecture_24x24() -> None:
    net = SimpleCNN()
    assert [type(m).__name__ for m in net.layer1] == ["Conv2d", "MaxPool2d", "ReLU"] * 3
    assert [type(m).__name__ for m in net.layer2] == [
        "Linear",
        "Dropout",
        "ReLU",
        "Linear",
        "ReLU",
        "Linear",
    ]
    assert net.layer2[0].in_features == 64 * 9 and net.layer2[1].p == 0.5
    assert list(net.state_dict()) == [
        f"{block}.{i}.{p}"
        for block, idx in (("layer1", (0, 3, 6)), ("layer2", (0, 3, 5)))
        for i in idx
        for p in ("weight", "bias")
    ]


def test_rectangular_and_rgb_inputs() -> None:
    net = SimpleCNN(in_channels=3, num_classes=4, input_size=(16, 32), dropout=0.0)
    assert net(npgrad.zeros(1, 3, 16, 32)).shape == (1, 4)


def test_bad_input_shape_is_explained() -> None:
    net = SimpleCNN(input_size=8)
    with pytest.raises(
        ValueError,
        match=r"SimpleCNN: expected input of shape \(N, 1, 8, 8\), got shape \(2, 1, 9, 9\)",
    ):
        net(npgrad.zeros(2, 1, 9, 9))
    with pytest.raises(ValueError, match="at least 8"):
        SimpleCNN(input_size=7)
    with pytest.raises(TypeError, match="input_size must be an int"):
        SimpleCNN(input_size="24")  # type: ignore[arg-type]


def test_learns_digits() -> None:
    # 25 Adam steps (written out: npgrad-vision does not depend on npgrad-optim) on 120 real
    # digits: the loss falls well below chance level (ln 10 = 2.30)
    npgrad.manual_seed(0)
    ds = Digits(train=False)
    x, y = ds.data[:120], ds.targets[:120]
    net = SimpleCNN(input_size=8, dropout=0.0)
    loss_fn = nn.CrossEntropyLoss()
    params = list(net.parameters())
    m = [np.zeros(p.shape, np.float32) for p in params]
    v = [np.zeros(p.shape, np.float32) for p in params]
    losses = []
    for step in range(1, 26):
        net.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        losses.append(loss.item())
        with npgrad.no_grad():
            for p, mp, vp in zip(params, m, v):
                g = p.grad.numpy()
                mp[...] = 0.9 * mp + 0.1 * g
                vp[...] = 0.999 * vp + 0.001 * g * g
                update = 0.005 * (mp / (1 - 0.9**step)) / (np.sqrt(vp / (1 - 0.999**step)) + 1e-8)
                p -= npgrad.from_numpy(update.astype(np.float32))
    assert losses[0] > 2.2 and losses[-1] < 1.2


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_parity(dtype, load_torch_weights, grads_close) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ref = torch_seed_cnn(torch, 1, 10, 24).to(
        torch.float64 if dtype == np.float64 else torch.float32
    )
    net = SimpleCNN(in_channels=1, num_classes=10, input_size=24)
    assert list(net.state_dict()) == list(ref.state_dict())
    load_torch_weights(net, ref, dtype)
    ref.eval()
    net.eval()
    x = np.random.default_rng(0).random((3, 1, 24, 24)).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ours_x = npgrad.tensor(x, requires_grad=True)
    out_t, out = ref(tx), net(ours_x)
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (1e-4, 1e-5)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    out_t.square().sum().backward()
    out.square().sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    grads_close(net, ref, rtol, atol)
    assert str(net).replace("SimpleCNN", "CNN") == str(ref)  # torch-identical repr
