#include "server/request_id.h"

#include <fmt/format.h>

#include <random>

namespace savoir::server {
namespace {

uint64_t RandomKey() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

// The splitmix64 finaliser: a bijection on 64-bit values, so distinct inputs give distinct ids.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator() : key_(RandomKey()) {}

std::string RequestIdGenerator::Next() {
  uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  return fmt::format("{:016x}", Mix(n + key_));
}

std::string RequestIdGenerator::Choose(std::optional<std::string_view> incoming) {
  if (incoming.has_value() && IsValidRequestId(*incoming)) return std::string(*incoming);
  return Next();
}

}  // namespace savoir::server
