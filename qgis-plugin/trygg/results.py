"""Loading a finished GeoPackage into the user's project as Trygg laid it out: the project stored
in the file (its groups, order, visibility and each layer's default style) added as one group on
top; without a stored project, every layer with its default style."""
import os
import sqlite3

from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer


def _stored_projects(gpkg):
    try:
        with sqlite3.connect("file:" + gpkg + "?mode=ro", uri=True) as con:
            return [r[0] for r in con.execute("SELECT name FROM qgis_projects")]
    except sqlite3.Error:
        return []


def _tables(gpkg):
    with sqlite3.connect("file:" + gpkg + "?mode=ro", uri=True) as con:
        return con.execute("SELECT table_name, data_type, identifier FROM gpkg_contents "
                           "WHERE table_name NOT IN ('layer_styles') ORDER BY table_name").fetchall()


def load(gpkg, project, title, feedback=None):
    """Adds the results of `gpkg` to `project` in a group named `title`, on top. Returns the
    layers added."""
    gpkg = os.path.abspath(gpkg)
    root = project.layerTreeRoot()
    group = root.insertGroup(0, title)
    added = []
    names = _stored_projects(gpkg)
    stored = QgsProject()
    if names and stored.read("geopackage:" + gpkg + "?projectName=" + names[0]):
        # The tree first (taking a layer out of a project removes its nodes), then the layers.
        for child in stored.layerTreeRoot().children():
            group.addChildNode(child.clone())
        for layer in list(stored.mapLayers().values()):
            stored.takeMapLayer(layer)
            project.addMapLayer(layer, False)
            added.append(layer)
        group.resolveReferences(project)
        if not project.crs().isValid() or len(project.mapLayers()) == len(added):
            project.setCrs(stored.crs())
    else:
        for table, kind, identifier in _tables(gpkg):
            if kind == "2d-gridded-coverage":
                layer = QgsRasterLayer("GPKG:" + gpkg + ":" + table, identifier or table, "gdal")
            else:
                layer = QgsVectorLayer(gpkg + "|layername=" + table, identifier or table, "ogr")
            if layer.isValid():
                project.addMapLayer(layer, False)
                group.addLayer(layer)
                added.append(layer)
    if feedback:
        invalid = [layer.name() for layer in added if not layer.isValid()]
        if invalid:
            feedback.reportError("Not valid in QGIS: " + ", ".join(invalid), False)
    return added
