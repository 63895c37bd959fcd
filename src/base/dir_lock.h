// Exclusive ownership of a data directory by one process.
//
// DirectoryLock creates the directory if needed and holds an advisory lock (flock) on its
// LOCK file for its lifetime, so that two savoir processes never write the same data at once.
// The lock is released by the kernel if the process dies, so a crash never leaves a stale
// lock behind. The LOCK file records the holder's pid for the error message.
#ifndef SAVOIR_BASE_DIR_LOCK_H_
#define SAVOIR_BASE_DIR_LOCK_H_

#include <memory>
#include <string>

#include "base/status.h"

namespace savoir {

class DirectoryLock {
 public:
  // Creates `dir` (and parents) if missing and locks it. Errors: the directory cannot be
  // created or is not writable (PERMISSION_DENIED / INTERNAL), or another process holds the
  // lock (FAILED_PRECONDITION, naming its pid).
  static StatusOr<std::unique_ptr<DirectoryLock>> Acquire(const std::string& dir);
  ~DirectoryLock();

  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  const std::string& dir() const { return dir_; }

 private:
  DirectoryLock(std::string dir, int fd) : dir_(std::move(dir)), fd_(fd) {}

  std::string dir_;
  int fd_;
};

}  // namespace savoir

#endif  // SAVOIR_BASE_DIR_LOCK_H_
