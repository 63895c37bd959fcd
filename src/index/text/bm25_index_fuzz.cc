// libFuzzer target: index files. Checksums are not verified so that mutated bytes reach the
// structural checks; whatever loads must then search without faults.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "index/text/bm25_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto index = savoir::index::Bm25Index::Deserialize(bytes, /*verify_checksums=*/false);
  if (!index.ok()) return 0;
  const std::vector<savoir::index::QueryTerm> query = {{"a", 1.0f}, {"b", 2.0f}, {"w1", 1.0f}};
  (void)(*index)->Search(query, {.k = 5});
  (void)(*index)->Serialize();
  (*index)->Compact();
  (void)(*index)->Search(query, {.k = 5});
  return 0;
}
