// Every layer and field Trygg writes is declared (output/Layers.hpp): its role, which publishing
// works from, and its title in Swedish and English, which QGIS shows. The sample is run with
// every analysis it has, then published in English, and both files are walked field by field.
#include "../TestSupport.hpp"

#include "trygg/output/Layers.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>

using namespace trygg;

namespace {

// table -> its fields, for the vector layers and tables of a GeoPackage (not the rasters).
std::vector<std::pair<std::string, std::vector<std::string>>> fieldsOf(const std::string& path) {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (const auto& t : test::sqlQuery(path, "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')")) {
        std::vector<std::string> fields;
        for (const auto& f : test::sqlQuery(path, "SELECT name FROM pragma_table_info('" + t[0] + "')"))
            if (f[0] != "fid" && f[0] != "geom") fields.push_back(f[0]);
        out.emplace_back(t[0], fields);
    }
    // The rasters, which have no fields.
    for (const auto& t : test::sqlQuery(path, "SELECT table_name FROM gpkg_contents WHERE data_type = '2d-gridded-coverage'"))
        out.emplace_back(t[0], std::vector<std::string>{});
    return out;
}

} // namespace

TEST_CASE("glob patterns of the declarations", "[output]") {
    CHECK(output::matches("n_*", "n_stold"));
    CHECK(output::matches("*_length_*", "vag_length_huvudgata"));
    CHECK(output::matches("fear_crime_*_class", "fear_crime_kvall_natt_class"));
    CHECK_FALSE(output::matches("*_share", "share_inside"));
    CHECK_FALSE(output::matches("n_*", "n"));
    CHECK(output::matches("*", ""));
}

