#include "Metadata.hpp"

#include "trygg/core/Sha256.hpp"

namespace trygg::pipeline::steps {

std::string fileChecksum(const std::string& path) {
    if (path.rfind("/vsi", 0) == 0) return "(virtual file, not checksummed)";
    return sha256OfFile(path);
}

} // namespace trygg::pipeline::steps
