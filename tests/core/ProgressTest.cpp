#include "trygg/core/Error.hpp"
#include "trygg/core/Progress.hpp"

#include <catch2/catch.hpp>

#include <vector>

using trygg::Progress;

TEST_CASE("a slice maps its fractions into its parent's range", "[core]") {
    std::vector<double> seen;
    Progress root([&](double f, std::string_view, std::string_view) { seen.push_back(f); }, {});
    const Progress half = root.slice(0.5, 1.0, "b");
    const Progress quarter = half.slice(0.0, 0.5, "b.c");
    quarter.update(0.5);
    half.update(1.0);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == Approx(0.625));
    CHECK(seen[1] == Approx(1.0));
    CHECK(quarter.step() == "b.c");
}

TEST_CASE("a cancel request turns into Cancelled at the next update", "[core]") {
    bool cancel = false;
    Progress p({}, [&] { return cancel; });
    CHECK_NOTHROW(p.update(0.1));
    cancel = true;
    CHECK_THROWS_AS(p.update(0.2), trygg::Cancelled);
    CHECK(Progress::gdalCallback(0.3, nullptr, &p) == 0);  // GDAL is told to stop
}
