/* board_error.h - the text duet_board_error_text() returns, set by every board file. Internal. */
#ifndef DUET_AN521_BOARD_ERROR_H
#define DUET_AN521_BOARD_ERROR_H

/* Records a misuse as "what: fmt", where a %d in fmt stands for n. */
void duet_an521_board_fail(const char *what, const char *fmt, int n);

#endif
