/*
 * options.c - the runtime's environment variables, parsed and checked as
 * their table (env_vars.def) says. Every bad value gets the same treatment:
 * one line on stderr that names the variable and what it accepts, then the
 * default is used -- the traced program itself must run as it would
 * without us.
 *
 * Not part of the library the command-line tools link (like startup.c).
 */
#include "options.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

enum tm_env_kind {
  TM_ENV_BOOL,
  TM_ENV_INT,
  TM_ENV_SIZE,
  TM_ENV_SIGNAL,
  TM_ENV_PATH,
  TM_ENV_PERCENT
};

struct env_var {
  const char *name;
  enum tm_env_kind kind;
  uint64_t low, high, default_value;
  const char *accepted;
};

static const struct env_var env_vars[TM_ENV_COUNT] = {
#define TM_ENV_VAR(id, name, kind, low, high, default_value, value, accepted,  \
                   help)                                                       \
  [TM_ENV_##id] = {name, TM_ENV_##kind, low, high, default_value, accepted},
#include "env_vars.def"
#undef TM_ENV_VAR
};

/* Plain decimal digits, as many as fit: *end is left after them. -1 when
 * there are none or the number overflows. */
static int parse_digits(const char *text, uint64_t *value, const char **end) {
  uint64_t number = 0;
  const char *p = text;
  for (; *p >= '0' && *p <= '9'; p++) {
    unsigned int digit = (unsigned int)(*p - '0');
    if (number > (UINT64_MAX - digit) / 10)
      return -1;
    number = number * 10 + digit;
  }
  *value = number;
  *end = p;
  return p == text ? -1 : 0;
}

/* "4096", "64K", "100M", "2G". */
static int parse_size(const char *text, uint64_t *value) {
  const char *end;
  if (parse_digits(text, value, &end) < 0)
    return -1;
  const char *suffixes = "KMG";
  const char *suffix =
      *end ? strchr(suffixes, toupper((unsigned char)*end)) : NULL;
  if (suffix) {
    unsigned int shift = 10 * (unsigned int)(suffix - suffixes + 1);
    if (*value > (UINT64_MAX >> shift))
      return -1;
    *value <<= shift;
    end++;
  }
  return *end == '\0' ? 0 : -1;
}

static int parse_number(const char *text, uint64_t *value) {
  const char *end;
  return parse_digits(text, value, &end) == 0 && *end == '\0' ? 0 : -1;
}

/* A number, or a name with or without "SIG". */
static int parse_signal(const char *text, uint64_t *value) {
  if (parse_number(text, value) == 0)
    return 0;
  if (strncmp(text, "SIG", 3) == 0)
    text += 3;
  static const struct {
    const char *name;
    int number;
  } names[] = {{"USR1", SIGUSR1}, {"USR2", SIGUSR2},   {"HUP", SIGHUP},
               {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"URG", SIGURG}};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(text, names[i].name) == 0) {
      *value = (uint64_t)names[i].number;
      return 0;
    }
  return -1;
}

/* 0 and *value when text is a valid value of var. */
static int parse(const struct env_var *var, const char *text, uint64_t *value) {
  int status;
  switch (var->kind) {
  case TM_ENV_SIZE:
    status = parse_size(text, value);
    break;
  case TM_ENV_SIGNAL:
    status = parse_signal(text, value);
    break;
  case TM_ENV_PATH:
    *value = 0;
    return 0;
  default: /* BOOL, INT, PERCENT */
    status = parse_number(text, value);
    break;
  }
  return status == 0 && *value >= var->low && *value <= var->high ? 0 : -1;
}

void tm_option_ignore(tm_option options[TM_ENV_COUNT], enum tm_env_var var,
                      const char *needs) {
  const struct env_var *env = &env_vars[var];
  if (needs)
    fprintf(stderr, "tracemalloc: %s=%s: needs %s; ignored\n", env->name,
            options[var].text, needs);
  else
    fprintf(stderr, "tracemalloc: %s=%s: expected %s; ignored\n", env->name,
            options[var].text, env->accepted);
  options[var].text = NULL;
  options[var].value = env->default_value;
}

/* What secure_getenv(name) would return, read from envp: secure_getenv
 * reads environ, which glibc sets in libc's own initialiser, and the
 * start-up may run before it (from the executable's .preinit_array). The
 * dynamic linker has set AT_SECURE by then. */
static const char *secure_lookup(char *const *envp, const char *name) {
  if (!envp || getauxval(AT_SECURE))
    return NULL;
  size_t length = strlen(name);
  for (; *envp; envp++)
    if (strncmp(*envp, name, length) == 0 && (*envp)[length] == '=')
      return *envp + length + 1;
  return NULL;
}

void tm_options_read(tm_option options[TM_ENV_COUNT], char *const *envp) {
  for (unsigned int i = 0; i < TM_ENV_COUNT; i++) {
    const char *text = secure_lookup(envp, env_vars[i].name);
    options[i].text = text && *text ? text : NULL;
    options[i].value = env_vars[i].default_value;
    if (options[i].text &&
        parse(&env_vars[i], options[i].text, &options[i].value) < 0)
      tm_option_ignore(options, (enum tm_env_var)i, NULL);
  }
}
