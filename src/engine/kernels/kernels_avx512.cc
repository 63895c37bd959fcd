#include "engine/kernels/kernels_internal.h"

namespace savoir::engine::kernels {

void FillAvx512Kernels(KernelTable*) {}

}  // namespace savoir::engine::kernels
