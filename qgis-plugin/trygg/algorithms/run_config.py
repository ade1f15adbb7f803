"""A run from a config file: trygg run, everything the config asks for (the batch job of the
municipality's GIS officer), with the report beside the GeoPackage."""
from qgis.core import (QgsProcessingParameterBoolean, QgsProcessingParameterEnum, QgsProcessingParameterFile,
                       QgsProcessingParameterNumber, QgsProcessingParameterString, QgsProcessingParameterDefinition)

from ..texts import t
from .base import TryggAlgorithm


class RunConfig(TryggAlgorithm):
    LANGUAGES = ["sv", "en"]

    def name(self):
        return "run_config"

    def displayName(self):  # noqa: N802
        return t("Run a config file (lägesbild)", "Kör en konfigurationsfil (lägesbild)")

    def shortHelpString(self):  # noqa: N802
        return t("Runs every analysis a Trygg config file asks for, as 'trygg run' does: the GeoPackage (or the "
                 "config's [output] path when no file is given here), the HTML report beside it, and the QGIS "
                 "project stored in the file. Publishing mode hides small counts for a file to hand out.",
                 "Kör alla analyser som en konfigurationsfil för Trygg anger, som 'trygg run': GeoPackagen (eller "
                 "konfigurationens [output] path om ingen fil anges här), HTML-rapporten bredvid och QGIS-projektet "
                 "i filen. Publiceringsläget döljer små tal i en fil som ska lämnas ut.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("CONFIG", t("Config file", "Konfigurationsfil"),
                                                     extension="toml"))
        self.addParameter(QgsProcessingParameterBoolean(
            "PUBLISH", t("Publishing mode: hide small counts", "Publiceringsläge: dölj små tal"), defaultValue=False))
        minimum = QgsProcessingParameterNumber("MIN_COUNT", t("Publishing: hide counts from 1 to", "Publicering: dölj tal från 1 till"),
                                               QgsProcessingParameterNumber.Integer, 3, minValue=1, maxValue=100)
        minimum.setFlags(minimum.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(minimum)
        self.addParameter(QgsProcessingParameterEnum("LANGUAGE", t("Language of the report and project",
                                                                   "Språk i rapporten och projektet"),
                                                     ["svenska", "English"], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean("REPORT", t("Write the HTML report", "Skriv HTML-rapporten"),
                                                        defaultValue=True))
        self.addParameter(QgsProcessingParameterString("PERIOD", t("A named period of the config (empty: all)",
                                                                   "En namngiven period i konfigurationen (tomt: alla)"),
                                                       optional=True))
        self.add_output(optional=True)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.output_path(parameters, context)
        args = ["run", self.parameterAsFile(parameters, "CONFIG", context)]
        if output:
            args += ["--out", output, "--overwrite"]
        if self.parameterAsBoolean(parameters, "PUBLISH", context):
            args += ["--publish", "--min-count", str(self.parameterAsInt(parameters, "MIN_COUNT", context))]
        args += ["--language", self.LANGUAGES[self.parameterAsEnum(parameters, "LANGUAGE", context)]]
        if not self.parameterAsBoolean(parameters, "REPORT", context):
            args.append("--no-report")
        period = self.parameterAsString(parameters, "PERIOD", context)
        if period:
            args += ["--period", period]
        return self.run_trygg(args, output, t("Trygg", "Trygg"), parameters, context, feedback)
