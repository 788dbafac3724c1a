/* check_version - compiled against one install's headers and linked with its library:
 * DUET_VERSION_* (what the program was compiled with) must be what duet_version() and
 * duet_version_string() (the library it runs with) say. */
#include <stdio.h>
#include <string.h>

#include "duet/version.h"

int main(void)
{
    char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", DUET_VERSION_MAJOR, DUET_VERSION_MINOR, DUET_VERSION_PATCH);
    uint32_t runs = duet_version();
    printf("headers: duet %s (%d.%d.%d); library: duet %s (0x%06x)\n", DUET_VERSION_STRING, DUET_VERSION_MAJOR,
           DUET_VERSION_MINOR, DUET_VERSION_PATCH, duet_version_string(), (unsigned)runs);
    if (strcmp(text, DUET_VERSION_STRING) != 0) {
        printf("DUET_VERSION_STRING is not MAJOR.MINOR.PATCH (%s)\n", text);
        return 1;
    }
    if (runs != DUET_VERSION_NUMBER || (runs >> 16) != DUET_VERSION_MAJOR || ((runs >> 8) & 0xff) != DUET_VERSION_MINOR ||
        (runs & 0xff) != DUET_VERSION_PATCH) {
        printf("the library is not the version of the headers\n");
        return 1;
    }
    if (strcmp(duet_version_string(), DUET_VERSION_STRING) != 0) {
        printf("duet_version_string() is not DUET_VERSION_STRING\n");
        return 1;
    }
    printf("the same version\n");
    return 0;
}
