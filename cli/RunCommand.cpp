#include "Commands.hpp"

#include <CLI/CLI.hpp>

namespace trygg::cli {

RunCommand::RunCommand(CLI::App& parent)
    : m_app(parent.add_subcommand("run", "Run a batch analysis described by a TOML config file")) {
    m_app->add_option("config", m_configPath, "The config file (see README.md, 'The config file')")
        ->required()
        ->check(CLI::ExistingFile);
    m_app->add_flag("--overwrite", m_overwrite, "Replace the output file if it exists");
    m_app->footer("Example: trygg run sample-data/kavlinge.toml --overwrite");
}

pipeline::Config RunCommand::config() const {
    pipeline::Config cfg = pipeline::loadConfig(m_configPath);
    if (m_overwrite) cfg.output.overwrite = true;
    return cfg;
}

} // namespace trygg::cli
