/* Built with the tmcc of the Debian package extracted by deb.test. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void *volatile block = malloc(54321);
  puts(block ? "allocated" : "failed");
  return block == NULL;
}
