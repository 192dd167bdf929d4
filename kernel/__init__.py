"""The kernel: the event bus, the topic catalogue and what every module shares (codec, units,
geodesy, settings, recording). It imports no module; every module and ui/ import it."""
