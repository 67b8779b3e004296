"""Parsing what people type: numbers, money, dates, encodings, contact checks."""
