def build_vocabulary(words):
    """Each distinct word -> an id from 1 to the number of distinct words; 0 stays free for padding."""
    distinct = dict.fromkeys(words)  # the distinct words, in order of first appearance
    return {word: i for i, word in enumerate(distinct, start=1)}
