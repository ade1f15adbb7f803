"""A kernel density surface and its densest areas: trygg kde."""
from qgis.core import QgsProcessingParameterEnum, QgsProcessingParameterNumber, QgsProcessingParameterString

from ..texts import t
from .base import TryggAlgorithm
from .hotspots import incidents_arguments, incidents_parameters


class Density(TryggAlgorithm):
    KERNELS = ["quartic", "epanechnikov", "triangular", "uniform", "gaussian"]

    def name(self):
        return "density"

    def displayName(self):  # noqa: N802
        return t("Kernel density and its densest areas", "Kärntäthet och de tätaste områdena")

    def shortHelpString(self):  # noqa: N802
        return t("A kernel density surface of the incidents (per km², as QGIS's Heatmap with its raw output "
                 "scaled) and the densest 1, 5 and 10 % of the area outlined, as 'trygg kde' does. The bandwidth "
                 "is ArcGIS Pro's rule unless given.",
                 "En täthetsyta för händelserna (per km²) och de tätaste 1, 5 och 10 % av ytan avgränsade, som "
                 "'trygg kde'. Bandbredden följer ArcGIS Pros regel om den inte anges.")

    def initAlgorithm(self, config=None):  # noqa: N802
        incidents_parameters(self, times=False)
        self.addParameter(QgsProcessingParameterEnum("KERNEL", t("Kernel", "Kärna"), self.KERNELS, defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "BANDWIDTH", t("Bandwidth in metres (0: ArcGIS Pro's rule)", "Bandbredd i meter (0: ArcGIS Pros regel)"),
            QgsProcessingParameterNumber.Double, 0, minValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "PIXEL", t("Pixel size in metres (0: a sixteenth of the bandwidth)",
                       "Pixelstorlek i meter (0: en sextondel av bandbredden)"),
            QgsProcessingParameterNumber.Double, 0, minValue=0))
        self.addParameter(QgsProcessingParameterString(
            "TOP_PERCENT", t("Densest shares of the area to outline, in %", "Tätaste andelar av ytan att avgränsa, i %"),
            "1 5 10", optional=True))
        self.add_output()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.output_path(parameters, context)
        args = ["kde"] + incidents_arguments(self, parameters, context, feedback, times=False)
        args += ["--kernel", self.KERNELS[self.parameterAsEnum(parameters, "KERNEL", context)]]
        bandwidth = self.parameterAsDouble(parameters, "BANDWIDTH", context)
        args += ["--bandwidth", "%g" % bandwidth if bandwidth > 0 else "arcgis"]
        pixel = self.parameterAsDouble(parameters, "PIXEL", context)
        if pixel > 0:
            args += ["--pixel", "%g" % pixel]
        shares = self.parameterAsString(parameters, "TOP_PERCENT", context).replace(",", " ").split()
        args += (["--top-percent"] + shares) if shares else ["--no-areas"]
        args += ["--out", output, "--overwrite"]
        return self.run_trygg(args, output, t("Trygg: density", "Trygg: täthet"), parameters, context, feedback)
