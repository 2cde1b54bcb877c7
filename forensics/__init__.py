"""Quzheng's Qt-free core: everything that decides what evidence is and whether it is intact."""

__version__ = "0.1.0"
