// The disclosure model's one rule, protect(), on small relations whose expected hiding is worked
// by hand from the rule in output/Disclosure.hpp and groupSafe (Publish.hpp): the hidden values
// of a relation are safe when none is hidden, or two or more are with a sum above min_count that
// is more than their number or has a zero among them.
#include "output/Disclosure.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace trygg::output::disclosure;

namespace {

// One table of single-field rows holding `values`, the small ones (1..3) hidden as on loading;
// NULL where a value is -1.
TableState column(const std::vector<std::int64_t>& values) {
    static const trygg::output::LayerSpec layer{"t", "none", {}, "", false};
    static const Policy policy{&layer};
    TableState t{.table = "t", .policy = &policy, .counts = {"n"}, .category = {false}};
    for (std::size_t i = 0; i < values.size(); ++i) {
        t.rowids.push_back(static_cast<std::int64_t>(i) + 1);
        t.keys.push_back("");
        t.values.push_back({std::max<std::int64_t>(0, values[i])});
        t.isNull.push_back({values[i] < 0});
        t.hidden.push_back({values[i] >= 1 && values[i] <= 3});
    }
    return t;
}

std::vector<bool> hiddenOf(const TableState& t) {
    std::vector<bool> out;
    for (const auto& row : t.hidden) out.push_back(row[0]);
    return out;
}

Relation sumOf(TableState& t, std::vector<std::size_t> parts, std::size_t total, bool rest = false) {
    Relation r;
    for (std::size_t p : parts) r.parts.push_back({&t, p, 0});
    r.total = Ref{&t, total, 0};
    r.rest = rest;
    return r;
}

} // namespace

TEST_CASE("a shown total over one hidden part: the smallest shown part is hidden with it", "[publish]") {
    // 10 = 2 + 8: 2 is hidden, and 10 - 8 would give it back; with 8 hidden too, 2 + 8 = 10 > 3.
    TableState t = column({2, 8, 10});
    CHECK(protect(sumOf(t, {0, 1}, 2), 3) == 1);
    CHECK(hiddenOf(t) == std::vector<bool>{true, true, false});
}

TEST_CASE("a hidden total over shown parts: one part goes, or the parts add up to it", "[publish]") {
    // The total 12 is hidden (as cover elsewhere); 4 + 8 would give it back: 4, the smallest, goes.
    TableState t = column({4, 8, 12});
    t.hidden[2][0] = true;
    CHECK(protect(sumOf(t, {0, 1}, 2), 3) == 1);
    CHECK(hiddenOf(t) == std::vector<bool>{true, false, true});
    // All parts zero: a zero goes, or the hidden total would read as 0.
    TableState z = column({0, 0, 0});
    z.hidden[2][0] = true;
    CHECK(protect(sumOf(z, {0, 1}, 2), 3) == 1);
    CHECK(hiddenOf(z) == std::vector<bool>{true, false, true});
}

TEST_CASE("parts that cannot be covered take the total with it", "[publish]") {
    // 4 = 1 + 1 + 1 + 1: all hidden, all ones, no zero to hide among them: the total says each
    // is 1, so the total goes.
    TableState t = column({1, 1, 1, 1, 4});
    CHECK(protect(sumOf(t, {0, 1, 2, 3}, 4), 3) == 1);
    CHECK(hiddenOf(t) == std::vector<bool>{true, true, true, true, true});
}

TEST_CASE("an identity (the same count in two layers) hides both wherever one is hidden", "[publish]") {
    TableState t = column({7, 7});
    t.hidden[0][0] = true;  // hidden as cover in its own layer
    CHECK(protect(sumOf(t, {0}, 1), 3) == 1);
    CHECK(hiddenOf(t) == std::vector<bool>{true, true});
    TableState u = column({7, 7});
    u.hidden[1][0] = true;
    CHECK(protect(sumOf(u, {0}, 1), 3) == 1);
    CHECK(hiddenOf(u) == std::vector<bool>{true, true});
}

TEST_CASE("an unpublished rest: harmless when 0 or large, protected when small", "[publish]") {
    // 9 = 4 + 5 + rest 0: nothing hidden, the rest 0 harms nobody.
    TableState none = column({4, 5, 9});
    CHECK(protect(sumOf(none, {0, 1}, 2, true), 3) == 0);
    // 20 = 4 + 5 + rest 11: the rest is large; nothing to hide.
    TableState large = column({4, 5, 20});
    CHECK(protect(sumOf(large, {0, 1}, 2, true), 3) == 0);
    // 11 = 4 + 5 + rest 2: the rest is a small count anyone could work out. 4 goes with it
    // (2 + 4 = 6 > 3 over two hidden values).
    TableState small = column({4, 5, 11});
    CHECK(protect(sumOf(small, {0, 1}, 2, true), 3) == 1);
    CHECK(hiddenOf(small) == std::vector<bool>{true, false, false});
    // With the total hidden the shown parts only bound it from below: nothing more goes.
    TableState hiddenTotal = column({4, 5, 11});
    hiddenTotal.hidden[2][0] = true;
    CHECK(protect(sumOf(hiddenTotal, {0, 1}, 2, true), 3) == 0);
}

