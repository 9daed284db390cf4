"""Workbench for how news outlets position a political actor, and who gets to speak.

Data flows one way, each module owning one tidy table (column contracts in
:mod:`analysis.schemas`)::

    corpus -> text -> quotes -> sentiment / frames -> positioning -> charts

>>> from analysis.corpus import load_articles
>>> from analysis.text import sentences
"""

__version__ = "0.1.0"
