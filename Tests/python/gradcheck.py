"""Central finite differences, shared by the gradient tests."""
import numpy as np

STEP = 1e-6


def finite_difference(f, x, step=STEP):
    """d f / d x by central differences, element by element, in float64.

    f maps a float64 array of x's shape to a float; x itself is not modified."""
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + step
        up = f(x)
        x[index] = saved - step
        down = f(x)
        x[index] = saved
        grad[index] = (up - down) / (2 * step)
    return grad
