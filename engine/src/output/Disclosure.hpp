#pragma once
// The disclosure model of publishing mode. Every count in the file is a cell (table, row, field).
// Every relation a reader can know between published numbers is a Relation: parts that add up to
// a total, the total being a published count, or a number every reader knows. Some relations
// leave an unpublished rest: reports outside both periods, reports in no area. One rule,
// protect(), covers any relation:
//   - a hidden part cannot be worked out, nor held within min_count, from the total;
//   - a hidden total cannot be worked out from shown parts;
//   - a small rest is protected like a hidden part.
// publishGeoPackage gathers the relations of the whole file (within tables, between the layers
// of an analysis, between areas and their cells) and applies the rule to all of them until
// nothing changes. The differences between analyses (protectAcross) and the empty hours of a
// small area's hot times (hideZeroSlots) are rules of their own. Internal to the output module.
#include "trygg/output/Layers.hpp"
#include "trygg/output/Publish.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace trygg::output::disclosure {

// Fields computed from counts: hidden when any of the counts they come from is hidden.
struct Derived {
    std::string field;
    std::vector<std::string> from;
};

// How one of Trygg's tables is published: its declaration (output/Layers.hpp), which says how its
// counts add up, and what its fields' roles make of them.
struct Policy {
    const LayerSpec* spec = nullptr;
    std::vector<Derived> derived = {};           // derived fields and texts, with the counts they come from
    std::vector<std::string> drop = {};          // statistics that could give counts back
    std::vector<std::string> textCounts = {};    // texts with "(N)" counts: "stöld (337); klotter (2)"
};

struct TableResult {
    std::int64_t hidden = 0, complementary = 0, derived = 0;
};

// One table's counts in memory while the hiding is worked out, over every table at once.
struct TableState {
    std::string table = {};
    const Policy* policy = nullptr;
    std::vector<std::string> cols = {}, counts = {};
    std::vector<bool> category = {};  // per count: an n_<category> field (from the policy's "n_*")
    int totalIndex = -1;
    std::vector<std::int64_t> rowids = {};
    std::vector<std::string> keys = {};     // cell_id or area_id per row, for comparing analyses
    std::vector<std::string> ids = {};      // the policy's id per row, for links within the analysis
    std::vector<std::string> blockOf = {};  // hot_times: the area a weekday row belongs to ("" for the study area)
    std::vector<std::string> groupOf = {};  // the policy's groupBy field per row
    std::vector<std::vector<std::int64_t>> values = {};
    std::vector<std::vector<bool>> isNull = {}, hidden = {};
    TableResult result = {};

    const LayerSpec& spec() const { return *policy->spec; }
    bool has(const std::string& c) const;
    // Whether it has every field of its declaration's key (none when it declares none).
    bool hasKey() const;
    std::size_t rows() const { return rowids.size(); }
    // The index of count field `field` in `counts`, or counts.size().
    std::size_t countIndex(const std::string& field) const;
    // The analysis prefix of the table ("natt_" of "natt_hotspot_grid"; "" for the main analysis).
    std::string prefix() const;
};

// The fields of a declaration's key ("measure_id,category": two).
std::vector<std::string> keyFields(const LayerSpec& spec);

// A count of reports small enough to point at someone: 1 .. minCount. Zero identifies nobody.
inline bool isSmall(std::int64_t v, int minCount) { return v >= 1 && v <= minCount; }

// One count: a table's row and count field.
struct Ref {
    TableState* table = nullptr;
    std::size_t row = 0, field = 0;

    // NULL as written: no count (a slot outside the analysis's filter), known to every reader.
    bool null() const { return table->isNull[row][field]; }
    bool hidden() const { return table->hidden[row][field]; }
    std::int64_t value() const { return table->values[row][field]; }
    void hide() const { table->hidden[row][field] = true; }
};

struct Relation {
    std::vector<Ref> parts;
    std::optional<Ref> total;  // none: a number published elsewhere (run_metadata) or known
    bool rest = false;         // the parts and an unpublished rest (0 or more) add up to the total
    // With no total: whether the file gives it (a grid's n adds up to the reports used), or it is
    // only assumed known as a precaution (a category's sum over the cells, which the police's
    // yearly statistics may give for the main analysis, and nothing gives for a night analysis).
    bool totalInFile = false;
};

