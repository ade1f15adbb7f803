#pragma once
#include <cstddef>
#include <string>

namespace trygg {

// SHA-256 of a file's bytes as 64 lower-case hex digits. Throws IoError if unreadable.
std::string sha256OfFile(const std::string& path);

// SHA-256 of a byte string, as 64 lower-case hex digits.
std::string sha256OfBytes(const std::string& bytes);

// SHA-256 of bytes given in pieces (the rows of a database table as they are read).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, std::size_t size);
    void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
    std::string hex();  // 64 lower-case hex digits; the digest is finished

private:
    void* m_ctx;  // OpenSSL's EVP_MD_CTX
};

} // namespace trygg
