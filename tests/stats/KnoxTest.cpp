// The Knox test of near repeats (stats/Knox.hpp): the pair counts on a hand-sized example, the
// permutations' invariants, threads that change nothing, and, where R is installed, the method of
// Steenbeek's R package NearRepeat (its code: dist(), cut(right = FALSE), table(), the mean of
// the simulated tables and (#sim >= observed + 1) / (nrep + 1)) run by R on the same events and
// the same permutations, to the last digit.
#include "../TestSupport.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/stats/Knox.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

using namespace trygg;
using namespace trygg::stats;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Five events on a line (metres, days): A and B at the same place, C 50 m off, D 150 m, E 1 km.
const std::vector<double> kX = {0, 0, 50, 150, 1000}, kY = {0, 0, 0, 0, 0};
const std::vector<std::int64_t> kDay = {0, 3, 10, 20, 1};

KnoxSpec handSpec() {
    KnoxSpec s;
    s.distanceBreaks = {0, 0.001, 100, 200, kInf};
    s.dayBreaks = {0, 7, 14, kInf};
    s.permutations = 99;
    s.seed = 7;
    return s;
}

} // namespace

TEST_CASE("Knox pair counts on a hand-sized example", "[stats][knox]") {
    // The ten pairs by hand (distance band: same place, 0-100, 100-200, 200+; time band: 0-7,
    // 7-14, 14+ days; intervals closed below, open above):
    //   AB 0 m 3 d; AC 50 m 10 d; AD 150 m 20 d; AE 1000 m 1 d; BC 50 m 7 d; BD 150 m 17 d;
    //   BE 1000 m 2 d; CD 100 m 10 d; CE 950 m 9 d; DE 850 m 19 d.
    const std::vector<std::int64_t> byHand = {1, 0, 0,  //
                                              0, 2, 0,  //
                                              0, 1, 2,  //
                                              2, 1, 1};
    const KnoxSpec s = handSpec();
    CHECK(knoxCounts(kX, kY, kDay, s) == byHand);
    const KnoxResult r = knoxTest(kX, kY, kDay, s);
    CHECK(r.observed == byHand);  // the visited pairs, and the open band by difference
    CHECK(r.distanceBands == 4);
    CHECK(r.timeBands == 3);
    CHECK(r.pairsVisited == 6);   // the pairs closer than 200 m
    // Without the open band the farther pairs are not counted.
    KnoxSpec closed = s;
    closed.distanceBreaks = {0, 0.001, 100, 200};
    const KnoxResult c = knoxTest(kX, kY, kDay, closed);
    CHECK(c.observed == std::vector<std::int64_t>(byHand.begin(), byHand.begin() + 9));
    // Euclidean is Manhattan on a line; off it they differ: (60, 80) is 140 m Manhattan, 100 Euclidean.
    const std::vector<double> x2 = {0, 60}, y2 = {0, 80};
    const std::vector<std::int64_t> d2 = {0, 1};
    KnoxSpec e = s;
    CHECK(knoxCounts(x2, y2, d2, e)[2 * 3 + 0] == 1);
    e.manhattan = false;
    CHECK(knoxCounts(x2, y2, d2, e)[2 * 3 + 0] == 1);  // 100 m lies in [100, 200)
    e.distanceBreaks = {0, 0.001, 100.5, 200, kInf};
    CHECK(knoxCounts(x2, y2, d2, e)[1 * 3 + 0] == 1);   // Euclidean 100 < 100.5
    e.manhattan = true;
    CHECK(knoxCounts(x2, y2, d2, e)[2 * 3 + 0] == 1);   // Manhattan 140
    // Breaks that do not increase are refused.
    KnoxSpec bad = s;
    bad.dayBreaks = {0, 7, 7};
    CHECK_THROWS_AS(knoxTest(kX, kY, kDay, bad), InputError);
}

TEST_CASE("Knox permutations keep each time band's total, and threads change nothing", "[stats][knox]") {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0, 3000);
    std::uniform_int_distribution<std::int64_t> d(0, 365);
    std::vector<double> x, y;
    std::vector<std::int64_t> day;
    for (int i = 0; i < 400; ++i) x.push_back(u(rng)), y.push_back(u(rng)), day.push_back(d(rng));
    // A planted near repeat: 30 events within 60 m and 10 days of one another.
    for (int i = 0; i < 30; ++i) x.push_back(1500 + u(rng) / 50), y.push_back(1500 + u(rng) / 50), day.push_back(200 + d(rng) % 10);
    KnoxSpec s;
    s.distanceBreaks = {0, 0.001, 100, 200, 300, kInf};
    s.dayBreaks = {0, 14, 28, 42, kInf};
    s.permutations = 199;
    s.seed = 11;
    s.threads = 1;
    const KnoxResult one = knoxTest(x, y, day, s);
    s.threads = 3;
    const KnoxResult three = knoxTest(x, y, day, s);
    CHECK(one.observed == three.observed);
    CHECK(one.expected == three.expected);
    CHECK(one.p == three.p);
    // The observed table against brute force over every pair.
    CHECK(one.observed == knoxCounts(x, y, day, s));
    // Permuting times keeps every pair's time distance in the multiset: each time band's expected
    // pairs over the distance bands are its observed ones.
    for (std::size_t t = 0; t < one.timeBands; ++t) {
        double expected = 0;
        std::int64_t observed = 0;
        for (std::size_t db = 0; db < one.distanceBands; ++db) expected += one.expected[one.at(db, t)], observed += one.observed[one.at(db, t)];
        CHECK(expected == Approx(static_cast<double>(observed)).epsilon(1e-12));
    }
    // The planted repeat: far more near-near pairs than chance, at the smallest p there is.
    const std::size_t near = one.at(1, 0);
    CHECK(one.ratio[near] > 3);
    CHECK(one.p[near] == Approx(1.0 / 200));
    // Far away and long after, as chance has it.
    CHECK(one.ratio[one.at(4, 3)] == Approx(1.0).margin(0.05));
}

