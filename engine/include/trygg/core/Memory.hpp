#pragma once
// Memory estimates checked before a large allocation, so that a size computed from input (a cell
// size typo, a band of 10,000 km, a decade of weekly slices over a fine grid) stops the run with a
// message instead of std::bad_alloc or the kernel's OOM killer.
#include <cstdint>
#include <string_view>

namespace trygg {

// The machine's physical memory in bytes (0 when it cannot be told).
std::uint64_t physicalMemoryBytes();

// The most a single structure may take: three quarters of physical memory (16 GiB when it cannot
// be told), or TRYGG_MEMORY_LIMIT_MB when set (for tests and shared machines).
double memoryLimitBytes();

// Throws InputError "<step>: <what> needs about X GiB, more than the Y GiB this machine allows.
// <advice>" when bytes exceeds memoryLimitBytes(). bytes is a double so that the estimate itself
// cannot overflow.
void requireMemory(std::string_view step, std::string_view what, double bytes, std::string_view advice);

} // namespace trygg
