// The pipeline's steps (pipeline/Step.hpp, steps/Steps.def): named as docs/terms.md names them,
// each name once, and each after the steps whose results it reads.
#include "../TestSupport.hpp"

#include "pipeline/Step.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

using namespace trygg;

TEST_CASE("every step comes after the steps it needs, and each name is used once", "[pipeline]") {
    const auto& steps = pipeline::steps::pipeline();
    REQUIRE(steps.size() >= 10);
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        INFO(steps[i]->name());
        CHECK(position.emplace(steps[i]->name(), i).second);
    }
    for (std::size_t i = 0; i < steps.size(); ++i)
        for (const auto& needed : steps[i]->needs()) {
            INFO(steps[i]->name() << " needs " << needed);
            const auto it = position.find(needed);
            REQUIRE(it != position.end());
            CHECK(it->second < i);
        }
}

TEST_CASE("docs/terms.md names every step with its file", "[pipeline]") {
    std::ifstream in(std::string(TRYGG_SOURCE_DIR) + "/docs/terms.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    for (const auto* step : pipeline::steps::pipeline()) {
        INFO(step->name());
        CHECK(text.str().find(std::string("`") + step->name() + "`") != std::string::npos);
    }
}

TEST_CASE("each config table and each [analyses.NAME] switch belongs to one step", "[pipeline]") {
    std::map<std::string, std::string> tables, switches;
    for (const auto* step : pipeline::steps::pipeline()) {
        for (const char* t : step->configTables()) {
            INFO(step->name() << " reads [" << t << "]");
            CHECK(tables.emplace(t, step->name()).second);
        }
        if (const char* s = step->analysisSwitch()) {
            INFO(step->name() << " is switched by " << s);
            CHECK(switches.emplace(s, step->name()).second);
            CHECK(std::string(s) != "title");  // the analysis's own key
        }
    }
    // The analyses the README documents can be switched off.
    for (const char* s : {"kde", "perception", "change", "emerging", "followup", "areas", "local_moran", "hotspot_areas", "darkness", "near_repeat", "map_accuracy", "risk_model", "colocation", "hotspot_comparison"}) {
        INFO(s);
        CHECK(switches.count(s) == 1);
    }
}
