/*
 * startup.h - the start-up's entry for the executable's .preinit_array
 * (preinit.c). Part of the process side of the runtime.
 */
#ifndef TM_STARTUP_H
#define TM_STARTUP_H

/* Read the TRACEMALLOC* variables from envp and start tracing, dumping and
 * the leak report as they say; only the first call does anything (the
 * runtime's constructor is the second, or the only one). Called with the
 * arguments of a .preinit_array function. Exported: the entry lives in the
 * executable, the start-up in libtracemalloc.so. */
void __tm_preinit(int argc, char **argv, char **envp);

#endif /* TM_STARTUP_H */
