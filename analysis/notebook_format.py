"""The committed form of a notebook, kept when JupyterLab saves one and restored by ``make strip-notebooks``.

A notebook opened in JupyterLab is changed before anyone touches it: once its
kernel starts, JupyterLab fills ``metadata.language_info`` with the kernel's
Python version, CodeMirror mode and file extension, marks the notebook dirty
and autosaves it, so merely opening one would leave a diff that differs per
machine. :func:`normalize_on_save` is a Jupyter server ``pre_save_hook``
(enabled by ``jupyter-config/jupyter_server_config.json``, which ``make``
copies into the environment's ``etc/jupyter/``) that keeps only the
language's name there. Outputs are left alone on save (you keep them while you
work); :func:`strip_notebook` removes them, as ``make strip-notebooks`` does.

>>> nb = {"metadata": {"language_info": {"name": "python", "version": "3.11.7"}}, "cells": []}
>>> normalize_on_save({"type": "notebook", "content": nb})
>>> nb["metadata"]
{'language_info': {'name': 'python'}}
"""

from __future__ import annotations

STABLE_LANGUAGE_INFO = ("name",)
"""Keys of ``metadata.language_info`` kept: the rest (version, lexer, mime type) depends on the machine."""
RUN_METADATA = ("papermill", "execution")
"""Metadata that records a run (papermill's parameters and timings, JupyterLab's execution timing)."""


def normalize_metadata(nb: dict) -> None:
    """Keep only the stable part of the notebook's ``language_info`` (in place)."""
    metadata = nb.setdefault("metadata", {})
    info = metadata.get("language_info")
    if isinstance(info, dict):
        metadata["language_info"] = {k: info[k] for k in STABLE_LANGUAGE_INFO if k in info}


def strip_notebook(nb: dict) -> None:
    """Remove outputs, execution counts and run metadata, and normalise the metadata (in place).

    >>> nb = {"metadata": {"papermill": {}}, "cells": [{"cell_type": "code", "outputs": [1], "execution_count": 3, "metadata": {}}]}
    >>> strip_notebook(nb); nb
    {'metadata': {}, 'cells': [{'cell_type': 'code', 'outputs': [], 'execution_count': None, 'metadata': {}}]}
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in RUN_METADATA:
            cell.get("metadata", {}).pop(key, None)
    for key in RUN_METADATA:
        nb.get("metadata", {}).pop(key, None)
    normalize_metadata(nb)


def normalize_on_save(model: dict, **_: object) -> None:
    """Jupyter server ``pre_save_hook``: a notebook is written with its stable metadata only."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        normalize_metadata(model["content"])
