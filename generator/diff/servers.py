"""Server rules: the list of server URLs changed."""

from __future__ import annotations

from generator.diff.change import Comparison
from generator.diff.registry import WARNING, rule

SERVERS_CHANGED = rule("servers-changed", (WARNING,), "the server URLs changed", "servers")


def compare_servers(comparison: Comparison) -> None:
    old = [server.url for server in comparison.old.servers]
    new = [server.url for server in comparison.new.servers]
    if old != new:
        comparison.add("servers", SERVERS_CHANGED, WARNING, f"servers {old} became {new}", "/servers", "/servers")
