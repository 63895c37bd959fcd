#include "net/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace savoir::net {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

namespace {

// EVP calls only fail on allocation failure or a corrupted context; both are treated like a
// failed `new`.
void CheckEvp(int ok) {
  if (ok != 1) {
    std::fputs("savoir: OpenSSL SHA-256 failed (out of memory?)\n", stderr);
    std::abort();
  }
}

}  // namespace

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  CheckEvp(impl_->ctx != nullptr ? 1 : 0);
  Reset();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Reset() { CheckEvp(EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr)); }

void Sha256::Update(std::string_view data) {
  if (data.empty()) return;
  CheckEvp(EVP_DigestUpdate(impl_->ctx, data.data(), data.size()));
}

Sha256Digest Sha256::Finish() {
  Sha256Digest digest{};
  unsigned int size = 0;
  CheckEvp(EVP_DigestFinal_ex(impl_->ctx, digest.data(), &size));
  CheckEvp(size == digest.size() ? 1 : 0);
  return digest;
}

std::string ToHex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 15]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 hasher;
  hasher.Update(data);
  return ToHex(hasher.Finish());
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

Status HashFilePrefix(const std::string& path, int64_t length, Sha256& hasher) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    if (errno == ENOENT) return NotFoundError("{}: no such file", path);
    return InternalError("{}: cannot open: {}", path, std::strerror(errno));
  }
  std::vector<char> buffer(1 << 20);
  int64_t left = length;
  Status status;
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(left, buffer.size()));
    const size_t got = std::fread(buffer.data(), 1, want, file);
    hasher.Update(std::string_view(buffer.data(), got));
    left -= static_cast<int64_t>(got);
    if (got < want) {
      status = std::ferror(file) != 0
                   ? InternalError("{}: read error: {}", path, std::strerror(errno))
                   : DataLossError("{}: file is shorter than {} bytes", path, length);
      break;
    }
  }
  std::fclose(file);
  return status;
}

}  // namespace savoir::net
