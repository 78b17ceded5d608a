"""Computer-vision helpers for npgrad.

Folder datasets, MNIST/Digits/LFW, Siamese-network utilities, models and image utilities.

Ships in the ``npgrad-vision`` distribution; ``import npgrad`` comes from ``npgrad-core``.
"""

__all__: list[str] = []
