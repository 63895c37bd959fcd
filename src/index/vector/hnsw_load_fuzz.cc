// libFuzzer target: HnswIndex::Load on arbitrary bytes must return an error or a usable index,
// never crash or read out of bounds. The fuzzer rewrites the trailing checksum to match the
// input, so that mutations reach the structural checks behind it instead of all failing the
// checksum. The input goes through a temporary file because Load reads files; inputs that
// load are searched and extended once to exercise the loaded graph.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "index/vector/crc32c.h"
#include "index/vector/hnsw_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/tmp/savoir_hnsw_fuzz_" + std::to_string(::getpid()) + ".svx";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::vector<uint8_t> bytes(data, data + size);
  if (size >= 4) {
    const uint32_t crc = savoir::index::Crc32c(0, bytes.data(), size - 4);
    for (int i = 0; i < 4; ++i) bytes[size - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto loaded = savoir::index::HnswIndex::Load(path);
  std::remove(path.c_str());
  if (!loaded.ok()) return 0;
  std::vector<float> query((*loaded)->dim(), 0.5f);
  savoir::index::SearchOptions options;
  options.k = 3;
  auto hits = (*loaded)->Search(query, options);
  (void)hits;
  savoir::index::HnswIndex& index = **loaded;
  index.Add(UINT64_MAX, query).IgnoreError();
  index.Vacuum().IgnoreError();
  hits = index.Search(query, options);
  return 0;
}
