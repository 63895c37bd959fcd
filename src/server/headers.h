// HTTP header fields: an ordered, case-insensitive multimap.
//
// Headers keeps fields in the order they were added, compares names without regard to ASCII
// case (as HTTP requires), and allows repeated names (Set-Cookie, Vary, ...). It is a plain
// value type: copyable, movable, not synchronised; share it between threads only read-only.
#ifndef SAVOIR_SERVER_HEADERS_H_
#define SAVOIR_SERVER_HEADERS_H_

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace savoir::server {

// True if `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields);

  // The value of the first field named `name`, or nullopt. The view stays valid until the next
  // change to this object.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of the fields named `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  // Appends a field, keeping existing fields of the same name.
  void Add(std::string name, std::string value);
  // Replaces every field named `name` by one field (at the position of the first one, or at
  // the end when there was none).
  void Set(std::string name, std::string value);
  // Removes every field named `name`; returns how many were removed.
  size_t Remove(std::string_view name);

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_HEADERS_H_
