"""Workbench for how news outlets position a political actor, and who gets to speak.

Data flows one way; each table has its schema in the module that makes it::

    corpus -> stages (text, quotes, sentiment, treatment, frames) -> tables -> views / measures -> charts / findings

:mod:`analysis.stages` is the one place the per-article work is chained, for
notebooks (:func:`analysis.tables.load_tables`) and batch runs
(:func:`analysis.pipeline.run`) alike. README.md's layout table says which
module does what.

>>> from analysis.corpus import load_articles
>>> from analysis.tables import load_tables
"""

__version__ = "0.1.0"
