// CRC-32C (Castagnoli polynomial, reflected), the checksum of saved vector index files.
//
// A table-driven software implementation processing eight bytes per step; fast enough (a few
// GB/s) that checking a file costs little next to reading it.
//
// Thread safety: pure functions over constant tables.
#ifndef SAVOIR_INDEX_VECTOR_CRC32C_H_
#define SAVOIR_INDEX_VECTOR_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace savoir::index {

// Extends `crc` (the value returned for the bytes before, 0 to start) with data[0..size).
// Crc32c(0, "123456789", 9) == 0xE3069283.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_CRC32C_H_
