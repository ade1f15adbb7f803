#include "Metadata.hpp"

#include "trygg/core/Sha256.hpp"
#include "trygg/io/Source.hpp"

namespace trygg::pipeline::steps {

std::string fileChecksum(const std::string& path) {
    if (path.rfind("/vsi", 0) == 0) return "(virtual file, not checksummed)";
    if (io::isConnectionString(path)) return "(a database, not a file: see its rows_sha256 where given)";
    return sha256OfFile(path);
}

} // namespace trygg::pipeline::steps
