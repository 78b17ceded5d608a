"""Residual networks (He et al., 2016) with torchvision's module names.

:class:`ResNet` generalises torchvision's: any number of stages (``layers`` and ``widths``
of the same length), and a ``small_input`` stem (3×3 stride-1 convolution, no max pooling) for
CIFAR-sized or smaller images. With the defaults (:func:`resnet18`) the module tree, parameter
names, shapes and initialisation are torchvision's ``resnet18``, so its ``state_dict`` loads
unchanged and gives the same outputs. :class:`Bottleneck` blocks (1×1, 3×3, 1×1 convolutions,
4× expansion) build :func:`resnet50`, :func:`resnet101` and :func:`resnet152`; with the default
widths every builder has torchvision's module tree and parameter names. No pretrained weights
are downloaded (``weights`` must be None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from npgrad import Tensor, nn
from npgrad.vision.models._weights import no_pretrained

__all__ = [
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet8",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
]


def conv3x3(
    in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1
) -> nn.Conv2d:
    """3×3 convolution with padding ``dilation`` and no bias (a BatchNorm follows)."""
    return nn.Conv2d(
        in_planes,
        out_planes,
        kernel_size=3,
        stride=stride,
        padding=dilation,
        groups=groups,
        dilation=dilation,
        bias=False,
    )


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1×1 convolution without bias (the projection shortcut)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with BatchNorm, plus the input (projected by ``downsample`` when
    the shape changes): ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import BasicBlock
    >>> BasicBlock(8, 8)(npgrad.randn(2, 8, 5, 5)).shape
    npgrad.Size([2, 8, 5, 5])
    """

    expansion = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
        norm_layer: Callable[[int], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """The ResNet-50/101/152 block: 1×1 (reduce to ``width``), 3×3 (with the stride) and 1×1
    (expand to ``planes * 4``) convolutions with BatchNorm, plus the input (projected by
    ``downsample`` when the shape changes). ``width = planes * base_width / 64 * groups``
    (``groups`` and ``base_width`` give ResNeXt / Wide ResNet blocks).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import Bottleneck
    >>> block = Bottleneck(16, 4)
    >>> block(npgrad.randn(2, 16, 5, 5)).shape
    npgrad.Size([2, 16, 5, 5])
    >>> [name for name, _ in block.named_children()]
    ['conv1', 'bn1', 'conv2', 'bn2', 'conv3', 'bn3', 'relu']
    """

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
        groups: int = 1,
        base_width: int = 64,
        dilation: int = 1,
        norm_layer: Callable[[int], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """A residual network of :class:`BasicBlock` or :class:`Bottleneck` stages.

    Stem (``conv1``, ``bn1``, ``relu``, ``maxpool``), then stage ``i`` (``layer{i+1}``) of
    ``layers[i]`` blocks with ``widths[i]`` channels (stride 2 from the second stage on),
    then global average pooling (``avgpool``) and ``fc``.

    Parameters
    ----------
    block : type, optional
        The residual block (:class:`BasicBlock` or :class:`Bottleneck`).
    layers : sequence of int, optional
        Blocks per stage; ``(2, 2, 2, 2)`` is ResNet-18.
    num_classes : int, optional
        Outputs of ``fc``.
    in_channels : int, optional
        Channels of the input.
    widths : sequence of int, optional
        Channels of each stage (same length as ``layers``).
    small_input : bool, optional
        Use a 3×3 stride-1 stem without max pooling (for 8–32 pixel images) instead of
        torchvision's 7×7 stride-2 convolution and 3×3 stride-2 max pooling.
    zero_init_residual : bool, optional
        Start each block's last BatchNorm at weight 0, so blocks begin as identities.
    norm_layer : callable, optional
        Normalisation layer factory (``nn.BatchNorm2d``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import ResNet
    >>> net = ResNet(layers=(1, 1), widths=(8, 16), num_classes=3, in_channels=1,
    ...              small_input=True)
    >>> net(npgrad.randn(2, 1, 8, 8)).shape
    npgrad.Size([2, 3])
    >>> [k for k in net.state_dict() if k.startswith("layer2.0.downsample")][:2]
    ['layer2.0.downsample.0.weight', 'layer2.0.downsample.1.weight']
    """

    def __init__(
        self,
        block: type[BasicBlock] | type[Bottleneck] = BasicBlock,
        layers: Sequence[int] = (2, 2, 2, 2),
        num_classes: int = 1000,
        in_channels: int = 3,
        widths: Sequence[int] = (64, 128, 256, 512),
        small_input: bool = False,
        zero_init_residual: bool = False,
        norm_layer: Callable[[int], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        if len(layers) != len(widths) or not layers:
            raise ValueError(
                f"ResNet: layers {tuple(layers)} and widths {tuple(widths)} must be non-empty "
                "and of the same length (one entry per stage)"
            )
        if any(n < 1 for n in layers) or any(w < 1 for w in widths):
            raise ValueError(f"ResNet: layers and widths must be positive, got {layers}, {widths}")
        self._norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        self.inplanes = widths[0]
        if small_input:
            self.conv1 = conv3x3(in_channels, widths[0])
            self.bn1 = self._norm_layer(widths[0])
            self.relu = nn.ReLU(inplace=True)
            self.maxpool: nn.Module = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(
                in_channels, widths[0], kernel_size=7, stride=2, padding=3, bias=False
            )
            self.bn1 = self._norm_layer(widths[0])
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.num_stages = len(layers)
        for i, (width, blocks) in enumerate(zip(widths, layers)):
            stage = self._make_layer(block, width, blocks, stride=1 if i == 0 else 2)
            self.add_module(f"layer{i + 1}", stage)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[-1] * block.expansion, num_classes)
        # torchvision's initialisation: He-normal convolutions (fan_out), unit BatchNorms
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(
        self,
        block: type[BasicBlock] | type[Bottleneck],
        planes: int,
        blocks: int,
        stride: int = 1,
    ) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                self._norm_layer(planes * block.expansion),
            )
        stages = [block(self.inplanes, planes, stride, downsample, norm_layer=self._norm_layer)]
        self.inplanes = planes * block.expansion
        stages += [
            block(self.inplanes, planes, norm_layer=self._norm_layer) for _ in range(1, blocks)
        ]
        return nn.Sequential(*stages)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(self.num_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        x = self.avgpool(x)
        return self.fc(x.flatten(1))


def resnet8(num_classes: int = 10, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-8 for small images: a 3×3 stem and three stages of one block with 16, 32 and 64
    channels (He et al.'s CIFAR family, 6n + 2 layers with n = 1). ``widths=`` changes them.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import resnet8
    >>> resnet8(in_channels=1)(npgrad.randn(2, 1, 8, 8)).shape
    npgrad.Size([2, 10])
    """
    kwargs.setdefault("widths", (16, 32, 64))
    kwargs.setdefault("small_input", True)
    return ResNet(BasicBlock, (1, 1, 1), num_classes=num_classes, in_channels=in_channels, **kwargs)


def resnet18(num_classes: int = 1000, in_channels: int = 3, **kwargs: Any) -> ResNet:
    """ResNet-18: four stages of two blocks. With the defaults it is torchvision's
    ``resnet18`` (same names and shapes); ``widths=(16, 32, 64, 128)`` or
    ``small_input=True`` make a smaller or small-image variant.

    Examples
    --------
    >>> from npgrad.vision.models import resnet18
    >>> net = resnet18(num_classes=10, widths=(8, 16, 32, 64), small_input=True)
    >>> len(net.state_dict())
    122
    """
    no_pretrained("resnet18", kwargs.pop("weights", None), kwargs)
    return ResNet(
        BasicBlock, (2, 2, 2, 2), num_classes=num_classes, in_channels=in_channels, **kwargs
    )


def _torchvision_resnet(
    name: str,
    block: type[BasicBlock] | type[Bottleneck],
    layers: Sequence[int],
    weights: Any,
    kwargs: dict[str, Any],
) -> ResNet:
    no_pretrained(name, weights, kwargs)
    return ResNet(block, layers, **kwargs)


def resnet34(*, weights: None = None, **kwargs: Any) -> ResNet:
    """ResNet-34 (torchvision's ``resnet34``: :class:`BasicBlock` stages of 3, 4, 6, 3
    blocks). ``weights`` must be None; ``kwargs`` go to :class:`ResNet`.

    Examples
    --------
    >>> from npgrad.vision.models import resnet34
    >>> sum(p.numel() for p in resnet34(num_classes=10, widths=(4, 8, 16, 32)).parameters())
    85022
    """
    return _torchvision_resnet("resnet34", BasicBlock, (3, 4, 6, 3), weights, kwargs)


def resnet50(*, weights: None = None, **kwargs: Any) -> ResNet:
    """ResNet-50 (torchvision's ``resnet50``: :class:`Bottleneck` stages of 3, 4, 6, 3 blocks,
    25,557,032 parameters). ``weights`` must be None; ``kwargs`` go to :class:`ResNet`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.models import resnet50
    >>> net = resnet50(num_classes=5, widths=(4, 8, 16, 32))
    >>> net(npgrad.randn(2, 3, 32, 32)).shape, net.fc.in_features
    (npgrad.Size([2, 5]), 128)
    """
    return _torchvision_resnet("resnet50", Bottleneck, (3, 4, 6, 3), weights, kwargs)


def resnet101(*, weights: None = None, **kwargs: Any) -> ResNet:
    """ResNet-101 (torchvision's ``resnet101``: :class:`Bottleneck` stages of 3, 4, 23, 3
    blocks). ``weights`` must be None.

    Examples
    --------
    >>> from npgrad.vision.models import resnet101
    >>> len(resnet101(widths=(2, 2, 2, 2)).layer3)
    23
    """
    return _torchvision_resnet("resnet101", Bottleneck, (3, 4, 23, 3), weights, kwargs)


def resnet152(*, weights: None = None, **kwargs: Any) -> ResNet:
    """ResNet-152 (torchvision's ``resnet152``: :class:`Bottleneck` stages of 3, 8, 36, 3
    blocks). ``weights`` must be None.

    Examples
    --------
    >>> from npgrad.vision.models import resnet152
    >>> [len(getattr(resnet152(widths=(2, 2, 2, 2)), f"layer{i}")) for i in (1, 2, 3, 4)]
    [3, 8, 36, 3]
    """
    return _torchvision_resnet("resnet152", Bottleneck, (3, 8, 36, 3), weights, kwargs)
