"""The demo workspace: a deterministic generator and its word tables."""

from crm.demo.generator import DEMO_AS_OF, generate_demo

__all__ = ["DEMO_AS_OF", "generate_demo"]
