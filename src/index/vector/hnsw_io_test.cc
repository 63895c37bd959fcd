#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "index/vector/crc32c.h"
#include "index/vector/hnsw_index.h"
#include "index/vector/synthetic.h"

namespace savoir::index {
namespace {

constexpr size_t kDim = 64;
constexpr size_t kCount = 1500;
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 96;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Recomputes the trailing checksum, so that only the structural checks can catch a change.
void FixChecksum(std::string& bytes) {
  const uint32_t crc = Crc32c(0, bytes.data(), bytes.size() - 4);
  std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
}

class HnswIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("savoir_hnsw_io_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "index.svx").string();
    ClusteredOptions o;
    o.dim = kDim;
    o.rank = 8;
    ClusteredGenerator gen(o);
    data_ = gen.Sample(kCount, 3);
    queries_ = gen.Sample(50, 4);
    HnswOptions options;
    options.dim = kDim;
    options.m = 8;
    options.ef_search = 40;
    index_ = std::move(HnswIndex::Create(options)).value();
    std::vector<uint64_t> ids;
    for (size_t i = 0; i < kCount; ++i) ids.push_back(i * 3 + 1);
    ASSERT_TRUE(index_->AddBatch(ids, data_, 2).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::span<const float> Query(size_t q) const { return {queries_.data() + q * kDim, kDim}; }

  void ExpectSameAnswers(const HnswIndex& a, const HnswIndex& b) const {
    for (size_t q = 0; q < 50; ++q) {
      const std::vector<SearchHit> x = *a.Search(Query(q));
      const std::vector<SearchHit> y = *b.Search(Query(q));
      ASSERT_EQ(x.size(), y.size());
      for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_EQ(x[i].id, y[i].id);
        EXPECT_EQ(x[i].score, y[i].score);
      }
    }
  }

  std::filesystem::path dir_;
  std::string path_;
  std::vector<float> data_;
  std::vector<float> queries_;
  std::unique_ptr<HnswIndex> index_;
};

TEST_F(HnswIoTest, RoundTripKeepsEverything) {
  // Tombstones, freed slots and live nodes all survive.
  for (uint64_t i = 0; i < 200; ++i) ASSERT_TRUE(index_->Remove(i * 3 + 1).ok());
  ASSERT_TRUE(index_->Vacuum().ok());
  for (uint64_t i = 200; i < 300; ++i) ASSERT_TRUE(index_->Remove(i * 3 + 1).ok());
  ASSERT_TRUE(index_->Save(path_).ok());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  StatusOr<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const IndexStats a = index_->Stats();
  const IndexStats b = (*loaded)->Stats();
  EXPECT_EQ(a.live, b.live);
  EXPECT_EQ(a.deleted, b.deleted);
  EXPECT_EQ(a.free_slots, b.free_slots);
  EXPECT_EQ(a.slots, b.slots);
  EXPECT_EQ(a.max_level, b.max_level);
  EXPECT_EQ((*loaded)->options().m, 8u);
  EXPECT_EQ((*loaded)->options().ef_search, 40u);
  EXPECT_FALSE((*loaded)->Contains(1));
  EXPECT_TRUE((*loaded)->Contains(300 * 3 + 1));
  ExpectSameAnswers(*index_, **loaded);

  // The loaded index keeps working: adds reuse the freed slots, vacuum clears the tombstones.
  ASSERT_TRUE((*loaded)->Add(1, std::span<const float>(data_).first(kDim)).ok());
  EXPECT_EQ((*loaded)->Stats().free_slots, a.free_slots - 1);
  ASSERT_TRUE((*loaded)->Vacuum().ok());
  EXPECT_EQ((*loaded)->Search(std::span<const float>(data_).first(kDim)).value()[0].id, 1u);

  // Saving the loaded index gives the same bytes as saving the original after the same steps.
  ASSERT_TRUE(index_->Save(path_).ok());
  const std::string first = ReadAll(path_);
  ASSERT_TRUE((*HnswIndex::Load(path_))->Save(path_).ok());
  EXPECT_EQ(ReadAll(path_), first);
}

TEST_F(HnswIoTest, EmptyIndexRoundTrip) {
  HnswOptions options;
  options.dim = kDim;
  std::unique_ptr<HnswIndex> empty = *HnswIndex::Create(options);
  ASSERT_TRUE(empty->Save(path_).ok());
  StatusOr<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 0u);
  EXPECT_TRUE((*loaded)->Search(Query(0))->empty());
}

TEST_F(HnswIoTest, EveryFlippedByteIsDetected) {
  ASSERT_TRUE(index_->Save(path_).ok());
  const std::string good = ReadAll(path_);
  const std::string bad_path = (dir_ / "bad.svx").string();
  // Every byte of the header and trailer, and a spread of bytes in between.
  std::vector<size_t> positions;
  for (size_t i = 0; i < kHeaderBytes; ++i) positions.push_back(i);
  for (size_t i = kHeaderBytes; i < good.size() - 4; i += good.size() / 97) positions.push_back(i);
  for (size_t i = good.size() - 4; i < good.size(); ++i) positions.push_back(i);
  for (size_t pos : positions) {
    std::string bytes = good;
    bytes[pos] = static_cast<char>(bytes[pos] ^ 0x10);
    WriteAll(bad_path, bytes);
    StatusOr<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(bad_path);
    ASSERT_FALSE(loaded.ok()) << "flipped byte " << pos;
    const StatusCode code = loaded.status().code();
    EXPECT_TRUE(code == StatusCode::kDataLoss || code == StatusCode::kUnimplemented)
        << pos << ": " << loaded.status().ToString();
  }
}

TEST_F(HnswIoTest, TruncationAndTrailingBytesAreDetected) {
  ASSERT_TRUE(index_->Save(path_).ok());
  const std::string good = ReadAll(path_);
  for (size_t length : {size_t{0}, size_t{5}, kHeaderBytes, kHeaderBytes + 100, good.size() / 2,
                        good.size() - 4, good.size() - 1}) {
    WriteAll(path_, good.substr(0, length));
    EXPECT_EQ(HnswIndex::Load(path_).status().code(), StatusCode::kDataLoss) << length;
  }
  WriteAll(path_, good + "x");
  EXPECT_EQ(HnswIndex::Load(path_).status().code(), StatusCode::kDataLoss);
}

TEST_F(HnswIoTest, HeaderErrors) {
  EXPECT_EQ(HnswIndex::Load((dir_ / "missing.svx").string()).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(index_->Save(path_).ok());
  const std::string good = ReadAll(path_);
  std::string bytes = good;
  bytes[0] = 'X';
  WriteAll(path_, bytes);
  StatusOr<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(path_);
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("bad magic"), std::string::npos);
  bytes = good;
  bytes[8] = 2;  // Version 2.
  WriteAll(path_, bytes);
  EXPECT_EQ(HnswIndex::Load(path_).status().code(), StatusCode::kUnimplemented);
}

TEST_F(HnswIoTest, StructuralChecksCatchWhatTheChecksumCannot) {
  ASSERT_TRUE(index_->Save(path_).ok());
  const std::string good = ReadAll(path_);
  const size_t stride = 16 + kDim + size_t{2 * 8 * 4};  // Header, codes, 16 level-0 links.
  const size_t links0 = kHeaderBytes + 16 + kDim;
  struct Case {
    const char* what;
    size_t offset;
    std::vector<uint8_t> value;
  };
  const std::vector<Case> cases = {
      {"link past the last slot", links0, {0xF0, 0xFF, 0xFF, 0x7F}},
      {"too many neighbours", kHeaderBytes + 4, {0xFF, 0x00}},
      {"unknown flags", kHeaderBytes + 7, {0x40}},
      {"huge level", kHeaderBytes + stride + 6, {200}},
      {"live count", 16 + 7 * 8, {0x01, 0x00, 0x00, 0x00}},
      {"duplicate id", kHeaderBytes + stride + 8, {0x01, 0, 0, 0, 0, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    std::string bytes = good;
    std::memcpy(bytes.data() + c.offset, c.value.data(), c.value.size());
    FixChecksum(bytes);
    WriteAll(path_, bytes);
    const Status status = HnswIndex::Load(path_).status();
    EXPECT_EQ(status.code(), StatusCode::kDataLoss) << c.what << ": " << status.ToString();
  }
  // The unmodified bytes with a recomputed checksum still load.
  std::string bytes = good;
  FixChecksum(bytes);
  WriteAll(path_, bytes);
  EXPECT_TRUE(HnswIndex::Load(path_).ok());
}

TEST_F(HnswIoTest, SaveToMissingDirectoryFails) {
  EXPECT_EQ(index_->Save((dir_ / "no" / "such" / "dir.svx").string()).code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace savoir::index
