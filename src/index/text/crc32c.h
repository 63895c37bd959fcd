// CRC-32C (Castagnoli) checksums for index files. Uses the SSE4.2 instruction when the CPU
// has it, a table otherwise; both give the same values.
//
// Thread safety: pure function.
#ifndef SAVOIR_INDEX_TEXT_CRC32C_H_
#define SAVOIR_INDEX_TEXT_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace savoir::index {

// Extends `crc` (0 for a new checksum) with `data`.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_CRC32C_H_
