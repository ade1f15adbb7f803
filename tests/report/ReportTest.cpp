// The lägesbild report, read as a planner would check it: its three parts in order after the
// summary, every area of a table numbered on its map, no two labels over each other, charts, the
// problems of the GeoPackage, a page that asks for nothing outside itself, and each language
// alone (words of the other language only in data values: categories and place names).
#include "../TestSupport.hpp"

#include "trygg/core/Progress.hpp"
#include "trygg/pipeline/Config.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <regex>
#include <set>

using namespace trygg;
namespace fs = std::filesystem;

namespace {

using test::readFile;

// The page without its scripts and styles (Leaflet's code is English whatever the language).
std::string visibleText(std::string html) {
    for (const std::string tag : {"script", "style"})
        for (auto at = html.find("<" + tag); at != std::string::npos; at = html.find("<" + tag, at)) {
            const auto end = html.find("</" + tag + ">", at);
            html.erase(at, end == std::string::npos ? std::string::npos : end + tag.size() + 3 - at);
        }
    return html;
}

// The SVG maps of the page, each as its text.
std::vector<std::string> maps(const std::string& html) {
    std::vector<std::string> out;
    for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
        if (html.substr(at, html.find('>', at) - at).find("class=\"map\"") != std::string::npos)
            out.push_back(html.substr(at, html.find("</svg>", at) - at));
    return out;
}

struct Rect {
    double x0, y0, x1, y1;
};
// The numbered badges of a map: their number and box.
std::vector<std::pair<std::string, Rect>> badges(const std::string& svg) {
    static const std::regex badge(
        R"re(<g class="badge"><rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*/><text[^>]*>([^<]+)</text>)re");
    std::vector<std::pair<std::string, Rect>> out;
    for (std::sregex_iterator it(svg.begin(), svg.end(), badge), end; it != end; ++it) {
        const double x = std::stod((*it)[1]), y = std::stod((*it)[2]), w = std::stod((*it)[3]), h = std::stod((*it)[4]);
        out.push_back({(*it)[5], {x, y, x + w, y + h}});
    }
    return out;
}

std::set<std::string> areaIds(const std::string& gpkg, const std::string& kind) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR));
    std::set<std::string> ids;
    for (auto& f : *ds->GetLayerByName("hotspot_areas"))
        if (f->GetFieldAsString("kind") == kind) ids.insert(std::to_string(f->GetFieldAsInteger("area_id")));
    return ids;
}

} // namespace

