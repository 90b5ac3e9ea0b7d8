"""The ASGI worker's garbage-collector settings (wccportal.asgi)."""

import gc

import wccportal.asgi  # noqa: F401 - sets the thresholds on import


def test_the_cyclic_collector_never_sweeps_a_million_young_objects_at_once():
    """A worker holds 10,000 chargers' objects: the young generations are collected rarely
    (CPU), but the middle one after every second young collection, so none of its
    collections grows to the 0.5–1 s pause that 20 young collections' survivors cost."""
    young, middle, _old = gc.get_threshold()
    assert young >= 10_000
    assert young * middle <= 100_000
