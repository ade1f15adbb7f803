#pragma once
// Default QGIS styles (QML) for Trygg's layers, stored in the GeoPackage's layer_styles table so
// that each layer opens in QGIS already styled. The fields' aliases are not the styles': the
// writer adds them from the fields' declarations (Layers.hpp), in the project's language.
#include <array>
#include <string>
#include <vector>

namespace trygg::output {

struct FieldAlias {
    std::string field;
    std::string alias;
};

// The QML <aliases> block of `aliases` ("" for none).
std::string aliasesXml(const std::vector<FieldAlias>& aliases);

// Polygons by the value of `field`, one fill colour and outline ("" for none) per category.
struct Category {
    std::string value, label, fill, outline;
    double outlineWidthMm = 0.1;
    bool render = true;  // false: listed in the legend, unticked, not drawn
};
std::string categorizedQml(const std::string& field, const std::vector<Category>& categories);

// measures.verdict_code: each result's colour, as the QGIS style and the report's map draw it.
struct VerdictColour {
    const char* code;
    const char* hex;  // "#1a9850"
};
const std::vector<VerdictColour>& measureVerdictColours();
// The measures layer, filled by result and labelled with its id.
// A result publishing hid (measures.verdict_code NULL), in the QGIS style and the report.
inline constexpr const char* kHiddenVerdictColour = "#dcdcdc";
// Labels in measureVerdictColours' order; with hiddenClass, one more for the results publishing hid.
std::string measuresQml(const std::vector<std::string>& labels, bool hiddenClass = false);

// Polygons in seven classes on a bin field (3 .. -3), labelled from 3 down: ArcGIS Pro's hot spot
// colours, red for positive, blue for negative, grey for 0.
std::string binClassesQml(const std::string& field, const std::array<std::string, 7>& labels);

// hotspot_grid: classes on Gi_Bin, red hot, blue cold, grey not significant (ArcGIS Pro's colours).
std::string hotspotGridQml();

// hotspot_grid's second style: COType in the classic four colours of cluster and outlier maps
// (GeoDa, ArcGIS Pro): HH red, LL blue, HL light red, LH light blue; not significant grey.
std::string clusterOutlierQml();
// hotspot_grid's after-dark hot spots: the seven classes of Gi* on the incidents in darkness
// (dark_Gi_Bin), a second style.
std::string afterDarkQml();

// A density raster: a yellow-to-red ramp, transparent at zero, up to `maxValue`.
std::string densityRasterQml(double maxValue);

// density_areas: outlined classes (top 1 % darkest), no fill.
std::string densityAreasQml();

// perception_grid: fear versus crime in a bivariate scheme (both purple, perceived only blue,
// incidents only red, neither light grey, too little data blank), labels in `labels` by class 0..4.
std::string fearCrimeQml(const std::vector<std::string>& labels);

// Polygons graduated on `field` in five quantile classes of `values` (NaN left out), light to dark.
// With roundBreaks (publishing mode), the breaks are round numbers, never values of the data.
std::string graduatedQml(const std::string& field, const std::string& title, const std::vector<double>& values,
                         bool roundBreaks = false);

// One symbol for a whole polygon layer: an outline and a (translucent) fill.
std::string outlineQml(const std::string& outline, double widthMm, const std::string& fill);

// Lines in one colour and width (context roads).
std::string lineQml(const std::string& colour, double widthMm);

// Points as small dark circles (context places).
std::string pointQml(const std::string& colour, double sizeMm);

// `qml` with labels from the QGIS expression `expression`: dark text with a white halo, on or
// around the centre of polygons and beside points. `sizePt` is the font size. Where labels
// collide QGIS keeps those of higher `priority` (0 to 10) and moves or drops the others: hot spot
// areas 10, problems 8, map context 2, so that a town's name never hides a hot spot's.
std::string withLabels(const std::string& qml, const std::string& expression, double sizePt, bool polygons, int priority);

// study_area: a dark outline, no fill.
std::string studyAreaQml();

// Attribute tables (rejected_reports, run_metadata): no symbology; the fields' titles come
// from their declarations (Layers.hpp).
std::string tableQml();

} // namespace trygg::output
