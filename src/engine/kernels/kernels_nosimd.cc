// Builds without x86 SIMD files: the SIMD levels add nothing to the scalar table.
#include "engine/kernels/kernels_internal.h"

namespace savoir::engine::kernels {

void FillAvx2Kernels(KernelTable*) {}
void FillAvx512Kernels(KernelTable*) {}

}  // namespace savoir::engine::kernels
