#include "Commands.hpp"

#include "trygg/core/Error.hpp"
#include "trygg/io/Values.hpp"

#include <CLI/CLI.hpp>

namespace trygg::cli {

KdeCommand::KdeCommand(CLI::App& parent)
    : m_app(parent.add_subcommand("kde", "Kernel density surface of incidents, and the densest areas, from flags")) {
    m_io.add(m_app, false);
    auto* an = "Density";
    m_app->add_option("--kernel", m_kernel, "Kernel")
        ->check(CLI::IsMember({"quartic", "epanechnikov", "triangular", "uniform", "gaussian"}))
        ->capture_default_str()
        ->group(an);
    m_app->add_option("--bandwidth", m_bandwidth, "Bandwidth in metres, 'arcgis' (ArcGIS's rule) or 'nrd' (sfhotspot's)")
        ->capture_default_str()
        ->group(an);
    m_app->add_option("--multiplier", m_multiplier, "Multiply the bandwidth by this")->capture_default_str()->group(an);
    m_app->add_option("--adaptive-k", m_adaptiveK, "Adaptive bandwidth: distance to the k-th nearest report (0: fixed)")
        ->check(CLI::NonNegativeNumber)
        ->group(an);
    m_app->add_option("--pixel", m_pixelM, "Pixel size in metres (default: a sixteenth of the bandwidth)")->group(an);
    m_app->add_option("--output", m_output, "Unit of the surface")
        ->check(CLI::IsMember({"density_km2", "raw", "per_cell"}))
        ->capture_default_str()
        ->group(an);
    m_app->add_option("--top-percent", m_topPercent, "Densest shares of the area to outline")->group(an);
    m_app->add_flag("--no-areas", m_noAreas, "Write the surface alone, without the densest areas")->group(an);
    m_app->add_option("--threads", m_threads, "Threads (0: every core)")->group(an);
    m_app->add_option("--align-to", m_alignTo, "Lay the pixels out as this raster does (its corner, pixel size, columns "
                                               "and rows), e.g. to compare with another tool's surface")
        ->check(CLI::ExistingFile)
        ->group(an);
    m_app->footer("Example: trygg kde --incidents reports.csv --study-area boundary.gpkg --bandwidth 400 --pixel 25 "
                  "--out density.gpkg");
}

pipeline::Config KdeCommand::config(const std::string& commandLine) const {
    pipeline::Config cfg;
    cfg.name = "kde";
    cfg.sourceText = commandLine;
    m_io.apply(cfg);
    cfg.grid.enabled = false;
    cfg.globalTests = false;
    cfg.nearRepeat.enabled = false;  // a surface alone: the time analyses belong to hotspot and run
    cfg.mapAccuracy.enabled = false;
    cfg.kde.enabled = true;
    cfg.kde.kernel = *kde::parseKernel(m_kernel);
    if (m_bandwidth == "arcgis") {
        cfg.kde.rule = pipeline::BandwidthRule::ArcGis;
    } else if (m_bandwidth == "nrd") {
        cfg.kde.rule = pipeline::BandwidthRule::NormalReference;
    } else {
        const auto v = io::parseNumber(m_bandwidth);
        if (!v || !(*v > 0))
            throw InputError("options: --bandwidth '" + m_bandwidth + "' is not a positive number, 'arcgis' or 'nrd'");
        cfg.kde.rule = pipeline::BandwidthRule::Fixed;
        cfg.kde.bandwidthM = *v;
    }
    cfg.kde.multiplier = m_multiplier;
    cfg.kde.adaptiveK = m_adaptiveK;
    cfg.kde.pixelM = m_pixelM;
    cfg.kde.normalisation = m_output == "raw"        ? kde::Normalisation::Raw
                            : m_output == "per_cell" ? kde::Normalisation::PerArea
                                                     : kde::Normalisation::DensityKm2;
    cfg.kde.alignTo = m_alignTo;
    cfg.kde.topPercent = m_noAreas ? std::vector<double>{} : m_topPercent;
    cfg.inference.threads = m_threads;
    pipeline::validate(cfg);
    return cfg;
}

} // namespace trygg::cli
