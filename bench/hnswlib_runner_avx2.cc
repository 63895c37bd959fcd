// hnswlib compiled with -mavx2 -mfma (see hnswlib_runner.inc).
#define SAVOIR_HNSWLIB_NAMESPACE savoir_hnswlib_avx2
#define SAVOIR_HNSWLIB_FACTORY MakeHnswlibAvx2
#include "hnswlib_runner.inc"
