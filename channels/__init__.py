"""Channel adapters: one per way customers reach us, looked up by name in `REGISTRY`."""

from __future__ import annotations

from collections.abc import Callable

from channels.base import Channel

ChannelFactory = Callable[[dict], Channel]

REGISTRY: dict[str, ChannelFactory] = {}


def register(name: str, factory: ChannelFactory) -> None:
    """Make the adapter built by `factory(settings)` available under `name`."""
    REGISTRY[name] = factory


def get_channel(name: str, settings: dict | None = None) -> Channel:
    """Build the adapter registered as `name`; KeyError names the unknown channel."""
    try:
        factory = REGISTRY[name]
    except KeyError:
        raise KeyError(f"no channel adapter registered as {name!r}") from None
    return factory(settings or {})
