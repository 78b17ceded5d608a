"""ResNet-34/50/101/152 (Bottleneck), VGG, AlexNet and MobileNetV2: torchvision's published
parameter counts, state_dict names and shapes, output shapes, the weights= guard, and a torch
parity check of the Bottleneck and InvertedResidual computations."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.vision import models
from npgrad.vision.models.vgg import CFGS, make_layers


def n_params(m) -> int:
    return sum(p.numel() for p in m.parameters())


# torchvision's model documentation ("num_params" of each weights enum)
PUBLISHED = {
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "alexnet": 61_100_840,
    "mobilenet_v2": 3_504_872,
    "vgg11": 132_863_336,
    "vgg11_bn": 132_868_840,
    "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736,
    "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992,
    "vgg19": 143_667_240,
    "vgg19_bn": 143_678_248,
}


@pytest.mark.parametrize("name", ["resnet34", "resnet50", "resnet152", "alexnet", "mobilenet_v2"])
def test_parameter_counts(name: str) -> None:
    assert n_params(getattr(models, name)()) == PUBLISHED[name]


def test_vgg_parameter_counts_and_names() -> None:
    net = models.vgg16()
    assert n_params(net) == PUBLISHED["vgg16"]
    state = net.state_dict()
    shapes = {
        "features.0.weight": (64, 3, 3, 3),
        "features.28.weight": (512, 512, 3, 3),
        "classifier.0.weight": (4096, 25088),
        "classifier.3.bias": (4096,),
        "classifier.6.weight": (1000, 4096),
    }
    for key, shape in shapes.items():
        assert tuple(state[key].shape) == shape, key
    assert len(state) == 32
    # torchvision's init: N(0, 0.01) linear weights, zero biases
    w = net.classifier[0].weight.numpy()
    assert abs(w.std() - 0.01) < 5e-4 and not net.classifier[0].bias.numpy().any()
    with npgrad.no_grad():
        out = net.eval()(npgrad.randn(1, 3, 32, 32))
    assert out.shape == (1, 1000) and out.dtype == np.float32
    # every VGG shares this classifier: the rest of each count is its convolutional part
    classifier = n_params(net.classifier)
    del net, state
    for name, (cfg, bn) in {
        "vgg11": ("A", False), "vgg11_bn": ("A", True), "vgg13": ("B", False),
        "vgg13_bn": ("B", True), "vgg16_bn": ("D", True), "vgg19": ("E", False),
        "vgg19_bn": ("E", True),
    }.items():  # fmt: skip
        assert n_params(make_layers(CFGS[cfg], bn)) + classifier == PUBLISHED[name], name
    bn_features = make_layers(CFGS["D"], True).state_dict()
    assert tuple(bn_features["40.weight"].shape) == (512, 512, 3, 3)
    assert tuple(bn_features["41.running_var"].shape) == (512,)


def test_make_layers_rejects_bad_entries() -> None:
    with pytest.raises(ValueError, match="positive ints or 'M'"):
        make_layers([8, "X"])


def test_resnet50_names_shapes_and_forward() -> None:
    net = models.resnet50().eval()
    state = net.state_dict()
    shapes = {
        "conv1.weight": (64, 3, 7, 7),
        "layer1.0.conv1.weight": (64, 64, 1, 1),
        "layer1.0.conv3.weight": (256, 64, 1, 1),
        "layer1.0.downsample.0.weight": (256, 64, 1, 1),
        "layer2.0.conv2.weight": (128, 128, 3, 3),
        "layer4.2.bn3.running_mean": (2048,),
        "fc.weight": (1000, 2048),
    }
    for key, shape in shapes.items():
        assert tuple(state[key].shape) == shape, key
    assert len(state) == 320
    assert net.layer2[0].conv2.stride == (2, 2)  # torchvision's "v1.5": stride on the 3x3
    with npgrad.no_grad():
        out = net(npgrad.randn(1, 3, 64, 64))
    assert out.shape == (1, 1000) and out.dtype == np.float32


def test_zero_init_residual_bottleneck() -> None:
    net = models.resnet50(widths=(2, 4, 8, 16), zero_init_residual=True, num_classes=3)
    assert not net.layer3[1].bn3.weight.numpy().any()
    assert net.layer3[1].bn2.weight.numpy().all()


def test_alexnet_and_mobilenet_names_and_forward() -> None:
    alex = models.alexnet(num_classes=10).eval()
    s = alex.state_dict()
    assert tuple(s["features.0.weight"].shape) == (64, 3, 11, 11)
    assert tuple(s["features.10.weight"].shape) == (256, 256, 3, 3)
    assert tuple(s["classifier.1.weight"].shape) == (4096, 9216)
    assert tuple(s["classifier.6.weight"].shape) == (10, 4096)
    with npgrad.no_grad():
        assert alex(npgrad.randn(1, 3, 64, 64)).shape == (1, 10)
    mnet = models.mobilenet_v2().eval()
    s = mnet.state_dict()
    shapes = {
        "features.0.0.weight": (32, 3, 3, 3),
        "features.1.conv.0.0.weight": (32, 1, 3, 3),
        "features.1.conv.1.weight": (16, 32, 1, 1),
        "features.2.conv.0.0.weight": (96, 16, 1, 1),
        "features.2.conv.3.running_var": (24,),
        "features.18.0.weight": (1280, 320, 1, 1),
        "classifier.1.weight": (1000, 1280),
    }
    for key, shape in shapes.items():
        assert tuple(s[key].shape) == shape, key
    with npgrad.no_grad():
        assert mnet(npgrad.randn(1, 3, 32, 32)).shape == (1, 1000)
    assert models.MobileNetV2(width_mult=0.5).features[1].out_channels == 8
    with pytest.raises(ValueError, match="inverted_residual_setting"):
        models.MobileNetV2(inverted_residual_setting=[[1, 16, 1]])


@pytest.mark.parametrize(
    "builder", ["resnet18", "resnet50", "vgg11", "vgg16_bn", "alexnet", "mobilenet_v2"]
)
def test_pretrained_weights_are_refused(builder: str) -> None:
    fn = getattr(models, builder)
    with pytest.raises(ValueError, match=f"{builder}: weights='DEFAULT' is not supported"):
        fn(weights="DEFAULT")
    with pytest.raises(ValueError, match=f"{builder}: pretrained=True is not supported"):
        fn(pretrained=True)


@pytest.mark.torch
def test_bottleneck_and_inverted_residual_match_torch() -> None:
    """Our blocks against the same computation written with torch.nn.functional (eval mode,
    random statistics), loading our state dict into torch tensors by name."""
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(0)

    def randomise(module) -> dict:
        for name, t in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            arr = (
                rng.uniform(0.5, 1.5, t.shape)
                if "running_var" in name
                else rng.normal(0, 0.3, t.shape)
            )
            target = dict(module.named_parameters()).get(name)
            if target is None:
                target = dict(module.named_buffers())[name]
            target.data = npgrad.tensor(arr)
        return {k: torch.tensor(v.numpy()) for k, v in module.state_dict().items()}

    def bn(x, s, p):
        return tf.batch_norm(
            x, s[p + ".running_mean"], s[p + ".running_var"], s[p + ".weight"], s[p + ".bias"],
            training=False, eps=1e-5,
        )  # fmt: skip

    block = models.Bottleneck(8, 4, stride=2, downsample=npgrad.nn.Sequential(
        npgrad.nn.Conv2d(8, 16, 1, stride=2, bias=False), npgrad.nn.BatchNorm2d(16)
    )).double().eval()  # fmt: skip
    s = randomise(block)
    x = rng.normal(size=(2, 8, 7, 7))
    tx = torch.tensor(x)
    out = tf.relu(bn(tf.conv2d(tx, s["conv1.weight"]), s, "bn1"))
    out = tf.relu(bn(tf.conv2d(out, s["conv2.weight"], stride=2, padding=1), s, "bn2"))
    out = bn(tf.conv2d(out, s["conv3.weight"]), s, "bn3")
    want = tf.relu(out + bn(tf.conv2d(tx, s["downsample.0.weight"], stride=2), s, "downsample.1"))
    got = block(npgrad.tensor(x))
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-10, atol=1e-12)

    from npgrad.vision.models.mobilenetv2 import InvertedResidual

    ir = InvertedResidual(6, 6, stride=1, expand_ratio=3).double().eval()
    s = randomise(ir)
    x = rng.normal(size=(2, 6, 5, 5))
    tx = torch.tensor(x)
    h = tf.relu6(bn(tf.conv2d(tx, s["conv.0.0.weight"]), s, "conv.0.1"))
    h = tf.relu6(bn(tf.conv2d(h, s["conv.1.0.weight"], padding=1, groups=18), s, "conv.1.1"))
    want = tx + bn(tf.conv2d(h, s["conv.2.weight"]), s, "conv.3")
    got = ir(npgrad.tensor(x))
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-10, atol=1e-12)
