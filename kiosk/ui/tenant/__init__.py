"""The tenant stall screen (room ``tenant-N``)."""
