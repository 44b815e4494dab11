# SPDX-License-Identifier: Apache-2.0
# Warnings are errors everywhere in the project's own code.
add_compile_options(
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wnull-dereference
  -Wimplicit-fallthrough -Wformat=2 -Wundef
)
