#pragma once
// Following up a local measure: the Weighted Displacement Quotient (Bowers & Johnson 2003), with
// the Total Net Effect (Guerette 2009). A is the measure area, B the buffer around it, C a control
// area; 0 is the period before the measure, 1 the period after.
#include <cstdint>
#include <string>

namespace trygg::stats {

struct WdqCounts {
    std::int64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0;
};

struct WdqResult {
    double successMeasure = 0;  // A1/C1 - A0/C0: negative when the measure area improved against the control
    double bufferMeasure = 0;   // B1/C1 - B0/C0
    double wdq = 0;             // bufferMeasure / successMeasure; NaN when undefined
    double totalNetEffect = 0;  // (A0 C1/C0 - A1) + (B0 C1/C0 - B1): incidents prevented, net of displacement
    bool defined = false;       // false when the control has no incidents in a period
    std::string verdict;        // a plain-language reading, after Bowers & Johnson's Table 1
    std::string verdictSv;      // the same in Swedish
};

WdqResult weightedDisplacement(const WdqCounts& c);

} // namespace trygg::stats
