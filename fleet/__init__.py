"""The fleet link: telemetry to an MQTT broker that loses nothing, and remote commands."""
