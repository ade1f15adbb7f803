#include "trygg/output/Publish.hpp"

#include <catch2/catch.hpp>

using namespace trygg::output;

// The expected flags are worked by hand from the rule in Publish.hpp: hide 1 .. min, then, while
// the published total would give the hidden values back (one hidden, sum <= min, or all ones with
// no zero among them), hide the smallest shown non-zero value, then a zero.

TEST_CASE("small counts are hidden; nothing else when no total is published", "[publish]") {
    std::vector<std::int64_t> v{5, 1, 0, 2, 7, 3, 4};
    std::vector<bool> h(v.size(), false);
    CHECK(suppressGroup(v, h, 3, false) == 3);
    CHECK(h == std::vector<bool>{false, true, false, true, false, true, false});  // 1, 2 and 3
}

TEST_CASE("one hidden value under a published total takes the next smallest with it", "[publish]") {
    // 1 alone is total - (5 + 7): hide 5 too; then sum 6 > 3 and > 2 hidden.
    std::vector<std::int64_t> v{5, 1, 0, 7};
    std::vector<bool> h(v.size(), false);
    CHECK(suppressGroup(v, h, 3, true) == 2);
    CHECK(h == std::vector<bool>{true, true, false, false});
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("two ones are not safe (sum 2 <= 3, and all ones): a third value goes too", "[publish]") {
    std::vector<std::int64_t> v{1, 1, 4, 9};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true, true, false});  // sum 6 over 3
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("a hidden sum equal to the minimum is itself a small count: one more goes", "[publish]") {
    std::vector<std::int64_t> v{1, 2, 0, 8, 6};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true, false, false, true});  // 1 + 2 = 3 is not enough; with 6, 9
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("four ones and nothing else non-zero: a zero is hidden so they are not all ones", "[publish]") {
    std::vector<std::int64_t> v{1, 1, 1, 1, 0, 0};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true, true, true, true, false});  // sum 4 > 3, a zero among them
    CHECK(groupSafe(v, h, 3));
}

TEST_CASE("a group that cannot be covered is reported unsafe, for the caller to hide its total", "[publish]") {
    std::vector<std::int64_t> v{1, 2};  // sum 3, not above 3, whatever is hidden
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 3, true);
    CHECK(h == std::vector<bool>{true, true});
    CHECK_FALSE(groupSafe(v, h, 3));
}

TEST_CASE("min_count 5 hides 1 to 5", "[publish]") {
    std::vector<std::int64_t> v{4, 6, 3, 10, 5};
    std::vector<bool> h(v.size(), false);
    suppressGroup(v, h, 5, true);
    CHECK(h == std::vector<bool>{true, false, true, false, true});  // 4 + 3 + 5 = 12 > 5, > 3
}

TEST_CASE("hidden zeros are covered too: their sum of 0 would give them back", "[publish]") {
    // A column of zeros with one zero hidden (by a row's need, to cover a small count there): the
    // total says the hidden sum is 0, which gives that zero back and uncovers the row's small
    // count. The 5 is hidden beside it: now the hidden sum, 5, could be 5 + 0 or 2 + 3.
    std::vector<std::int64_t> v{0, 0, 0, 5};
    std::vector<bool> h{true, false, false, false};
    CHECK_FALSE(groupSafe(v, h, 3));
    CHECK(suppressGroup(v, h, 3, true) == 1);
    CHECK(h == std::vector<bool>{true, false, false, true});
    CHECK(groupSafe(v, h, 3));
}
