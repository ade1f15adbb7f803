#include "Commands.hpp"

#include <CLI/CLI.hpp>

namespace trygg::cli {

RunCommand::RunCommand(CLI::App& parent)
    : m_app(parent.add_subcommand("run", "Run a batch analysis described by a TOML config file")) {
    m_app->add_option("config", m_configPath, "The config file (see README.md, 'The config file')")
        ->required()
        ->check(CLI::ExistingFile);
    m_app->add_option("--out", m_out, "Write the GeoPackage here instead of [output] path (the report goes beside it); "
                                      "or a database, \"PG:...\", with --schema");
    m_app->add_option("--schema", m_schema, "With a database output: the schema the results replace");
    m_app->add_flag("--overwrite", m_overwrite, "Replace the output file if it exists");
    m_app->add_flag("--publish", m_publish,
                    "Publishing mode: no points, no rejected rows, small counts suppressed (see [publish])");
    m_app->add_option("--min-count", m_minCount, "Publishing mode: counts from 1 to this are hidden (default 3)")
        ->check(CLI::Range(1, 100));  // as [publish] min_count
    m_app->add_flag("--no-report", m_noReport, "Do not write the HTML report beside the GeoPackage");
    m_app->add_option("--language", m_language, "The report's language: sv (default) or en")
        ->check(CLI::IsMember({"sv", "en"}));
    m_app->add_option("--since-last", m_sinceLast,
                      "The situation picture's period: the latest complete week, month, quarter or year against the "
                      "one before and the baseline (as [lagesbild] period; default year)")
        ->check(CLI::IsMember({"week", "month", "quarter", "year"}));
    // The time filter, as in [filter]; given here, it replaces the config's [filter] as a whole.
    m_app->add_option("--period", m_filter.period, "Run on a named period from the config's [periods]")
        ->group("Time filter");
    m_app->add_option("--from", m_filter.from, "First date (\"2024-01-01\" or \"2024-01-01 18:00\")")->group("Time filter");
    m_app->add_option("--to", m_filter.to, "Last date; a date alone includes that whole day")->group("Time filter");
    m_app->add_option("--hours", m_filter.hours, "Hours of the day, such as 18-06 (across midnight) or 22-02,10-12")
        ->group("Time filter");
    m_app->add_option("--weekdays", m_filter.weekdays, "Weekdays: fre lör, or vardagar, helg (Swedish or English)")
        ->group("Time filter");
    m_app->add_option("--months", m_filter.months, "Months or seasons: 6 7 8, jul, sommar, vinter")->group("Time filter");
    m_app->footer("Example: trygg run sample-data/kavlinge.toml --overwrite --hours 18-06 --weekdays fre lör");
}

pipeline::Config RunCommand::config() const {
    pipeline::Config cfg = pipeline::loadConfig(m_configPath);
    if (!m_out.empty()) cfg.output.path = m_out;
    if (!m_schema.empty()) cfg.output.schema = m_schema;
    if (m_overwrite) cfg.output.overwrite = true;
    if (m_publish) cfg.publish.enabled = true;
    if (m_minCount > 0) cfg.publish.minCount = m_minCount;
    if (m_noReport) cfg.output.report = false;
    if (!m_language.empty()) cfg.output.language = m_language;
    if (!m_sinceLast.empty()) cfg.lagesbild.period = m_sinceLast;
    if (!m_filter.empty()) cfg.filter = pipeline::parseFilter(m_filter, cfg.periods, "command line");
    return cfg;
}

} // namespace trygg::cli
