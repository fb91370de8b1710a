/*
 * options.h - the runtime's environment variables (env_vars.def), read and
 * checked once, before main(). Part of the process side of the runtime.
 */
#ifndef TM_OPTIONS_H
#define TM_OPTIONS_H

#include "tm_common.h"

#include <stdint.h>

enum tm_env_var {
#define TM_ENV_VAR(id, ...) TM_ENV_##id,
#include "env_vars.def"
#undef TM_ENV_VAR
  TM_ENV_COUNT
};

/* One variable as read. */
typedef struct tm_option {
  const char *text; /* its value; NULL when unset, empty or ignored */
  uint64_t value;   /* parsed (a signal's number); the default without text */
} tm_option;

/* Read every variable from envp (the environment, NULL-terminated) as
 * secure_getenv would: none in a set-user-ID program, which must not be
 * made to write files by its caller's environment. A bad value is reported
 * (tm_option_ignore) and the default used. */
TM_HIDDEN void tm_options_read(tm_option options[TM_ENV_COUNT],
                               char *const *envp);

/* Report on stderr, in one line, that the variable's value is ignored and
 * why ("needs ..."); NULL: the value is bad, and the line says what the
 * variable accepts. The option falls back to its default. */
TM_HIDDEN void tm_option_ignore(tm_option options[TM_ENV_COUNT],
                                enum tm_env_var var, const char *needs);

#endif /* TM_OPTIONS_H */