TEST_CASE("every field of every layer the sample writes is declared, with a role and both titles", "[output][publish]") {
    test::TempDir dir;
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.output.path = dir.file("full.gpkg");
    c.output.report = false;
    c.inference.permutations = 99;  // the fields, not their values
    c.incremental.enabled = true;   // incremental_autocorrelation too
    pipeline::run(c, Progress());
    std::size_t fields = 0;
    std::set<std::string> bases;
    for (const auto& [table, names] : fieldsOf(c.output.path)) {
        if (table == "layer_styles") continue;  // QGIS's table of styles
        const output::LayerSpec* layer = output::layerOf(table);
        INFO(table);
        REQUIRE(layer);
        bases.insert(layer->name);
        for (const auto& name : names) {
            INFO(name);
            const output::FieldSpec* f = output::fieldOf(*layer, name);
            REQUIRE(f);
            CHECK(!f->sv.empty());
            CHECK(!f->en.empty());
            CHECK(std::string(output::toString(f->role)) != "");
            for (const auto& from : f->from) {  // what it is computed from is declared as a count
                const output::FieldSpec* source = output::fieldOf(*layer, from);
                REQUIRE(source);
                CHECK(source->role == output::Role::Count);
            }
            ++fields;
        }
    }
    CHECK(fields > 300);
    // QGIS shows the declared titles, in the project's language (Swedish by default), and a
    // pattern's field its name beside the title.
    const auto style = [&](const std::string& path, const std::string& table) {
        return test::sqlQuery(path, "SELECT styleQML FROM layer_styles WHERE f_table_name = '" + table +
                                        "' AND useAsDefault = 1")[0][0];
    };
    CHECK(style(c.output.path, "hotspot_grid").find(R"(<alias field="n" index="1" name="Händelser"/>)") != std::string::npos);
    CHECK(style(c.output.path, "hotspot_grid").find(R"(name="Händelser i kategorin: n_misshandel")") != std::string::npos);
    CHECK(style(c.output.path, "natt_misshandel_hot_times").find(R"(name="Händelser kl. 22-23")") != std::string::npos);
    // Any GeoPackage reader finds the same titles in gpkg_data_columns (the schema extension),
    // one row per column of every layer and table.
    const auto dataColumn = [&](const std::string& path, const std::string& table, const std::string& column) {
        const auto rows = test::sqlQuery(path, "SELECT name, title, description FROM gpkg_data_columns WHERE table_name = '" +
                                                   table + "' AND column_name = '" + column + "'");
        return rows.empty() ? std::vector<std::string>{} : rows[0];
    };
    CHECK(dataColumn(c.output.path, "hotspot_grid", "n") == std::vector<std::string>{"Händelser", "Incidents", "count"});
    CHECK(dataColumn(c.output.path, "change_grid", "change")[2] == "derived; computed from n_before, n_after");
    std::size_t described = 0;
    for (const auto& [table, names] : fieldsOf(c.output.path))
        if (table != "layer_styles") described += names.size();
    CHECK(test::sqlQuery(c.output.path, "SELECT count(*) FROM gpkg_data_columns")[0][0] == std::to_string(described));
    CHECK(bases.size() == output::declaredLayers().size());  // and no declaration the sample does not use
    // Every layer has its title in both languages and its place in the QGIS project; only the
    // context layers keep their source layer's name.
    for (const auto& l : output::declaredLayers()) {
        INFO(l.name);
        CHECK(l.titleSv.empty() == (l.name == "context_*"));
        CHECK(l.titleEn.empty() == (l.name == "context_*"));
        if (l.name != "context_*") CHECK(l.titleSv != l.titleEn);
        for (const auto& f : l.fields) {
            INFO(f.name);
            CHECK(!f.sv.empty());
            CHECK(!f.en.empty());
        }
    }

    // Published: every field still there is declared; the layers with counts carry the
    // `suppressed` flag (publishing went through them); what is declared dropped is gone, and
    // no text keeps a count.
    c.output.path = dir.file("published.gpkg");
    c.publish.enabled = true;
    c.output.language = "en";
    pipeline::run(c, Progress());
    CHECK(style(c.output.path, "area_summary").find(R"(name="Incidents per 1,000 residents")") != std::string::npos);
    // An English file names the weekdays in English, in the table and in the hotspot areas.
    CHECK(test::sqlQuery(c.output.path, "SELECT weekday_name FROM hot_times WHERE weekday = 6 LIMIT 1")[0][0] == "Saturday");
    CHECK(test::sqlQuery(c.output.path, "SELECT count(*) FROM hotspot_areas WHERE peak_weekday LIKE '%dag%'")[0][0] == "0");
    // ... and the places with English prepositions ("in Folkets park", "near ... (120 m)").
    CHECK(test::sqlQuery(c.output.path, "SELECT count(*) FROM hotspot_areas WHERE place LIKE 'i %' OR place LIKE 'nära %'")[0][0] == "0");
    CHECK(test::sqlQuery(c.output.path, "SELECT count(*) FROM hotspot_areas WHERE place LIKE 'in %'")[0][0] != "0");
    // The fear-versus-crime legend in English alone (it read "Båda / Both").
    CHECK(style(c.output.path, "perception_grid").find(" / ") == std::string::npos);
    // The published file describes what is left: a dropped field has no row.
    CHECK(dataColumn(c.output.path, "hotspot_grid", "n")[0] == "Incidents");
    CHECK(dataColumn(c.output.path, "hotspot_grid", "GiZScore").empty());
    for (const auto& [table, names] : fieldsOf(c.output.path)) {
        if (table.rfind("context_", 0) == 0 || table == "layer_styles" || table == "run_metadata") continue;
        const output::LayerSpec* layer = output::layerOf(table);
        INFO(table);
        REQUIRE(layer);
        bool counts = false, flagged = false;
        for (const auto& name : names) {
            INFO(name);
            if (name == "suppressed") {
                flagged = true;
                continue;
            }
            const output::FieldSpec* f = output::fieldOf(*layer, name);
            REQUIRE(f);
            CHECK_FALSE(f->dropWhenPublishing);
            counts = counts || f->role == output::Role::Count;
        }
        CHECK(flagged == counts);
    }
}

TEST_CASE("a weighted run: weight_sum is declared, and published only where n is", "[output][publish]") {
    // The sample's reports with a weight of 1, 2 or 3 each; published, a cell whose n is hidden
    // must not show the sum of its weights (which says that reports are there).
    test::TempDir dir;
    const std::string weighted = dir.file("weighted.csv");
    {
        std::ifstream in(test::sampleData("incidents_wgs84.csv"));
        std::ofstream out(weighted);
        std::string line;
        for (int row = 0; std::getline(in, line); ++row) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            out << line << ',';
            if (row == 0)
                out << "vikt\n";
            else
                out << row % 3 + 1 << '\n';
        }
    }
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.incidents.path = weighted;
    c.incidents.fields.weight = "vikt";
    c.analyses.clear();
    c.output.path = dir.file("weighted.gpkg");
    c.output.report = false;
    c.inference.permutations = 0;
    c.publish.enabled = true;
    pipeline::run(c, Progress());  // stops on any field without a declaration
    for (const char* table : {"hotspot_grid", "area_statistics"}) {
        INFO(table);
        const auto r = test::sqlQuery(c.output.path, std::string("SELECT count(*), sum(n IS NULL), sum(weight_sum IS NULL), "
                                                                 "sum(n IS NULL AND weight_sum IS NOT NULL) FROM ") + table);
        CHECK(std::stoi(r[0][1]) > 0);  // some n hidden
        CHECK(r[0][1] == r[0][2]);      // and exactly their weight sums
        CHECK(r[0][3] == "0");
    }
}