// Hides more of the relation's counts until it gives none of its hidden ones back. Returns how
// many it hid.
std::size_t protect(const Relation& r, int minCount);

// The relations inside one table: each row's counts against its total, each column against its
// published sum.
std::vector<Relation> relationsWithin(TableState& t);

// A hotspot area made of whole grid cells (its `cells` field set): its row in `areas`, and the
// rows of its cells in the same analysis's `grid`.
struct AreaOfCells {
    TableState* areas = nullptr;
    std::size_t row = 0;
    TableState* grid = nullptr;
    std::vector<std::size_t> cells;
};

// The relations between the layers of one analysis, which count the same reports:
//   - a cell's change_grid n_before and n_after and the reports outside both periods make its
//     hotspot_grid n;
//   - emerging_hotspots' n is hotspot_grid's n; an area's area_statistics n is its area_summary
//     incidents;
//   - a hotspot area of cells holds its cells' reports: its incidents are the sum of their n;
//   - a hot-times block's weekday totals add up to its hotspot area's incidents (the study
//     area's, to the reports used);
//   - per reason, the areas' counts (area_reasons) and the reports in no area make the study
//     area's (perception_reasons);
//   - the follow-up's categories (and the reports without one) make its row "all", which
//     followup_areas repeats per area;
//   - a measure's categories make its row "all" in measure_effects, which measures repeats for the
//     category the measure is read by; its area, buffer and control in a window add up to a number
//     taken as known (the window's reports outside the other measures' zones).
std::vector<Relation> relationsBetween(std::vector<TableState>& tables, const std::vector<AreaOfCells>& areasOfCells);

// Between the main analysis and a further one whose reports are among its own (`scopes`, from the
// filters): per cell, area or category and field, the further analysis's count and an unpublished
// rest make the main one's; with the same time filter a category's count is the main one's, and
// the further analysis's n is the sum of the main one's n_<category> for the categories it chose.
std::vector<Relation> relationsAcross(std::vector<TableState>& tables, const std::vector<AnalysisScope>& scopes);

// The reader's attack, run by the publisher: every hidden count an unknown (0 or more), every
// relation a constraint, bounds propagated until nothing changes (as tests/output/AttackTest.cpp
// does). Returns the hidden counts held within fewer than minCount values: recovered, or as good
// as. Each relation protected on its own can still leave these where many relations meet. The
// reader is taken to know every relation but the assumed totals of further analyses (a night
// analysis's assaults per category over the municipality are published nowhere); protect()
// assumes those too.
struct Findings {
    std::vector<Ref> counts;         // hidden counts held within fewer than minCount values
    std::vector<std::size_t> rests;  // relations whose unpublished rest is known, and may be a
                                     // small count (1 to minCount): the day's assaults of a
                                     // hotspot area whose night count a further analysis shows,
                                     // when the two areas coincide
    bool empty() const { return counts.empty() && rests.empty(); }
    std::size_t size() const { return counts.size() + rests.size(); }
};
Findings audit(const std::vector<Relation>& relations, int minCount);

// Hides more where audit() found something: for a count, the published totals of the relations
// it is a part of (an area's incidents, a row's n), or where it has none, the smallest shown part
// beside it; for a rest, its relation's total, or the smallest shown part. Returns how many it hid.
std::size_t remedy(const std::vector<Relation>& relations, const Findings& found);

// Between analyses: the same layer of two analyses counts, per cell or area and field, reports of
// which one set may hold the other, whatever the filters. pairsAcross lists those counts, matched
// by key; protectAcross hides the smaller of a pair where both are shown and differ by
// 1 .. minCount, and both where they are equal and one is hidden.
std::vector<std::pair<Ref, Ref>> pairsAcross(std::vector<TableState>& tables);
std::size_t protectAcross(const std::vector<std::pair<Ref, Ref>>& pairs, int minCount);

// hot_times: a weekday row that hides an hour hides its zero hours too, and an area that hides a
// weekday's total hides its empty weekdays, so that a hidden slot may be empty and the shown
// zeros do not say when the few incidents happened.
std::size_t hideZeroSlots(TableState& t);

} // namespace trygg::output::disclosure
