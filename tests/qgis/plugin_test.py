"""Trygg's QGIS plugin in headless QGIS (run by scripts/check-qgis-plugin, which unpacks the zip).
Usage: plugin_test.py PLUGINS_DIR SAMPLE_DATA TMP [PNG]; TRYGG_EXECUTABLE names the program."""
import os
import sqlite3
import subprocess
import sys

plugins, data, tmp, png = sys.argv[1], sys.argv[2], sys.argv[3], (sys.argv[4] if len(sys.argv) > 4 else "")
sys.path[:0] = ["/usr/share/qgis/python/plugins", plugins]

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProcessingContext,  # noqa: E402
                       QgsProcessingFeedback, QgsProject, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False, os.path.join(tmp, "profile"))  # a profile of its own: the user's settings untouched
app.initQgis()
from processing.core.Processing import Processing  # noqa: E402
Processing.initialize()
import processing  # noqa: E402
import trygg  # noqa: E402  (the unpacked plugin)

bad = 0


def check(ok, what):
    global bad
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    bad += not ok


class Feedback(QgsProcessingFeedback):
    """Keeps the errors and progress; cancels once past `cancel_at` percent when given."""

    def __init__(self, cancel_at=None):
        super().__init__()
        self.errors, self.progress, self.texts, self.cancel_at = [], [], [], cancel_at
        self.progressChanged.connect(self._progress)

    def _progress(self, value):
        self.progress.append(value)
        if self.cancel_at is not None and value >= self.cancel_at:
            self.cancel()

    def reportError(self, error, fatalError=False):  # noqa: N802
        self.errors.append(error)

    def setProgressText(self, text):  # noqa: N802
        self.texts.append(text)


def run(algorithm, parameters, feedback=None):
    feedback = feedback or Feedback()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    try:
        results = processing.run(algorithm, parameters, context=context, feedback=feedback)
    except Exception as e:  # processing.run raises on failure; the reason is in the feedback
        return None, feedback, e
    return results, feedback, None


def rows(gpkg, sql):
    with sqlite3.connect(gpkg) as con:
        return con.execute(sql).fetchall()


# The plugin as QGIS loads it: classFactory, then initProcessing.
plugin = trygg.classFactory(None)
plugin.initProcessing()
provider = QgsApplication.processingRegistry().providerById("trygg")
ids = sorted(a.id() for a in provider.algorithms()) if provider else []
want = ["trygg:density", "trygg:hotspots", "trygg:run_config", "trygg:situation"]
check(ids == want, "the provider lists Trygg's algorithms: %s (%s)" % (", ".join(ids), provider.longName() if provider else "-"))

project = QgsProject.instance()
incidents = QgsVectorLayer("file://%s/incidents_wgs84.csv?delimiter=,&xField=lon&yField=lat&crs=EPSG:4326" % data,
                           "Brott", "delimitedtext")
kommun = QgsVectorLayer("%s/kavlinge_map.gpkg|layername=kommungrans" % data, "Kommun", "ogr")
safety = QgsVectorLayer("file://%s/trygghet_punkter.csv?delimiter=,&xField=lon&yField=lat&crs=EPSG:4326" % data,
                        "Trygghet", "delimitedtext")
deso = QgsVectorLayer("%s/kavlinge_map.gpkg|layername=deso" % data, "DeSO", "ogr")
project.addMapLayers([incidents, kommun, safety, deso])
check(all(layer.isValid() for layer in (incidents, kommun, safety, deso)), "the sample's layers open in the project")

# Hot spots, from the project's CSV layer (Processing writes it to a GeoPackage for trygg), against
# the trygg program on the same file with the same options.
out = os.path.join(tmp, "hotspots.gpkg")
results, fb, error = run("trygg:hotspots", {"INCIDENTS": incidents, "TIME_FIELD": "tidpunkt", "CATEGORY_FIELD": "kategori",
                                            "STUDY_AREA": kommun, "CELL_SIZE": 250, "PERMUTATIONS": 99, "NEAR_REPEAT": True,
                                            "OUTPUT": out})
check(error is None and results and results.get("OUTPUT") == out and os.path.exists(out),
      "hot spots ran: %s %s" % (results, "; ".join(fb.errors)))
cli = os.path.join(tmp, "cli.gpkg")
subprocess.run([os.environ["TRYGG_EXECUTABLE"], "hotspot", "--incidents", data + "/incidents_wgs84.csv", "--time-field",
                "tidpunkt", "--category-field", "kategori", "--study-area", data + "/kavlinge_map.gpkg", "--study-area-layer",
                "kommungrans", "--cell-size", "250", "--permutations", "99", "--near-repeat", "--out", cli, "--quiet"], check=True)
