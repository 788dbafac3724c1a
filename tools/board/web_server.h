/* web_server.h - what the two halves of duet-board's web server share (internal): the
 * server's state (web.c: the feed's reader, the pages' event streams, starting and stopping)
 * and what web_request.c (each request: routes, checks, bodies, answers) needs of it. */
#ifndef DUET_BOARD_WEB_SERVER_H
#define DUET_BOARD_WEB_SERVER_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "trace.h"
#include "web.h"
#include "web_json.h"


#define WEB_FRAME_MS 25               /* the pages get what changed at most this often */
#define WEB_PING_MS 10000             /* an idle event stream says it is alive this often */
#define WEB_REAP_MS 250               /* the pages that went away are looked for this often */
#define WEB_BODY_MAX 65536            /* the largest request body taken */
#define WEB_QUEUE_MAX (256 * 1024)    /* bytes waiting for one page, at most */
#define WEB_PAGES_MAX 16              /* event streams open at once, at most */
#define WEB_SOCKET_BUFFER 65536       /* the kernel's send buffer for one page, at most */
#define WEB_CONNECTIONS_MAX 64        /* connections at once, at most */
#define WEB_IDLE_S 60                 /* libmicrohttpd closes a connection silent this long */
#define WEB_WAIT_MS 10000             /* a connection waits this long for a whole request, at most */
#define WEB_WAITING_MAX 16            /* connections waiting for a request for long, at most */
#define WEB_ROOM_MS 1000              /* past WEB_WAITING_MAX, one that waited this long is cut off */

/* A connection, watched for a request that never comes whole (web_conn.c). */
typedef struct web_conn {
    struct web_conn *next;
    int fd;
    uint64_t since_ns;                /* its start, or the end of its last answer */
    bool answering;                   /* a request of it is being answered */
    bool cut;                         /* cut off: libmicrohttpd closes it in its next run */
} web_conn;

typedef struct web_client {
    struct web_client *next;
    board_web *web;
    struct MHD_Connection *conn;
    char *buf;                        /* queued bytes buf[head .. head + len) */
    size_t head, len;
    bool mid_message;                 /* the bytes handed out so far end inside a message */
    bool suspended, closing;
} web_client;

struct board_web {
    struct MHD_Daemon *daemon;
    board_feed *feed;
    board_web_actions act;
    char url[96];
    char host[64];                    /* the host it was asked to listen on, as given */
    unsigned port;
    bool any_host;                    /* listening on every address: any Host is ours */
    int epoll_fd;
    web_client *clients;
    web_conn *conns;
    web_pages pages;
    web_changes ch;
    bool dirty;
    uint64_t last_frame_ns, last_ping_ns, last_reap_ns;
    board_trace trace;
    FILE *trace_out;
    char trace_line[WEB_TRACE_LINE];
    size_t trace_len;
    board_core_state shown_m7, shown_m4;  /* the cores' states the pages were last sent */
};

/* board_web_start once the address is known: starts w (feed, act, host, port and any_host
 * set, the rest zero) serving at addr, as spec (for the sentences) says. With addr NULL it
 * has no listening socket: its connections are handed to it with MHD_add_connection (the
 * fuzz target fuzz/web_request does). Frees w and returns NULL, with a sentence in why, when
 * it cannot start. */
board_web *web_start(board_web *w, const struct sockaddr_storage *addr, const char *spec, char *why, size_t cap);

/* Opens a page's event stream on conn: the board as it is now, then what changes (web.c).
 * MHD_NO when out of memory. The caller checks the number of pages first. */
enum MHD_Result web_events_open(board_web *w, struct MHD_Connection *conn);

/* The pages reading the event stream now: the streams of pages that went away are ended
 * first (web.c), so that they do not keep a new page out. */
unsigned web_pages_live(board_web *w);

/* A connection started (its socket fd): it is watched from now on, *socket_cls its note.
 * web_conn_closed forgets it (libmicrohttpd closed it). */
void web_conn_started(board_web *w, int fd, void **socket_cls);
void web_conn_closed(board_web *w, void **socket_cls);

/* conn's request is whole and being answered (answering), or its answer was sent: it waits for
 * the next request from now on. */
void web_conn_answering(struct MHD_Connection *conn, bool answering);

/* Cuts off the connections that waited WEB_WAIT_MS for a request, and while more than
 * WEB_WAITING_MAX wait, those that waited WEB_ROOM_MS, the longest waiting first. */
void web_conn_check(board_web *w);

/* The time until a connection waited WEB_WAIT_MS (ns; 0: now, -1: none waits). */
int64_t web_conn_wait_ns(const board_web *w);

/* libmicrohttpd's request handler and its end (web_request.c); cls is the board_web. */
enum MHD_Result web_request_on(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **req_cls);
void web_request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode code);

#endif