TEST_CASE("the lägesbild report: its parts, numbered areas on their maps, labels apart, each language alone", "[report][sample-run]") {
    test::TempDir dir;
    const pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    const std::string gpkg = test::sampleRunOutput(dir, "sv");
    const auto htmlOf = [](const std::string& path) { return readFile(fs::path(path).replace_extension(".html").string()); };
    const std::string html = htmlOf(gpkg);
    REQUIRE_FALSE(html.empty());
    CHECK(html.find("<html lang=\"sv\">") != std::string::npos);
    // Nothing may leave the page: the policy allows its own inline script and styles alone.
    CHECK(html.find("content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\"") !=
          std::string::npos);
    const std::string text = visibleText(html);
    CHECK(text.find("src=\"http") == std::string::npos);

    // The summary first, the interactive map, the law's three parts in order, the parameters last.
    std::vector<std::size_t> at;
    for (const char* id : {"id=\"summary\"", "id=\"map\"", "id=\"part1\"", "id=\"part2\"", "id=\"part3\"", "id=\"further\"", "id=\"about\""}) {
        INFO(id);
        at.push_back(html.find(id));
        CHECK(at.back() != std::string::npos);
    }
    CHECK(std::is_sorted(at.begin(), at.end()));
    CHECK(text.find("Kartläggning av brottsligheten") != std::string::npos);
    CHECK(text.find("Annan relevant information") != std::string::npos);
    // Charts by Trygg: categories, months, weekday by hour, darkness by month, the risk factors.
    std::size_t charts = 0;
    for (auto p = html.find("class=\"chart\""); p != std::string::npos; p = html.find("class=\"chart\"", p + 1)) ++charts;
    CHECK(charts == 5);
    // Darkness (1.5): the comparison in words, and the after-dark hot spots with the areas' dark incidents.
    CHECK(text.find("Per mörk timme skedde") != std::string::npos);
    CHECK(text.find("Hot spots efter mörkrets inbrott") != std::string::npos);
    // The follow-up with its verdict and caution in Swedish.
    CHECK(text.find("Ny belysning i Kaptenens park") != std::string::npos);
    CHECK(text.find("Effekt, med spridning av nyttan") != std::string::npos);
    // The register's follow-up (3.5): every measure numbered on its map, its verdict in Swedish,
    // the rejected rows with their reason in Swedish.
    {
        std::set<std::string> ids;
        GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR));
        for (auto& f : *ds->GetLayerByName("measures")) ids.insert(f->GetFieldAsString("measure_id"));
        CHECK(ids.size() == 8);
        const auto h = html.find("3.5 Uppföljning av åtgärder");
        REQUIRE(h != std::string::npos);
        const auto svg = html.substr(html.find("<svg", h), html.find("</svg>", h) - html.find("<svg", h));
        std::set<std::string> badged;
        for (const auto& [n, r] : badges(svg)) badged.insert(n);
        CHECK(badged == ids);
        CHECK(text.find("Förflyttning: −80 % i åtgärdsområdet") != std::string::npos);
        CHECK(text.find("Platsen finns inte i kartlagren") != std::string::npos);
    }
    // Every problem of the GeoPackage, by its id, in the main analysis's table.
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR));
        std::size_t problems = 0;
        for (auto& f : *ds->GetLayerByName("problems")) {
            ++problems;
            CHECK(html.find(std::string("<tr id=\"") + f->GetFieldAsString("problem_id") + "\"") != std::string::npos);
        }
        CHECK(problems >= 4);
    }

    // Every map has its scale bar and north arrow, and no two numbers over each other.
    const auto all = maps(html);
    REQUIRE(all.size() >= 8);
    for (const auto& svg : all) {
        CHECK(svg.find("class=\"scalebar\"") != std::string::npos);
        CHECK(svg.find("class=\"north\"") != std::string::npos);
        const auto b = badges(svg);
        for (std::size_t i = 0; i < b.size(); ++i)
            for (std::size_t j = i + 1; j < b.size(); ++j) {
                const Rect &p = b[i].second, &q = b[j].second;
                INFO(b[i].first << " and " << b[j].first);
                CHECK_FALSE((p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1));
            }
    }
    // Every area of the hotspot table is numbered on the hot spot map (1.3), and every area of
    // perceived insecurity on the fear-versus-crime map (2.1).
    const auto numbersOn = [&](const std::string& heading) {
        const auto h = html.find(heading);
        REQUIRE(h != std::string::npos);
        const auto svg = html.substr(html.find("<svg", h), html.find("</svg>", h) - html.find("<svg", h));
        std::set<std::string> out;
        for (const auto& [n, r] : badges(svg)) out.insert(n);
        return out;
    };
    const auto hot = areaIds(gpkg, "incidents"), perceived = areaIds(gpkg, "perception");
    CHECK(hot.size() >= 3);
    CHECK(numbersOn("1.3 Var: brottskoncentrationer") == hot);
    CHECK(numbersOn("Otrygghet mot brott</h4>") == perceived);
    // The ten areas of the rate table, 1 to 10, on its map.
    CHECK(numbersOn("Händelser per 1 000 invånare, per område").size() == 10);
    // Swedish alone: no English words outside the data.
    for (const char* english : {" the ", "Hot spot cell", " incidents", "Saturday", "whole day", "confidence", "Summary", "rise"}) {
        INFO(english);
        CHECK(text.find(english) == std::string::npos);
    }

    // English: the same report in English alone.
    test::TempDir enDir;
    const std::string enGpkg = test::sampleRunOutput(enDir, "en");
    std::string en = visibleText(htmlOf(enGpkg));
    // The further analyses' titles are the config's (data, in the municipality's words).
    for (const auto& a : c.analyses)
        for (auto p = en.find(a.title); p != std::string::npos; p = en.find(a.title)) en.erase(p, a.title.size());
    // So are the survey's questions, quoted in the measures' follow-up (3.5).
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(enGpkg.c_str(), GDAL_OF_VECTOR));
        std::set<std::string> questions;
        for (auto& f : *ds->GetLayerByName("area_survey")) questions.insert(std::string("'") + f->GetFieldAsString("question") + "'");
        CHECK_FALSE(questions.empty());
        for (const auto& q : questions)
            for (auto p = en.find(q); p != std::string::npos; p = en.find(q)) en.erase(p, q.size());
        // The risk factors' and the colocation pairs' titles are the config's own words, in the
        // municipality's language.
        for (const char* table : {"risk_factors", "colocation"})
            for (auto& f : *ds->GetLayerByName(table)) {
                const std::string t = f->GetFieldAsString("title");
                for (auto p = en.find(t); p != std::string::npos; p = en.find(t)) en.erase(p, t.size());
            }
    }
    CHECK(en.find("Mapping of crime") != std::string::npos);
    CHECK(en.find("Saturday") != std::string::npos);
    for (const char* swedish : {" och ", "Händelser", "händelser", "säkerhet", "lördag", "Sammanfattning", "perioden", "Område",
                                "hela dagen", " i Kävlinge", "nära ", "Ökning", "dold"}) {
        INFO(swedish);
        CHECK(en.find(swedish) == std::string::npos);
    }

}

