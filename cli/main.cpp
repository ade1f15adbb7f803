// trygg: the command line. Parses arguments, runs the engine, prints the summary, and maps
// errors to exit codes (0 ok, 1 failed, 2 usage, 130 cancelled). No analysis logic here.
#include "Commands.hpp"
#include "ProgressReporter.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/core/Version.hpp"
#include "trygg/io/ReportReader.hpp"
#include "trygg/io/Source.hpp"
#include "trygg/pipeline/Runner.hpp"

#include <CLI/CLI.hpp>
#include <cpl_error.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>

namespace {

void onInterrupt(int) { trygg::cli::g_interrupted = true; }

// GDAL's messages that no reader or writer of the engine collected, written as Trygg's own instead
// of GDAL's "ERROR 1: ...". A failure is not printed: the engine turns the failed call into its
// error, which names the file and carries GDAL's message (CPLGetLastErrorMsg).
void CPL_STDCALL gdalMessage(CPLErr level, CPLErrorNum, const char* message) {
    if (level == CE_Warning) fmt::print(stderr, "Warning: GDAL: {}\n", message ? message : "");
}

void printSummary(const trygg::pipeline::RunSummary& s) {
    using trygg::io::RejectReason;
    if (s.analysisCrsRule != "given") fmt::print("Analysis CRS: {}, {}\n", s.analysisCrs, s.analysisCrsRule);
    fmt::print("Reports: {} read, {} accepted, {} rejected\n", s.rowsRead, s.accepted, s.rejected);
    for (int k = 0; k < trygg::io::kRejectReasonCount; ++k) {
        if (s.rejectedByReason[k] == 0) continue;
        fmt::print("  rejected, {}: {}\n", trygg::io::reasonText(static_cast<RejectReason>(k)), s.rejectedByReason[k]);
    }
    if (!s.filter.empty())
        fmt::print("Filter: {}; {} accepted reports used, {} outside the times, {} without a time, {} of other "
                   "categories\n",
                   s.filter, s.accepted - s.filteredOut - s.filteredNoTime - s.filteredNoClock - s.filteredCategory,
                   s.filteredOut, s.filteredNoTime + s.filteredNoClock, s.filteredCategory);
    for (const auto& line : s.lines) fmt::print("{}\n", line);  // each step's own
    for (const auto& a : s.analyses) {
        fmt::print("Analysis {} ({}): {}; {} reports used\n", a.analysisName, a.analysisTitle,
                   a.filter.empty() ? "every report" : a.filter,
                   a.accepted - a.filteredOut - a.filteredNoTime - a.filteredNoClock - a.filteredCategory);
        fmt::print("  Gi*: hot spots {} / {} / {} cells at 99 / 95 / 90 %; {} areas described in hotspot_areas\n", a.cellsByBin[6],
                   a.cellsByBin[5], a.cellsByBin[4], a.hotspotAreas);
    }
    if (s.publishHidden >= 0)
        fmt::print("Published: {} small counts hidden, and {} more so that they cannot be worked out from totals\n",
                   s.publishHidden, s.publishComplementary);
    for (const auto& w : s.warnings) fmt::print("Warning: {}\n", trygg::io::redactPasswords(w));
    fmt::print("Wrote {}\n", s.outputPath);
    for (const auto& f : s.filesBeside) fmt::print("Wrote {}\n", f);
}

} // namespace

int main(int argc, char** argv) {
    using namespace trygg;
    CLI::App app{"Trygg: hotspot analysis for safety in public spaces"};
    app.set_version_flag("--version", std::string("trygg ") + kVersion);
    app.require_subcommand(1);
    app.fallthrough();  // --quiet and --progress may follow the subcommand
    bool quiet = false;
    std::string progressStyle = "auto";
    app.add_flag("-q,--quiet", quiet, "No progress and no summary")->group("General");
    bool timings = false;
    app.add_flag("--timings", timings, "Print the wall time of each step on stderr (for benchmarks)")->group("General");
    app.add_option("--progress", progressStyle, "Progress on stderr: auto (a bar on a terminal), plain or json")
        ->check(CLI::IsMember({"auto", "plain", "json"}))
        ->group("General");
    cli::RunCommand runCmd(app);
    cli::HotspotCommand hotspotCmd(app);
    cli::KdeCommand kdeCmd(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }

    std::string commandLine = "trygg";
    for (int i = 1; i < argc; ++i) commandLine += std::string(" ") + argv[i];
    const cli::ProgressStyle style = cli::parseProgressStyle(progressStyle, quiet);
    CPLSetErrorHandler(gdalMessage);
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    try {
        const pipeline::Config cfg = runCmd.selected()       ? runCmd.config()
                                     : kdeCmd.selected() ? kdeCmd.config(commandLine)
                                                         : hotspotCmd.config(commandLine);
        const Progress progress = cli::makeProgress(style);
        const pipeline::RunSummary summary = pipeline::run(cfg, progress);
        cli::endProgress(style);
        if (!quiet) printSummary(summary);
        // An interrupt after the last step that can stop (finishing the file, moving the files into
        // place) is not acted on: stopping then would leave a mix of old and new files.
        if (cli::g_interrupted)
            std::fprintf(stderr, "trygg: interrupted too late to stop (the output was being finished and moved into "
                                 "place); the new output is complete\n");
        if (timings)
            for (const auto& [step, seconds] : summary.stageSeconds) std::fprintf(stderr, "TIME %s=%.3f\n", step.c_str(), seconds);
        return 0;
    } catch (const Cancelled&) {
        cli::endProgress(style);
        std::fprintf(stderr, "trygg: interrupted; no output was written\n");
        return 130;
    } catch (const std::exception& e) {
        cli::endProgress(style);
        std::fprintf(stderr, "trygg: %s\n", trygg::io::redactPasswords(e.what()).c_str());  // a connection string's password
        return 1;
    }
}
