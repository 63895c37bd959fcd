#include "engine/kernels/kernels.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/thread_pool.h"
#include "engine/kernels/kernels_internal.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace savoir::engine::kernels {
namespace {

uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

#if defined(__x86_64__)
// F16C has no __builtin_cpu_supports name in every compiler: read CPUID leaf 1, ECX bit 29.
// (The OS state it needs is the AVX state, which the avx2 check covers.)
bool CpuHasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_F16C) != 0;
}
#endif

KernelTable BuildTable(KernelLevel level) {
  KernelTable table;
  FillScalarKernels(&table);
  if (level >= KernelLevel::kAvx2) FillAvx2Kernels(&table);
  if (level >= KernelLevel::kAvx512) FillAvx512Kernels(&table);
  table.level = level;
  return table;
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
  }
  return "unknown";
}

StatusOr<KernelLevel> ParseKernelLevel(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (KernelLevel level : {KernelLevel::kScalar, KernelLevel::kAvx2, KernelLevel::kAvx512}) {
    if (lower == KernelLevelName(level)) return level;
  }
  return InvalidArgumentError("unknown kernel level '{}' (expected scalar, avx2 or avx512)", name);
}

bool IsKernelLevelSupported(KernelLevel level) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && CpuHasF16c();
  switch (level) {
    case KernelLevel::kScalar:
      return true;
    case KernelLevel::kAvx2:
      return avx2;
    case KernelLevel::kAvx512:
      // Every flag kernels_avx512.cc is compiled with (the compiler may use any of them).
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vnni");
  }
  return false;
#else
  return level == KernelLevel::kScalar;
#endif
}

KernelLevel DetectKernelLevel() {
  if (IsKernelLevelSupported(KernelLevel::kAvx512)) return KernelLevel::kAvx512;
  if (IsKernelLevelSupported(KernelLevel::kAvx2)) return KernelLevel::kAvx2;
  return KernelLevel::kScalar;
}

StatusOr<KernelLevel> SelectKernelLevel(const char* forced) {
  if (forced == nullptr || forced[0] == '\0') return DetectKernelLevel();
  SAVOIR_ASSIGN_OR_RETURN(KernelLevel level, ParseKernelLevel(forced));
  if (!IsKernelLevelSupported(level)) {
    return FailedPreconditionError("SAVOIR_KERNELS={}: this cpu cannot run that level", forced);
  }
  return level;
}

StatusOr<KernelLevel> SelectKernelLevel() {
  return SelectKernelLevel(std::getenv("SAVOIR_KERNELS"));
}

const KernelTable& GetKernelTable(KernelLevel level) {
  // Built lazily so that a level's code runs only once it was asked for (and so checked).
  switch (level) {
    case KernelLevel::kAvx2: {
      static const KernelTable kTable = BuildTable(KernelLevel::kAvx2);
      return kTable;
    }
    case KernelLevel::kAvx512: {
      static const KernelTable kTable = BuildTable(KernelLevel::kAvx512);
      return kTable;
    }
    case KernelLevel::kScalar:
      break;
  }
  static const KernelTable kScalarTable = BuildTable(KernelLevel::kScalar);
  return kScalarTable;
}

const TypeKernels& KernelsFor(const KernelTable& table, TensorType type) {
  static const TypeKernels kNone;
  const auto index = static_cast<uint32_t>(type);
  return index < kTypeSlots ? table.types[index] : kNone;
}

void MatMul(const KernelTable& table, const MatMulArgs& args) {
  KernelsFor(table, args.type).mat_mul(args);
}

void ParallelMatMul(const KernelTable& table, ThreadPool& pool, const MatMulArgs& args) {
  const int64_t first_tile = args.row_begin / kMatMulRowAlign;
  const int64_t end_tile = (args.row_end + kMatMulRowAlign - 1) / kMatMulRowAlign;
  const int64_t tiles = end_tile - first_tile;
  if (tiles <= 0) return;
  const int64_t tasks = std::min<int64_t>(tiles, int64_t{4} * pool.num_threads());
  pool.ParallelFor(tasks, [&](int64_t task, int) {
    MatMulArgs part = args;
    part.row_begin =
        std::max(args.row_begin, (first_tile + tiles * task / tasks) * kMatMulRowAlign);
    part.row_end =
        std::min(args.row_end, (first_tile + tiles * (task + 1) / tasks) * kMatMulRowAlign);
    if (part.row_begin < part.row_end) MatMul(table, part);
  });
}

void RopeCosSin(int64_t pos, int64_t n_rot, float freq_base, float freq_scale, float* cos_sin) {
  // The angle advances by a constant factor per pair, computed as ggml does (float product).
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  for (int64_t i = 0; i < n_rot / 2; ++i) {
    const float angle = theta * freq_scale;
    cos_sin[2 * i] = std::cos(angle);
    cos_sin[2 * i + 1] = std::sin(angle);
    theta *= theta_scale;
  }
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  if (exponent == 0x1f) return BitsFloat(sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return BitsFloat(sign | FloatBits(magnitude));
  }
  return BitsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t FloatToHalf(float f) {
  const uint32_t x = FloatBits(f);
  const uint32_t sign = (x >> 16) & 0x8000;
  uint32_t magnitude = x & 0x7fffffff;
  if (magnitude > 0x7f800000) {  // NaN: quiet it and keep the top of the payload, as F16C does
    return static_cast<uint16_t>(sign | 0x7e00 | ((magnitude >> 13) & 0x3ff));
  }
  if (magnitude >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // rounds to inf
  if (magnitude < 0x38800000) {
    // Below the smallest normal half: adding 0.5 makes the float's ulp 2^-24, the half's
    // subnormal step, so the float addition does the round-to-nearest-even for us.
    const float shifted = BitsFloat(magnitude) + 0.5f;
    return static_cast<uint16_t>(sign | (FloatBits(shifted) - FloatBits(0.5f)));
  }
  const uint32_t odd = (magnitude >> 13) & 1;
  magnitude += 0xc8000fffu + odd;  // exponent bias 127 -> 15, plus round-half-to-even
  return static_cast<uint16_t>(sign | (magnitude >> 13));
}

float BFloat16ToFloat(uint16_t h) { return BitsFloat(static_cast<uint32_t>(h) << 16); }

uint16_t FloatToBFloat16(float f) {
  const uint32_t x = FloatBits(f);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 64);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

}  // namespace savoir::engine::kernels
