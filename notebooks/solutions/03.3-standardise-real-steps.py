import numpy as np


def standardise_real_steps(x, mask):
    """Standardise each feature with the statistics of the real steps; padded steps stay 0."""
    real = x[mask]  # (n_real_steps, features)
    standardised = (x - real.mean(axis=0)) / real.std(axis=0)
    return np.where(mask[..., None], standardised, 0.0)
