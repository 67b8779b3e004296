"""Vocabularies: platforms and links, countries and languages, kinds, formats, stages, provenances."""
