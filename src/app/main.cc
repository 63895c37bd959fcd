#include <cstdio>

int main() {
  std::puts("savoir 0.1.0");
  return 0;
}
