#include "index/vector/vector_filter.h"

namespace savoir::index {

AllowListFilter::AllowListFilter(const std::vector<uint64_t>& ids) {
  set_.Reserve(ids.size());
  ids_.reserve(ids.size());
  for (uint64_t id : ids) {
    if (set_.Insert(id, 0)) ids_.push_back(id);
  }
}

}  // namespace savoir::index
