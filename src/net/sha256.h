// Sha256: incremental SHA-256 digests (FIPS 180-4), computed by OpenSSL's EVP interface.
//
// Downloads hash their bytes as they arrive, so that a multi-gigabyte model is checked without
// reading it a second time; a resumed download first feeds the bytes already on disk
// (HashFile). No OpenSSL type appears in this header.
//
// Thread safety: a Sha256 object is not thread-safe; distinct objects may be used from any
// thread. The free functions are thread-safe.
#ifndef SAVOIR_NET_SHA256_H_
#define SAVOIR_NET_SHA256_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace savoir::net {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  // A fresh digest. Aborts only if OpenSSL cannot allocate (as `new` would).
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Appends `data` to the message.
  void Update(std::string_view data);

  // The digest of everything given since construction or the last Reset(). The object may
  // not be updated afterwards until Reset() is called.
  Sha256Digest Finish();

  // Starts a new, empty message.
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// 64 lower-case hexadecimal digits.
std::string ToHex(const Sha256Digest& digest);

// The SHA-256 of `data` as lower-case hex.
std::string Sha256Hex(std::string_view data);

// True when `text` is exactly 64 hexadecimal digits (either case).
bool IsSha256Hex(std::string_view text);

// Feeds the first `length` bytes of the file at `path` to `hasher`. Errors: NOT_FOUND if the
// file is missing, DATA_LOSS if it is shorter than `length`, INTERNAL on a read error.
Status HashFilePrefix(const std::string& path, int64_t length, Sha256& hasher);

}  // namespace savoir::net

#endif  // SAVOIR_NET_SHA256_H_
