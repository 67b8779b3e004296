"""The one import engine: read and sniff, map, normalise, plan, write, report; one module per kind."""
