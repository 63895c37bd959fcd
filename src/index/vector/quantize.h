// Symmetric per-vector scalar quantization of float vectors to bytes.
//
// A vector x of n floats becomes a scale s = max_i |x_i| / 127 and n codes q_i = round(x_i / s)
// in [-127, 127]; x_i is recovered as s * q_i up to s / 2. The index stores the codes in offset
// binary (q_i + 128, one unsigned byte) so that the dot product of a stored vector with a query
// quantized to signed bytes is sum (u_i - 128) * p_i = DotU8S8(u, p) - 128 * sum_i p_i, which
// one VNNI instruction computes for 64 dimensions at a time. An all-zero vector has scale 0 and
// all codes 0.
//
// Thread safety: pure functions.
#ifndef SAVOIR_INDEX_VECTOR_QUANTIZE_H_
#define SAVOIR_INDEX_VECTOR_QUANTIZE_H_

#include <cstddef>
#include <cstdint>

namespace savoir::index {

inline constexpr int32_t kCodeOffset = 128;

// Writes the offset-binary codes of x[0..n) into out[0..n) and returns the scale. x must be
// finite.
float QuantizeToOffsetCodes(const float* x, size_t n, uint8_t* out);

// Writes the signed codes of x[0..n) into out[0..n), stores their sum in *sum and returns the
// scale. x must be finite.
float QuantizeToSignedCodes(const float* x, size_t n, int8_t* out, int32_t* sum);

// Converts offset-binary codes to signed codes; returns the sum of the signed codes.
int32_t OffsetToSignedCodes(const uint8_t* in, size_t n, int8_t* out);

// Scales x[0..n) to unit L2 norm. Returns false (and leaves x unchanged) when the norm is zero
// or not finite.
bool NormalizeL2(float* x, size_t n);

// True when every x[i] is finite.
bool AllFinite(const float* x, size_t n);

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_QUANTIZE_H_
