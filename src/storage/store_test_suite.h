// The conformance test suite of the Store interface.
//
// Every Store implementation must pass these tests. They are value-parameterised over a
// StoreImplementation: a name and a factory of StoreHarness, which owns one empty database
// for the length of a test and opens Stores on it. An implementation's test file instantiates
// the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest,
//                            ::testing::Values(StoreImplementation{"sqlite", MakeHarness}),
//                            StoreImplementationName);
//
// and compiles store_test_suite.cc into its test binary (not through a static library, whose
// unreferenced test registrations the linker would drop).
//
// Time is a FakeClock that tests move by hand, so lease expiry and retry backoff are tested
// without sleeping.
#ifndef SAVOIR_STORAGE_STORE_TEST_SUITE_H_
#define SAVOIR_STORAGE_STORE_TEST_SUITE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "storage/store.h"

namespace savoir {

// Lets GoogleTest print status codes by name.
inline void PrintTo(StatusCode code, std::ostream* os) { *os << StatusCodeName(code); }

}  // namespace savoir

namespace savoir::storage {

#define SAVOIR_ASSERT_OK(expr)                                          \
  do {                                                                  \
    auto savoir_assert_status_ = (expr);                                \
    ASSERT_TRUE(savoir_assert_status_.ok())                             \
        << #expr << ": " << StatusOf(savoir_assert_status_).ToString(); \
  } while (0)

#define SAVOIR_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  SAVOIR_ASSERT_OK_AND_ASSIGN_IMPL(SAVOIR_STATUS_CONCAT(savoir_assert_or_, __LINE__), lhs, expr)
#define SAVOIR_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)             \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

inline Status StatusOf(const Status& status) { return status; }
template <typename T>
Status StatusOf(const StatusOr<T>& status_or) {
  return status_or.status();
}

// A clock that moves only when told to.
class FakeClock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_ms_(start_ms) {}
  int64_t Now() const { return now_ms_.load(); }
  void Advance(int64_t ms) { now_ms_ += ms; }
  // A Clock reading this one; it must not outlive it.
  Clock AsClock() {
    return [this] { return now_ms_.load(); };
  }

 private:
  std::atomic<int64_t> now_ms_;
};

// One empty database for one test.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // Opens a Store on this harness's database. Every call opens the same data: a test may
  // hold several Stores at once (two processes' worth) or close one and open it again.
  virtual StatusOr<std::unique_ptr<Store>> Open(const Clock& clock) = 0;
};

struct StoreImplementation {
  std::string name;  // test name suffix: letters, digits, '_'
  std::function<std::unique_ptr<StoreHarness>()> make_harness;
};

std::string StoreImplementationName(const ::testing::TestParamInfo<StoreImplementation>& info);

// Lets GoogleTest print the parameter by name instead of as bytes.
inline void PrintTo(const StoreImplementation& implementation, std::ostream* os) {
  *os << implementation.name;
}

class StoreTest : public ::testing::TestWithParam<StoreImplementation> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  // Another Store on the same database.
  std::unique_ptr<Store> OpenAnother();
  // Closes the store and opens it again.
  void Reopen();

  FakeClock clock_;
  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

}  // namespace savoir::storage

#endif  // SAVOIR_STORAGE_STORE_TEST_SUITE_H_
