# embed.cmake - the HTML report's assets as C strings, at build time.
#
#   cmake -DOUTPUT=assets.c -DINPUTS="report.css;report.js" -P embed.cmake
#
# Each INPUT file becomes "const char cli_asset_NAME[]", NUL-terminated,
# NAME being the file name as a C identifier (report.css: report_css).
set(text "/* Generated from utils/cli by embed.cmake: do not edit. */\n")
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME)
  string(MAKE_C_IDENTIFIER "${name}" id)
  file(READ "${input}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(REPEAT "0x..," 16 row)
  string(REGEX REPLACE "(${row})" "\\1\n" hex "${hex}")
  string(APPEND text "extern const char cli_asset_${id}[];\n"
                     "const char cli_asset_${id}[] = {\n${hex}0x00};\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "${text}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
