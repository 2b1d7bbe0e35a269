/*
 * Version numbers and strings: the numbers from <paglets/common.h>, the git
 * sha baked in at configure time.
 */
#include "compat.h"

#include <paglets/common.h>

#define STR2(x) #x
#define STR(x) STR2(x)

unsigned paglets_version_number(void)
{
    return PAGLETS_VERSION_HEX;
}

const char *paglets_version(void)
{
    return STR(PAGLETS_VERSION_MAJOR) "." STR(PAGLETS_VERSION_MINOR) "." STR(
        PAGLETS_VERSION_PATCH);
}

const char *paglets_build_id(void)
{
    return "c-" STR(PAGLETS_VERSION_MAJOR) "." STR(
        PAGLETS_VERSION_MINOR) "." STR(PAGLETS_VERSION_PATCH) "+" PAGLETS_GIT_SHA;
}

const char *paglets_compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " STR(__GNUC__) "." STR(__GNUC_MINOR__) "." STR(
        __GNUC_PATCHLEVEL__);
#else
    return "unknown compiler";
#endif
}
