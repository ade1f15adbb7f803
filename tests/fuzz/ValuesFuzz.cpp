// Fuzzes the parsing of values in report tables: numbers written the Swedish way, date-times in
// every accepted form, date-times by a strptime-style layout, Excel serials, and the lower-casing
// of names. Input: "LAYOUT\nTEXT" (the whole input is also read without a layout).
#include "FuzzSupport.hpp"

#include "trygg/io/Values.hpp"

#include <cmath>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace trygg;
    const std::string_view text = fuzz::asText(data, size);

    if (const auto n = io::parseNumber(text)) {
        if (!std::isfinite(*n)) std::abort();  // promised: nullopt when not a finite number
        (void)io::fromExcelSerial(*n);
    }
    if (const auto t = io::parseDateTime(text)) {
        (void)t->toIso();
        (void)t->wallSeconds();
    }
    const auto p = fuzz::parts(text, 2);
    fuzz::expectingInputErrors([&] {
        if (const auto t = io::parseDateTime(p[1], std::string(p[0]))) {
            (void)t->toIso();
            (void)t->wallSeconds();
        }
    });
    (void)io::lowerUtf8(std::string(text));
    return 0;
}
