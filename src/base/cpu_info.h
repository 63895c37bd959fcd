// Facts about the machine's processors.
#ifndef SAVOIR_BASE_CPU_INFO_H_
#define SAVOIR_BASE_CPU_INFO_H_

namespace savoir {

// Physical cores available to this process (hyper-threads of one core count once), read from
// /sys; falls back to std::thread::hardware_concurrency(), and to 1. Compute-bound work such as
// inference runs best with one thread per physical core.
int PhysicalCoreCount();

}  // namespace savoir

#endif  // SAVOIR_BASE_CPU_INFO_H_
