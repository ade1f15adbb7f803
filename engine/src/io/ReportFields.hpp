#pragma once
// The report reader's helpers (ReportFields.cpp), for ReportReader.cpp. Internal to the io module.
#include "trygg/io/ReportReader.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace trygg::io::fields {

std::string lower(std::string s);
std::string trimmed(const std::string& s);
// The index of the field named `name` (case-insensitive), or -1.
int findField(const std::vector<std::string>& fields, const std::string& name);
// The index of the first field with one of `names`, or -1.
int findAny(const std::vector<std::string>& fields, std::initializer_list<const char*> names);
// Looks up a field named in the config; throws when it does not exist.
int requireField(const std::vector<std::string>& fields, const std::string& name, const std::string& what,
                 const std::string& key, const std::string& path);
// Now, in wall-clock seconds.
std::int64_t wallNow();
// Warnings on the precision of the times (dates without a clock time, an excess at midnight).
void noteTimePrecision(ReportSet& set, const std::array<std::int64_t, 24>& onTheHour);

} // namespace trygg::io::fields
