// The register of measures ([measures], steps/measures/) on the sample: every row used
// or rejected with its reason, the counts of a measure equal to those of the [followup] step for
// the same measure (whose counts RunTest checks against a recount of the raw file), effects per
// category adding up to all incidents, a register's own geometry, and refusals.
#include "../TestSupport.hpp"
#include "trygg/core/Error.hpp"
#include "trygg/io/Gdal.hpp"
#include "trygg/io/SurveyTable.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

using namespace trygg;
using Catch::Detail::Approx;

namespace {

pipeline::Config measuresConfig(const test::TempDir& dir, bool perception = false) {
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.output.path = dir.file("kavlinge.gpkg");
    c.output.report = false;
    c.output.qgisProject = false;
    c.analyses.clear();
    if (!perception) c.perception.reset();
    c.change.reset();
    c.emerging.reset();
    test::leaveOutSlowAnalyses(c);
    return c;
}

struct Row {
    std::map<std::string, std::string> text;
    std::map<std::string, double> number;
    bool isNull(const std::string& f) const { return !number.count(f); }
};

std::vector<Row> rows(const std::string& path, const char* layer) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* l = ds->GetLayerByName(layer);
    REQUIRE(l);
    std::vector<Row> out;
    for (auto& f : *l) {
        Row r;
        for (int i = 0; i < f->GetFieldCount(); ++i) {
            const char* name = f->GetFieldDefnRef(i)->GetNameRef();
            r.text[name] = f->GetFieldAsString(i);
            const auto type = f->GetFieldDefnRef(i)->GetType();
            if ((type == OFTInteger || type == OFTInteger64 || type == OFTReal) && f->IsFieldSetAndNotNull(i))
                r.number[name] = f->GetFieldAsDouble(i);
        }
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

TEST_CASE("measures: the sample register, every row used or rejected, counts as the follow-up's", "[pipeline][measures]") {
    test::TempDir dir;
    pipeline::Config c = measuresConfig(dir);
    REQUIRE(c.measures);
    REQUIRE(c.followup);
    // The follow-up's windows and buffer, so that A1 (the same park, the same date) counts alike.
    c.measures->beforeDays = c.followup->beforeDays;
    c.measures->afterDays = c.followup->afterDays;
    c.measures->bufferM = c.followup->bufferM;
    const auto s = pipeline::run(c, Progress());

    const auto measures = rows(s.outputPath, "measures");
    const auto rejected = rows(s.outputPath, "rejected_measures");
    // The register holds 10 rows (sample-data/atgarder.csv, Windows-1252).
    CHECK(measures.size() + rejected.size() == 10);
    std::map<std::string, const Row*> byId;
    for (const auto& m : measures) byId[m.text.at("measure_id")] = &m;
    REQUIRE(byId.count("A1"));
    CHECK(byId["A1"]->text.at("name") == "Ny belysning i Kaptenens park");
    CHECK(byId.count("A5"));
    CHECK(byId["A5"]->text.at("name") == "Röjning av buskage, Harjagersparken");  // recoded from Windows-1252
    std::map<std::string, std::string> reasons;
    for (const auto& r : rejected) reasons[r.text.at("measure_id")] = r.text.at("reject_reason") + " " + r.text.at("reject_field");
    CHECK(reasons["A7"] == "place_not_found place");  // "Lödde torg" is in no places layer
    CHECK(reasons["A8"] == "unknown_kind kind");      // a safety walk is not a measure kind

    const auto followup = rows(s.outputPath, "followup");
    const Row* all = nullptr;
    for (const auto& f : followup)
        if (f.text.at("category") == "all") all = &f;
    REQUIRE(all);
    const Row& a1 = *byId["A1"];
    CHECK(a1.text.at("effect_category") == "all");
    for (const char* field : {"measure_before", "measure_after", "buffer_before", "buffer_after"}) {
        INFO(field);
        CHECK(a1.number.at(field) == all->number.at(field));
    }
    // The planted effect: the lit park is found to have worked, beyond chance.
    CHECK(a1.text.at("verdict_code") == "worked");
    CHECK(a1.number.at("ci_high") < 1);

    // A6 starts after the last report: kept, with no counts and a reason.
    REQUIRE(byId.count("A6"));
    CHECK(byId["A6"]->text.at("verdict_code") == "not_evaluable");
    CHECK(byId["A6"]->isNull("measure_before"));
    CHECK_THAT(byId["A6"]->text.at("verdict"), Catch::Contains("after the last report"));

    // Per measure, the categories add up to all incidents (every sample report has a category),
    // and the headline row of `measures` is the row of its category in `measure_effects`.
    const auto effects = rows(s.outputPath, "measure_effects");
    std::map<std::string, std::map<std::string, double>> sums, totals;
    for (const auto& e : effects) {
        const std::string& id = e.text.at("measure_id");
        for (const char* field : {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before",
                                  "control_after"}) {
            if (e.text.at("category") == "all") totals[id][field] = e.number.at(field);
            else sums[id][field] += e.number.at(field);
        }
        const Row& m = *byId[id];
        if (e.text.at("category") == m.text.at("effect_category")) {
            CHECK(e.number.at("rate_ratio") == m.number.at("rate_ratio"));
            CHECK(e.text.at("verdict") == m.text.at("verdict"));
        }
    }
    for (const auto& [id, t] : totals)
        for (const auto& [field, v] : t) {
            INFO(id << " " << field);
            // A category that occurs only in the control is left out, so control sums may be less.
            if (field.rfind("control", 0) == 0) CHECK(sums[id][field] <= v);
            else CHECK(sums[id][field] == v);
        }
    // Overlapping measures are named on each other, and joined in groups that are closed under
    // overlap: a measure and everything it overlaps share one group, claimed once.
    for (const auto& m : measures) {
        const std::string& group = m.text.at("joint_group");
        CHECK(group.empty() == m.text.at("overlaps").empty());
        if (group.empty()) continue;
        CHECK_THAT(m.text.at("verdict"), Catch::Contains("overlaps") && Catch::Contains("(group " + group));
        std::string list = m.text.at("overlaps");
        for (std::size_t at = 0; at < list.size();) {
            const auto comma = list.find(", ", at);
            const std::string other = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
            INFO(m.text.at("measure_id") << " overlaps " << other);
            REQUIRE(byId.count(other));
            CHECK(byId[other]->text.at("joint_group") == group);
            at = comma == std::string::npos ? list.size() : comma + 2;
        }
    }
}

TEST_CASE("measures: the effects planted in the sample are found, each with its verdict", "[pipeline][measures]") {
    // The sample config as it is (buffer 250 m, a year before and after), with its safety reports.
    test::TempDir dir;
    const auto s = pipeline::run(measuresConfig(dir, true), Progress());
    const auto measures = rows(s.outputPath, "measures");
    std::map<std::string, const Row*> byId;
    for (const auto& m : measures) byId[m.text.at("measure_id")] = &m;
    // The effects scripts/make-sample-data plants: A10's 60 % fewer after its start (worked), A9's
    // incidents moved into its buffer (displaced), A4's small fall in graffiti (too few to tell),
    // A3's rise (worse); each verdict that claims a change confirmed by the placebo test against
    // the places most like it (its 10 matched places, the p-value's places at least 19).
    const std::map<std::string, std::string> planted{
        {"A1", "worked"}, {"A10", "worked"}, {"A9", "displaced"}, {"A3", "worse"}, {"A4", "too_few"}};
    for (const auto& [id, verdict] : planted) {
        INFO(id);
        REQUIRE(byId.count(id));
        const Row& m = *byId[id];
        CHECK(m.text.at("verdict_code") == verdict);
        CHECK(m.number.at("control_places") == 10);
        CHECK(m.number.at("placebo_places") >= 19);
        CHECK(m.number.at("placebo_places") <= 199);
        if (verdict != "too_few") {
            CHECK(m.number.at("placebo_p") <= 0.05);
            CHECK((m.number.at("did_change_pct") < 0) == (verdict != "worse"));
            CHECK(m.number.at("did_ci_low") < m.number.at("did_per_month"));
            CHECK_THAT(m.text.at("verdict"), Catch::Contains("Confirmed against the 10 places most like it before"));
        }
    }
    CHECK(byId["A9"]->number.at("buffer_ci_low") > 1);
    // From problems to measures: every problem and every measure in problem_measures (linked, or
    // 'none'); the lit park's measure answers the hotspot area it lies in; each suggestion's
    // figure at least its rule's threshold, the dark share equal to the hotspot area's own.
    {
        const auto links = rows(s.outputPath, "problem_measures");
        const auto problems = rows(s.outputPath, "problems");
        std::set<std::string> linkedProblems, linkedMeasures;
        for (const auto& l : links) {
            if (!l.text.at("problem_id").empty()) linkedProblems.insert(l.text.at("problem_id"));
            if (!l.text.at("measure_id").empty()) linkedMeasures.insert(l.text.at("measure_id"));
            if (l.text.at("problem_id").empty() || l.text.at("measure_id").empty()) CHECK(l.text.at("link") == "none");
        }
        CHECK(linkedProblems.size() == problems.size());
        CHECK(linkedMeasures.size() == measures.size());
        std::string parkProblem;
        for (const auto& l : links)
            if (l.text.at("measure_id") == "A1" && l.text.at("link") == "area") parkProblem = l.text.at("problem_id");
        REQUIRE_FALSE(parkProblem.empty());
        std::map<double, double> darkShare;  // area_id -> dark_share
        for (const auto& h : rows(s.outputPath, "hotspot_areas"))
            if (h.number.count("dark_share")) darkShare[h.number.at("area_id")] = h.number.at("dark_share");
        bool lightingForThePark = false;
        for (const auto& g : rows(s.outputPath, "measure_suggestions")) {
            CHECK(g.number.at("value") >= g.number.at("threshold"));
            if (g.text.at("indicator") == "dark_share") CHECK(g.number.at("value") == Approx(darkShare.at(g.number.at("area_id"))));
            if (g.text.at("problem_id") == parkProblem && g.text.at("suggested_kind") == "belysning") {
                lightingForThePark = true;
                CHECK_THAT(g.text.at("answered_by"), Catch::Contains("A1"));
            }
        }
        CHECK(lightingForThePark);
    }
    // Perceived safety: the sample's safety reports have dates spread evenly over the two years and
    // no planted change, so around the lit park (many reports) residents feel as unsafe as before,
    // as scripts/make-sample-data says ("still dark in people's minds").
    const Row& a1 = *byId["A1"];
    CHECK(a1.number.at("perceived_before_n") >= 50);
    CHECK(a1.number.at("perceived_after_n") >= 50);
    CHECK(a1.number.at("perceived_p") > 0.05);
    CHECK(a1.number.at("perceived_before") > 4);  // the park is feared: scores above the unsafe line
    // The unsafe reports are a count of their own, the share times the reports.
    for (const char* when : {"before", "after"}) {
        const double n = a1.number.at(fmt::format("perceived_{}_n", when)), unsafe = a1.number.at(fmt::format("perceived_{}_unsafe", when));
        CHECK(unsafe > 0);
        CHECK(unsafe <= n);
        CHECK_THAT(a1.number.at(fmt::format("unsafe_share_{}", when)), Catch::WithinAbs(unsafe / n, 1e-12));
    }
    CHECK_THAT(a1.text.at("perceived"), Catch::StartsWith("No change in perceived safety beyond chance"));
    CHECK_THAT(a1.text.at("perceived_sv"), Catch::StartsWith("Ingen förändring i upplevd trygghet"));
    for (const auto& m : measures)
        if (m.number.count("perceived_before_n") && (m.number.at("perceived_before_n") < 5 || m.number.at("perceived_after_n") < 5)) {
            CHECK(m.isNull("perceived_p"));
            CHECK_THAT(m.text.at("perceived"), Catch::StartsWith("Too few safety reports to tell"));
        }
    CHECK(byId["A4"]->text.at("effect_category") == "klotter");
    CHECK(byId["A4"]->number.at("mde_pct") > 50);

}

TEST_CASE("measures: a register with its own geometry, and refusals", "[pipeline][measures]") {
    test::TempDir dir;
    pipeline::Config c = measuresConfig(dir);
    c.followup.reset();
    // Kaptenens park's lighting as a point with a 120 m radius, in SWEREF 99 TM, from WKT.
    const std::string reg = dir.file("register.csv");
    {
        std::ofstream out(reg);
        out << "id,namn,typ,start,WKT\n"
               "P1,Belysning,Belysning,2024-03-01,POINT (383550 6183800)\n"
               "P2,Utan plats,kamera,2024-03-01,\n"
               "P3,Fel datum,kamera,1 mars 2024,POINT (383550 6183800)\n"
               "P1,Samma id,kamera,2024-03-01,POINT (383550 6183800)\n";
    }
    c.measures->register_ = {reg, "", "EPSG:3006", {}};
    c.measures->radiusM = 120;
    const auto s = pipeline::run(c, Progress());
    const auto measures = rows(s.outputPath, "measures");
    REQUIRE(measures.size() == 1);
    // A disc of 120 m: pi r^2 = 0.04524 km2, less the polygon's facets (16 per quarter circle).
    CHECK(measures[0].number.at("area_km2") == Catch::Detail::Approx(0.045239).epsilon(0.002));
    CHECK(measures[0].text.at("kind") == "Belysning");  // kinds are matched regardless of case
    std::map<std::string, std::string> reasons;
    for (const auto& r : rows(s.outputPath, "rejected_measures")) reasons[r.text.at("source_row")] = r.text.at("reject_reason");
    CHECK(reasons["2"] == "no_place");
    CHECK(reasons["3"] == "bad_date");
    CHECK(reasons["4"] == "duplicate_id");

    // A register without a start field is refused, naming the file and the field.
    {
        std::ofstream out(reg);
        out << "id,namn,typ,WKT\nP1,Belysning,belysning,POINT (383550 6183800)\n";
    }
    c.output.overwrite = true;
    try {
        pipeline::run(c, Progress());
        FAIL("the run went on without a start field");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("register.csv") && Catch::Contains("no start field"));
    }
}

TEST_CASE("measures: an XLSX register typed as text, its points as WKT", "[pipeline][measures]") {
    // A register as a municipality keeps it in Excel: every cell text (GDAL 3.6 would take the
    // header row for a measure unless told, io/Gdal.cpp), places by name or as WKT in SWEREF 99 TM
    // (crs given), one WKT that cannot be read.
    test::TempDir dir;
    pipeline::Config c = measuresConfig(dir);
    c.followup.reset();
    const std::string reg = dir.file("atgarder.xlsx");
    {
        io::ensureGdalRegistered();
        GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("XLSX")->Create(reg.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* layer = ds->CreateLayer("Blad1", nullptr, wkbNone, nullptr);
        for (const char* name : {"id", "namn", "typ", "plats", "start", "WKT"}) {
            OGRFieldDefn f(name, OFTString);
            layer->CreateField(&f);
        }
        const std::vector<std::array<const char*, 6>> rowsIn{
            {"A1", "Ny belysning i Kaptenens park", "belysning", "Kaptenens park", "2024-03-01", ""},
            {"X2", "Ordningsvakter", "ordningsvakter", "", "2024-04-15", "POINT (381863 6184692)"},
            {"X3", "Kamera", "kamera", "", "2024-04-15", "POINT (381863"},
            // Geometries that read but cannot be used: each its row's rejection, never the run's.
            {"X4", "Kamera", "kamera", "", "2024-04-15", "POINT (1e308 1e308)"},
            {"X5", "Kamera", "kamera", "", "2024-04-15", "POINT (nan 6184692)"},
            {"X6", "Kamera", "kamera", "", "2024-04-15", "POLYGON EMPTY"}};
        for (const auto& r : rowsIn) {
            OGRFeature f(layer->GetLayerDefn());
            for (int k = 0; k < 6; ++k) f.SetField(k, r[static_cast<std::size_t>(k)]);
            REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
        }
    }
    c.measures->register_.path = reg;
    c.measures->register_.crs = "EPSG:3006";
    const auto s = pipeline::run(c, Progress());
    const auto measures = rows(s.outputPath, "measures");
    const auto rejected = rows(s.outputPath, "rejected_measures");
    REQUIRE(measures.size() == 2);
    CHECK(measures[0].text.at("measure_id") == "A1");
    CHECK(measures[0].text.at("verdict_code") == "worked");
    // The point with radius_m = 100 around it: GEOS's buffer with 16 segments a quarter circle, a
    // regular 64-gon of circumradius r = 100 m, whose area is (64 / 2) r² sin(2 pi / 64).
    CHECK(measures[1].number.at("area_km2") == Approx(32 * 100.0 * 100.0 * std::sin(2 * M_PI / 64) / 1e6).epsilon(1e-6));
    REQUIRE(rejected.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(rejected[k].text.at("measure_id") == "X" + std::to_string(k + 3));
        CHECK(rejected[k].text.at("reject_reason") == "bad_geometry");
        CHECK(rejected[k].number.at("source_row") == static_cast<double>(k + 3));
    }
    CHECK(rejected[1].text.at("reject_detail") == "'POINT (1e308 1e308)' has a coordinate that is not a finite number of a map's size");
    CHECK_THAT(rejected[2].text.at("reject_detail"), Catch::StartsWith("'POINT (nan 6184692)' "));
    CHECK(rejected[3].text.at("reject_detail") == "'POLYGON EMPTY' is empty");

    // WKT without a CRS is refused, naming the column and the key to set.
    c.measures->register_.crs.clear();
    c.output.overwrite = true;
    CHECK_THROWS_WITH(pipeline::run(c, Progress()), Catch::Contains("has a WKT column (WKT) but no CRS") &&
                                                         Catch::Contains("[measures] crs"));
}

TEST_CASE("measures: the survey's indices of the area a measure lies in, the year before and after", "[pipeline][measures]") {
    // A survey with the years 2023, 2024 and 2025 for the area the cameras at Kävlinge station (A2,
    // from 2024-05-01) lie in: 2023 is the year before its start's year, 2025 the year after; 2024,
    // the start's own year, is neither. The area ids are the sample's DeSO-like areas.
    test::TempDir dir;
    pipeline::Config c = measuresConfig(dir);
    c.followup.reset();
    REQUIRE(c.areas);
    const std::string survey = dir.file("index.csv");
    std::ofstream(survey) << "omrade,fraga,ar,index\n"
                             "1261B0160,Totalt,2023,1.41\n1261B0160,Totalt,2024,1.30\n1261B0160,Totalt,2025,1.10\n"
                             "1261B0160,Belysning,2022,2.0\n";
    c.areas->survey = io::SurveySpec{survey};
    const auto s = pipeline::run(c, Progress());
    std::map<std::string, Row> byId;
    for (auto& m : rows(s.outputPath, "measures")) byId[m.text.at("measure_id")] = m;
    const Row& a2 = byId.at("A2");
    CHECK(a2.text.at("survey_area") == "1261B0160");
    CHECK(a2.text.at("survey_question") == "Belysning");  // the first question by name
    CHECK(a2.number.at("survey_before_year") == 2022);
    CHECK(a2.isNull("survey_after_year"));
    CHECK_THAT(a2.text.at("survey"), Catch::Contains("'Totalt' 1.41 (2023) → 1.10 (2025)") &&
                                         Catch::Contains("'Belysning' 2.00 (2022) → no year after yet"));
    // A measure in an area the survey does not cover has its area and no indices.
    const Row& a1 = byId.at("A1");
    CHECK(a1.text.at("survey_area") == "1261B0150");
    CHECK(a1.isNull("survey_before"));
}
