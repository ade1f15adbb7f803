#pragma once
#include <string>

namespace trygg {

// SHA-256 of a file's bytes as 64 lower-case hex digits. Throws IoError if unreadable.
std::string sha256OfFile(const std::string& path);

// SHA-256 of a byte string, as 64 lower-case hex digits.
std::string sha256OfBytes(const std::string& bytes);

} // namespace trygg
