#include "index/vector/distance.h"

#include <cstdlib>
#include <string>

#include "index/vector/distance_kernels.h"

namespace savoir::index {
namespace {

constexpr KernelLevel kAllLevels[] = {KernelLevel::kScalar, KernelLevel::kAvx2,
                                      KernelLevel::kAvx512, KernelLevel::kAvx512Vnni};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string_view KernelLevelName(KernelLevel level) {
  switch (level) {
    case KernelLevel::kScalar:
      return "scalar";
    case KernelLevel::kAvx2:
      return "avx2";
    case KernelLevel::kAvx512:
      return "avx512";
    case KernelLevel::kAvx512Vnni:
      return "avx512vnni";
  }
  return "unknown";
}

StatusOr<KernelLevel> ParseKernelLevel(std::string_view name) {
  std::string lower = Lower(name);
  for (KernelLevel level : kAllLevels) {
    if (lower == KernelLevelName(level)) return level;
  }
  return InvalidArgumentError(
      "unknown kernel level '{}' (expected scalar, avx2, avx512 or "
      "avx512vnni)",
      name);
}

bool CpuSupports(KernelLevel level) {
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  switch (level) {
    case KernelLevel::kScalar:
      return true;
    case KernelLevel::kAvx2:
      return avx2;
    case KernelLevel::kAvx512:
      return avx512;
    case KernelLevel::kAvx512Vnni:
      return avx512 && __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

std::vector<KernelLevel> SupportedKernelLevels() {
  std::vector<KernelLevel> levels;
  for (KernelLevel level : kAllLevels) {
    if (CpuSupports(level)) levels.push_back(level);
  }
  return levels;
}

StatusOr<DistanceKernels> KernelsFor(KernelLevel level) {
  if (!CpuSupports(level)) {
    return FailedPreconditionError("this cpu does not support {} kernels", KernelLevelName(level));
  }
  DistanceKernels k;
  k.level = level;
  switch (level) {
    case KernelLevel::kScalar:
      k.dot_u8s8 = kernels::DotU8S8Scalar;
      k.dot_u8f32 = kernels::DotU8F32Scalar;
      k.dot_f32 = kernels::DotF32Scalar;
      break;
    case KernelLevel::kAvx2:
      k.dot_u8s8 = kernels::DotU8S8Avx2;
      k.dot_u8f32 = kernels::DotU8F32Avx2;
      k.dot_f32 = kernels::DotF32Avx2;
      break;
    case KernelLevel::kAvx512:
    case KernelLevel::kAvx512Vnni:
      k.dot_u8s8 =
          level == KernelLevel::kAvx512Vnni ? kernels::DotU8S8Avx512Vnni : kernels::DotU8S8Avx512;
      k.dot_u8f32 = kernels::DotU8F32Avx512;
      k.dot_f32 = kernels::DotF32Avx512;
      break;
  }
  return k;
}

StatusOr<DistanceKernels> KernelsFromEnvironment() {
  const char* env = std::getenv("SAVOIR_KERNELS");
  if (env != nullptr && *env != '\0') {
    SAVOIR_ASSIGN_OR_RETURN(KernelLevel level, ParseKernelLevel(env));
    StatusOr<DistanceKernels> chosen = KernelsFor(level);
    if (!chosen.ok()) return chosen.status().WithContext("SAVOIR_KERNELS");
    return chosen;
  }
  KernelLevel best = SupportedKernelLevels().back();
  return KernelsFor(best);
}

}  // namespace savoir::index
