"""ResNet: torchvision's names and initialisation; torch parity in eval and train modes."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.vision.models import BasicBlock, ResNet, resnet8, resnet18


def torch_resnet(torch, layers, widths, num_classes, in_channels, small_input):
    """torchvision's ResNet/BasicBlock code (torchvision is not installed here), generalised
    to any number of stages like ours; with the defaults it is torchvision's resnet18."""
    tnn = torch.nn

    def conv3x3(i, o, stride=1):
        return tnn.Conv2d(i, o, kernel_size=3, stride=stride, padding=1, bias=False)

    class TorchBasicBlock(tnn.Module):
        expansion = 1

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = conv3x3(inplanes, planes, stride)
            self.bn1 = tnn.BatchNorm2d(planes)
            self.relu = tnn.ReLU(inplace=True)
            self.conv2 = conv3x3(planes, planes)
            self.bn2 = tnn.BatchNorm2d(planes)
            self.downsample = downsample
            self.stride = stride

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class TorchResNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.inplanes = widths[0]
            if small_input:
                self.conv1 = conv3x3(in_channels, widths[0])
                self.bn1 = tnn.BatchNorm2d(widths[0])
                self.relu = tnn.ReLU(inplace=True)
                self.maxpool = tnn.Identity()
            else:
                self.conv1 = tnn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False)
                self.bn1 = tnn.BatchNorm2d(widths[0])
                self.relu = tnn.ReLU(inplace=True)
                self.maxpool = tnn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            for i, (w, n) in enumerate(zip(widths, layers)):
                self.add_module(f"layer{i + 1}", self._make_layer(w, n, 1 if i == 0 else 2))
            self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
            self.fc = tnn.Linear(widths[-1], num_classes)

        def _make_layer(self, planes, blocks, stride):
            downsample = None
            if stride != 1 or self.inplanes != planes:
                downsample = tnn.Sequential(
                    tnn.Conv2d(self.inplanes, planes, 1, stride, bias=False),
                    tnn.BatchNorm2d(planes),
                )
            stages = [TorchBasicBlock(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes
            stages += [TorchBasicBlock(planes, planes) for _ in range(1, blocks)]
            return tnn.Sequential(*stages)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            for i in range(len(layers)):
                x = getattr(self, f"layer{i + 1}")(x)
            return self.fc(torch.flatten(self.avgpool(x), 1))

    TorchResNet.__name__, TorchBasicBlock.__name__ = "ResNet", "BasicBlock"  # for repr
    return TorchResNet()


def test_resnet18_names_match_torchvision() -> None:
    net = resnet18()
    state = net.state_dict()
    assert len(state) == 122  # torchvision resnet18: 62 parameters + 60 BatchNorm buffers
    expected_prefix = [
        "conv1.weight",
        "bn1.weight",
        "bn1.bias",
        "bn1.running_mean",
        "bn1.running_var",
    ]
    assert list(state)[:5] == expected_prefix
    assert state["layer1.0.conv1.weight"].shape == (64, 64, 3, 3)
    assert state["layer2.0.downsample.0.weight"].shape == (128, 64, 1, 1)
    assert state["layer4.1.bn2.num_batches_tracked"].shape == ()
    assert state["fc.weight"].shape == (1000, 512)
    assert sum(p.numel() for p in net.parameters()) == 11_689_512  # torchvision's count
    assert "layer1.0.downsample.0.weight" not in state


def test_initialisation_is_torchvisions() -> None:
    npgrad.manual_seed(0)
    net = resnet18(widths=(16, 32, 64, 128))
    w = net.layer4[1].conv1.weight.numpy()  # fan_out = 128 * 9
    assert abs(w.std() - np.sqrt(2 / (128 * 9))) < 0.03 * np.sqrt(2 / (128 * 9))
    assert abs(w.mean()) < 0.05 * w.std()
    assert np.all(net.bn1.weight.numpy() == 1) and np.all(net.layer2[0].bn2.bias.numpy() == 0)
    zero = resnet18(widths=(4, 4, 4, 4), zero_init_residual=True)
    assert np.all(zero.layer3[1].bn2.weight.numpy() == 0) and np.all(
        zero.layer3[1].bn1.weight.numpy() == 1
    )


def test_resnet8_and_custom_stages() -> None:
    net = resnet8(in_channels=1)
    assert [n for n, _ in net.named_children()] == [
        "conv1",
        "bn1",
        "relu",
        "maxpool",
        "layer1",
        "layer2",
        "layer3",
        "avgpool",
        "fc",
    ]
    assert net.conv1.kernel_size == (3, 3) and net.fc.in_features == 64
    assert net(npgrad.randn(2, 1, 8, 8)).shape == (2, 10)
    small = resnet8(widths=(4, 8, 8))
    assert small.layer3[0].downsample is not None and small.layer3[0].conv1.stride == (2, 2)


def test_basic_block_identity_and_projection() -> None:
    block = BasicBlock(4, 4)
    assert block.downsample is None
    x = npgrad.randn(2, 4, 5, 5)
    block.eval()
    # with the second BatchNorm zeroed, the block is relu(x)
    nn.init.zeros_(block.bn2.weight)
    np.testing.assert_allclose(block(x).numpy(), np.maximum(x.numpy(), 0), atol=1e-6)


def test_resnet_backward_reaches_every_parameter() -> None:
    net = resnet8(in_channels=1, widths=(4, 8, 8))
    out = net(npgrad.randn(4, 1, 8, 8))
    out.sum().backward()
    assert all(p.grad is not None and np.isfinite(p.grad.numpy()).all() for p in net.parameters())
    assert int(net.bn1.num_batches_tracked.item()) == 1


def test_bad_configuration() -> None:
    with pytest.raises(ValueError, match="same length"):
        ResNet(layers=(1, 1), widths=(4, 8, 16))
    with pytest.raises(ValueError, match="positive"):
        ResNet(layers=(1, 0), widths=(4, 8))


CONFIGS = {
    "resnet18": ((2, 2, 2, 2), (64, 128, 256, 512), False, 16),  # torchvision's widths
    "resnet18-narrow": ((2, 2, 2, 2), (8, 16, 32, 64), False, 32),
    "resnet8-small": ((1, 1, 1), (4, 8, 16), True, 8),
}


@pytest.mark.torch
@pytest.mark.parametrize(
    ("config", "train"),
    [
        ("resnet18", False),  # full width: outputs only (its backward is slow)
        ("resnet18-narrow", False),
        ("resnet18-narrow", True),
        ("resnet8-small", False),
        ("resnet8-small", True),
    ],
)
def test_torch_parity(config, train, load_torch_weights, grads_close) -> None:
    torch = pytest.importorskip("torch")
    layers, widths, small, size = CONFIGS[config]
    torch.manual_seed(0)
    ref = torch_resnet(torch, layers, widths, 7, 3, small).double()
    net = ResNet(layers=layers, widths=widths, num_classes=7, in_channels=3, small_input=small)
    assert list(net.state_dict()) == list(ref.state_dict())
    assert [tuple(v.shape) for v in net.state_dict().values()] == [
        tuple(v.shape) for v in ref.state_dict().values()
    ]
    assert str(net) == str(ref)  # torch's repr
    # non-trivial running statistics, so that eval mode is really tested
    with torch.no_grad():
        for m in ref.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    load_torch_weights(net, ref)
    ref.train(train)
    net.train(train)
    x = np.random.default_rng(0).normal(size=(3, 3, size, size))
    tx, nx = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    out_t, out = ref(tx), net(nx)
    # train-mode BatchNorm over 3 values per channel (layer4 is 1x1 here) is
    # ill-conditioned: float64 rounding grows to ~1e-9, far below any real discrepancy
    rtol, atol = (1e-6, 1e-7) if train else (1e-9, 1e-10)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    if config == "resnet18":
        return
    (out_t * torch.arange(7.0, dtype=torch.float64)).sum().backward()
    (out * npgrad.arange(7.0, dtype=npgrad.float64)).sum().backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    grads_close(net, ref, rtol=max(rtol, 1e-7), atol=max(atol, 1e-9))
    if train:  # running statistics updated the same way
        np.testing.assert_allclose(
            net.layer2[0].bn1.running_var.numpy(), ref.layer2[0].bn1.running_var.numpy(), rtol=1e-10
        )
