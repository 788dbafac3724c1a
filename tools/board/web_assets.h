/* web_assets.h - the page's files (tools/board/web/), built into duet-board by
 * tools/board/web/embed.cmake: the server serves these and nothing from the disk. */
#ifndef DUET_BOARD_WEB_ASSETS_H
#define DUET_BOARD_WEB_ASSETS_H

#include <stddef.h>

typedef struct board_web_asset {
    const char *path;            /* "/index.html" */
    const unsigned char *data;
    size_t size;
} board_web_asset;

/* The files, ended by one whose path is NULL. */
extern const board_web_asset board_web_assets[];

#endif
