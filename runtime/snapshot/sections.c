/*
 * sections.c - the registry of a .tms file's optional sections
 * (sections.h, sections.def).
 */
#include "sections.h"

#define TM_SECTION(TYPE) extern const tm_section_type TYPE TM_HIDDEN;
#include "sections.def"
#undef TM_SECTION

const tm_section_type *const tm_section_types[] = {
#define TM_SECTION(TYPE) &TYPE,
#include "sections.def"
#undef TM_SECTION
    NULL,
};
