"""Trygg in the Processing Toolbox, with its one setting: where the trygg program is."""
from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import process
from .algorithms.density import Density
from .algorithms.hotspots import HotSpots
from .algorithms.run_config import RunConfig
from .algorithms.situation import Situation


class TryggProvider(QgsProcessingProvider):
    def __init__(self):
        super().__init__()
        self._version = ""

    def id(self):
        return "trygg"

    def name(self):
        return "Trygg"

    def longName(self):  # noqa: N802
        return "Trygg" + (" (" + self._version + ")" if self._version else "")

    def icon(self):
        return QIcon(process.plugin_file("icon.svg"))

    def load(self):
        process.add_settings(self.name(), self.icon())
        self._version = process.version()  # once: the toolbox asks for the long name often
        self.refreshAlgorithms()
        return True

    def unload(self):
        process.remove_settings()

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in (HotSpots(), Density(), Situation(), RunConfig()):
            self.addAlgorithm(algorithm)

    def supportedOutputVectorLayerExtensions(self):  # noqa: N802
        return ["gpkg"]

