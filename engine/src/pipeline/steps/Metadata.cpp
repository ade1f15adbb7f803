#include "Metadata.hpp"

#include "trygg/core/Sha256.hpp"
#include "trygg/io/Source.hpp"

namespace trygg::pipeline::steps {

std::string fileChecksum(const std::string& path) {
    if (path.rfind("/vsi", 0) == 0) return "(virtual file, not checksummed)";
    if (io::isConnectionString(path)) return "(a database, not a file: see its rows_sha256 where given)";
    return sha256OfFile(path);
}

void Metadata::addSource(const std::string& prefix, const std::string& path, const std::string& rowsSha256) {
    if (io::isConnectionString(path)) {
        add(prefix + ".path", io::describeConnection(path));
        add(prefix + ".rows_sha256", rowsSha256.empty() ? "(not taken)" : rowsSha256);
    } else {
        add(prefix + ".path", path);
        add(prefix + ".sha256", fileChecksum(path));
    }
}

} // namespace trygg::pipeline::steps
