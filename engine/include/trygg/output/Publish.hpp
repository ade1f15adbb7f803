#pragma once
// Publishing mode: a GeoPackage fit to hand to the public. Applied to the finished file before it
// is moved into place, so it covers every layer, whatever analysis wrote it:
//   - counts of reports from 1 to minCount are hidden (NULL) and flagged in a `suppressed`
//     field naming the hidden fields; zero stays zero (it identifies nobody);
//   - complementary suppression over every linear relation between published numbers (a row's
//     n and its n_<category>, a column and the run's total, a hot-times row and its total, an
//     area's incidents and its cells, the layers of one analysis; output/Disclosure.hpp): more
//     values are hidden until the hidden ones cannot be recovered by differencing: never one
//     hidden value alone, their sum above minCount, and more than their number (else all are 1);
//   - counts in texts ("stöld (337)") are dropped, the names kept;
//   - between analyses: where the same layer of two analyses shows a count for the same cell,
//     district, category or area, and the two differ by 1 .. minCount (a small count of reports
//     in one and not the other), the smaller is hidden; all of this runs again until nothing changes;
//   - values computed from a hidden count (rates, shares, means, the WDQ) are hidden with it;
//   - continuous statistics from which counts could be solved back over known neighbourhoods (Gi*
//     z-scores and p-values, local Moran's I, the density at cell centres) are dropped; the classes
//     planners read (Gi_Bin, COType, change_bin, pattern, fear_crime) stay;
//   - run_metadata's row counts are protected family by family against their published totals
//     (read = accepted + rejected, rejected = its reasons, accepted = the filter's parts); every
//     hidden one reads "hidden"; the first and last report's time keep only their month;
//   - the file is vacuumed with secure_delete, so nothing hidden remains in free pages.
// Rejected rows, raw points and density rasters are never written in publishing mode (the runner).
#include <cstdint>
#include <string>
#include <vector>

namespace trygg::output {

// A further analysis as publishing sees it: how its reports relate to the main analysis's, which
// a reader of the file knows from the filters in run_metadata.
struct AnalysisScope {
    std::string prefix;       // its layers' prefix: "natt_"
    bool subset = false;      // its reports are among the main analysis's (a narrower filter)
    bool sameTime = false;    // with the main analysis's time filter: its n_<category> are the main's
    bool categories = false;  // it chose categories: its n is the sum of the main's n_<category> for them
};

struct PublishOptions {
    int minCount = 3;  // counts of 1 .. minCount are hidden: a published count is 0 or above it
    std::vector<AnalysisScope> analyses = {};
};

struct PublishSummary {
    std::int64_t hidden = 0;          // values hidden as small counts
    std::int64_t complementary = 0;   // values hidden so the small ones cannot be recovered
    std::int64_t derived = 0;         // values computed from a hidden count
    int auditRounds = 0;              // the publisher's own attacks, the last one finding nothing
    std::vector<std::string> droppedFields;  // "table.field"
};

// Throws IoError; Error when its own attack still finds a hidden count after everything around it
// is hidden (nothing is written then).
PublishSummary publishGeoPackage(const std::string& gpkgPath, const PublishOptions& options);

// The complementary-suppression rule on one group of counts whose total is published: marks
// values 1..minCount hidden, then hides the smallest shown non-zero values (then a zero) until
// groupSafe holds or nothing is left. `hidden` has one flag per value and may come in with flags
// set. Returns how many it added.
// True when the hidden values of a group cannot be recovered from its published total: none is
// hidden, or two or more are hidden with a sum above minCount that is more than their number (not
// all ones) or has a zero among them. A hidden sum of 0 is not safe: it gives back zeros hidden as
// cover elsewhere.
bool groupSafe(const std::vector<std::int64_t>& values, const std::vector<bool>& hidden, int minCount);

std::size_t suppressGroup(const std::vector<std::int64_t>& values, std::vector<bool>& hidden, int minCount,
                          bool totalPublished);

} // namespace trygg::output
