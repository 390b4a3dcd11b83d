import numpy as np


def bucketed_padding_fraction(lengths, boundaries, batch_size):
    """The padded share of all cells when tf.data's bucket_by_sequence_length batches ``lengths``.

    A length goes to bucket i when boundaries[i-1] <= length < boundaries[i]. Inside a bucket the
    sequences keep their order and are cut into batches of ``batch_size``; each batch is padded to
    its own longest sequence.
    """
    lengths = np.asarray(lengths)
    buckets = np.searchsorted(boundaries, lengths, side="right")
    cells = 0
    for bucket in np.unique(buckets):
        members = lengths[buckets == bucket]
        for start in range(0, len(members), batch_size):
            batch = members[start:start + batch_size]
            cells += len(batch) * batch.max()
    return 1 - lengths.sum() / cells
