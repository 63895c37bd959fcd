#include "base/cpu_info.h"

#include <thread>

#include <gtest/gtest.h>

namespace savoir {
namespace {

TEST(CpuInfoTest, PhysicalCoresBetweenOneAndLogicalCount) {
  int cores = PhysicalCoreCount();
  EXPECT_GE(cores, 1);
  EXPECT_LE(static_cast<unsigned>(cores), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace savoir