TEST_CASE("a NULL part (outside the analysis's filter) is no cover", "[publish]") {
    // 9 = 2 + NULL + 7: the NULL is known to be empty, so 2 is 9 - 7 unless 7 goes too.
    TableState t = column({2, -1, 7, 9});
    CHECK(protect(sumOf(t, {0, 1, 2}, 3), 3) == 1);
    CHECK(hiddenOf(t) == std::vector<bool>{true, false, true, false});
}

TEST_CASE("hot times: a hidden slot hides the zeros beside it, in its row and in its area's weekdays", "[publish]") {
    static const trygg::output::LayerSpec layer{"hot_times", "none", {}, "total", false, true};
    static const Policy policy{&layer};
    TableState t{.table = "hot_times", .policy = &policy, .counts = {"h0", "h1", "h2", "total"}, .category = std::vector<bool>(4, false), .totalIndex = 3};
    // Area 1: two weekday rows, one with 2 incidents at h1, one empty. Area 2: 4 and 5 incidents.
    const std::vector<std::vector<std::int64_t>> rows{{0, 2, 0, 2}, {0, 0, 0, 0}, {4, 0, 0, 4}, {0, 5, 0, 5}};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        t.rowids.push_back(static_cast<std::int64_t>(i) + 1);
        t.keys.push_back("");
        t.blockOf.push_back(i < 2 ? "1" : "2");
        t.values.push_back(rows[i]);
        t.isNull.push_back(std::vector<bool>(4, false));
        std::vector<bool> h;
        for (auto v : rows[i]) h.push_back(v >= 1 && v <= 3);
        t.hidden.push_back(h);
    }
    // Row 0 hides h1 (2) and its total (2): its zero hours go, and so does area 1's empty weekday
    // total; area 2 hides nothing and keeps its zeros.
    CHECK(hideZeroSlots(t) == 3);
    CHECK(t.hidden[0] == std::vector<bool>{true, true, true, true});
    CHECK(t.hidden[1] == std::vector<bool>{false, false, false, true});
    CHECK(t.hidden[2] == std::vector<bool>(4, false));
    CHECK(t.hidden[3] == std::vector<bool>(4, false));
}

TEST_CASE("relations each safe alone can still give a count away together: the audit finds it and more goes", "[publish]") {
    // Two rows x1 + y1 = 5 and x2 + y2 = 5 with y1 = y2 = 1, and an area x1 + x2 + x3 = 13 with
    // x3 = 5 shown. protect() hides y1 and y2 (small), then x1 and x2 as their cover: each row hides
    // 4 + 1 = 5 over two values, the area 4 + 4 = 8 over two, all safe alone. Together, by hand:
    // x1 <= 5 (its row) and x1 >= 13 - 5 - 5 = 3 (the area, x2 at most 5): x1 in [3, 5], fewer
    // than 3 values, and so x2; y1 = 5 - x1 and y2 in [0, 2].
    TableState t = column({4, 1, 4, 1, 5, 5, 5, 13});
    const std::vector<Relation> relations{sumOf(t, {0, 1}, 5), sumOf(t, {2, 3}, 6), sumOf(t, {0, 2, 4}, 7)};
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& r : relations) changed |= protect(r, 3) > 0;
    }
    CHECK(hiddenOf(t) == std::vector<bool>{true, true, true, true, false, false, false, false});
    auto found = audit(relations, 3);
    std::vector<std::size_t> rows;
    CHECK(found.rests.empty());
    for (const Ref& r : found.counts) rows.push_back(r.row);
    std::sort(rows.begin(), rows.end());
    CHECK(rows == std::vector<std::size_t>{0, 1, 2, 3});
    // The remedy hides the published totals over x1 and x2 (their rows' 5 and the area's 13);
    // then nothing is held within 3 values.
    CHECK(remedy(relations, found) == 3);
    CHECK(hiddenOf(t) == std::vector<bool>{true, true, true, true, false, true, true, true});
    for (const auto& r : relations) protect(r, 3);
    CHECK(audit(relations, 3).empty());
}

TEST_CASE("the audit reads NULLs as known empty and an unpublished rest as unknown", "[publish]") {
    // 9 = a + NULL + b with a = 2, b = 7 both hidden: a in [0, 9], nothing found.
    TableState t = column({2, -1, 7, 9});
    t.hidden[2][0] = true;
    CHECK(audit({sumOf(t, {0, 1, 2}, 3)}, 3).empty());
    // 6 = a + b + rest with a = 1, b = 5 hidden: a in [0, 6] whatever the rest, nothing found;
    // without the rest a and b are each still in [0, 6].
    TableState u = column({1, 5, 6});
    u.hidden[1][0] = true;
    CHECK(audit({sumOf(u, {0, 1}, 2, true)}, 3).empty());
    // 4 = a + b with a = 1, b = 3, both hidden, and b = 3 shown elsewhere as c: a = 4 - 3 exactly.
    TableState v = column({1, 3, 4, 3});
    v.hidden[3][0] = false;  // c, shown in another layer
    const auto found = audit({sumOf(v, {0, 1}, 2), sumOf(v, {1}, 3)}, 3);
    REQUIRE(found.counts.size() == 2);  // a and b, both fixed
}

