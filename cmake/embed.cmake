# SPDX-License-Identifier: GPL-3.0-or-later
# Turns a binary file into a C array: cmake -DIN=file -DOUT=file.c -DNAME=sym -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* generated from ${IN}; do not edit */\n#include <stddef.h>\n#include <stdint.h>\n"
  "const uint8_t ${NAME}[] = {\n${body}0};\nconst size_t ${NAME}_len = ${len};\n")
