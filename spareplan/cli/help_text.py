"""A command's ``--help`` text from its function's docstring.

The docstrings are written for the API reference (numpydoc sections, reST roles such as
``:func:`x```); ``--help`` is read at a terminal. :func:`command_help` keeps what comes
before the first numpydoc section (``Returns``, ``Parameters``, ...: a title underlined
with dashes) and turns each reST role into its plain target, so that neither section
rulers nor ``:class:`` markup shows in ``spareplan plan --help``. The application renders
help as Markdown (``rich_markup_mode="markdown"``): double backquotes then show as code,
and square brackets such as ``[costs]`` stay visible (rich markup would take them for
style tags and drop them). An angle bracket outside code (``DIR/<variant>/``) is escaped:
Markdown took ``<variant>`` for an HTML tag and dropped it.
"""

from __future__ import annotations

import inspect
import re

__all__ = ["command_help"]

#: ``:func:`spareplan.plan``` or ``:class:`~spareplan.errors.InputError```.
_ROLE = re.compile(r":(?:[a-z]+:)?[a-z]+:`~?([^`]+)`")
#: A code span (``like this``), where Markdown shows every character as it is.
_CODE = re.compile(r"(``.+?``)", re.S)
#: A numpydoc section title: a line, then a line of dashes as long.
_SECTION = re.compile(r"^\s*\S.*\n\s*-{3,}\s*$", re.M)


def command_help(docstring: str) -> str:
    """A command function's docstring up to its first numpydoc section, roles as plain
    text (``:func:`x``` -> ``x``, shown as code), indentation removed."""
    text = inspect.cleandoc(docstring)
    section = _SECTION.search(text)
    if section is not None:
        text = text[:section.start()]
    text = _ROLE.sub(lambda match: f"``{match.group(1)}``", text).strip()
    return "".join(part if part.startswith("``") else part.replace("<", "\\<")
                   for part in _CODE.split(text))
