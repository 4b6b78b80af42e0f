# Writes the version header from the commit the sources are at, run at every build (a build
# directory outlives commits, so a value taken when CMake configured would go stale): the
# short hash, with "-dirty" when tracked files differ from it, or "unknown" outside git.
# configure_file rewrites the header only when its content changes, so an unchanged commit
# recompiles nothing.
#   cmake -DSOURCE_DIR=<repo> -DOUTPUT=<header> -DPROJECT_VERSION=<x.y.z> -P version.cmake
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE NSBI_GIT_HASH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NSBI_GIT_HASH)
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE NSBI_GIT_CHANGES OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NSBI_GIT_CHANGES)
    string(APPEND NSBI_GIT_HASH "-dirty")
  endif()
else()
  set(NSBI_GIT_HASH unknown)
endif()
configure_file(${SOURCE_DIR}/include/nsbi/version.hpp.in ${OUTPUT} @ONLY)
