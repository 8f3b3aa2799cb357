"""The collector during a run: off (the run makes almost no reference cycles), back as it was after,
and a collection anyway when a run leaves very many objects behind."""
import gc

from simulation import engine
from simulation.engine import Simulation, collect_if_crowded
from tests.builders.simulation import small_scenario


def test_a_run_switches_the_collector_off_and_leaves_it_as_it_found_it():
    seen = []
    threshold = gc.get_threshold()
    Simulation(small_scenario()).run(inspect=lambda sim: seen.append(gc.isenabled()))
    assert seen == [False]
    assert gc.isenabled() and gc.get_threshold() == threshold and gc.get_freeze_count() == 0


def test_a_crowded_heap_is_collected_even_with_the_collector_off(monkeypatch):
    class Cycle:
        def __init__(self):
            self.me = self

    monkeypatch.setattr(engine, "YOUNG_OBJECTS_BEFORE_COLLECTING", 1_000)
    gc.disable()
    try:
        gc.collect()
        for _ in range(5_000):
            Cycle()
        assert gc.get_count()[0] > 1_000
        collect_if_crowded(None)
        assert gc.get_count()[0] < 1_000
    finally:
        gc.enable()
