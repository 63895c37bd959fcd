#include "index/vector/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace savoir::index {
namespace {

TEST(Crc32cTest, KnownValues) {
  // Check values from RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(Crc32c(0, "123456789", 9), 0xE3069283u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(0, zeros.data(), zeros.size()), 0x8A9136AAu);
  const std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(0, ones.data(), ones.size()), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(0, nullptr, 0), 0u);
}

TEST(Crc32cTest, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  const uint32_t whole = Crc32c(0, data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    const uint32_t first = Crc32c(0, data.data(), split);
    EXPECT_EQ(Crc32c(first, data.data() + split, data.size() - split), whole) << split;
  }
  data[123] ^= 1;
  EXPECT_NE(Crc32c(0, data.data(), data.size()), whole);
}

}  // namespace
}  // namespace savoir::index
