// VisitedPool: reusable "visited" marks for graph searches.
//
// A search marks each node it scores. Clearing a million-entry array per query would cost more
// than the search, so each VisitedList stamps entries with a 16-bit epoch and only clears the
// array when the epoch wraps. The pool hands a list to each concurrent search and takes it back
// afterwards, so there are as many lists as the peak number of simultaneous searches.
//
// Thread safety: Acquire and the handle's destructor may be called from any thread.
#ifndef SAVOIR_INDEX_VECTOR_VISITED_POOL_H_
#define SAVOIR_INDEX_VECTOR_VISITED_POOL_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace savoir::index {

class VisitedList {
 public:
  // Forgets all marks and makes room for ids below `size`.
  void Reset(size_t size);
  // Marks `id`; returns true when it was already marked since the last Reset.
  bool TestAndSet(uint32_t id) {
    if (marks_[id] == epoch_) return true;
    marks_[id] = epoch_;
    return false;
  }
  bool Test(uint32_t id) const { return marks_[id] == epoch_; }
  size_t MemoryBytes() const { return marks_.capacity() * sizeof(uint16_t); }

 private:
  std::vector<uint16_t> marks_;
  uint16_t epoch_ = 0;
};

class VisitedPool {
 public:
  // Returns the list to the pool when destroyed.
  class Handle {
   public:
    Handle(VisitedPool* pool, std::unique_ptr<VisitedList> list)
        : pool_(pool), list_(std::move(list)) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = delete;
    ~Handle();
    VisitedList& operator*() { return *list_; }
    VisitedList* operator->() { return list_.get(); }

   private:
    VisitedPool* pool_;
    std::unique_ptr<VisitedList> list_;
  };

  // A list reset for ids below `size`.
  Handle Acquire(size_t size);
  size_t MemoryBytes() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<VisitedList>> free_;  // guarded by mu_
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_VISITED_POOL_H_
