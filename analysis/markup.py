"""Put computed text (outlet names, labels, quotes, file names) into Markdown and HTML safely.

Findings are Markdown built from the data, so an outlet named
``[x](javascript:alert(1))`` or a quote holding ``<script>`` would otherwise
become a live link or live HTML in the notebook and the report. Every value
that comes from the data goes through :func:`escape_markdown`; the charts'
JSON goes through :func:`escape_script_json` before it sits in a ``<script>``.

>>> escape_markdown("[x](javascript:alert(1)) <b>*bold*</b>")
'\\\\[x\\\\](javascript:alert(1)) &lt;b&gt;\\\\*bold\\\\*&lt;/b&gt;'
"""

from __future__ import annotations

import json
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def escape_markdown(value) -> str:
    """``value`` as literal text in Markdown: no link, emphasis, code, math, table cell or HTML; one line.

    Backslash escapes for Markdown's marks (``\\ ` * _ [ ] | ~ $``), entities
    for ``& < >`` (read as text by CommonMark, JupyterLab and nbconvert alike);
    line breaks become spaces, so a value cannot start a heading or a list.

    >>> escape_markdown("Daily_Ledger & Co\\n# not a heading")
    'Daily\\\\_Ledger &amp; Co # not a heading'
    """
    text = " ".join(str(value).split()) if "\n" in str(value) or "\r" in str(value) else str(value)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_script_json(data) -> str:
    """``data`` as JSON that is safe inside ``<script>...</script>``: ``< > &`` as ``\\uXXXX`` escapes (non-ASCII too, by json.dumps).

    No ``</script>`` or ``<!--`` can then end or disturb the script element,
    and ``JSON.parse`` (or a JS literal) gives back the same strings.

    >>> escape_script_json({"title": "<!--<script>"})
    '{"title": "\\\\u003c!--\\\\u003cscript\\\\u003e"}'
    """
    return re.sub("[<>&]", lambda m: _SCRIPT_UNSAFE[m.group()], json.dumps(data))
