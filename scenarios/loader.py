"""Read a scenario file: YAML → defaults merged in → every key validated → `Scenario`.

Mappings in the file merge into the defaults key by key (give only what differs); lists replace
the default list. A variant's `overrides` merge into the scenario the same way. Everything,
variants and transit overrides included, is validated before a run starts; a bad file raises
`ScenarioError` naming each key at fault, e.g.::

    scenarios/x.yaml: demand.chanels: unknown key (did you mean "channels"?)
    scenarios/x.yaml: allocation.walk_in: unknown key here (it belongs at demand.walk_in)
"""
from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from oms.exceptions import OmsError
from scenarios import schema
from warehouses.transit_params import DEFAULT_TRANSIT_PARAMS, deep_merge

SCENARIO_DIR = Path(__file__).resolve().parent


class ScenarioError(OmsError):
    """A scenario file that cannot describe a run; `errors` lists (key, problem) pairs."""

    def __init__(self, source: str, errors: list[tuple[str, str]]):
        lines = [f"{key}: {problem}" if key else problem for key, problem in errors]
        super().__init__(f"{source}: " + ("\n  ".join([""] + lines) if len(lines) > 1 else lines[0]),
                         field=errors[0][0] if errors else None)
        self.errors = errors


def load_scenario(path: str | Path) -> schema.Scenario:
    """The scenario in a YAML file (a bare name such as ``baseline`` means scenarios/baseline.yaml)."""
    path = resolve_path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError(str(path), [("", f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")]) from None
    if not isinstance(document, dict):
        raise ScenarioError(str(path), [("", "a scenario file must be a mapping of keys to values")])
    scenario = parse_scenario(document, source=str(path))
    return _anchor_files(scenario, path.parent)


def resolve_path(path: str | Path) -> Path:
    candidate = Path(path)
    if not candidate.exists() and not candidate.suffix:
        candidate = SCENARIO_DIR / f"{candidate}.yaml"
    if not candidate.exists():
        raise ScenarioError(str(path), [("", "no such scenario file")])
    return candidate


def parse_scenario(document: dict, *, source: str = "<scenario>") -> schema.Scenario:
    """Validate a scenario document (defaults merged in), its transit overrides and every variant."""
    scenario = _validate(deep_merge(default_document(), document), source, prefix="")
    for i, variant in enumerate(scenario.variants):
        apply_variant(scenario, variant.name, source=source, prefix=f"variants[{i}].overrides.")
    return scenario


def default_document() -> dict:
    return schema.Scenario(name="default").model_dump(mode="json", exclude={"name"})


def apply_variant(scenario: schema.Scenario, name: str, *, source: str = "<scenario>",
                  prefix: str = "") -> schema.Scenario:
    """The scenario with the named variant's overrides merged in (its own variants dropped)."""
    variant = next((v for v in scenario.variants if v.name == name), None)
    if variant is None:
        known = ", ".join(v.name for v in scenario.variants) or "none"
        raise ScenarioError(source, [("variants", f"no variant {name!r} (variants: {known})")])
    base = scenario.model_dump(mode="json", exclude={"variants"})
    merged = deep_merge(base, variant.overrides)
    merged["name"] = f"{scenario.name}/{variant.name}"
    return _validate(merged, source, prefix=prefix)


def _validate(document: dict, source: str, prefix: str) -> schema.Scenario:
    try:
        scenario = schema.Scenario.model_validate(document)
    except ValidationError as exc:
        raise ScenarioError(source, [(prefix + _key(e["loc"]), _problem(e)) for e in exc.errors()]) from None
    try:
        DEFAULT_TRANSIT_PARAMS.with_overrides(scenario.fulfilment.transit)
    except ValidationError as exc:
        raise ScenarioError(source, [(prefix + "fulfilment.transit." + _key(e["loc"]), _problem(e))
                                     for e in exc.errors()]) from None
    return scenario


def _anchor_files(scenario: schema.Scenario, folder: Path) -> schema.Scenario:
    """Relative file paths in the scenario are relative to the scenario file."""
    def anchored(value: str | None) -> str | None:
        if value is None or Path(value).is_absolute():
            return value
        return str((folder / value).resolve())

    network = scenario.network
    if network.file is not None:
        network = network.model_copy(update={"file": anchored(network.file)})
    demand = scenario.demand
    if demand.replay is not None and demand.replay.path is not None:
        demand = demand.model_copy(update={"replay": demand.replay.model_copy(
            update={"path": anchored(demand.replay.path)})})
    return scenario.model_copy(update={"network": network, "demand": demand})


def _key(loc: tuple) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            key += ("." if key else "") + str(part)
    return key


def _problem(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        name = str(error["loc"][-1])
        elsewhere = _known_paths().get(name)
        if elsewhere:  # a real key, in the wrong section
            return "unknown key here (it belongs at " + " or ".join(elsewhere) + ")"
        close = difflib.get_close_matches(name, sorted(_known_paths()), n=1)
        return "unknown key" + (f' (did you mean "{close[0]}"?)' if close else "")
    return error["msg"].removeprefix("Value error, ")


@functools.lru_cache(maxsize=1)
def _known_paths() -> dict[str, list[str]]:
    """Every scenario key by name: where it goes (dotted; `<name>` where the file names the key, `[i]` an item)."""
    found: dict[str, list[str]] = {}

    def walk(model: type[BaseModel], path: str) -> None:
        for name, info in model.model_fields.items():
            here = f"{path}.{name}" if path else name
            found.setdefault(name, []).append(here)
            for suffix, inner in _models_in(info.annotation):
                walk(inner, here + suffix)

    walk(schema.Scenario, "")
    return {name: sorted(set(paths)) for name, paths in found.items()}


def _models_in(annotation: Any, suffix: str = ""):
    """(path suffix, model) for each model a field's type holds: in a mapping's values, a sequence's items
    or a union's members."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield suffix, annotation
        return
    origin, args = getattr(annotation, "__origin__", None), getattr(annotation, "__args__", ()) or ()
    if origin is dict and len(args) == 2:
        yield from _models_in(args[1], suffix + ".<name>")
    elif origin in (tuple, list, set, frozenset):
        for arg in args:
            if arg is not Ellipsis:
                yield from _models_in(arg, suffix + "[i]")
    else:
        for arg in args:
            yield from _models_in(arg, suffix)
