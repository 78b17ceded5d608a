"""A short tour of npgrad's autograd: gradients of an expression, then a line fitted by hand.

Run it with `nox -s demo`, or with `python examples/autograd_tour.py` where npgrad is installed.
"""

import npgrad as ng


def gradient_of_an_expression() -> None:
    x = ng.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x + 2 * x).sum()
    y.backward()
    print("y = sum(x*x + 2*x) at x = [1, 2, 3] is", y.item())
    print("dy/dx =", x.grad, " (expected 2*x + 2 = [4, 6, 8])")


def fit_a_line(steps: int = 200, lr: float = 0.1) -> None:
    # Noise-free points on y = 3x - 0.5; gradient descent should recover both numbers.
    xs = ng.linspace(-1.0, 1.0, 21)
    ys = 3.0 * xs - 0.5
    w = ng.tensor(0.0, requires_grad=True)
    b = ng.tensor(0.0, requires_grad=True)
    for step in range(steps):
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with ng.no_grad():  # the update itself must not be recorded in the graph
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss.item():.6f}  w {w.item():+.4f}  b {b.item():+.4f}")
    print(f"fitted y = {w.item():.3f} x {b.item():+.3f}   (true: y = 3.000 x -0.500)")


if __name__ == "__main__":
    gradient_of_an_expression()
    print()
    fit_a_line()
