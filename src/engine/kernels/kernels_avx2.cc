#include "engine/kernels/kernels_internal.h"

namespace savoir::engine::kernels {

void FillAvx2Kernels(KernelTable*) {}

}  // namespace savoir::engine::kernels
