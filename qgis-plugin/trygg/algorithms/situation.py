"""The lägesbild from the project's layers: the main analyses of a config (hot spots, clusters,
density, perceived safety against incidents, rates per area, change between two periods, emerging
hot spots) chosen with Processing parameters. The config is written for trygg run, and can be
kept to run the same analysis again in batch."""
import json
import os
import tempfile

from qgis.core import (QgsProcessingParameterBoolean, QgsProcessingParameterDateTime, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterNumber, QgsProcessingException)

from ..texts import t
from .base import TryggAlgorithm, point_types, polygon_types
from .hotspots import incidents_parameters


def _q(text):
    """A TOML string (JSON's escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _source(path_layer):
    path, layer = path_layer
    return "path = %s\n" % _q(path) + ("layer = %s\n" % _q(layer) if layer else "")


class Situation(TryggAlgorithm):
    LANGUAGES = ["sv", "en"]

    def name(self):
        return "situation"

    def displayName(self):  # noqa: N802
        return t("Lägesbild from the project's layers", "Lägesbild från projektets lager")

    def shortHelpString(self):  # noqa: N802
        return t("The main analyses of a lägesbild on the layers chosen here: hot spots (Gi*) with their areas, "
                 "and as chosen clusters and outliers, a density surface, residents' perceived safety against the "
                 "incidents, rates per area, the change between two periods and emerging hot spots. Writes a Trygg "
                 "config and runs it ('trygg run'); keep the config to run the same analysis again in batch. The "
                 "report is written beside the GeoPackage.",
                 "Lägesbildens huvudanalyser på lagren som väljs här: hot spots (Gi*) med sina områden och, om de "
                 "väljs, kluster och avvikare, en täthetsyta, invånarnas upplevda trygghet mot händelserna, tal per "
                 "område, förändringen mellan två perioder och framväxande hot spots. Skriver en konfiguration för "
                 "Trygg och kör den ('trygg run'); spara konfigurationen för att köra samma analys igen. Rapporten "
                 "skrivs bredvid GeoPackagen.")

    def initAlgorithm(self, config=None):  # noqa: N802
        incidents_parameters(self)
        self.addParameter(QgsProcessingParameterNumber(
            "CELL_SIZE", t("Cell size in metres (0: chosen from the data)", "Rutstorlek i meter (0: väljs efter data)"),
            QgsProcessingParameterNumber.Double, 250, minValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "PERMUTATIONS", t("Permutations (0: analytic p-values only)", "Permutationer (0: bara analytiska p-värden)"),
            QgsProcessingParameterNumber.Integer, 999, minValue=0, maxValue=99999))
        self.addParameter(QgsProcessingParameterBoolean(
            "LOCAL_MORAN", t("Clusters and outliers (local Moran's I)", "Kluster och avvikare (lokal Moran's I)"),
            defaultValue=True))
        self.addParameter(QgsProcessingParameterBoolean("DENSITY", t("Density surface", "Täthetsyta"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "PERCEPTION", t("Residents' safety reports (points)", "Invånarnas trygghetsrapporter (punkter)"),
            point_types(), optional=True))
        self.addParameter(QgsProcessingParameterField(
            "SCORE_FIELD", t("Their score field", "Deras fält med betyg"), parentLayerParameterName="PERCEPTION",
            type=QgsProcessingParameterField.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterNumber("SCALE_MIN", t("Lowest score", "Lägsta betyg"),
                                                       QgsProcessingParameterNumber.Double, 1))
        self.addParameter(QgsProcessingParameterNumber("SCALE_MAX", t("Highest score", "Högsta betyg"),
                                                       QgsProcessingParameterNumber.Double, 6))
        self.addParameter(QgsProcessingParameterBoolean(
            "UNSAFE_HIGH", t("A high score means unsafe", "Högt betyg betyder otryggt"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "AREAS", t("Areas for rates (districts, DeSO)", "Områden för tal (stadsdelar, DeSO)"), polygon_types(),
            optional=True))
        self.addParameter(QgsProcessingParameterField(
            "AREA_NAME_FIELD", t("Their name field", "Deras namnfält"), parentLayerParameterName="AREAS", optional=True))
        for name, en, sv in (("BEFORE_FROM", "Change: first period from", "Förändring: första perioden från"),
                             ("BEFORE_TO", "Change: first period to", "Förändring: första perioden till"),
                             ("AFTER_FROM", "Change: second period from", "Förändring: andra perioden från"),
                             ("AFTER_TO", "Change: second period to", "Förändring: andra perioden till")):
            self.addParameter(QgsProcessingParameterDateTime(name, t(en, sv), QgsProcessingParameterDateTime.Date,
                                                             optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            "EMERGING", t("Emerging hot spots over time", "Framväxande hot spots över tid"), defaultValue=False))
        self.addParameter(QgsProcessingParameterEnum("LANGUAGE", t("Language of the report and project",
                                                                   "Språk i rapporten och projektet"),
                                                     ["svenska", "English"], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean("REPORT", t("Write the HTML report", "Skriv HTML-rapporten"),
                                                        defaultValue=True))
        self.addParameter(QgsProcessingParameterBoolean(
            "PUBLISH", t("Publishing mode: hide small counts", "Publiceringsläge: dölj små tal"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            "CONFIG_OUT", t("Keep the config (to run again in batch)", "Spara konfigurationen (för att köra igen)"),
            "TOML (*.toml)", optional=True, createByDefault=False))
        self.add_output()

    def config_text(self, parameters, context, feedback, output):
        """The Trygg config these parameters describe."""
        def text(name):
            return self.parameterAsString(parameters, name, context)

        incidents = self.layer_file(parameters, "INCIDENTS", context, feedback)
        out = "# Written by Trygg's QGIS plugin (Lägesbild from the project's layers)\n"
        out += "[analysis]\nname = %s\n" % _q("lagesbild")
        if text("TIME_ZONE"):
            out += "time_zone = %s\n" % _q(text("TIME_ZONE"))
        out += "\n"
        area = self.layer_file(parameters, "STUDY_AREA", context, feedback)
        if area:
            out += "[study_area]\n" + _source(area) + "\n"
        out += "[incidents]\n" + _source(incidents)
        for name, key in (("TIME_FIELD", "time_field"), ("CATEGORY_FIELD", "category_field")):
            if text(name):
                out += "%s = %s\n" % (key, _q(text(name)))
        cell = self.parameterAsDouble(parameters, "CELL_SIZE", context)
        out += "\n[grid]\ncell_size_m = %s\n" % ("%g" % cell if cell > 0 else _q("auto"))
        out += "\n[inference]\npermutations = %d\n" % self.parameterAsInt(parameters, "PERMUTATIONS", context)
        out += "\n[local_moran]\nenabled = %s\n" % str(self.parameterAsBoolean(parameters, "LOCAL_MORAN", context)).lower()
        if self.parameterAsBoolean(parameters, "DENSITY", context):
            out += "\n[kde]\nenabled = true\n"
        perception = self.layer_file(parameters, "PERCEPTION", context, feedback)
        if perception:
            if not text("SCORE_FIELD"):
                raise QgsProcessingException(t("The safety reports need their score field",
                                               "Trygghetsrapporterna behöver sitt fält med betyg"))
            out += "\n[perception]\n" + _source(perception) + "score_field = %s\n" % _q(text("SCORE_FIELD"))
            out += "scale_min = %g\nscale_max = %g\n" % (self.parameterAsDouble(parameters, "SCALE_MIN", context),
                                                       self.parameterAsDouble(parameters, "SCALE_MAX", context))
            out += "unsafe = %s\n" % _q("high" if self.parameterAsBoolean(parameters, "UNSAFE_HIGH", context) else "low")
        areas = self.layer_file(parameters, "AREAS", context, feedback)
        if areas:
            out += "\n[areas]\n" + _source(areas)
            if text("AREA_NAME_FIELD"):
                out += "name_field = %s\n" % _q(text("AREA_NAME_FIELD"))
        dates = {n: self.parameterAsDateTime(parameters, n, context)
                 for n in ("BEFORE_FROM", "BEFORE_TO", "AFTER_FROM", "AFTER_TO")}
        given = {n: d.date().toString("yyyy-MM-dd") for n, d in dates.items() if d.isValid() and parameters.get(n)}
        if given and len(given) < 4:
            raise QgsProcessingException(t("The change between periods needs all four dates",
                                           "Förändringen mellan perioder behöver alla fyra datum"))
        if given:
            out += "\n[periods]\nfore = { from = %s, to = %s }\nefter = { from = %s, to = %s }\n" % tuple(
                _q(given[n]) for n in ("BEFORE_FROM", "BEFORE_TO", "AFTER_FROM", "AFTER_TO"))
            out += "\n[change]\nbefore = \"fore\"\nafter = \"efter\"\n"
        if self.parameterAsBoolean(parameters, "EMERGING", context):
            out += "\n[emerging]\nslice = \"auto\"\n"
        out += "\n[output]\npath = %s\nlanguage = %s\nreport = %s\n" % (
            _q(output), _q(self.LANGUAGES[self.parameterAsEnum(parameters, "LANGUAGE", context)]),
            str(self.parameterAsBoolean(parameters, "REPORT", context)).lower())
        return out

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.output_path(parameters, context)
        config = self.parameterAsFileOutput(parameters, "CONFIG_OUT", context)
        if not config:
            config = os.path.join(tempfile.mkdtemp(prefix="trygg-"), "lagesbild.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(self.config_text(parameters, context, feedback, output))
        feedback.pushInfo(t("Config: ", "Konfiguration: ") + config)
        args = ["run", config, "--overwrite"]
        if self.parameterAsBoolean(parameters, "PUBLISH", context):
            args.append("--publish")
        result = self.run_trygg(args, output, t("Trygg: lägesbild", "Trygg: lägesbild"), parameters, context, feedback)
        result["CONFIG_OUT"] = config
        return result
