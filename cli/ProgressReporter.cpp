#include "ProgressReporter.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

namespace trygg::cli {

std::atomic<bool> g_interrupted{false};

ProgressStyle parseProgressStyle(const std::string& text, bool quiet) {
    if (quiet) return ProgressStyle::Quiet;
    if (text == "json") return ProgressStyle::Json;
    if (text == "plain") return ProgressStyle::Plain;
    return isatty(STDERR_FILENO) ? ProgressStyle::Auto : ProgressStyle::Plain;
}

namespace {

struct State {
    std::string lastStep;
    int lastPercent = -1;
    std::chrono::steady_clock::time_point lastDraw{};
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

std::string jsonEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out;
}

std::string clock(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

// The time so far, and once a twentieth of the work and three seconds are behind, an estimate of
// the rest: the bar's steps take shares in proportion to their estimated cost (Step's StepCost),
// so the time per percent so far stands for the percents to come.
std::string timing(const State& state, double fraction) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
    if (fraction < 0.05 || fraction >= 1.0 || elapsed < 3.0) return clock(elapsed);
    return clock(elapsed) + ", ~" + clock(elapsed * (1.0 - fraction) / fraction) + " left";
}

} // namespace

Progress makeProgress(ProgressStyle style) {
    auto cancelled = [] { return g_interrupted.load(); };
    if (style == ProgressStyle::Quiet) return Progress({}, cancelled);
    auto state = std::make_shared<State>();
    return Progress(
        [style, state](double fraction, std::string_view step, std::string_view message) {
            const int percent = static_cast<int>(fraction * 100.0);
            const bool newStep = step != state->lastStep;
            if (style == ProgressStyle::Json) {
                if (!newStep && percent == state->lastPercent) return;
                std::fprintf(stderr, "{\"step\":\"%s\",\"progress\":%.3f,\"message\":\"%s\"}\n",
                             jsonEscape(step).c_str(), fraction, jsonEscape(message).c_str());
            } else if (style == ProgressStyle::Plain) {
                // One line per step, and the last one when the output is in place.
                if (fraction >= 1.0 && message == "done") {
                    std::fprintf(stderr, "[100%%] done\n");
                } else {
                    if (!newStep || step.empty()) return;
                    std::fprintf(stderr, "[%3d%%] %.*s\n", percent, static_cast<int>(step.size()), step.data());
                }
            } else {
                const auto now = std::chrono::steady_clock::now();
                if (!newStep && percent == state->lastPercent && now - state->lastDraw < std::chrono::milliseconds(200))
                    return;
                state->lastDraw = now;
                const int width = 30;
                const int filled = static_cast<int>(fraction * width);
                std::string bar(static_cast<std::size_t>(filled), '#');
                bar.resize(width, '.');
                std::fprintf(stderr, "\r[%s] %3d%% %-18s %-16.*s %-24.*s", bar.c_str(), percent, timing(*state, fraction).c_str(),
                             static_cast<int>(step.size()), step.data(),
                             static_cast<int>(std::min<std::size_t>(message.size(), 24)), message.data());
            }
            std::fflush(stderr);
            state->lastStep = std::string(step);
            state->lastPercent = percent;
        },
        cancelled);
}

void endProgress(ProgressStyle style) {
    if (style == ProgressStyle::Auto) std::fprintf(stderr, "\n");
}

} // namespace trygg::cli
