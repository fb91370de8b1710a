/*
 * sections.c - the registry of a .tms file's optional sections
 * (sections.h, sections.def).
 */
#include "sections.h"

#include <inttypes.h>

#define TM_SECTION(TYPE) extern const tm_section_type TYPE TM_HIDDEN;
#include "sections.def"
#undef TM_SECTION

const tm_section_type *const tm_section_types[] = {
#define TM_SECTION(TYPE) &TYPE,
#include "sections.def"
#undef TM_SECTION
    NULL,
};

int tm_section_check_count(const tm_section_reader *reader, uint64_t count,
                           uint64_t min, uint64_t record_size,
                           const char *what) {
  uint64_t room = (reader->size - reader->at) / record_size;
  if (count >= min && count <= room)
    return 0;
  if (min == 0)
    return tm_section_error(reader,
                            "%" PRIu64 " %s announced, room for %" PRIu64,
                            count, what, room);
  return tm_section_error(reader,
                          "%" PRIu64 " %s announced, room for %" PRIu64
                          ", at least %" PRIu64 " wanted",
                          count, what, room, min);
}
