"""The nptorch README's code snippets run with only their import lines changed.

``import nptorch as nt`` became ``import npgrad as nt``, ``from nptorch import nn`` became
``from npgrad import nn`` and ``from nptorch.optim import SGD`` became
``from npgrad.optim import SGD``. The nptorch-only ``print(y.children)`` is the one line left out.
"""

from __future__ import annotations

import numpy as np


def test_basic_usage(capsys):
    import npgrad as nt

    x = nt.tensor([1.0, 2.0, 3.0], dtype=nt.float32, requires_grad=True)
    y = nt.tensor([2.0, 3.0, 4.0], dtype=nt.float32)
    print(x)
    print(type(x))

    x = x.int()
    x = x.long()

    a = x + y
    b = x.matmul(y)
    b = x.outer(y)

    x = nt.random.rand(3, 4, dtype=nt.float32, requires_grad=True)
    y = nt.random.normal(mean=0.0, std=1.0, size=(3, 4))

    out = capsys.readouterr().out
    assert "tensor([1., 2., 3.], requires_grad=True)" in out
    assert "npgrad.tensor.Tensor" in out
    assert a.tolist() == [3.0, 5.0, 7.0] and b.shape == (3, 3)
    assert x.shape == (3, 4) and x.requires_grad and y.shape == (3, 4)


def test_autograd_and_no_grad(capsys):
    import npgrad as nt

    x = nt.tensor([1.0, 2.0, 3.0], dtype=nt.float32, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.sum().backward()
    print(y.grad)
    print(x.grad)
    with nt.no_grad():
        y = x * 2
        print(type(y.grad_fn))
    y = x * 2
    print(type(y.grad_fn))

    @nt.no_grad()
    def f():
        x = nt.tensor([1.0, 2, 3], requires_grad=True)
        y = x * 2
        print(type(y.grad_fn))

    f()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "tensor([1., 1., 1.])"
    assert lines[1] == "tensor([2., 2., 2.])"
    assert lines[2] == "<class 'NoneType'>"
    assert "MulBackward" in lines[3]
    assert lines[4] == "<class 'NoneType'>"


def test_cnn_and_sgd():
    import npgrad
    from npgrad import nn
    from npgrad.optim import SGD

    class CNN(nn.Module):
        def __init__(self):
            super(CNN, self).__init__()  # noqa: UP008 - the README's own code
            self.layer1 = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=(1, 1)),
                nn.MaxPool2d(2),
                nn.ReLU(),
                nn.Conv2d(16, 32, 3, padding=(1, 1)),
                nn.MaxPool2d(2),
                nn.ReLU(),
                nn.Conv2d(32, 64, 3, padding=(1, 1)),
                nn.MaxPool2d(2),
                nn.ReLU(),
            )
            self.layer2 = nn.Sequential(
                nn.Linear(64 * 9, 128),
                nn.Dropout(0.5),
                nn.ReLU(),
                nn.Linear(128, 64),
                nn.ReLU(),
                nn.Linear(64, 10),
            )

        def forward(self, x):
            x = self.layer1(x)
            x = x.reshape(x.shape[0], -1)
            x = self.layer2(x)
            return x

    cnn = CNN()
    optimizer = SGD(cnn.parameters(), lr=1e-2, momentum=0.9)

    # and it trains: a few steps on a fixed batch lower the loss
    npgrad.manual_seed(0)
    images = npgrad.randn(8, 1, 24, 24)
    labels = npgrad.tensor(np.arange(8) % 10)
    loss_fn = nn.CrossEntropyLoss()
    cnn.eval()  # no dropout noise: the loss must fall monotonically enough to compare
    first = None
    for _ in range(5):
        optimizer.zero_grad()
        loss = loss_fn(cnn(images), labels)
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
    assert cnn(images).shape == (8, 10)
    assert loss_fn(cnn(images), labels).item() < first
