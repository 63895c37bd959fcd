#include "net/sha256.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace savoir::net {
namespace {

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr ? env : SAVOIR_SHARED_DIR;
}

TEST(Sha256Test, KnownVectors) {  // FIPS 180-4 examples
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Sha256 hasher;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.Update(chunk);
  EXPECT_EQ(ToHex(hasher.Finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  hasher.Reset();
  hasher.Update("ab");
  hasher.Update("");
  hasher.Update("c");
  EXPECT_EQ(ToHex(hasher.Finish()), Sha256Hex("abc"));
}

TEST(Sha256Test, HashFilePrefixOfARealModel) {  // digests from sha256sum
  const std::string path = SharedDir() + "/models/stories260K.gguf";
  Sha256 whole;
  ASSERT_TRUE(HashFilePrefix(path, 1185376, whole).ok());
  EXPECT_EQ(ToHex(whole.Finish()),
            "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d");
  Sha256 prefix;
  ASSERT_TRUE(HashFilePrefix(path, 1000, prefix).ok());
  EXPECT_EQ(ToHex(prefix.Finish()),
            "2159327c6c647b21fab07310fffe89b1279effc6a41d59ebaaa301a45aa6b559");
}

TEST(Sha256Test, HashFilePrefixErrors) {
  Sha256 hasher;
  EXPECT_EQ(HashFilePrefix("/nonexistent/file", 1, hasher).code(), StatusCode::kNotFound);
  const std::string path = SharedDir() + "/models/stories260K.gguf";
  EXPECT_EQ(HashFilePrefix(path, 1185377, hasher).code(), StatusCode::kDataLoss);
}

TEST(Sha256Test, IsSha256Hex) {
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'a')));
  EXPECT_TRUE(IsSha256Hex("270CBA1BD5109F42D03350F60406024560464DB173C0E387D91F0426D3BD256D"));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(65, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace savoir::net