TEST_CASE("Knox test against NearRepeat's method in R, on the same permutations", "[stats][knox]") {
    if (!test::rscriptAvailable()) {
        WARN("skipped: Rscript is not installed (apt-get install r-base-core)");
        return;
    }
    test::TempDir dir;
    std::mt19937_64 rng(29);
    std::uniform_real_distribution<double> u(0, 2000);
    std::uniform_int_distribution<std::int64_t> d(0, 120);
    std::vector<double> x, y;
    std::vector<std::int64_t> day;
    for (int i = 0; i < 150; ++i) x.push_back(std::round(u(rng))), y.push_back(std::round(u(rng))), day.push_back(d(rng));
    for (int i = 0; i < 12; ++i) x.push_back(x[0]), y.push_back(y[0]), day.push_back(day[0] + i);  // same place, days apart
    KnoxSpec s;
    s.distanceBreaks = {0, 0.001, 250, 500, 750, kInf};
    s.dayBreaks = {0, 7, 14, 21, kInf};
    s.permutations = 49;
    s.seed = 5;
    const KnoxResult r = knoxTest(x, y, day, s);
    std::ofstream events(dir.file("events.csv"));
    events << "x,y,time\n";
    for (std::size_t i = 0; i < x.size(); ++i) events << fmt::format("{},{},{}\n", x[i], y[i], day[i]);
    events.close();
    std::ofstream perms(dir.file("perms.csv"));
    for (int k = 0; k < s.permutations; ++k) {
        const auto p = knoxPermutation(x.size(), s.seed, k);
        for (std::size_t i = 0; i < p.size(); ++i) perms << (i ? "," : "") << p[i] + 1;  // R counts from 1
        perms << "\n";
    }
    perms.close();
    // NearRepeat(x, y, time, sds, tds) with its defaults (manhattan, right = FALSE), sample(time)
    // replaced by the given permutations.
    const std::string script = fmt::format(
        "d <- read.csv('{0}'); P <- as.matrix(read.csv('{1}', header = FALSE));"
        "sds <- c(0, 0.001, 250, 500, 750, Inf); tds <- c(0, 7, 14, 21, Inf);"
        "s_dist <- dist(cbind(d$x, d$y), method = 'manhattan'); t_dist <- dist(d$time);"
        "observed <- table(cut(s_dist, sds, right = FALSE), cut(t_dist, tds, right = FALSE));"
        "spat_cut <- cut(s_dist, sds, right = FALSE);"
        "sims <- lapply(seq_len(nrow(P)), function(i) table(spat_cut, cut(dist(d$time[P[i, ]]), tds, right = FALSE)));"
        "A <- array(as.numeric(unlist(sims)), dim = c(dim(observed), nrow(P)));"
        "knox <- observed / apply(A, 1:2, mean); pv <- observed;"
        "for (i in seq_len(nrow(pv))) for (j in seq_len(ncol(pv))) pv[i, j] <- (sum(A[i, j, ] >= observed[i, j]) + 1) / (nrow(P) + 1);"
        "out <- expand.grid(s = seq_len(nrow(observed)), t = seq_len(ncol(observed)));"
        "out$observed <- as.vector(observed); out$expected <- as.vector(apply(A, 1:2, mean)); out$p <- as.vector(pv);"
        "write.csv(out, '{2}', row.names = FALSE)",
        dir.file("events.csv"), dir.file("perms.csv"), dir.file("knox.csv"));
    std::ofstream(dir.file("knox.R")) << script;
    REQUIRE(std::system(("Rscript " + dir.file("knox.R") + " > /dev/null 2>&1").c_str()) == 0);
    std::size_t compared = 0;
    for (const auto& v : test::readNumberCsv(dir.file("knox.csv"))) {
        REQUIRE(v.size() == 5);
        const std::size_t at = r.at(static_cast<std::size_t>(v[0]) - 1, static_cast<std::size_t>(v[1]) - 1);
        INFO("distance band " << v[0] << ", time band " << v[1]);
        CHECK(static_cast<double>(r.observed[at]) == v[2]);
        CHECK(r.expected[at] == Approx(v[3]).epsilon(1e-12));
        CHECK(r.p[at] == Approx(v[4]).epsilon(1e-12));
        ++compared;
    }
    CHECK(compared == r.distanceBands * r.timeBands);
    // The same-place repeats are there: 13 events at one spot within 12 days, 78 pairs.
    std::int64_t same = 0;
    for (std::size_t t = 0; t < 3; ++t) same += r.observed[r.at(0, t)];
    CHECK(same == 78);
}
