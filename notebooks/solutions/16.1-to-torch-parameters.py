def to_torch_parameters(kernel, recurrent_kernel, bias):
    """Keras LSTM weights (gates i, f, c, o along the last axis) -> torch.nn.LSTM's four parameters."""
    return {
        "weight_ih": kernel.T,  # (features, 4 * units) -> (4 * units, features); the gate order is the same
        "weight_hh": recurrent_kernel.T,  # (units, 4 * units) -> (4 * units, units)
        "bias_ih": bias,  # PyTorch adds two biases: one holds Keras's bias ...
        "bias_hh": 0.0 * bias,  # ... the other is zero, so that their sum is Keras's bias
    }
