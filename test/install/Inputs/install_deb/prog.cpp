// Built with the tmc++ of the Debian package extracted by deb.test.
#include <cstdio>

int main() {
  char *volatile buffer = new char[32768];
  std::printf("allocated %p\n", static_cast<void *>(buffer));
  return 0;
}
