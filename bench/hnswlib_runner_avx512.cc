// hnswlib compiled with -mavx512f -mavx2 -mfma (see hnswlib_runner.inc).
#define SAVOIR_HNSWLIB_NAMESPACE savoir_hnswlib_avx512
#define SAVOIR_HNSWLIB_FACTORY MakeHnswlibAvx512
#include "hnswlib_runner.inc"
