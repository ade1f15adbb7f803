"""Trygg's Processing provider for QGIS: the trygg program's analyses in the Processing Toolbox."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import TryggPlugin
    return TryggPlugin(iface)
