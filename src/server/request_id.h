// Request ids: validation of client-supplied X-Request-Id values and generation of new ones.
//
// A generated id is 16 lower-case hex digits. Ids come from a 64-bit counter passed through a
// keyed bijective mix, so they are unique for the generator's lifetime and do not reveal how
// many requests the server has seen.
//
// Thread safety: RequestIdGenerator::Next may be called from any thread.
#ifndef SAVOIR_SERVER_REQUEST_ID_H_
#define SAVOIR_SERVER_REQUEST_ID_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace savoir::server {

// True if `id` is 1-128 characters of [A-Za-z0-9._:-]; only such ids are taken from clients.
bool IsValidRequestId(std::string_view id);

class RequestIdGenerator {
 public:
  // Seeds the key from std::random_device.
  RequestIdGenerator();
  // A fixed key, for reproducible tests.
  explicit RequestIdGenerator(uint64_t key) : key_(key) {}

  std::string Next();

  // `incoming` if it is a valid id, else Next().
  std::string Choose(std::optional<std::string_view> incoming);

 private:
  std::atomic<uint64_t> counter_{0};
  const uint64_t key_;
};

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_REQUEST_ID_H_
