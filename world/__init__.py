"""The pure core of Cloud Park: catalogue, layouts, geometry, simulation, protocol.

Nothing here does I/O, reads a clock or uses global randomness: time and random
generators are passed in, bytes come in and go out.
"""
