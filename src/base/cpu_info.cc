#include "base/cpu_info.h"

#include <sched.h>

#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace savoir {

int PhysicalCoreCount() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
    return std::max(1u, std::thread::hardware_concurrency());
  }
  std::set<std::pair<std::string, std::string>> cores;
  int logical = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    ++logical;
    std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    std::ifstream core(base + "core_id");
    std::ifstream package(base + "physical_package_id");
    std::string core_id;
    std::string package_id;
    if (!(core >> core_id) || !(package >> package_id)) return std::max(1, logical);
    cores.insert({package_id, core_id});
  }
  if (cores.empty()) return std::max(1, logical);
  return static_cast<int>(cores.size());
}

}  // namespace savoir
