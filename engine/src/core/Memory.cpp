#include "trygg/core/Memory.hpp"

#include "trygg/core/Error.hpp"

#include <cstdlib>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

namespace trygg {

std::uint64_t physicalMemoryBytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0) return 0;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

double memoryLimitBytes() {
    if (const char* mb = std::getenv("TRYGG_MEMORY_LIMIT_MB")) {
        char* end = nullptr;
        const double v = std::strtod(mb, &end);
        if (end != mb && *end == '\0' && v > 0) return v * 1024.0 * 1024.0;
    }
    const std::uint64_t phys = physicalMemoryBytes();
    return phys > 0 ? 0.75 * static_cast<double>(phys) : 16.0 * 1024 * 1024 * 1024;
}

void requireMemory(std::string_view step, std::string_view what, double bytes, std::string_view advice) {
    const double limit = memoryLimitBytes();
    if (bytes <= limit) return;
    constexpr double kGiB = 1024.0 * 1024 * 1024;
    throw InputError(fmt::format("{}: {} needs about {:.3g} GiB, more than the {:.3g} GiB this machine allows. {}", step,
                                 what, bytes / kGiB, limit / kGiB, advice));
}

} // namespace trygg
