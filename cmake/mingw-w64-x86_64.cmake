# SPDX-License-Identifier: GPL-3.0-or-later
# Cross-compiling mtkbak for 64-bit Windows with Debian's mingw-w64 (gcc-mingw-w64-x86-64).
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DMTKBAK_WIN_DEPS=/path/to/prefix -DMTKBAK_TESTS=OFF -DMTKBAK_USBSIM=OFF
# MTKBAK_WIN_DEPS is a prefix holding libusb-1.0, libserialport and nettle built for
# x86_64-w64-mingw32 (lib/pkgconfig/*.pc); tests/ci-extra/windows-cross.sh --deps makes one.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(MINGW_TRIPLE x86_64-w64-mingw32)

# The -posix variant: winpthreads gives pthread_* and clock_gettime, which the simulator and
# the UI use.
find_program(CMAKE_C_COMPILER NAMES ${MINGW_TRIPLE}-gcc-posix ${MINGW_TRIPLE}-gcc REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${MINGW_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_TRIPLE})
set(MTKBAK_WIN_DEPS "" CACHE PATH "prefix with libusb-1.0, libserialport and nettle for Windows")
if(MTKBAK_WIN_DEPS)
  list(APPEND CMAKE_FIND_ROOT_PATH ${MTKBAK_WIN_DEPS})
  # pkg-config must only see the Windows libraries, never the build machine's.
  set(ENV{PKG_CONFIG_LIBDIR} "${MTKBAK_WIN_DEPS}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# One self-contained mtkbak.exe: no libgcc/winpthread DLLs to ship next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# mingw's own C99 printf (%zu, %lld, %ju) instead of msvcrt's, and -Wformat checks against it.
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1")
