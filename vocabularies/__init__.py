"""SKOS vocabularies (Turtle files in this directory) and their rdflib loader."""

from vocabularies.loader import concept_labels, concepts, load, pref_label

__all__ = ["concept_labels", "concepts", "load", "pref_label"]
