/*
 * Version strings baked in at configure time.
 */
#include "compat.h"

#include <paglets/common.h>

#define STR2(x) #x
#define STR(x) STR2(x)

const char *paglets_version(void)
{
    return PAGLETS_VERSION_STRING;
}

const char *paglets_build_id(void)
{
    return "c-" PAGLETS_VERSION_STRING "+" PAGLETS_GIT_SHA;
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