if os.path.exists(out):
    meta = dict(rows(out, "SELECT key, value FROM run_metadata"))
    direct = dict(rows(cli, "SELECT key, value FROM run_metadata"))
    check(meta.get("input.incidents.rows_accepted") == direct.get("input.incidents.rows_accepted") and
          meta.get("input.incidents.time_first") == direct.get("input.incidents.time_first"),
          "every report read, with its time: %s accepted, first %s (the program alone: %s, %s)" % (
              meta.get("input.incidents.rows_accepted"), meta.get("input.incidents.time_first"),
              direct.get("input.incidents.rows_accepted"), direct.get("input.incidents.time_first")))
    via, alone = rows(out, "SELECT cell_id, n, Gi_Bin FROM hotspot_grid ORDER BY cell_id"), \
        rows(cli, "SELECT cell_id, n, Gi_Bin FROM hotspot_grid ORDER BY cell_id")
    check(via == alone and len(via) > 1000, "the classes equal the program's run with the same options in all %d cells" % len(via))
    categories = [r[0] for r in rows(out, "SELECT name FROM pragma_table_info('hotspot_grid') WHERE name LIKE 'n\\_%' ESCAPE '\\'")]
    check(len(categories) >= 3, "the category field was passed: " + ", ".join(categories))
    knox = rows(out, "SELECT count(*) FROM near_repeat")[0][0] if ("near_repeat",) in rows(out, "SELECT table_name FROM gpkg_contents") else 0
    check(knox > 0 and rows(out, "SELECT * FROM near_repeat ORDER BY 1, 2") == rows(cli, "SELECT * FROM near_repeat ORDER BY 1, 2"),
          "near repeats asked for: the Knox table (%d rows) equals the program's" % knox)
