// The month chart's axis: labels never over each other, from a year of months to thirty years.
#include "report/Charts.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <regex>

using namespace trygg;

namespace {

struct Label {
    double x, y;
    std::string text;
};

// The axis labels (class "tick" below the plot) of a chart.
std::vector<Label> axisLabels(const std::string& svg) {
    static const std::regex text(R"re(<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="middle" class="tick[^"]*">([^<]+)</text>)re");
    std::vector<Label> out;
    for (std::sregex_iterator it(svg.begin(), svg.end(), text), end; it != end; ++it)
        out.push_back({std::stod((*it)[1]), std::stod((*it)[2]), (*it)[3]});
    return out;
}

std::vector<std::string> months(int fromYear, int fromMonth, int count) {
    std::vector<std::string> out;
    for (int k = 0; k < count; ++k) {
        const int m = fromMonth - 1 + k;
        out.push_back(fmt::format("{}-{:02d}", fromYear + m / 12, m % 12 + 1));
    }
    return out;
}

} // namespace

TEST_CASE("the month chart's labels stay apart however long the series", "[report]") {
    for (const int count : {1, 12, 24, 25, 60, 120, 121, 360}) {
        for (const int firstMonth : {1, 11}) {
            INFO(count << " months from month " << firstMonth);
            const auto m = months(2010, firstMonth, count);
            const std::string svg = report::monthChart(m, {{"all", "#000", std::vector<double>(m.size(), 10.0)}}, true);
            const auto labels = axisLabels(svg);
            REQUIRE_FALSE(labels.empty());
            // Each label about 7 px per character at the chart's tick size: two on a row must be
            // farther apart than half their widths summed, with a little air.
            for (std::size_t i = 0; i < labels.size(); ++i)
                for (std::size_t j = i + 1; j < labels.size(); ++j) {
                    if (labels[i].y != labels[j].y) continue;
                    const double need = 3.5 * static_cast<double>(labels[i].text.size() + labels[j].text.size()) + 2;
                    INFO(labels[i].text << " at " << labels[i].x << " and " << labels[j].text << " at " << labels[j].x);
                    CHECK(std::abs(labels[i].x - labels[j].x) >= need);
                }
            // Every year of the series is named while there are at most 60 months (5 years).
            if (count <= 60 && count >= 12) {
                std::size_t years = 0;
                for (const auto& l : labels) years += l.text.size() == 4 && l.text[0] == '2';
                CHECK(years >= static_cast<std::size_t>(count / 12));
            }
        }
    }
}
