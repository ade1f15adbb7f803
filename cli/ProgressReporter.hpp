#pragma once
// Progress on stderr: a bar on a terminal, plain lines otherwise, JSON lines on request, nothing
// with --quiet. Never on stdout.
#include "trygg/core/Progress.hpp"

#include <atomic>
#include <string>

namespace trygg::cli {

enum class ProgressStyle { Auto, Plain, Json, Quiet };

ProgressStyle parseProgressStyle(const std::string& text, bool quiet);

// Set by the SIGINT handler; the Progress object's cancel check reads it.
extern std::atomic<bool> g_interrupted;

Progress makeProgress(ProgressStyle style);

// Finishes a terminal bar's line.
void endProgress(ProgressStyle style);

} // namespace trygg::cli
