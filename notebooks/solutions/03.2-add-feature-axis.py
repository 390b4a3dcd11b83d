def add_feature_axis(x):
    """(batch, time) -> (batch, time, 1): one feature per step, as Masking and the LSTM expect."""
    return x[..., None]