check(max(fb.progress or [0]) >= 99 and len(fb.texts) > 3, "progress through QGIS: %d updates, up to %.0f %%, steps such as %s" % (
    len(fb.progress), max(fb.progress or [0]), fb.texts[len(fb.texts) // 2] if fb.texts else "-"))
# Loaded as Trygg laid the project out: a group on top with the stored project's groups and styles.
root = project.layerTreeRoot()
group = root.children()[0] if root.children() else None
loaded = [node.layer() for node in group.findLayers()] if group else []
grid = [layer for layer in loaded if layer and "layername=hotspot_grid" in layer.source()]
check(group is not None and group.name() == "Trygg: hot spots" and len(group.children()) >= 2,
      "the results are a group on top with the project's groups: %s" % ([c.name() for c in group.children()] if group else "-"))
check(loaded and all(layer and layer.isValid() for layer in loaded), "%d layers loaded, all valid" % len(loaded))
check(len(grid) == 1 and grid[0].renderer().type() == "categorizedSymbol" and grid[0].featureCount() == len(alone),
      "the hot spot grid with its categorised style and %d cells" % (grid[0].featureCount() if grid else -1))
if png and grid:
    shown = [n.layer() for n in group.findLayers() if n.isVisible() and n.layer().isSpatial()]
    settings = QgsMapSettings()
    settings.setLayers(shown)
    settings.setDestinationCrs(grid[0].crs())
    settings.setExtent(grid[0].extent())
    settings.setOutputSize(QSize(900, 900))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png, "png")
    print("     drew %d layers into %s" % (len(shown), png))

# Density.
out = os.path.join(tmp, "density.gpkg")
results, fb, error = run("trygg:density", {"INCIDENTS": incidents, "STUDY_AREA": kommun, "BANDWIDTH": 400, "PIXEL": 50,
                                           "OUTPUT": out, "LOAD": False})
tables = {r[0] for r in rows(out, "SELECT table_name FROM gpkg_contents")} if os.path.exists(out) else set()
meta = dict(rows(out, "SELECT key, value FROM run_metadata")) if os.path.exists(out) else {}
check(error is None and {"kde_density", "density_areas"} <= tables and meta.get("kde.bandwidth_m", "").startswith("400"),
      "density ran: %s; bandwidth %s" % (sorted(tables & {"kde_density", "density_areas"}), meta.get("kde.bandwidth_m")))

# The lägesbild from layers: perceived safety, rates per area and the change between two years.
out = os.path.join(tmp, "lagesbild.gpkg")
config = os.path.join(tmp, "lagesbild.toml")
results, fb, error = run("trygg:situation", {
    "INCIDENTS": incidents, "TIME_FIELD": "tidpunkt", "CATEGORY_FIELD": "kategori", "STUDY_AREA": kommun, "CELL_SIZE": 250,
    "PERMUTATIONS": 99, "PERCEPTION": safety, "SCORE_FIELD": "trygghet", "AREAS": deso, "AREA_NAME_FIELD": "namn",
    "BEFORE_FROM": "2023-01-01", "BEFORE_TO": "2023-12-31", "AFTER_FROM": "2024-01-01", "AFTER_TO": "2024-12-31",
    "EMERGING": True, "REPORT": True, "LANGUAGE": 1, "CONFIG_OUT": config, "OUTPUT": out, "LOAD": False})
tables = {r[0] for r in rows(out, "SELECT table_name FROM gpkg_contents")} if os.path.exists(out) else set()
need = {"hotspot_grid", "perception_grid", "area_statistics", "change_grid", "emerging_hotspots", "kde_density"}
check(error is None and need <= tables, "the lägesbild ran with perceived safety, areas, change and emerging: missing %s; %s"
      % (sorted(need - tables), "; ".join(fb.errors)[:400]))
check(os.path.exists(out[:-5] + ".html") and os.path.exists(config),
      "its report beside the GeoPackage and its config kept for batch runs")
if os.path.exists(config):
    rerun = os.path.join(tmp, "rerun.gpkg")
    subprocess.run([os.environ["TRYGG_EXECUTABLE"], "run", config, "--out", rerun, "--no-report", "--quiet"], check=True)
    check(rows(rerun, "SELECT cell_id, Gi_Bin FROM hotspot_grid ORDER BY cell_id") ==
          rows(out, "SELECT cell_id, Gi_Bin FROM hotspot_grid ORDER BY cell_id"), "the kept config runs again to the same classes")

# A config run, cancelled half way: trygg stops, and nothing is left.
out = os.path.join(tmp, "cancelled.gpkg")
results, fb, error = run("trygg:run_config", {"CONFIG": data + "/kavlinge.toml", "OUTPUT": out, "REPORT": False},
                         Feedback(cancel_at=30))
check(error is not None and not os.path.exists(out) and ("Cancelled" in str(error) or "Avbrutet" in str(error)) and
      any("interrupted" in e for e in fb.errors),
      "a cancel at %.0f %% stops trygg and leaves no file: %s (%s)" % (max(fb.progress or [0]), "; ".join(fb.errors)[:200], error))
# A config with a mistake: trygg's own message, naming the key.
broken = os.path.join(tmp, "broken.toml")
with open(data + "/kavlinge.toml", encoding="utf-8") as f:
    text = f.read().replace("cell_size_m = 250", "cell_sise_m = 250").replace('path = "', 'path = "' + data + "/")
with open(broken, "w", encoding="utf-8") as f:
    f.write(text)
out = os.path.join(tmp, "broken.gpkg")
results, fb, error = run("trygg:run_config", {"CONFIG": broken, "OUTPUT": out})
check(error is not None and any("cell_sise_m" in e for e in fb.errors) and not os.path.exists(out),
      "a config with a mistake fails with trygg's message: %s" % "; ".join(fb.errors)[:300])
# The whole config run, loaded with the stored project.
out = os.path.join(tmp, "kavlinge.gpkg")
results, fb, error = run("trygg:run_config", {"CONFIG": data + "/kavlinge.toml", "OUTPUT": out, "REPORT": False, "LANGUAGE": 1})
group = project.layerTreeRoot().children()[0]
loaded = [node.layer() for node in group.findLayers()]
check(error is None and group.name() == "Trygg" and len(loaded) > 50 and all(layer.isValid() for layer in loaded),
      "the sample config ran and loaded: %d layers, all valid, groups %s" % (len(loaded), [c.name() for c in group.children()][:6]))

# In a Swedish QGIS the algorithms speak Swedish.
from qgis.core import QgsSettings  # noqa: E402
QgsSettings().setValue("locale/userLocale", "sv_SE")
names = sorted(a.displayName() for a in provider.algorithms())
check("Hot spots (Gi*) i rutnät" in names and "Lägesbild från projektets lager" in names, "in Swedish: " + "; ".join(names))

plugin.unload()
check(QgsApplication.processingRegistry().providerById("trygg") is None, "unloading the plugin removes the provider")
sys.exit(1 if bad else 0)
