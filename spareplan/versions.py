"""Versions of spareplan and the packages whose behaviour a result depends on."""

from __future__ import annotations

#: spareplan's version (re-exported as ``spareplan.__version__``).
__version__ = "0.1.0"

_PACKAGES = ("spareplan", "numpy", "scipy", "pandas", "numba", "pulp", "highspy")


def package_versions() -> dict[str, str]:
    """Installed versions (``"not installed"`` when absent) and the Python version.

    ``importlib.metadata`` is imported here, not with the module: every command (and
    ``--version``) imports this module, only a written summary needs the versions.
    """
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
