"""Qt screens: the only layer that imports Qt."""
