#pragma once
// A fuzz input as a file in GDAL's memory file system, for the readers that open paths.
#include <cpl_vsi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace trygg::fuzz {

class VsiMemFile {
public:
    VsiMemFile(std::string path, const std::uint8_t* data, std::size_t size) : m_path(std::move(path)) {
        // GDAL reads the buffer in place (no copy, not taken over): it outlives the file.
        VSIFCloseL(VSIFileFromMemBuffer(m_path.c_str(), const_cast<GByte*>(data), static_cast<vsi_l_offset>(size),
                                        FALSE));
    }
    ~VsiMemFile() { VSIUnlink(m_path.c_str()); }
    VsiMemFile(const VsiMemFile&) = delete;
    VsiMemFile& operator=(const VsiMemFile&) = delete;
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

} // namespace trygg::fuzz
