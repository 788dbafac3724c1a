/* version.c - the library's version at run time (duet/version.h has the compile-time one). */
#include "duet/version.h"

uint32_t duet_version(void)
{
    return DUET_VERSION_NUMBER;
}

const char *duet_version_string(void)
{
    return DUET_VERSION_STRING;
}