TEST_CASE("the report is written beside the GeoPackage, and only when asked", "[report]") {
    test::TempDir dir;
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.output.path = dir.file("kavlinge.gpkg");
    c.analyses.clear();
    test::leaveOutSlowAnalyses(c);  // these runs are about the report's file alone
    const auto s = pipeline::run(c, Progress());
    CHECK(fs::exists(dir.file("kavlinge.html")));
    CHECK(std::find(s.filesBeside.begin(), s.filesBeside.end(), dir.file("kavlinge.html")) != s.filesBeside.end());
    c.output.report = false;
    c.output.overwrite = true;
    fs::remove(dir.file("kavlinge.html"));
    const auto without = pipeline::run(c, Progress());
    CHECK_FALSE(fs::exists(dir.file("kavlinge.html")));
    CHECK(std::find(without.filesBeside.begin(), without.filesBeside.end(), dir.file("kavlinge.html")) == without.filesBeside.end());
}

TEST_CASE("a quarterly situation picture: the summary against the quarter before, the rate classes from the data, what is missing said", "[report]") {
    // The sample by quarters: the latest complete one is Q4 2024, against Q3 2024; the summary
    // must give Q3's count, not an older quarter's (it once gave the oldest).
    test::TempDir dir;
    pipeline::Config c = pipeline::loadConfig(test::sampleData("kavlinge.toml"));
    c.output.path = dir.file("kavlinge.gpkg");
    c.analyses.clear();
    test::leaveOutSlowAnalyses(c);
    c.lagesbild.period = "quarter";
    // Without residents' reports and survey: part 2 says what the situation picture lacks.
    c.perception.reset();
    REQUIRE(c.areas);
    c.areas->survey.reset();
    pipeline::run(c, Progress());
    const auto counts = test::sqlQuery(c.output.path, "SELECT periods_back, n FROM period_counts ORDER BY periods_back");
    REQUIRE(counts.size() >= 3);
    REQUIRE(counts[1][0] == "1");
    const std::string html = readFile(dir.file("kavlinge.html"));
    const auto summary = html.substr(html.find("id=\"summary\""), html.find("</section>", html.find("id=\"summary\"")) - html.find("id=\"summary\""));
    INFO(summary);
    CHECK(summary.find("anmälda händelser under kv. 4 2024, mot " + counts[1][1] + " perioden före") != std::string::npos);
    const auto part2 = html.find("id=\"part2\"");
    REQUIRE(part2 != std::string::npos);
    CHECK(html.find("Körningen hade inga rapporter om upplevd trygghet", part2) < html.find("id=\"part3\""));
    CHECK(html.find("Körningen hade inga index från en trygghetsundersökning", part2) < html.find("id=\"part3\""));

    // The rate map's classes double from a round step whose eighth multiple is the largest round
    // value not above the highest smoothed rate (by hand from the sample's area_summary).
    const double highest = std::stod(test::sqlQuery(c.output.path, "SELECT max(incidents_per_1000_eb) FROM area_summary")[0][0]);
    const auto h = html.find("Händelser per 1 000 invånare, per område");
    REQUIRE(h != std::string::npos);
    const std::string legendText = html.substr(html.find("</svg>", h), 600);
    static const std::regex top("≥ ([0-9]+(,[0-9]+)?)");
    std::smatch m;
    REQUIRE(std::regex_search(legendText, m, top));
    std::string topText = m[1];
    std::replace(topText.begin(), topText.end(), ',', '.');
    const double topBreak = std::stod(topText);
    CHECK(topBreak <= highest);
    CHECK(topBreak * 2 > highest);  // the next round step up (x2, x1.25 or x2 of it) would pass it
}
