// Number and padding helpers shared by py_format.cc and py_percent.cc.
#ifndef SAVOIR_ENGINE_TEMPLATE_PY_FORMAT_INTERNAL_H_
#define SAVOIR_ENGINE_TEMPLATE_PY_FORMAT_INTERNAL_H_

#include <cstdint>
#include <string>

namespace savoir::engine::jinja::internal {

// Pads `body` to `width` code points with `fill`; align is '<', '>', '^' or '=' (padding after
// the first `sign_len` bytes).
std::string Pad(std::string body, size_t width, char32_t fill, char align, size_t sign_len);
// The digits of |value| in `base`.
std::string IntDigits(int64_t value, int base, bool upper);
// C's printf of one double: "%<flags><width>.<precision><type>".
std::string CFormatDouble(const std::string& flags, int width, int precision, char type,
                          double value);

}  // namespace savoir::engine::jinja::internal

#endif  // SAVOIR_ENGINE_TEMPLATE_PY_FORMAT_INTERNAL_H_
