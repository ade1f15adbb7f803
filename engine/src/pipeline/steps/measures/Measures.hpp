#pragma once
// stats.measures: the register of measures ([measures]), every measure followed up. Each row is
// used or rejected with its reason; each measure gets its area (its own geometry, or a named
// feature of a map layer; a point or line covers radius_m around it), a buffer ring, and the
// rest of the study area outside every measure and buffer as its control. Its effect, for all
// incidents and per category, is stats/MeasureEffect's rate ratio with its interval, the
// buffer's, the minimum detectable fall and the WDQ; measures that overlap in place and time are
// named on each other, their effects read as joint.
//
// The step's parts: Register.cpp reads the register into measures with their areas (or rejects
// rows), FollowUp.cpp counts and estimates, Matched.cpp compares with places like it,
// Perceived.cpp reads residents' reports before and after, Links.cpp links problems and suggests
// measures, Step.cpp is the step (config, layers, metadata).
#include "../../Step.hpp"

#include "trygg/geom/Geos.hpp"
#include "trygg/io/MeasureRegister.hpp"
#include "trygg/stats/DiffInDiff.hpp"
#include "trygg/stats/MeasureEffect.hpp"
#include "trygg/stats/PerceivedChange.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace trygg::pipeline::steps::measure {

constexpr std::int64_t kDay = 86400;

struct Rejected {
    std::int64_t sourceRow = 0;
    std::string id, field, reason, detail;
};

struct Effect {
    std::string category;  // "all" for every category
    stats::WdqCounts counts;
    stats::MeasureEffect effect;
    stats::DidResult did;  // against matched places (Matched.cpp); only for all and the target category
    bool matched = false;  // whether the matched comparison was tried
};

struct Measure {
    io::MeasureRow row;
    std::int64_t start = 0, end = 0;  // wall seconds; end = 0 when open
    std::int64_t beforeFrom = 0, afterTo = 0;  // the windows [beforeFrom, start) and [start, afterTo)
    std::string placeLayer;  // the map layer whose feature it is, "" for its own geometry
    std::unique_ptr<geom::Area> area, zone;  // zone: the area and its buffer ring
    std::vector<unsigned char> areaWkb;
    double areaM2 = 0;
    std::string targetCategory;  // the category its target names, or ""
    std::vector<Effect> effects;  // "all" first
    std::vector<std::string> overlaps;
    std::string jointGroup;       // "G1" ...: the measures it overlaps, directly or through others; "" alone
    std::string notEvaluable;     // why there is no follow-up ("" when there is one)
    std::string notEvaluableSv;
    std::size_t places = 0;       // candidate places of its shape for the matched comparison
    std::size_t periodsBefore = 0, periodsAfter = 0;
    bool perceivedTried = false;  // perception reports were given and it has windows
    stats::PerceivedChange perceived;
    std::string perceivedEn, perceivedSv;  // a plain reading
    // The survey's indices ([areas] survey) of the area the measure lies in: the last year before
    // its start's year and the first after, per question; the first question's in fields.
    std::string surveyArea, surveyQuestion, surveyEn, surveySv;
    int surveyBeforeYear = 0, surveyAfterYear = 0;
    double surveyBefore = 0, surveyAfter = 0;
};

// A problem of the lägesbild and a measure that answers it: the measure names it (`named`), its area
// meets the problem's (`area`), or it targets the category that rose (`category`); `none` for a
// problem with no measure, or a measure with no problem.
struct ProblemLink {
    std::string problemId, measureId, link;
};

// A kind of measure the figures of a problem point to, by a rule ([[measures.rules]]).
struct Suggestion {
    std::string problemId;
    int areaId = 0;
    std::string kind, indicator, reason;
    double value = 0, threshold = 0;
    std::string en, sv;
    std::string answeredBy;  // the linked measures of that kind, "" when none
};

struct MeasuresResult {
    std::vector<Measure> measures;
    std::vector<Rejected> rejected;
    std::string layerName;
    bool hasProblems = false;  // analysis.problems ran
    std::vector<ProblemLink> links;
    std::vector<Suggestion> suggestions;
    std::map<std::string, std::vector<std::string>> groups;  // joint group -> its measures
};

// The register's rows as measures with their areas and zones, or rejected with their reason.
MeasuresResult readMeasures(const Analysis& a);

// The windows, the counts, the effects and the overlaps of every measure.
void followUp(const Analysis& a, MeasuresResult& res);

// The difference in differences of every measure (for all incidents and its target category)
// against the places of its own shape most like it before, with the placebo test; then each of
// those verdicts checked against it (stats::checkAgainstPlacebo).
void matchedFollowUp(const Analysis& a, MeasuresResult& res);

// The links between the problems (analysis.problems) and the measures, and the kinds of measure
// the rules suggest for each problem with an area (Links.cpp).
void linkProblems(const Analysis& a, MeasuresResult& res);

// Residents' perceived safety in and around every measure (its zone) before and after, against the
// rest of the study area, when the run has perception reports (Perceived.cpp).
void perceivedFollowUp(const Analysis& a, MeasuresResult& res);

// The effect a measure is read by: of the category it targets, else of all incidents.
const Effect* headline(const Measure& m);
// Its verdict in (en, sv), the overlaps said.
std::pair<std::string, std::string> verdictOf(const Measure& m, const Effect* e);

std::string dayText(std::int64_t wallSeconds);

} // namespace trygg::pipeline::steps::measure
