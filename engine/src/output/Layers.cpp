#include "trygg/output/Layers.hpp"

#include "LayerNames.hpp"
#include "trygg/perception/Perception.hpp"
#include "trygg/stats/Emerging.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <regex>
#include <tuple>

namespace trygg::output {
namespace {

FieldSpec key(std::string name, std::string sv, std::string en) { return {std::move(name), Role::Key, std::move(sv), std::move(en)}; }
FieldSpec count(std::string name, std::string sv, std::string en) {
    return {std::move(name), Role::Count, std::move(sv), std::move(en)};
}
// A count of some of the reports another count of the row holds (dark_n of n).
FieldSpec part(std::string name, std::string of, std::string sv, std::string en) {
    FieldSpec f{std::move(name), Role::Count, std::move(sv), std::move(en)};
    f.partOf = std::move(of);
    return f;
}
FieldSpec derived(std::string name, std::vector<std::string> from, std::string sv, std::string en, std::string unit = {}) {
    return {std::move(name), Role::Derived, std::move(sv), std::move(en), std::move(unit), std::move(from)};
}
FieldSpec statistic(std::string name, std::string sv, std::string en, bool drop) {
    return {std::move(name), Role::Statistic, std::move(sv), std::move(en), {}, {}, drop};
}
FieldSpec classOf(std::string name, std::string sv, std::string en) {
    return {std::move(name), Role::Class, std::move(sv), std::move(en)};
}
FieldSpec label(std::string name, std::string sv, std::string en) {
    return {std::move(name), Role::Label, std::move(sv), std::move(en)};
}
FieldSpec text(std::string name, std::vector<std::string> from, std::string sv, std::string en) {
    return {std::move(name), Role::TextWithCounts, std::move(sv), std::move(en), {}, std::move(from)};
}
FieldSpec context(std::string name, std::string sv, std::string en, std::string unit = {}) {
    return {std::move(name), Role::Context, std::move(sv), std::move(en), std::move(unit)};
}

FieldSpec withClasses(FieldSpec f, std::vector<ClassLabel> classes) {
    f.classes = std::move(classes);
    return f;
}

// Gi_Bin, perc_Gi_Bin ...: ArcGIS Pro's seven classes, 3 (hot, 99 %) to -3 (cold, 99 %).
std::vector<ClassLabel> binClasses(const char* hotSv, const char* hotEn, const char* coldSv, const char* coldEn,
                                   const char* noneSv, const char* noneEn) {
    std::vector<ClassLabel> out;
    for (int b = 3; b >= -3; --b) {
        const int level = b == 0 ? 0 : std::abs(b) == 3 ? 99 : std::abs(b) == 2 ? 95 : 90;
        if (b == 0) out.push_back({"0", noneSv, noneEn});
        else
            out.push_back({std::to_string(b), fmt::format("{}, {} % säkerhet", b > 0 ? hotSv : coldSv, level),
                           fmt::format("{}, {} % confidence", b > 0 ? hotEn : coldEn, level)});
    }
    return out;
}

// emerging_hotspots.pattern: ArcGIS Pro's categories, -8 .. 8, in English as ArcGIS names them.
std::vector<ClassLabel> emergingClasses() {
    static constexpr const char* kSv[9] = {"Inget mönster", "Ny",        "Sammanhängande", "Tilltagande", "Ihållande",
                                           "Avtagande",     "Sporadisk", "Växlande",       "Historisk"};
    std::vector<ClassLabel> out;
    for (int code = 8; code >= -8; --code) {
        const int k = std::abs(code);
        out.push_back({std::to_string(code),
                       code == 0 ? kSv[0] : fmt::format("{} {}", kSv[k], code > 0 ? "hot spot" : "cold spot"),
                       stats::emergingName(code)});
    }
    return out;
}

// perception_grid.fear_crime_class: the four classes of fear versus crime and "too little data".
std::vector<ClassLabel> fearCrimeClasses() {
    std::vector<ClassLabel> out;
    for (int c = 0; c < 5; ++c) {
        const auto& t = perception::text(static_cast<perception::FearCrime>(c));
        out.push_back({std::to_string(c), t.labelSv, t.labelEn});
    }
    return out;
}

// period_change.change: rose, fell, or no change beyond chance.
std::vector<ClassLabel> changeClasses() {
    return {{"1", "Ökning", "Rise"}, {"0", "Ingen säker förändring", "No change beyond chance"}, {"-1", "Minskning", "Fall"}};
}

std::vector<ClassLabel> hotColdClasses() {
    return binClasses("Hot spot", "Hot spot", "Cold spot", "Cold spot", "Ej signifikant", "Not significant");
}

// Gi* and local Moran's I, per cell or area. The z-scores, p-values and I are dropped when
// publishing: over known neighbourhoods they can be solved back towards the counts.
std::vector<FieldSpec> localStatistics(const std::string& prefix = "") {
    return {
        statistic(prefix + "GiZScore", "Gi* z-värde", "Gi* z-score", true),
        statistic(prefix + "GiPValue", "Gi* p-värde (tvåsidigt)", "Gi* p-value (two-sided)", true),
        statistic(prefix + "GiPseudoP", "Gi* pseudo-p (permutationer)", "Gi* pseudo p-value (permutations)", true),
        withClasses(classOf(prefix + "Gi_Bin", "Hot spot-klass (-3..3)", "Hot/cold spot class (-3..3)"), hotColdClasses()),
        context("NNeighbors", "Grannar (inklusive sig själv för Gi*)", "Neighbours (itself included for Gi*)"),
        statistic("LMiIndex", "Lokalt Morans I", "Local Moran's I", true),
        statistic("LMiZScore", "Lokalt Morans I, z-värde", "Local Moran's I z-score", true),
        statistic("LMiPValue", "Lokalt Morans I, p-värde", "Local Moran's I p-value", true),
        statistic("LMiPseudoP", "Lokalt Morans I, pseudo-p", "Local Moran's I pseudo p-value", true),
        withClasses(classOf("COType", "Kluster/avvikare (HH, LL, HL, LH)", "Cluster/outlier type (HH, LL, HL, LH)"),
                    {{"HH", "Kluster av höga värden (HH)", "High-high cluster"},
                     {"LL", "Kluster av låga värden (LL)", "Low-low cluster"},
                     {"HL", "Högt värde bland låga (HL)", "High outlier among low values"},
                     {"LH", "Lågt värde bland höga (LH)", "Low outlier among high values"},
                     {"", "Ej signifikant", "Not significant"}}),
    };
}

// What is in a cell or hotspot area, from the config's map layers: <name>_<measure>[_<class>].
std::vector<FieldSpec> overlays() {
    return {
        context("*_count", "Antal objekt (kartlager)", "Features (map layer)"),
        context("*_count_*", "Antal objekt av klassen (kartlager)", "Features of the class (map layer)"),
        context("*_share", "Andel täckt (kartlager)", "Share covered (map layer)"),
        context("*_share_*", "Andel täckt av klassen (kartlager)", "Share covered by the class (map layer)"),
        context("*_length", "Längd (kartlager)", "Length (map layer)", "m"),
        context("*_length_*", "Längd av klassen (kartlager)", "Length of the class (map layer)", "m"),
        context("*_distance", "Avstånd till närmaste (kartlager)", "Distance to the nearest (map layer)", "m"),
        context("*_distance_*", "Avstånd till närmaste av klassen (kartlager)", "Distance to the nearest of the class (map layer)", "m"),
    };
}

FieldSpec droppedWhenPublishing(FieldSpec f) {
    f.dropWhenPublishing = true;
    return f;
}

// The light of a cell's incidents (temporal.darkness): parts of its n, and Gi* on those in
// darkness. Publishing drops the counts per cell: split three ways a cell's few reports are mostly
// small counts, and hiding them and what gives them back took most of the grid's n with them
// (3,270 of 3,501 cells of the sample). The after-dark hot spots (dark_Gi_Bin) stay, and the
// counts per hotspot area and per month.
std::vector<FieldSpec> darkCells() {
    return {
        droppedWhenPublishing(part("daylight_n", "n", "Händelser i dagsljus", "Incidents in daylight")),
        droppedWhenPublishing(part("twilight_n", "n", "Händelser i skymning", "Incidents in twilight")),
        droppedWhenPublishing(part("dark_n", "n", "Händelser i mörker", "Incidents in darkness")),
        droppedWhenPublishing(derived("dark_day_ratio", {"daylight_n", "dark_n"}, "Händelser per mörk timme mot per ljus timme",
                                      "Incidents per dark hour against per daylight hour")),
        statistic("dark_GiZScore", "Gi* z-värde (i mörker)", "Gi* z-score (in darkness)", true),
        statistic("dark_GiPValue", "Gi* p-värde (i mörker)", "Gi* p-value (in darkness)", true),
        statistic("dark_GiPseudoP", "Gi* pseudo-p (i mörker)", "Gi* pseudo p-value (in darkness)", true),
        withClasses(classOf("dark_Gi_Bin", "Hot spot-klass efter mörkrets inbrott", "After-dark hot spot class"),
                    hotColdClasses()),
    };
}

std::vector<FieldSpec> concat(std::vector<std::vector<FieldSpec>> parts) {
    std::vector<FieldSpec> out;
    for (auto& p : parts)
        for (auto& f : p) out.push_back(std::move(f));
    return out;
}

std::vector<LayerSpec> build() {
    const std::vector<std::string> followupCounts{"measure_before", "measure_after", "buffer_before",
                                                  "buffer_after",   "control_before", "control_after"};
    std::vector<FieldSpec> hours;
    for (int h = 0; h < 24; ++h)
        hours.push_back(count(fmt::format("h{:02d}", h), fmt::format("Händelser kl. {:02d}-{:02d}", h, (h + 1) % 24),
                              fmt::format("Incidents {:02d}-{:02d}", h, (h + 1) % 24)));
    std::vector<LayerSpec> all;
    all.push_back({"hotspot_grid", "polygon",
                   concat({{key("cell_id", "Ruta (SV-hörn, eller mitt för hexagoner)", "Cell (SW corner, or centre for hexagons)"),
                            count("n", "Händelser", "Incidents"),
                            count("n_*", "Händelser i kategorin", "Incidents of the category"),
                            // The sum of the reports' weights: hidden with n, which it would give away.
                            derived("weight_sum", {"n"}, "Summa av vikterna", "Sum of the weights")},
                           localStatistics(),
                           {statistic("kde", "Täthet i rutans mitt", "Kernel density at the cell's centre", true),
                            statistic("kde_risk", "Risk i rutans mitt", "Risk at the cell's centre", true),
                            context("share_inside", "Andel av rutan inom området", "Share of the cell inside the study area")},
                           darkCells(),
                           overlays()}),
                   "n", true, false, "cell_id"});
    all.push_back({"area_statistics", "multipolygon",
                   concat({{key("area_id", "Område", "Area"), label("area_name", "Namn", "Name"),
                            context("area_km2", "Yta", "Area", "km²"), count("n", "Händelser", "Incidents"),
                            derived("n_per_km2", {"n"}, "Händelser per km²", "Incidents per km²", "per km²"),
                            count("n_*", "Händelser i kategorin", "Incidents of the category"),
                            derived("weight_sum", {"n"}, "Summa av vikterna", "Sum of the weights")},
                           localStatistics()}),
                   "n", true, false, "area_id"});
    all.push_back({"change_grid", "polygon",
                   {key("cell_id", "Ruta", "Cell"), label("period_before", "Period före", "Period before"),
                    label("period_after", "Period efter", "Period after"), count("n_before", "Händelser före", "Incidents before"),
                    count("n_after", "Händelser efter", "Incidents after"),
                    derived("change", {"n_before", "n_after"}, "Förändring", "Change"),
                    derived("rate_ratio", {"n_before", "n_after"}, "Kvot efter/före", "Rate ratio after/before"),
                    derived("change_p", {"n_before", "n_after"}, "p-värde för förändringen", "p-value of the change"),
                    withClasses(classOf("change_bin", "Förändringsklass (-3..3)", "Change class (-3..3)"),
                                binClasses("Ökning", "Increase", "Minskning", "Decrease", "Ingen säker förändring",
                                           "No significant change"))},
                   "", true, false, "cell_id"});
    all.push_back({"emerging_hotspots", "polygon",
                   {key("cell_id", "Ruta", "Cell"), count("n", "Händelser", "Incidents"),
                    withClasses(classOf("pattern", "Mönster", "Pattern"), emergingClasses()),
                    label("pattern_name", "Mönstrets namn (ArcGIS Pro)", "Pattern name (ArcGIS Pro)"),
                    statistic("trend_z", "Trend (Mann-Kendall z)", "Trend (Mann-Kendall z)", false),
                    statistic("trend_p", "Trendens p-värde", "Trend p-value", false),
                    statistic("hot_slices", "Tidsskivor som hot spot", "Time slices hot", false),
                    statistic("cold_slices", "Tidsskivor som cold spot", "Time slices cold", false),
                    context("slices", "Tidsskivor", "Time slices"),
                    statistic("last_z", "Sista tidsskivans z-värde", "Last slice's z-score", true)},
                   "", true, false, "cell_id"});
    // An area whose incidents are hidden says nothing of them either: its leading categories,
    // peak hour and weekday would describe its one to three reports.
    all.push_back({"hotspot_areas", "multipolygon",
                   concat({{key("area_id", "Område", "Area"),
                            withClasses(classOf("kind", "Slag", "Kind"),
                                        {{"incidents", "Anmälda händelser", "Incidents"},
                                         {"perception", "Upplevd otrygghet", "Perceived insecurity"},
                                         {"density_top_1", "Tätaste 1 % (täthet)", "Densest 1 % (density)"},
                                         {"density_top_5", "Tätaste 5 % (täthet)", "Densest 5 % (density)"},
                                         {"density_top_10", "Tätaste 10 % (täthet)", "Densest 10 % (density)"}}),
                            context("cells", "Rutor", "Cells"), context("area_km2", "Yta", "Area", "km²"),
                            context("share_of_study_area", "Andel av studieområdet", "Share of the study area"),
                            count("incidents", "Händelser", "Incidents"),
                            derived("share_of_incidents", {"incidents"}, "Andel av händelserna", "Share of the incidents"),
                            text("leading_categories", {"incidents"}, "Vanligaste kategorier", "Leading categories"),
                            text("peak_hour", {"incidents"}, "Vanligaste timme", "Peak hour"),
                            text("peak_weekday", {"incidents"}, "Vanligaste veckodag", "Peak weekday"),
                            label("place", "Plats", "Place"), label("place_layer", "Platsens kartlager", "Place's map layer"),
                            context("place_distance_m", "Avstånd till platsen", "Distance to the place", "m"),
                            context("lights", "Gatlampor", "Street lights"), context("dark_m2", "Mörk yta", "Dark area", "m²"),
                            context("dark_share", "Andel mörkt", "Dark share"),
                            part("daylight_incidents", "incidents", "Händelser i dagsljus", "Incidents in daylight"),
                            part("twilight_incidents", "incidents", "Händelser i skymning", "Incidents in twilight"),
                            part("dark_incidents", "incidents", "Händelser i mörker", "Incidents in darkness"),
                            derived("dark_day_ratio", {"daylight_incidents", "dark_incidents"},
                                    "Händelser per mörk timme mot per ljus timme", "Incidents per dark hour against per daylight hour"),
                            derived("dark_p", {"daylight_incidents", "dark_incidents"}, "p-värde (fler i mörker)",
                                    "p-value (more in darkness)")},
                           overlays()}),
                   "", true, false, "", "area_id"});
    // Route 4 of the publishing audit: a class's share of the incidents times the reports used,
    // minus its shown areas, gave a hidden area's count; the share is NULL in a class hiding one.
    all.push_back({"density_areas", "multipolygon",
                   {classOf("top_percent", "Tätaste procent", "Densest percent"),
                    statistic("density_min", "Lägsta täthet i klassen", "Least density in the class", false),
                    context("area_km2", "Yta", "Area", "km²"), count("incidents", "Händelser", "Incidents"),
                    derived("share_of_incidents", {"incidents"}, "Andel av händelserna", "Share of the incidents"),
                    context("class_area_km2", "Klassens yta", "The class's area", "km²"),
                    derived("class_share_of_incidents", {}, "Klassens andel av händelserna", "The class's share of the incidents")},
                   "", true, false, "", "", "top_percent", {"class_share_of_incidents"}});
    all.push_back({"hot_times", "none",
                   concat({{label("scope", "Gäller", "For"), key("area_id", "Hot spot-område", "Hotspot area"),
                            label("weekday", "Veckodag (1 = måndag)", "Weekday (1 = Monday)"),
                            label("weekday_name", "Veckodag", "Weekday")},
                           hours,
                           {count("no_clock", "Med datum men utan klockslag", "With a date but no clock time"),
                            count("total", "Händelser den veckodagen", "Incidents that day of the week")}}),
                   "total", false, true});
    // The trend (temporal.trend): rows of months or periods, each a total n over its n_<category>
    // (row totals); a column's sum over the rows is taken as published.
    for (const auto& [table, keyField, keySv, keyEn] :
         {std::tuple{"monthly_counts", "month", "Månad", "Month"}, std::tuple{"period_counts", "periods_back", "Perioder bakåt (0 = den senaste)", "Periods back (0 = the latest)"}}) {
        std::vector<FieldSpec> fields = {key(keyField, keySv, keyEn)};
        if (std::string(table) == "period_counts")
            for (auto f : {label("first_day", "Första dag", "First day"), label("last_day", "Sista dag", "Last day")}) fields.push_back(f);
        fields.push_back(count("n", "Händelser", "Incidents"));
        fields.push_back(count("n_*", "Händelser i kategorin", "Incidents of the category"));
        all.push_back({table, "none", fields, "n", true, false, "", keyField});
    }
    // Its tests: ratios and p-values are of the counts, dropped when publishing; the direction stays.
    all.push_back({"period_change", "none",
                   {key("category", "Kategori", "Category"),
                    withClasses(classOf("change", "Mot perioden före", "Against the period before"), changeClasses()),
                    statistic("ratio_before", "Kvot mot perioden före", "Ratio to the period before", true),
                    statistic("p_before", "p-värde mot perioden före", "p-value against the period before", true),
                    statistic("ratio_baseline", "Kvot mot genomsnittet före", "Ratio to the mean before", true),
                    statistic("p_baseline", "p-värde mot genomsnittet före", "p-value against the mean before", true),
                    withClasses(classOf("change_baseline", "Mot genomsnittet före", "Against the mean before"), changeClasses())},
                   "", false, false, "category"});
    // The problems (analysis.problems): no counts; they are where the ids point.
    all.push_back({"problems", "multipolygon",
                   {key("problem_id", "Problem", "Problem"),
                    withClasses(classOf("kind", "Slag", "Kind"),
                                {{"hotspot", "Koncentration av brott", "Hot spot of incidents"},
                                 {"perceived", "Upplevd otrygghet", "Perceived insecurity"},
                                 {"rise", "Ökning", "Rise"}}),
                    label("area_id", "Hot spot-område", "Hotspot area"), label("category", "Kategori", "Category"),
                    label("title", "Problem", "Problem"), label("place", "Plats", "Place"),
                    label("peak_time", "Vanligaste tid", "Peak time"), label("evidence", "Underlag", "Evidence")},
                   "", false, false, "", "problem_id"});
    all.push_back({"area_summary", "multipolygon",
                   {key("area_id", "Område", "Area"), label("area_name", "Namn", "Name"), context("area_km2", "Yta", "Area", "km²"),
                    count("incidents", "Händelser", "Incidents"),
                    derived("incidents_per_km2", {"incidents"}, "Händelser per km²", "Incidents per km²", "per km²"),
                    context("residents", "Invånare", "Residents"),
                    derived("incidents_per_1000", {"incidents"}, "Händelser per 1 000 invånare", "Incidents per 1,000 residents"),
                    derived("incidents_per_1000_eb", {"incidents"}, "Händelser per 1 000 invånare, utjämnat (EB)",
                            "Incidents per 1,000 residents, smoothed (EB)"),
                    count("perc_n", "Trygghetsrapporter", "Perception reports"),
                    count("perc_unsafe", "Otrygga rapporter", "Unsafe reports"),
                    derived("perc_share_unsafe", {"perc_n", "perc_unsafe"}, "Andel otrygga", "Share unsafe"),
                    derived("perc_mean", {"perc_n"}, "Medelvärde", "Mean score"),
                    derived("perc_mean_eb", {"perc_n"}, "Medelvärde, utjämnat (EB)", "Mean score, smoothed (EB)"),
                    text("perc_reasons", {"perc_n"}, "Vanligaste orsaker", "Leading reasons"),
                    context("survey_total", "Trygghetsindex (enkäten)", "Safety index (survey)"),
                    context("survey_total_year", "Enkätens år", "Survey year"),
                    context("survey_total_change", "Förändring i trygghetsindex", "Change in the safety index")},
                   "", true, false, "area_id"});
    all.push_back({"area_survey", "none",
                   {key("area_id", "Område", "Area"), label("question", "Fråga", "Question"), context("year", "År", "Year"),
                    context("survey_index", "Index", "Index"), context("change", "Förändring", "Change")}});
    all.push_back({"area_reasons", "none",
                   {key("area_id", "Område", "Area"), label("reason", "Orsak", "Reason"),
                    count("reports", "Rapporter", "Reports"), count("unsafe_reports", "Otrygga rapporter", "Unsafe reports"),
                    derived("share_unsafe", {"reports", "unsafe_reports"}, "Andel otrygga", "Share unsafe"),
                    derived("share_unsafe_in_area", {"unsafe_reports"}, "Andel otrygga i området", "Share unsafe in the area"),
                    derived("lift", {"reports", "unsafe_reports"}, "Lyft", "Lift")},
                   "", true, false, "", "", "reason"});
    all.push_back({"perception_reasons", "none",
                   {key("reason", "Orsak", "Reason"), count("reports", "Rapporter", "Reports"),
                    count("unsafe_reports", "Otrygga rapporter", "Unsafe reports"),
                    derived("share_unsafe", {"reports", "unsafe_reports"}, "Andel otrygga", "Share unsafe"),
                    derived("share_unsafe_overall", {"unsafe_reports"}, "Andel otrygga totalt", "Share unsafe overall"),
                    derived("lift", {"reports", "unsafe_reports"}, "Lyft (andel otrygga / andel totalt)", "Lift (share unsafe / share overall)")},
                   "", true, false, "reason"});
    // perc_around is the 3x3 sum of perc_n: peeling the windows gave hidden perc_n back (route 2
    // of the publishing audit). The fear-versus-crime class, which it decides, stays.
    all.push_back({"perception_grid", "polygon",
                   {key("cell_id", "Ruta", "Cell"), count("perc_n", "Trygghetsrapporter", "Perception reports"),
                    count("perc_unsafe", "Otrygga rapporter", "Unsafe reports"),
                    derived("perc_share_unsafe", {"perc_n", "perc_unsafe"}, "Andel otrygga", "Share unsafe"),
                    derived("perc_mean", {"perc_n"}, "Medelvärde", "Mean score"),
                    derived("perc_mean_eb", {"perc_n"}, "Medelvärde, utjämnat (EB)", "Mean score, smoothed (EB)"),
                    text("perc_reasons", {"perc_n"}, "Vanligaste orsaker", "Leading reasons"),
                    statistic("perc_around", "Rapporter i 3x3 rutor", "Reports in the 3x3 cells", true),
                    statistic("perc_GiZScore", "Gi* z-värde (otrygga)", "Gi* z-score (unsafe)", true),
                    statistic("perc_GiPValue", "Gi* p-värde (otrygga)", "Gi* p-value (unsafe)", true),
                    statistic("perc_GiPseudoP", "Gi* pseudo-p (otrygga)", "Gi* pseudo p-value (unsafe)", true),
                    classOf("perc_Gi_Bin", "Otrygghetens hot spot-klass", "Hot spot class of insecurity"),
                    statistic("perc_score_GiZScore", "Gi* z-värde (medelvärde)", "Gi* z-score (mean score)", true),
                    statistic("perc_score_GiPValue", "Gi* p-värde (medelvärde)", "Gi* p-value (mean score)", true),
                    classOf("perc_score_Gi_Bin", "Medelvärdets hot spot-klass", "Hot spot class of the mean score"),
                    classOf("Gi_Bin", "Händelsernas hot spot-klass", "Hot spot class of the incidents"),
                    withClasses(classOf("fear_crime_class", "Otrygghet mot brott (klass)", "Fear versus crime (class)"),
                                fearCrimeClasses()),
                    label("fear_crime", "Otrygghet mot brott", "Fear versus crime"),
                    label("fear_crime_en", "Otrygghet mot brott (engelska)", "Fear versus crime (English)"),
                    withClasses(classOf("fear_crime_*_class", "Otrygghet mot brott för tiden på dygnet (klass)",
                                        "Fear versus crime for the time of day (class)"),
                                fearCrimeClasses()),
                    label("fear_crime_*", "Otrygghet mot brott för tiden på dygnet", "Fear versus crime for the time of day")},
                   "", true, false, "cell_id"});
    // Route 9 of the publishing audit: "Success" says A1/C1 < A0/C0, which bounds hidden counts.
    all.push_back({"followup", "none",
                   {key("category", "Kategori", "Category"),
                    count("measure_before", "Åtgärdsområdet före (A0)", "Measure area before (A0)"),
                    count("measure_after", "Åtgärdsområdet efter (A1)", "Measure area after (A1)"),
                    count("buffer_before", "Buffertzonen före (B0)", "Buffer before (B0)"),
                    count("buffer_after", "Buffertzonen efter (B1)", "Buffer after (B1)"),
                    count("control_before", "Kontrollområdet före (C0)", "Control area before (C0)"),
                    count("control_after", "Kontrollområdet efter (C1)", "Control area after (C1)"),
                    derived("success_measure", {"measure_before", "measure_after", "control_before", "control_after"},
                            "Framgångsmått (A1/C1 - A0/C0)", "Success measure (A1/C1 - A0/C0)"),
                    derived("buffer_measure", {"buffer_before", "buffer_after", "control_before", "control_after"},
                            "Buffertmått (B1/C1 - B0/C0)", "Buffer measure (B1/C1 - B0/C0)"),
                    derived("wdq", followupCounts, "WDQ (viktad förskjutningskvot)", "WDQ (weighted displacement quotient)"),
                    derived("total_net_effect", followupCounts, "Total nettoeffekt", "Total net effect"),
                    derived("verdict", followupCounts, "Bedömning (engelska)", "Verdict"),
                    derived("verdict_sv", followupCounts, "Bedömning", "Verdict (Swedish)")},
                   "", false, false, "category"});
    all.push_back({"followup_areas", "multipolygon",
                   {key("role", "Roll", "Role"), label("name", "Namn", "Name"), context("area_km2", "Yta", "Area", "km²"),
                    count("n_before", "Händelser före", "Incidents before"), count("n_after", "Händelser efter", "Incidents after")},
                   "", false, false, "role"});
    // The register's measures and their effects ([measures]). The counts of a measure are its
    // area's (A), its buffer's (B) and the control's (C, the rest of the study area outside every
    // measure's zone) in its windows before and after; publishing takes A + B + C of a window as
    // known (output/Disclosure.hpp).
    const auto effectFields = [&](std::vector<FieldSpec> head) {
        const std::vector<std::string> a{"measure_before", "measure_after", "control_before", "control_after"};
        const std::vector<std::string> b{"buffer_before", "buffer_after", "control_before", "control_after"};
        for (auto f : {count("measure_before", "Åtgärdsområdet före (A0)", "Measure area before (A0)"),
                       count("measure_after", "Åtgärdsområdet efter (A1)", "Measure area after (A1)"),
                       count("buffer_before", "Bufferten före (B0)", "Buffer before (B0)"),
                       count("buffer_after", "Bufferten efter (B1)", "Buffer after (B1)"),
                       count("control_before", "Kontrollen före (C0)", "Control before (C0)"),
                       count("control_after", "Kontrollen efter (C1)", "Control after (C1)"),
                       derived("rate_ratio", a, "Kvot (A1/A0)/(C1/C0)", "Rate ratio (A1/A0)/(C1/C0)"),
                       derived("ci_low", a, "Kvotens konfidensintervall, nedre", "Rate ratio, lower confidence limit"),
                       derived("ci_high", a, "Kvotens konfidensintervall, övre", "Rate ratio, upper confidence limit"),
                       derived("p_value", a, "p-värde (kvot = 1)", "p-value (ratio = 1)"),
                       derived("change_pct", a, "Förändring mot kontrollen", "Change against the control", "%"),
                       derived("mde_pct", {"measure_before", "control_before", "control_after"},
                               "Minsta minskning som kan påvisas", "Minimum detectable fall", "%"),
                       derived("buffer_ratio", b, "Buffertens kvot", "Buffer's rate ratio"),
                       derived("buffer_ci_low", b, "Buffertens kvot, nedre gräns", "Buffer's ratio, lower limit"),
                       derived("buffer_ci_high", b, "Buffertens kvot, övre gräns", "Buffer's ratio, upper limit"),
                       derived("wdq", followupCounts, "WDQ (viktad förskjutningskvot)", "WDQ (weighted displacement quotient)"),
                       derived("total_net_effect", followupCounts, "Total nettoeffekt", "Total net effect"),
                       // The matched comparison: from the measure area's monthly counts and those of
                       // places elsewhere (measures/Matched.cpp).
                       derived("did_per_month", a, "Skillnad i skillnader, per månad",
                               "Difference in differences, per month"),
                       derived("did_ci_low", a, "Skillnad i skillnader, nedre gräns", "Difference in differences, lower limit"),
                       derived("did_ci_high", a, "Skillnad i skillnader, övre gräns", "Difference in differences, upper limit"),
                       derived("did_change_pct", a, "Förändring mot liknande platser", "Change against similar places", "%"),
                       derived("placebo_p", a, "Placebotestets p-värde", "Placebo test's p-value"),
                       context("control_places", "Jämförelseplatser", "Matched places"),
                       context("placebo_places", "Placeboplatser", "Placebo places"),
                       withClasses(derived("verdict_code", followupCounts, "Resultat", "Result"),
                                   {{"worked", "Effekt", "Worked"},
                                    {"displaced", "Förflyttning", "Displacement"},
                                    {"worse", "Fler händelser", "More incidents"},
                                    {"no_effect", "Ingen förändring utöver slumpen", "No change beyond chance"},
                                    {"too_few", "För få händelser för att avgöra", "Too few incidents to tell"},
                                    {"not_evaluable", "Kan inte bedömas", "Cannot be evaluated"}}),
                       derived("verdict", followupCounts, "Bedömning (engelska)", "Verdict"),
                       derived("verdict_sv", followupCounts, "Bedömning", "Verdict (Swedish)")})
            head.push_back(f);
        return head;
    };
    all.push_back({"measures", "multipolygon",
                   effectFields({key("measure_id", "Åtgärd", "Measure"), label("name", "Namn", "Name"),
                                 label("kind", "Typ", "Kind"), label("place", "Plats", "Place"),
                                 label("start", "Start", "Start"), label("end", "Slut", "End"),
                                 label("responsible", "Ansvarig", "Responsible"),
                                 label("target", "Problem eller kategori", "Problem or category"),
                                 label("status", "Status", "Status"),
                                 label("effect_category", "Effekten avser", "Effect for"),
                                 label("before_from", "Före, från", "Before, from"),
                                 label("after_to", "Efter, till", "After, to"),
                                 label("overlaps", "Överlappar", "Overlaps"),
                                 label("joint_group", "Grupp med gemensam effekt", "Group with a joint effect"),
                                 context("area_km2", "Yta", "Area", "km²")}),
                   "", false, false, "measure_id,effect_category", "measure_id"});
    {
        // Residents' safety reports in and around each measure, before and after (measures/Perceived.cpp).
        auto& fields = all.back().fields;
        const std::vector<std::string> n{"perceived_before_n", "perceived_after_n"};
        const std::vector<std::string> unsafe{"perceived_before_n", "perceived_after_n", "perceived_before_unsafe",
                                              "perceived_after_unsafe"};
        for (auto f : {count("perceived_before_n", "Trygghetsrapporter före", "Safety reports before"),
                       count("perceived_after_n", "Trygghetsrapporter efter", "Safety reports after"),
                       count("perceived_before_unsafe", "Otrygga rapporter före", "Unsafe reports before"),
                       count("perceived_after_unsafe", "Otrygga rapporter efter", "Unsafe reports after"),
                       derived("perceived_before", n, "Upplevd otrygghet före (medel)", "Perceived insecurity before (mean)"),
                       derived("perceived_after", n, "Upplevd otrygghet efter (medel)", "Perceived insecurity after (mean)"),
                       derived("perceived_change", n, "Förändring i upplevd otrygghet", "Change in perceived insecurity"),
                       derived("perceived_p", n, "p-värde (Welch)", "p-value (Welch)"),
                       derived("unsafe_share_before", unsafe, "Andel otrygga före", "Share unsafe before"),
                       derived("unsafe_share_after", unsafe, "Andel otrygga efter", "Share unsafe after"),
                       derived("perceived_vs_rest", n, "Förändring mot resten av området", "Change against the rest of the area"),
                       derived("perceived_vs_rest_p", n, "p-värde mot resten", "p-value against the rest"),
                       derived("perceived", unsafe, "Upplevd trygghet (engelska)", "Perceived safety"),
                       derived("perceived_sv", unsafe, "Upplevd trygghet", "Perceived safety (Swedish)"),
                       // The survey's indices of the area it lies in (no counts: the survey's own figures).
                       label("survey_area", "Område (trygghetsmätning)", "Area (survey)"),
                       label("survey_question", "Fråga", "Question"),
                       context("survey_before_year", "Mätningens år före", "Survey year before"),
                       context("survey_before", "Index före", "Index before"),
                       context("survey_after_year", "Mätningens år efter", "Survey year after"),
                       context("survey_after", "Index efter", "Index after"),
                       label("survey", "Trygghetsmätningen (engelska)", "Survey"),
                       label("survey_sv", "Trygghetsmätningen", "Survey (Swedish)")})
            fields.push_back(f);
    }
    all.push_back({"measure_effects", "none",
                   effectFields({key("measure_id", "Åtgärd", "Measure"), key("category", "Kategori", "Category")}), "",
                   false, false, "measure_id,category", "measure_id"});
    all.push_back({"rejected_measures", "none",
                   {key("source_row", "Rad i registret", "Row of the register"), label("measure_id", "Åtgärd", "Measure"),
                    withClasses(label("reject_reason", "Skäl", "Reason"),
                                {{"missing_id", "Saknar id", "No id"},
                                 {"duplicate_id", "Id:t finns redan på en tidigare rad", "The id is taken by an earlier row"},
                                 {"missing_name", "Saknar namn", "No name"},
                                 {"unknown_kind", "Typen finns inte bland åtgärdstyperna", "The kind is not one of the kinds"},
                                 {"bad_date", "Datumet går inte att läsa", "The date cannot be read"},
                                 {"end_before_start", "Slutar före start", "Ends before it starts"},
                                 {"no_place", "Saknar plats och geometri", "No place and no geometry"},
                                 {"bad_geometry", "Geometrin (WKT) går inte att läsa", "The geometry (WKT) cannot be read"},
                                 {"place_not_found", "Platsen finns inte i kartlagren", "The place is in no map layer"},
                                 {"outside_study_area", "Ligger utanför området", "Lies outside the study area"}}),
                    label("reject_field", "Fält", "Field"),
                    label("reject_detail", "Detaljer", "Detail")},
                   "", false});
    all.push_back({"problem_measures", "none",
                   {key("problem_id", "Problem", "Problem"), key("measure_id", "Åtgärd", "Measure"),
                    withClasses(label("link", "Koppling", "Link"),
                                {{"named", "Åtgärden anger problemet", "The measure names the problem"},
                                 {"area", "Åtgärden ligger i problemets område", "The measure lies in the problem's area"},
                                 {"category", "Åtgärden gäller kategorin som ökat", "The measure targets the category that rose"},
                                 {"none", "Ingen koppling", "No link"}}),
                    // A copy of the measure's result, which publishing may hide there (measures.verdict_code).
                    statistic("verdict_code", "Åtgärdens resultat", "The measure's result", true)},
                   "", false});
    all.push_back({"measure_suggestions", "none",
                   {key("problem_id", "Problem", "Problem"), key("area_id", "Hot spot-område", "Hotspot area"),
                    key("suggested_kind", "Föreslagen åtgärdstyp", "Suggested kind of measure"),
                    label("indicator", "Mått", "Indicator"), label("reason", "Skäl (trygghetsrapporter)", "Reason (safety reports)"),
                    derived("value", {}, "Värde", "Value"), context("threshold", "Regelns gräns", "The rule's threshold"),
                    derived("evidence", {}, "Underlag (engelska)", "Evidence"), derived("evidence_sv", {}, "Underlag", "Evidence (Swedish)"),
                    label("answered_by", "Besvaras av åtgärd", "Answered by measure")},
                   "", false});
    // The incidents in darkness in an area's dark spot are some of the area's dark_incidents.
    all.push_back({"dark_spots", "multipolygon",
                   {key("area_id", "Hot spot-område", "Hotspot area"), context("dark_m2", "Mörk yta", "Dark area", "m²"),
                    count("dark_incidents", "Händelser i mörker i den mörka platsen", "Incidents in darkness in the dark spot")},
                   "", true, false, "", "area_id"});
    // Residents' reports by the sun's light: the unsafe ones are some of the class's reports; the
    // classes add up to the perception reports (columns as published).
    all.push_back({"perception_light", "none",
                   {key("light_class", "Ljus (kod)", "Light (code)"), label("light", "Ljus", "Light"),
                    count("reports", "Trygghetsrapporter", "Perception reports"),
                    part("unsafe_reports", "reports", "Otrygga rapporter", "Unsafe reports"),
                    derived("share_unsafe", {"reports", "unsafe_reports"}, "Andel otrygga", "Share unsafe")},
                   "", true, false, "light_class"});
    // The Knox test (stats.near_repeat): pairs of reports, not reports; a small count of pairs
    // still points at a few incidents close in space and time, so the pair counts and the ratio
    // (observed / expected) are dropped when publishing; the p-value and the class stay.
    all.push_back({"near_repeat", "none",
                   {key("category", "Kategori", "Category"), label("distance_band", "Avståndsband", "Distance band"),
                    label("distance", "Avstånd", "Distance"), context("distance_from_m", "Avstånd från", "Distance from", "m"),
                    context("distance_to_m", "Avstånd till (ej med)", "Distance to (not included)", "m"),
                    label("time_band", "Tidsband", "Time band"), label("time", "Tid emellan", "Time apart"),
                    context("days_from", "Dagar från", "Days from"), context("days_to", "Dagar till (ej med)", "Days to (not included)"),
                    statistic("observed_pairs", "Par av händelser", "Pairs of incidents", true),
                    statistic("expected_pairs", "Väntat antal par (slumpen)", "Expected pairs (chance)", true),
                    statistic("knox_ratio", "Knox-kvot (par mot väntat)", "Knox ratio (pairs against expected)", true),
                    statistic("p_value", "p-värde (Monte Carlo)", "p-value (Monte Carlo)", false),
                    withClasses(classOf("near_repeat", "Upprepning nära i tid och rum", "Near repeat"),
                                {{"1", "Fler par än slumpen ger (p < 0,05)", "More pairs than chance (p < 0.05)"},
                                 {"0", "Inte fler än slumpen", "No more than chance"}})},
                   "", false});
    // How well the training period's map found the test period's incidents: the counts in the hot
    // area are parts of the period's counts; the rates and indices are computed from them.
    {
        const std::vector<std::string> in{"train_in", "train_incidents", "test_in", "test_incidents", "best_in"};
        all.push_back({"map_accuracy", "none",
                       {key("method", "Karta", "Map"), label("scale", "Jämförd skala (1) eller körningens karta (0)", "A scale compared (1) or the run's map (0)"),
                        context("cell_size_m", "Rutstorlek", "Cell size", "m"), context("bandwidth_m", "Bandbredd", "Bandwidth", "m"),
                        label("train_from", "Kartans period, från", "The map's period, from"),
                        label("train_to", "Kartans period, till", "The map's period, to"),
                        label("test_from", "Prövad period, från", "The period tested, from"),
                        label("test_to", "Prövad period, till", "The period tested, to"),
                        context("cells", "Rutor i kartans hot spot-yta", "Cells of the map's hot area"),
                        context("area_share", "Andel av ytan", "Share of the area"),
                        count("train_incidents", "Händelser, kartans period", "Incidents, the map's period"),
                        part("train_in", "train_incidents", "Därav i hot spot-ytan", "Of them in the hot area"),
                        count("test_incidents", "Händelser, prövad period", "Incidents, the period tested"),
                        part("test_in", "test_incidents", "Därav i hot spot-ytan", "Of them in the hot area"),
                        part("best_in", "test_incidents|best", "Som mest i lika många rutor", "At most in as many cells"),
                        derived("hit_rate", {"test_in", "test_incidents"}, "Träffandel", "Hit rate"),
                        derived("pai", {"test_in", "test_incidents"}, "PAI (träffandel mot ytandel)", "PAI (hit rate over area share)"),
                        derived("pei", {"test_in", "best_in"}, "PEI (träffar mot möjliga)", "PEI (hits over the possible)"),
                        derived("rri", in, "RRI (återfångst)", "RRI (recapture rate index)"),
                        label("best_scale", "Bästa skalan (högst PEI)", "Best scale (highest PEI)")},
                       "", false});
    }
    // The risk terrain model (stats.risk_model): coefficients and their relative risk values are
    // not counts, but at full precision a factor's cells' incidents add up to what the model
    // expects there (the Poisson's score equations). Publishing drops the coefficients, their
    // standard errors and the cells' expected incidents, and rounds the relative risk values to
    // two decimals.
    all.push_back({"risk_factors", "none",
                   {key("factor", "Faktor", "Factor"), label("title", "Beskrivning", "Description"),
                    withClasses(label("role", "Roll i modellen", "Role in the model"),
                                {{"chosen", "Vald faktor", "Chosen factor"},
                                 {"not_chosen", "Inte vald (sänkte inte BIC)", "Not chosen (did not lower the BIC)"},
                                 {"control", "Kontrollvariabel (alltid med)", "Control (always in)"}}),
                    withClasses(label("operationalisation", "Mätt som", "Measured as"),
                                {{"proximity", "Närhet (inom avståndet)", "Proximity (within the distance)"},
                                 {"density", "Hög täthet", "High density"},
                                 {"share", "Täcker minst halva rutan", "Covers at least half the cell"}}),
                    context("influence_m", "Påverkansavstånd", "Distance of influence", "m"),
                    label("features", "Geometri", "Geometry"),
                    context("cells_present", "Rutor där faktorn finns", "Cells where the factor is present"),
                    label("rank", "Rang (högst RRV först)", "Rank (highest RRV first)"),
                    statistic("coefficient", "Koefficient", "Coefficient", true),
                    statistic("std_error", "Standardfel", "Standard error", true),
                    statistic("z_score", "z-värde", "z-score", true), statistic("p_value", "p-värde", "p-value", false),
                    statistic("rrv", "Relativ risk (RRV)", "Relative risk value (RRV)", false),
                    statistic("rrv_low", "RRV, 95 % nedre", "RRV, 95 % lower", false),
                    statistic("rrv_high", "RRV, 95 % övre", "RRV, 95 % upper", false)},
                   "", false});
    all.push_back({"risk_terrain", "polygon",
                   {key("cell_id", "Ruta", "Cell"),
                    statistic("rrs", "Relativ riskpoäng (RRS)", "Relative risk score (RRS)", false),
                    withClasses(classOf("risk_class", "Riskklass", "Risk class"),
                                {{"4", "8 gånger eller mer", "8 times or more"},
                                 {"3", "4 till 8 gånger", "4 to 8 times"},
                                 {"2", "2 till 4 gånger", "2 to 4 times"},
                                 {"1", "1 till 2 gånger", "1 to 2 times"},
                                 {"0", "Ingen av faktorerna", "None of the factors"},
                                 {"-1", "Lägre än utan faktorer", "Lower than without factors"}}),
                    context("n_factors", "Faktorer i rutan", "Factors in the cell"),
                    label("factors", "Vilka faktorer", "Which factors"),
                    statistic("expected", "Väntat antal händelser (modellen)", "Expected incidents (the model)", true)},
                   "", false, false, "cell_id"});
    // The design matrix holds every cell's count: never written when publishing.
    all.push_back({"risk_design", "none",
                   {key("cell_id", "Ruta", "Cell"), count("n", "Händelser", "Incidents"),
                    context("offset", "Offset (log)", "Offset (log)"), context("residents", "log(1 + invånare)", "log(1 + residents)"),
                    context("*", "Kandidatvariabel (0/1)", "Candidate variable (0/1)")},
                   "", false});
    // Colocation (stats.colocation): the quotients are statistics of where the category's
    // incidents lie among the others; n is the category's count in the analysis, the colocated and
    // isolated incidents parts of it. Per cell (colocation_cells): never written when publishing.
    {
        const auto classes = std::vector<ClassLabel>{
            {"colocated", "Samlokaliserade (oftare nära än slumpen ger)", "Colocated (near more often than chance gives)"},
            {"isolated", "Isolerade (mer sällan nära än slumpen ger)", "Isolated (near less often than chance gives)"},
            {"not_significant", "Inte skilt från slumpen", "Not different from chance"},
            {"not_tested", "Inte prövat (inga permutationer)", "Not tested (no permutations)"},
            {"undefined", "Kunde inte beräknas", "Could not be computed"}};
        all.push_back({"colocation", "none",
                       {key("name", "Par", "Pair"), label("title", "Beskrivning", "Description"),
                        label("category", "Kategori (A)", "Category (A)"), label("near", "Nära (B)", "Near (B)"),
                        withClasses(label("near_kind", "B är", "B is"),
                                    {{"category", "En kategori av händelser", "A category of incidents"},
                                     {"layer", "Ett kartlagers punkter", "A map layer's points"}}),
                        count("n", "Händelser i kategorin (A)", "Incidents of the category (A)"),
                        count("near_n", "Punkter av B", "Points of B"),
                        part("nearest_near_n", "n", "Händelser med B som närmaste granne", "Incidents with a B as nearest neighbour"),
                        // The quotient gives nearest_near_n back: hidden with it.
                        derived("clq", {"nearest_near_n"}, "Samlokaliseringskvot (CLQ)", "Colocation quotient (CLQ)"),
                        derived("p_high", {"nearest_near_n"}, "p-värde, samlokaliserade", "p-value, colocated"),
                        derived("p_low", {"nearest_near_n"}, "p-värde, isolerade", "p-value, isolated"),
                        withClasses(classOf("clq_class", "Slutsats", "Conclusion"), classes),
                        part("colocated_n", "n", "Händelser samlokaliserade (lokalt, 95 %)", "Incidents colocated (local, 95 %)"),
                        part("isolated_n", "n", "Händelser isolerade (lokalt, 95 %)", "Incidents isolated (local, 95 %)")},
                       "", false});
        all.push_back({"colocation_cells", "polygon",
                       {key("cell_id", "Ruta", "Cell"), key("name", "Par", "Pair"),
                        count("n", "Händelser i kategorin (A)", "Incidents of the category (A)"),
                        statistic("mean_lclq", "Lokal samlokaliseringskvot, medel", "Local colocation quotient, mean", true),
                        part("colocated_n", "n", "Därav samlokaliserade (95 %)", "Of them colocated (95 %)"),
                        part("isolated_n", "n", "Därav isolerade (95 %)", "Of them isolated (95 %)"),
                        withClasses(classOf("lclq_class", "Rutans slutsats (de flesta händelserna)", "The cell's conclusion (most incidents)"),
                                    {classes[0], classes[1], classes[2]})},
                       "", false});
    }
    // Two hot spot maps compared (stats.hotspot_comparison): classes and their similarity, no
    // count of reports (the cells are the grid's).
    all.push_back({"hotspot_comparison", "none",
                   {key("comparison", "Jämförelse", "Comparison"), label("map_a", "Karta A", "Map A"), label("map_b", "Karta B", "Map B"),
                    context("cells", "Rutor", "Cells"),
                    statistic("similarity", "Likhet (0-1)", "Similarity (0-1)", false),
                    statistic("expected_similarity", "Väntad likhet (slumpen)", "Expected similarity (chance)", false),
                    statistic("kappa", "Kappa (likhet utöver slumpen)", "Kappa (similarity beyond chance)", false),
                    context("hot_cells_a", "Hot spot-rutor i A", "Hot cells in A"), context("hot_cells_b", "Hot spot-rutor i B", "Hot cells in B"),
                    context("hot_cells_both", "Hot spot-rutor i båda", "Hot cells in both"),
                    context("shared_of_a", "Andel av A:s hot spot-rutor som delas", "Share of A's hot cells shared"),
                    context("shared_of_b", "Andel av B:s hot spot-rutor som delas", "Share of B's hot cells shared")},
                   "", false});
    for (const char* kind : {"perceived", "periods", "analysis"})
        all.push_back({std::string("hotspot_comparison_") + kind, "polygon",
                       {key("cell_id", "Ruta", "Cell"),
                        withClasses(classOf("class_a", "Klass i karta A", "Class in map A"), hotColdClasses()),
                        withClasses(classOf("class_b", "Klass i karta B", "Class in map B"), hotColdClasses()),
                        withClasses(classOf("agreement", "Överensstämmelse", "Agreement"),
                                    {{"both_hot", "Hot spot i båda", "Hot spot in both"},
                                     {"a_hot_only", "Hot spot bara i A", "Hot spot in A only"},
                                     {"b_hot_only", "Hot spot bara i B", "Hot spot in B only"},
                                     {"both_cold", "Cold spot i båda", "Cold spot in both"},
                                     {"other", "Övriga", "Other"}}),
                        statistic("similarity", "Rutans likhet (0-1)", "The cell's similarity (0-1)", false)},
                       "", false, false, "cell_id"});
    // The reports' own places: never written when publishing.
    all.push_back({"repeat_locations", "multipoint",
                   {key("location_id", "Plats", "Location"), count("incidents", "Händelser på platsen", "Incidents at the point"),
                    count("repeats", "Upprepningar inom fönstret", "Repeats within the window"),
                    label("first_day", "Första", "First"), label("last_day", "Senaste", "Last"),
                    label("categories", "Kategorier", "Categories")},
                   "", false});
    // Per month the hours of each light class and the incidents in it: with no_clock they make
    // the month's n of monthly_counts.
    all.push_back({"light_by_month", "none",
                   {key("month", "Månad", "Month"), context("hours_daylight", "Timmar i dagsljus", "Hours of daylight", "h"),
                    context("hours_twilight", "Timmar i skymning", "Hours of twilight", "h"),
                    context("hours_dark", "Timmar i mörker", "Hours of darkness", "h"),
                    count("daylight_n", "Händelser i dagsljus", "Incidents in daylight"),
                    count("twilight_n", "Händelser i skymning", "Incidents in twilight"),
                    count("dark_n", "Händelser i mörker", "Incidents in darkness"),
                    count("no_clock", "Med datum men utan klockslag", "With a date but no clock time"),
                    context("dark_share_hours", "Andel mörka timmar", "Share of the hours dark"),
                    derived("dark_share_incidents", {"daylight_n", "twilight_n", "dark_n"}, "Andel händelser i mörker",
                            "Share of the incidents in darkness")},
                   "", true, false, "", "month"});
    all.push_back({"study_area", "multipolygon", {context("area_km2", "Yta", "Area", "km²")}});
    // Protected by its own rules (output/Publish.cpp, publishMetadata).
    all.push_back({"run_metadata", "none",
                   {key("key", "Nyckel", "Key"), label("value", "Värde", "Value")}, "", false});
    // Never written when publishing: the input's own rows.
    for (const char* rejected : {"rejected_reports", "rejected_perception"})
        all.push_back({rejected, "none",
                       {key("source_row", "Rad i indata", "Row of the input"), label("reject_reason", "Skäl", "Reason"),
                        label("reject_field", "Fält", "Field"), label("reject_detail", "Detaljer", "Detail"),
                        label("*", "Indatans fält", "The input's field")},
                       "", false});
    all.push_back({"incremental_autocorrelation", "none",
                   {context("distance_m", "Avståndsband", "Distance band", "m"),
                    statistic("moran_i", "Globalt Morans I", "Global Moran's I", false),
                    statistic("expected_i", "Väntevärde för I", "Expected I", false),
                    statistic("variance", "Varians för I", "Variance of I", false),
                    statistic("z_score", "z-värde", "z-score", false), statistic("p_value", "p-värde", "p-value", false),
                    statistic("mean_neighbours", "Grannar i medel", "Mean neighbours", false),
                    label("peak", "Topp (first, max)", "Peak (first, max)")},
                   "", false});
    // The municipality's own map layers, copied as they are (a label from their name field).
    all.push_back({"context_*", "any", {label("label", "Namn", "Name")}, "", false});
    all.push_back({"kde_density", "raster", {}});
    all.push_back({"kde_risk", "raster", {}});
    // The QGIS project's tree, top first within each group.
    int rank = 0;
    const auto present = [&](const char* name, ProjectGroup group, bool visible, const char* sv, const char* en) {
        for (auto& l : all)
            if (l.name == name) {
                l.titleSv = sv;
                l.titleEn = en;
                l.group = group;
                l.rank = rank++;
                l.visible = visible;
            }
    };
    using G = ProjectGroup;
    present("problems", G::HotSpots, false, "Problem i lägesbilden", "Problems of the situation picture");
    present("hotspot_areas", G::HotSpots, true, "Hot spot-områden", "Hotspot areas");
    present("dark_spots", G::HotSpots, false, "Mörka platser i hot spot-områden", "Dark spots in hotspot areas");
    present("repeat_locations", G::HotSpots, false, "Platser som drabbats igen", "Locations hit again");
    present("hotspot_grid", G::HotSpots, true, "Hot spots per ruta", "Hot spots per cell");
    present("perception_grid", G::Perception, false, "Upplevd trygghet och otrygghet mot brott",
            "Perceived safety and fear versus crime");
    present("emerging_hotspots", G::Time, false, "Framväxande hot spots", "Emerging hot spots");
    present("change_grid", G::Time, false, "Förändring mellan perioder", "Change between periods");
    present("followup_areas", G::Measures, false, "Uppföljningens områden", "Follow-up areas");
    present("measures", G::Measures, true, "Åtgärder och deras effekt", "Measures and their effect");
    present("risk_terrain", G::Density, false, "Riskterräng (faktorer i miljön)", "Risk terrain (factors of the place)");
    present("hotspot_comparison_perceived", G::Perception, false, "Hot spots: händelser mot upplevd otrygghet",
            "Hot spots: incidents against perceived insecurity");
    present("hotspot_comparison_periods", G::Time, false, "Hot spots: första perioden mot andra", "Hot spots: first period against second");
    present("hotspot_comparison_analysis", G::HotSpots, false, "Hot spots: analysen mot huvudanalysen",
            "Hot spots: the analysis against the main one");
    present("colocation_cells", G::HotSpots, false, "Samlokalisering per ruta", "Colocation per cell");
    present("density_areas", G::Density, false, "Tätaste områdena", "Densest areas");
    present("kde_risk", G::Density, false, "Risk (täthet mot befolkning)", "Risk (density against population)");
    present("kde_density", G::Density, false, "Täthet (kernel density)", "Kernel density");
    present("area_summary", G::Areas, false, "Områden: invånare, tal och trygghet", "Areas: residents, rates and safety");
    present("area_statistics", G::Areas, false, "Områden: hot spots", "Areas: hot spots");
    present("context_*", G::Map, true, "", "");
    present("study_area", G::Map, true, "Undersökningsområde", "Study area");
    present("hot_times", G::Tables, false, "Tider: veckodag och timme", "Hot times: weekday and hour");
    present("light_by_month", G::Tables, false, "Ljus och mörker per månad", "Light and darkness by month");
    present("risk_factors", G::Tables, false, "Riskfaktorer (risk terrain)", "Risk factors (risk terrain)");
    present("colocation", G::Tables, false, "Samlokalisering (CLQ)", "Colocation (CLQ)");
    present("hotspot_comparison", G::Tables, false, "Hot spot-kartor jämförda", "Hot spot maps compared");
    present("risk_design", G::Tables, false, "Riskmodellens designmatris", "The risk model's design matrix");
    present("map_accuracy", G::Tables, false, "Hur väl kartan förutsäger", "How well the map predicts");
    present("near_repeat", G::Tables, false, "Upprepningar nära i tid och rum (Knox)", "Near repeats (Knox test)");
    present("followup", G::Tables, false, "Uppföljning (WDQ)", "Follow-up (WDQ)");
    present("measure_effects", G::Tables, false, "Åtgärdernas effekt per kategori", "Measure effects per category");
    present("problem_measures", G::Tables, false, "Problem och åtgärder", "Problems and measures");
    present("measure_suggestions", G::Tables, false, "Föreslagna åtgärder", "Suggested measures");
    present("monthly_counts", G::Tables, false, "Händelser per månad", "Incidents per month");
    present("period_counts", G::Tables, false, "Händelser per period", "Incidents per period");
    present("period_change", G::Tables, false, "Vad ökade och vad minskade", "What rose and what fell");
    present("perception_light", G::Tables, false, "Upplevd trygghet i dagsljus och mörker", "Perceived safety in daylight and darkness");
    present("perception_reasons", G::Tables, false, "Orsaker till otrygghet", "Reasons for feeling unsafe");
    present("area_reasons", G::Tables, false, "Orsaker till otrygghet per område", "Reasons for feeling unsafe, per area");
    present("area_survey", G::Tables, false, "Trygghetsindex per område", "Safety survey indices per area");
    present("incremental_autocorrelation", G::Tables, false, "Inkrementell autokorrelation",
            "Incremental spatial autocorrelation");
    present("run_metadata", G::Tables, false, "Så gjordes filen (run_metadata)", "How this file was made (run_metadata)");
    present("rejected_reports", G::Tables, false, "Avvisade rader", "Rejected rows");
    present("rejected_perception", G::Tables, false, "Avvisade trygghetsrapporter", "Rejected perception reports");
    present("rejected_measures", G::Tables, false, "Avvisade åtgärder", "Rejected measures");
    return all;
}

} // namespace

const char* toString(Role role) {
    switch (role) {
    case Role::Key: return "key";
    case Role::Count: return "count";
    case Role::Derived: return "derived";
    case Role::Statistic: return "statistic";
    case Role::Class: return "class";
    case Role::Label: return "label";
    case Role::TextWithCounts: return "text_with_counts";
    case Role::Context: return "context";
    }
    return "";
}

const std::vector<LayerSpec>& declaredLayers() {
    static const std::vector<LayerSpec> all = build();
    return all;
}

std::string fieldTitle(const std::string& layer, const std::string& field, bool english) {
    if (const LayerSpec* l = layerOf(layer))
        if (const FieldSpec* f = fieldOf(*l, field)) return english ? f->en : f->sv;
    return field;
}

std::string classLabel(const std::string& layer, const std::string& field, const std::string& value, bool english) {
    if (const LayerSpec* l = layerOf(layer))
        if (const FieldSpec* f = fieldOf(*l, field))
            for (const auto& c : f->classes)
                if (c.value == value) return english ? c.en : c.sv;
    return value;
}

bool matches(const std::string& pattern, const std::string& name) {
    const auto star = pattern.find('*');
    if (star == std::string::npos) return pattern == name;
    const std::string head = pattern.substr(0, star), rest = pattern.substr(star + 1);
    if (name.compare(0, head.size(), head) != 0) return false;
    for (std::size_t at = head.size(); at <= name.size(); ++at)
        if (matches(rest, name.substr(at))) return true;
    return false;
}

const LayerSpec* layerOf(const std::string& table) {
    // The longest base that fits: "area_reasons" before a shorter one ending the same way.
    const LayerSpec* best = nullptr;
    for (const auto& l : declaredLayers()) {
        const bool fits = l.name.find('*') == std::string::npos ? isLayer(table, l.name) : matches(l.name, table);
        if (fits && (!best || l.name.size() > best->name.size())) best = &l;
    }
    return best;
}

const FieldSpec* fieldOf(const LayerSpec& layer, const std::string& field) {
    for (const auto& f : layer.fields)
        if (f.name.find('*') == std::string::npos && f.name == field) return &f;
    for (const auto& f : layer.fields)
        if (f.name.find('*') != std::string::npos && matches(f.name, field)) return &f;
    return nullptr;
}

std::string dropTextCounts(const std::string& text, const std::string& separator) {
    static const std::regex count(R"( ?\(\d+\))");
    const std::string out = std::regex_replace(text, count, "");
    std::string joined;
    for (std::size_t at = 0;;) {
        const std::size_t next = out.find("; ", at);
        joined += out.substr(at, next == std::string::npos ? std::string::npos : next - at);
        if (next == std::string::npos) return joined;
        joined += separator;
        at = next + 2;
    }
}

} // namespace trygg::output
