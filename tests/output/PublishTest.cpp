#include "trygg/output/Publish.hpp"

#include <catch2/catch.hpp>

using namespace trygg::output;

// The expected flags are worked by hand from the rule in Publish.hpp: hide 1 .. min-1, then, while
// the published total would give the hidden values back (one hidden, sum < min, or all ones with
// no zero among them), hide the smallest shown non-zero value, then a zero.

TEST_CASE("small counts are hidden; nothing else when no total is published", "[publish]") {
    std::vector<std::int64_t> v{5, 1, 0, 2, 7};
    std::vector<bool> h(v.size(), false);
    CHECK(suppressGroup(v, h, 3, false) == 2);
    CHECK(h == std::vector<bool>{false, true, false, true, false});
}

TEST_CASE("one hidden value under a published total takes the next smallest with it", "[publish]") {
    // 1 alone is total - (5 + 7): hide 5 too; then sum 6 >= 3 and > 2 hidden.
    std::vector<std::int64_t> v{5, 1, 0, 7};
    std::vector<bool> h(v.size(), false);
    CHECK(suppressGroup(v, h, 3, true) == 2);
    CHECK(h == std::vector<bool>{true, true, false, false});
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("two ones are not safe (sum 2 < 3, and all ones): a third value goes too", "[publish]") {
    std::vector<std::int64_t> v{1, 1, 4, 9};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true, true, false});  // sum 6 over 3
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("three ones and nothing else non-zero: a zero is hidden so they are not all ones", "[publish]") {
    std::vector<std::int64_t> v{1, 1, 1, 0, 0};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true, true, true, false});
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("a group that cannot be covered is reported unsafe, for the caller to hide its total", "[publish]") {
    std::vector<std::int64_t> v{1, 1};  // sum 2 < 3 whatever is hidden
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true});
    CHECK_FALSE(groupSafe(v, h, 3));
}

TEST_CASE("min_count 5 hides 1 to 4", "[publish]") {
    std::vector<std::int64_t> v{4, 5, 3, 10};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 5, true);
    CHECK(h == std::vector<bool>{true, false, true, false});  // 4 + 3 = 7 >= 5, > 2
}
