"""LeNet5: shapes, errors, torch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.vision.models import LeNet5


def torch_lenet(torch, in_channels: int, num_classes: int, features: int):
    tnn, F = torch.nn, torch.nn.functional

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(in_channels, 6, kernel_size=5, padding=2)
            self.conv2 = tnn.Conv2d(6, 16, kernel_size=5)
            self.fc1 = tnn.Linear(features, 120)
            self.fc2 = tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, num_classes)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return Net()


@pytest.mark.parametrize(("size", "features"), [(28, 400), (32, 576), (12, 16), (24, 256)])
def test_shapes(size: int, features: int) -> None:
    net = LeNet5(input_size=size)
    assert net.fc1.in_features == features
    assert net(npgrad.zeros(2, 1, size, size)).shape == (2, 10)


def test_names_and_rgb() -> None:
    net = LeNet5(num_classes=5, in_channels=3, input_size=(32, 28))
    assert [k.rsplit(".", 1)[0] for k in net.state_dict()][::2] == [
        "conv1",
        "conv2",
        "fc1",
        "fc2",
        "fc3",
    ]
    assert net(npgrad.zeros(1, 3, 32, 28)).shape == (1, 5)


def test_errors() -> None:
    with pytest.raises(ValueError, match="at least 12"):
        LeNet5(input_size=11)
    with pytest.raises(
        ValueError,
        match=r"LeNet5: expected input of shape \(N, 1, 28, 28\), got shape \(1, 3, 28, 28\)",
    ):
        LeNet5()(npgrad.zeros(1, 3, 28, 28))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_parity(dtype, load_torch_weights, grads_close) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    ref = torch_lenet(torch, 1, 10, 400).to(torch.float64 if dtype == np.float64 else torch.float32)
    net = LeNet5()
    assert list(net.state_dict()) == list(ref.state_dict())
    load_torch_weights(net, ref, dtype)
    x = np.random.default_rng(1).random((2, 1, 28, 28)).astype(dtype)
    tx, nx = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    out_t, out = ref(tx), net(nx)
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (1e-4, 1e-5)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    out_t.sum().backward()
    out.sum().backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    grads_close(net, ref, rtol, atol)


def test_default_init_is_torchs_scheme() -> None:
    # Conv2d/Linear defaults: weights and biases within +-1/sqrt(fan_in)
    net = LeNet5()
    for layer, fan_in in ((net.conv1, 25), (net.conv2, 150), (net.fc1, 400)):
        bound = 1 / np.sqrt(fan_in)
        w = layer.weight.numpy()
        assert np.abs(w).max() <= np.float32(bound) and np.abs(w).max() > 0.8 * bound
        assert np.abs(layer.bias.numpy()).max() <= np.float32(bound)
