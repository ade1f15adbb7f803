"""What every Trygg algorithm shares: the layers chosen in the project handed to trygg as files,
the program run with QGIS's feedback, and the finished GeoPackage loaded with its styles."""
import os

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFileDestination, QgsProcessingException)

from .. import process, results
from ..texts import t

# What trygg reads directly; anything else (a memory layer, a selection, a web service) is
# written to a GeoPackage first by Processing.
READABLE = ["gpkg", "shp", "csv", "xlsx", "geojson", "json", "fgb", "sqlite", "gml", "kml", "tab", "mif"]


class TryggAlgorithm(QgsProcessingAlgorithm):
    OUTPUT = "OUTPUT"
    LOAD = "LOAD"

    def __init__(self):
        super().__init__()
        self._finished = None  # (GeoPackage, title) to load after the run

    def createInstance(self):  # noqa: N802
        return type(self)()

    def helpUrl(self):  # noqa: N802
        return "https://github.com/trygg/trygg#in-qgis"

    def add_output(self, optional=False):
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, t("Results (GeoPackage)", "Resultat (GeoPackage)"), "GeoPackage (*.gpkg)",
            optional=optional, createByDefault=not optional))
        self.addParameter(QgsProcessingParameterBoolean(
            self.LOAD, t("Open the results in the project, with their styles",
                         "Öppna resultaten i projektet, med sina stilar"), defaultValue=True))

    def layer_file(self, parameters, name, context, feedback):
        """The chosen layer as (path, layer name) trygg can read; None when none was chosen."""
        if parameters.get(name) is None or self.parameterAsSource(parameters, name, context) is None:
            return None
        return self.parameterAsCompatibleSourceLayerPathAndLayerName(parameters, name, context, READABLE, "gpkg",
                                                                     feedback)

    def output_path(self, parameters, context):
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if path and not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        return path

    def run_trygg(self, arguments, output, title, parameters, context, feedback):
        summary = process.run(arguments, feedback)
        written = [f for f in process.written_files(summary) if f.lower().endswith(".gpkg")]
        output = output or (written[0] if written else "")
        if not output or not os.path.exists(output):
            raise QgsProcessingException(t("Trygg finished but no GeoPackage was found", "Trygg blev klar men ingen "
                                           "GeoPackage hittades") + ": " + (output or "?"))
        if self.parameterAsBoolean(parameters, self.LOAD, context):
            self._finished = (output, title)
        return {self.OUTPUT: output}

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802 (runs in the main thread)
        if self._finished and context.project() is not None:
            gpkg, title = self._finished
            layers = results.load(gpkg, context.project(), title, feedback)
            feedback.pushInfo(t("%d layers opened from %s", "%d lager öppnade från %s") % (len(layers), gpkg))
        return {}


def point_types():
    return [QgsProcessing.TypeVectorPoint]


def polygon_types():
    return [QgsProcessing.TypeVectorPolygon]
