#include "index/vector/id_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace savoir::index {
namespace {

TEST(IdMapTest, InsertFindErase) {
  IdMap map;
  EXPECT_FALSE(map.Find(0).has_value());
  EXPECT_TRUE(map.Insert(0, 1));
  EXPECT_TRUE(map.Insert(UINT64_MAX, 2));
  EXPECT_FALSE(map.Insert(0, 3));  // Already present: unchanged.
  EXPECT_EQ(map.Find(0), 1u);
  EXPECT_EQ(map.Find(UINT64_MAX), 2u);
  EXPECT_EQ(map.size(), 2u);
  map.Set(0, 5);
  EXPECT_EQ(map.Find(0), 5u);
  EXPECT_TRUE(map.Erase(0));
  EXPECT_FALSE(map.Erase(0));
  EXPECT_FALSE(map.Contains(0));
  EXPECT_TRUE(map.Contains(UINT64_MAX));
  EXPECT_EQ(map.size(), 1u);
}

TEST(IdMapTest, MatchesUnorderedMapUnderRandomOperations) {
  // Few distinct keys so that probe runs collide and erase has to shift entries back.
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<uint64_t> key(0, 3000);
  IdMap map;
  std::unordered_map<uint64_t, uint32_t> reference;
  for (int step = 0; step < 200000; ++step) {
    const uint64_t k = key(rng) * 0x100000001ULL;  // Spread over the 64-bit range.
    switch (rng() % 3) {
      case 0: {
        const auto v = static_cast<uint32_t>(step);
        EXPECT_EQ(map.Insert(k, v), reference.emplace(k, v).second);
        break;
      }
      case 1:
        EXPECT_EQ(map.Erase(k), reference.erase(k) == 1);
        break;
      default: {
        const auto it = reference.find(k);
        const std::optional<uint32_t> got = map.Find(k);
        ASSERT_EQ(got.has_value(), it != reference.end());
        if (got.has_value()) {
          EXPECT_EQ(*got, it->second);
        }
      }
    }
    ASSERT_EQ(map.size(), reference.size());
  }
  for (const auto& [k, v] : reference) EXPECT_EQ(map.Find(k), v);
}

TEST(IdMapTest, ReserveKeepsEntriesAndClearEmpties) {
  IdMap map;
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(map.Insert(i * 7919ULL, i));
  map.Reserve(100000);
  for (uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(map.Find(i * 7919ULL), i);
  EXPECT_GE(map.MemoryBytes(), 100000u * 12);
  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.Contains(0));
}

}  // namespace
}  // namespace savoir::index
