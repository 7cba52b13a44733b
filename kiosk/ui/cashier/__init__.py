"""The cashier counter screen (room ``kasir-N``)."""