TEST_CASE("the audit also finds a small unpublished rest, and the remedy hides its total", "[publish]") {
    // 6 = 4 + rest, both 6 and 4 shown (say a main analysis's cell and a night analysis's): the
    // rest, the day's reports, is 2 for anyone. Audit finds it; remedy hides the total 6.
    TableState t = column({4, 6});
    const std::vector<Relation> relations{sumOf(t, {0}, 1, true)};
    const Findings found = audit(relations, 3);
    CHECK(found.counts.empty());
    CHECK(found.rests == std::vector<std::size_t>{0});
    CHECK(remedy(relations, found) == 1);
    CHECK(hiddenOf(t) == std::vector<bool>{false, true});
    CHECK(audit(relations, 3).empty());
    // A rest known to be 0 (6 = 6 + rest) harms nobody and is not found.
    TableState zero = column({6, 6});
    CHECK(audit({sumOf(zero, {0}, 1, true)}, 3).empty());
}

TEST_CASE("a rest known to be above min_count is no finding; one known to be small is", "[publish]") {
    // 128 = 40 + rest: the rest, 88 (a measure area's other categories), is a count that could be
    // published itself. 43 = 40 + rest: the rest is 3, small for min 3.
    TableState large = column({40, 128});
    CHECK(audit({sumOf(large, {0}, 1, true)}, 3).empty());
    TableState small = column({40, 43});
    CHECK(audit({sumOf(small, {0}, 1, true)}, 3).rests == std::vector<std::size_t>{0});
}

namespace {

// A measure's rows of measure_effects, each {A0, A1, B0, B1, C0, C1} (as Layers.cpp declares them).
TableState effects(const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& rows, const std::string& table) {
    static const Policy effectsPolicy{trygg::output::layerOf("measure_effects")};
    static const Policy measuresPolicy{trygg::output::layerOf("measures")};
    TableState t{.table = table, .policy = table == "measures" ? &measuresPolicy : &effectsPolicy,
                 .counts = {"measure_before", "measure_after", "buffer_before", "buffer_after", "control_before", "control_after"}};
    t.category.assign(6, false);
    for (const auto& [key, values] : rows) {
        t.rowids.push_back(static_cast<std::int64_t>(t.rows()) + 1);
        t.keys.push_back(key);
        t.ids.push_back(key.substr(0, key.find('\x1f')));
        t.values.push_back(values);
        t.isNull.push_back(std::vector<bool>(6, false));
        std::vector<bool> h;
        for (auto v : values) h.push_back(v >= 1 && v <= 3);
        t.hidden.push_back(h);
    }
    return t;
}

} // namespace

TEST_CASE("a measure's counts: categories under its row all, its row in measures, area + buffer + control known", "[publish]") {
    // Measure M1, all incidents and its target category stöld, and its row in measures (stöld).
    std::vector<TableState> tables;
    tables.push_back(effects({{"M1\x1f" "all", {60, 30, 40, 35, 900, 850}}, {"M1\x1f" "stöld", {2, 9, 20, 25, 300, 280}}},
                             "measure_effects"));
    tables.push_back(effects({{"M1\x1f" "stöld", {2, 9, 20, 25, 300, 280}}}, "measures"));
    const auto relations = relationsBetween(tables, {});
    // 6 counts: stöld + rest = all; 6 identities with measures; 2 windows x 2 rows of A + B + C.
    REQUIRE(relations.size() == 6 + 6 + 4);
    std::size_t restful = 0, known = 0;
    for (const auto& r : relations) {
        restful += r.rest;
        known += !r.total;
        if (!r.total) CHECK(r.parts.size() == 3);
    }
    CHECK(restful == 6);
    CHECK(known == 4);
    for (int round = 0; round < 5; ++round)
        for (const auto& r : relations) protect(r, 3);
    auto& e = tables[0];
    // stöld's A0 = 2 is small. Its window before, 2 + 20 + 300, is known: B0 = 20, the smallest
    // shown beside it, goes too. In the column, stöld's A0 under all's 60 leaves a rest of 58,
    // which a reader cannot split: all's A0 stays. The same cells in measures follow.
    CHECK(e.hidden[1] == std::vector<bool>{true, false, true, false, false, false});
    CHECK(e.hidden[0] == std::vector<bool>(6, false));
    CHECK(tables[1].hidden[0] == e.hidden[1]);
    CHECK(audit(relations, 3).empty());
}
