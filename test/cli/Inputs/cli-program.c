// A program for the tracemalloc CLI tests: blocks left allocated at exit
// by a few call paths, so that tracebacks and source lines can be checked.
// Keep the line numbers: the tests name them.
#include <stdlib.h>
#include <string.h>

void *volatile keep[4];

struct node {
  struct node *next;
  char payload[56];
};

__attribute__((noinline)) static struct node *push(struct node *head) {
  struct node *node = malloc(sizeof(struct node));
  node->next = head;
  return node;
}

__attribute__((noinline)) static char *buffer(size_t size) {
  char *text = calloc(1, size);
  return text;
}

__attribute__((noinline)) static struct node *build(int n) {
  struct node *head = NULL;
  for (int i = 0; i < n; i++)
    head = push(head);
  return head;
}

int main(int argc, char **argv) {
  struct node *list = build(100);
  char *big = buffer(20000);
  char *small = buffer(300);
  char *name = strdup(argc > 1 ? argv[1] : "none");
  free(malloc(1000)); /* freed: not in the snapshot */
  keep[0] = list, keep[1] = big, keep[2] = small, keep[3] = name;
  return argc > 2 ? atoi(argv[2]) : 0;
}
