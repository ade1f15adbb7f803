// Fuzzes the time filter's expressions as a config or the command line gives them: hours
// ("22-05", "18-24,0-2"), weekdays and months (lists of names or numbers), and date bounds.
// Input: "HOURS\nWEEKDAYS\nMONTHS\nFROM\nTO", the weekdays and months comma-separated.
#include "FuzzSupport.hpp"

#include "trygg/temporal/TimeFilter.hpp"

namespace {

std::vector<std::string> items(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ',') {
            out.emplace_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace trygg;
    const auto p = fuzz::parts(fuzz::asText(data, size), 5);
    temporal::TimeFilter f;
    fuzz::expectingInputErrors([&] { f.hours = temporal::parseHours(p[0]); });
    fuzz::expectingInputErrors([&] { f.weekdays = temporal::parseWeekdays(items(p[1])); });
    fuzz::expectingInputErrors([&] { f.months = temporal::parseMonths(items(p[2])); });
    fuzz::expectingInputErrors([&] { f.from = temporal::parseDateBound(p[3], false); });
    fuzz::expectingInputErrors([&] { f.to = temporal::parseDateBound(p[4], true); });
    (void)f.describe(true);
    (void)f.describe(false);
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{1700000000}, std::int64_t{-2208988800}})
        (void)f.keeps(t);
    return 0;
}
