#include "index/vector/visited_pool.h"

#include <algorithm>

namespace savoir::index {

void VisitedList::Reset(size_t size) {
  if (marks_.size() < size) marks_.resize(size, 0);
  ++epoch_;
  if (epoch_ == 0) {
    std::fill(marks_.begin(), marks_.end(), 0);
    epoch_ = 1;
  }
}

VisitedPool::Handle::~Handle() {
  if (list_ == nullptr) return;
  std::lock_guard<std::mutex> lock(pool_->mu_);
  pool_->free_.push_back(std::move(list_));
}

VisitedPool::Handle VisitedPool::Acquire(size_t size) {
  std::unique_ptr<VisitedList> list;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      list = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (list == nullptr) list = std::make_unique<VisitedList>();
  list->Reset(size);
  return Handle(this, std::move(list));
}

size_t VisitedPool::MemoryBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t total = 0;
  for (const auto& list : free_) total += list->MemoryBytes();
  return total;
}

}  // namespace savoir::index
