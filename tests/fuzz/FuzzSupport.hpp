#pragma once
// What the fuzz harnesses share: the input split into parts, and the rule for exceptions.
//
// A harness feeds one input to a reader or parser. Trygg's readers answer bad input with
// trygg::Error (InputError and the like), which is the expected outcome and is swallowed here;
// anything else that escapes (std::out_of_range, std::bad_alloc, a sanitizer report, a signal) is
// a finding, and libFuzzer stops on it with the input saved.
#include "trygg/core/Error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trygg::fuzz {

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The input cut at its first `count - 1` newline bytes: count parts, the last taking the rest
// (missing parts are empty). Lets one input carry a layout and a text, say.
inline std::vector<std::string_view> parts(std::string_view text, std::size_t count) {
    std::vector<std::string_view> out;
    for (std::size_t k = 0; k + 1 < count; ++k) {
        const std::size_t nl = text.find('\n');
        if (nl == std::string_view::npos) break;
        out.push_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    out.push_back(text);
    out.resize(count);
    return out;
}

// Runs f, accepting a trygg::Error as the answer to bad input.
template <class F>
void expectingInputErrors(F&& f) {
    try {
        f();
    } catch (const trygg::Error&) {
    }
}

} // namespace trygg::fuzz
