/*
 * source_lines.h - Python's linecache for Traceback.format().
 */
#ifndef TM_SOURCE_LINES_H
#define TM_SOURCE_LINES_H

#include "tm_common.h"

/* linecache.getline(filename, lineno).strip(): the line without the
 * whitespace around it, or NULL when there is no such line or it is blank.
 * Each file is read once and kept for the life of the process, so the text
 * stays valid; thread-safe. */
TM_HIDDEN const char *tm_source_line(const char *filename, unsigned int lineno);

#endif /* TM_SOURCE_LINES_H */
