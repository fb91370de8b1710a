// functions.test's program: two templates, each defined on one line, and
// each instantiated for A and B, so that one line holds two functions.
// Keep the line numbers: the test names them.
struct A { char bytes[10]; };
struct B { char bytes[30]; };

template <class T> T *make(int n) { return new T[n]; }
template <class T> T *make_two() { return make<T>(2); }

A *volatile keep_a[2];
B *volatile keep_b[2];

int main() {
  keep_a[0] = make<A>(3), keep_b[0] = make<B>(5);
  keep_a[1] = make_two<A>(), keep_b[1] = make_two<B>();
  return 0;
}
