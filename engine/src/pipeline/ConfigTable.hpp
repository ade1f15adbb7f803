#pragma once
// One table of the config file as a step reads it: typed values, each refused with the file,
// line and key when it is of the wrong kind, and unknown keys refused so that a typo never goes
// unnoticed. The TOML parser stays behind it (Config.cpp). Internal to the pipeline.
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace trygg::pipeline {

// The largest distance around a measure (radius_m, buffer_m) and the longest window before or after
// it (before_days, after_days) a config may ask for: a measure works on a neighbourhood, within a
// century of data. Beyond them GEOS's buffers and the windows in seconds overflow.
inline constexpr double kMaxMeasureMetres = 50000;
inline constexpr double kMaxWindowDays = 36525;

// A name that can prefix or suffix a layer's name: lower-case ASCII letters, digits and _.
bool isLayerName(const std::string& s);

class ConfigTable {
public:
    // "kde", "kde.population", "overlays" ...: the prefix of its keys in messages.
    const std::string& section() const { return m_section; }

    // Refuses every key not in `known`.
    void onlyKnown(std::initializer_list<const char*> known) const;

    bool has(const char* key) const;
    std::optional<std::string> str(const char* key) const;  // a text in quotes
    std::optional<bool> boolean(const char* key) const;
    // A finite number; or one of `words` (then nullopt is returned, as when the key is absent).
    std::optional<double> number(const char* key, std::initializer_list<const char*> words = {}) const;
    // The text of `key` when it is a text (nullopt when absent or of another kind).
    std::optional<std::string> textIfText(const char* key) const;
    // A list of texts; `notAList` when it is not a list of texts.
    std::optional<std::vector<std::string>> texts(const char* key, const std::string& notAList) const;
    // A list of numbers; `notAList` when it is not a list of numbers.
    std::optional<std::vector<double>> numbers(const char* key, const std::string& notAList) const;
    // A file path, relative to the config file's folder ("" when absent); /vsi paths as given.
    std::string path(const char* key) const;

    // The table under `key` ([kde.population], {path = "..."}): `notATable` when it is not one.
    std::optional<ConfigTable> table(const char* key, const std::string& notATable) const;
    // The tables of a list under `key` ([[overlays]], [[hotspot_areas.places]]).
    std::vector<ConfigTable> tables(const char* key, const std::string& notAList, const std::string& notATable) const;

    // Fails at `key`'s line (the table's when the key is absent), naming section.key.
    [[noreturn]] void fail(const char* key, const std::string& message) const;
    // Fails at the table's line, naming `name` as given ("perception.scale_max").
    [[noreturn]] void failAt(const std::string& name, const std::string& message) const;

    // Made by the config loader; `reader` and `table` are its own.
    ConfigTable(const void* reader, const void* table, std::string section, std::string base)
        : m_reader(reader), m_table(table), m_section(std::move(section)), m_base(std::move(base)) {}

private:
    std::string key(const char* k) const { return m_section.empty() ? k : m_section + "." + k; }
    const void* m_reader;
    const void* m_table;
    std::string m_section;
    std::string m_base;
};

} // namespace trygg::pipeline
