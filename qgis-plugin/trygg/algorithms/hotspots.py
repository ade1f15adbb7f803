"""Hot spots (Gi*) on a grid: trygg hotspot with its key options as Processing parameters."""
from qgis.core import (QgsProcessingParameterBoolean, QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterNumber, QgsProcessingParameterDefinition,
                       QgsProcessingParameterString)

from ..texts import t
from .base import TryggAlgorithm, point_types, polygon_types


def incidents_parameters(algorithm, times=True):
    """The incidents (a point layer), their time and category fields, and the study area."""
    algorithm.addParameter(QgsProcessingParameterFeatureSource(
        "INCIDENTS", t("Incidents (points)", "Händelser (punkter)"), point_types()))
    if times:
        algorithm.addParameter(QgsProcessingParameterField(
            "TIME_FIELD", t("Date-time field", "Fält med datum och tid"), parentLayerParameterName="INCIDENTS",
            optional=True))
        algorithm.addParameter(QgsProcessingParameterField(
            "CATEGORY_FIELD", t("Category field", "Fält med kategori"), parentLayerParameterName="INCIDENTS",
            optional=True))
    zone = QgsProcessingParameterString("TIME_ZONE", t("The reports' clock (a tz zone)", "Rapporternas klocka (tidszon)"),
                                        "Europe/Stockholm")
    zone.setFlags(zone.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    algorithm.addParameter(zone)
    algorithm.addParameter(QgsProcessingParameterFeatureSource(
        "STUDY_AREA", t("Study area (polygons; empty: the incidents' extent)",
                        "Undersökningsområde (polygoner; tomt: händelsernas utbredning)"), polygon_types(), optional=True))


def incidents_arguments(algorithm, parameters, context, feedback, times=True):
    incidents = algorithm.layer_file(parameters, "INCIDENTS", context, feedback)
    args = ["--incidents", incidents[0]] + (["--layer", incidents[1]] if incidents[1] else [])
    if times:
        for name, flag in (("TIME_FIELD", "--time-field"), ("CATEGORY_FIELD", "--category-field")):
            field = algorithm.parameterAsString(parameters, name, context)
            if field:
                args += [flag, field]
    zone = algorithm.parameterAsString(parameters, "TIME_ZONE", context)
    if zone:
        args += ["--time-zone", zone]
    area = algorithm.layer_file(parameters, "STUDY_AREA", context, feedback)
    if area:
        args += ["--study-area", area[0]] + (["--study-area-layer", area[1]] if area[1] else [])
    return args


class HotSpots(TryggAlgorithm):
    WEIGHTS = ["distance_band", "inverse_distance", "knn", "queen", "rook"]
    CORRECTIONS = ["fdr", "bonferroni", "none"]
    GRIDS = ["square", "hex"]

    def name(self):
        return "hotspots"

    def displayName(self):  # noqa: N802
        return t("Hot spots (Gi*) on a grid", "Hot spots (Gi*) i rutnät")

    def shortHelpString(self):  # noqa: N802
        return t("Counts the incidents in grid cells and finds the hot and cold spots with Getis-Ord Gi*, with "
                 "permutation p-values and a correction for testing many cells, as 'trygg hotspot' does. The "
                 "GeoPackage holds the grid with its classes (Gi_Bin), the hot spot areas described, the global "
                 "tests and how it was made (run_metadata); it opens with its styles.",
                 "Räknar händelserna per ruta och hittar hot spots och cold spots med Getis-Ord Gi*, med "
                 "permutationstest och korrektion för många rutor, som 'trygg hotspot'. GeoPackagen innehåller "
                 "rutnätet med klasser (Gi_Bin), beskrivna hot spot-områden, globala test och hur den gjordes "
                 "(run_metadata); den öppnas med sina stilar.")

    def initAlgorithm(self, config=None):  # noqa: N802
        incidents_parameters(self)
        self.addParameter(QgsProcessingParameterNumber(
            "CELL_SIZE", t("Cell size in metres (0: chosen from the data, as sfhotspot)",
                           "Rutstorlek i meter (0: väljs efter data, som sfhotspot)"),
            QgsProcessingParameterNumber.Double, 0, minValue=0))
        self.addParameter(QgsProcessingParameterEnum("GRID", t("Cell shape", "Rutform"),
                                                     [t("Squares", "Kvadrater"), t("Hexagons", "Hexagoner")], defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            "WEIGHTS", t("Neighbourhood", "Grannskap"),
            [t("Distance band", "Avståndsband"), t("Inverse distance", "Inverterat avstånd"),
             t("k nearest", "k närmaste"), "Queen", "Rook"], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "DISTANCE_BAND", t("Distance band in metres (0: the 3x3 block)", "Avståndsband i meter (0: 3x3 rutor)"),
            QgsProcessingParameterNumber.Double, 0, minValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "PERMUTATIONS", t("Permutations (0: analytic p-values only)", "Permutationer (0: bara analytiska p-värden)"),
            QgsProcessingParameterNumber.Integer, 999, minValue=0, maxValue=99999))
        self.addParameter(QgsProcessingParameterEnum(
            "CORRECTION", t("Correction for many tests", "Korrektion för många test"),
            ["FDR", "Bonferroni", t("None", "Ingen")], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean(
            "LOCAL_MORAN", t("Also clusters and outliers (local Moran's I)", "Även kluster och avvikare (lokal Moran's I)"),
            defaultValue=False))
        for name, flag_en, flag_sv in (("NEAR_REPEAT", "Also near repeats (Knox test; slow on large files)",
                                        "Även nära upprepningar (Knox-test; långsamt på stora filer)"),
                                       ("MAP_ACCURACY", "Also the map's accuracy over time (slow on large files)",
                                        "Även kartans träffsäkerhet över tid (långsamt på stora filer)")):
            self.addParameter(QgsProcessingParameterBoolean(name, t(flag_en, flag_sv), defaultValue=False))
        seed = QgsProcessingParameterNumber("SEED", t("Seed of the permutations", "Frö för permutationerna"),
                                            QgsProcessingParameterNumber.Integer, 20230601, minValue=0)
        seed.setFlags(seed.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(seed)
        self.add_output()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.output_path(parameters, context)
        args = ["hotspot"] + incidents_arguments(self, parameters, context, feedback)
        cell = self.parameterAsDouble(parameters, "CELL_SIZE", context)
        args += ["--cell-size", "%g" % cell if cell > 0 else "auto"]
        args += ["--grid", self.GRIDS[self.parameterAsEnum(parameters, "GRID", context)]]
        args += ["--weights", self.WEIGHTS[self.parameterAsEnum(parameters, "WEIGHTS", context)]]
        band = self.parameterAsDouble(parameters, "DISTANCE_BAND", context)
        if band > 0:
            args += ["--distance-band", "%g" % band]
        args += ["--permutations", str(self.parameterAsInt(parameters, "PERMUTATIONS", context))]
        args += ["--correction", self.CORRECTIONS[self.parameterAsEnum(parameters, "CORRECTION", context)]]
        args += ["--seed", str(self.parameterAsInt(parameters, "SEED", context))]
        for name, flag in (("LOCAL_MORAN", "--local-moran"), ("NEAR_REPEAT", "--near-repeat"),
                           ("MAP_ACCURACY", "--map-accuracy")):
            if self.parameterAsBoolean(parameters, name, context):
                args.append(flag)
        args += ["--out", output, "--overwrite"]
        return self.run_trygg(args, output, t("Trygg: hot spots", "Trygg: hot spots"), parameters, context, feedback)
