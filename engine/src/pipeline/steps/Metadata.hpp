#pragma once
// A step's entries in run_metadata: each step says what it did and by which method, in its own
// file, and the runner gathers them in order. Internal to the pipeline.
#include "trygg/io/Source.hpp"
#include "trygg/output/GpkgWriter.hpp"

#include <string>
#include <vector>

namespace trygg::pipeline::steps {

class Metadata {
public:
    explicit Metadata(std::vector<output::MetadataEntry>& entries) : m_entries(entries) {}
    // Every value without the passwords it may hold (a connection string, the config's text).
    void add(std::string key, std::string value) { m_entries.push_back({std::move(key), io::redactPasswords(value)}); }
    // Where an input came from: `prefix`.path, and `prefix`.sha256 of the file, or for a database
    // (no file to checksum) the connection without its password and `prefix`.rows_sha256 of the
    // rows as read (io::RowDigest).
    void addSource(const std::string& prefix, const std::string& path, const std::string& rowsSha256);

private:
    std::vector<output::MetadataEntry>& m_entries;
};

// The SHA-256 of a file, for run_metadata ("" when it cannot be read).
std::string fileChecksum(const std::string& path);

} // namespace trygg::pipeline::steps
