/* msgpack_c_peer.c DUET_RPC - msgpack-c (libmsgpack-dev) as the client of `DUET_RPC serve
 * --stdio`: add, echo of every type (result bytes must equal the params bytes), errors,
 * notifications, pipelined requests answered out of the order waited for, and nested
 * call_back requests that this program answers while it waits. Framing is msgpack-c's
 * own streaming msgpack_unpacker. Prints one line per check and a summary; exit 1 on failure. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

/* ------------------------------------------------------------ checks */

static int passed, failed;

static bool check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "  ok    " : "  FAIL  ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

/* ------------------------------------------------------------ the stream */

static int to_duet = -1, from_duet = -1;
static pid_t duet_pid = -1;
static msgpack_unpacker unpacker;
static bool eof;

/* Received messages not yet taken (responses waiting for their wait()). */
#define MAX_KEPT 64
static msgpack_unpacked kept[MAX_KEPT];
static bool kept_used[MAX_KEPT];

static void die(const char *what)
{
    printf("  FAIL  %s\n", what);
    printf("interop_rpc msgpack-c client: aborted after %d passed, %d failed\n", passed, failed + 1);
    if (duet_pid > 0)
        kill(duet_pid, SIGKILL);
    exit(1);
}

static void spawn(const char *duet)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        die("pipe");
    duet_pid = fork();
    if (duet_pid < 0)
        die("fork");
    if (duet_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl(duet, duet, "serve", "--stdio", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_duet = in[1];
    from_duet = out[0];
    fcntl(to_duet, F_SETFL, fcntl(to_duet, F_GETFL) | O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);
}

/* Reads what is there into the unpacker, waiting up to ms. false on timeout. */
static bool read_some(int ms)
{
    if (eof)
        die("duet closed its stdout");
    struct pollfd p = {from_duet, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r <= 0)
        return false;
    if (!msgpack_unpacker_reserve_buffer(&unpacker, 65536))
        die("msgpack_unpacker_reserve_buffer");
    ssize_t n = read(from_duet, msgpack_unpacker_buffer(&unpacker), msgpack_unpacker_buffer_capacity(&unpacker));
    if (n <= 0) {
        eof = true;
        return true;
    }
    msgpack_unpacker_buffer_consumed(&unpacker, (size_t)n);
    return true;
}

/* Writes all of data, reading meanwhile so that neither side blocks on a full pipe. */
static void send_bytes(const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        struct pollfd f[2] = {{to_duet, POLLOUT, 0}, {from_duet, POLLIN, 0}};
        if (poll(f, eof ? 1 : 2, 10000) <= 0)
            die("write stalled");
        if (!eof && (f[1].revents & (POLLIN | POLLHUP)))
            read_some(0);
        if (f[0].revents & POLLOUT) {
            ssize_t n = write(to_duet, p, len);
            if (n < 0 && errno != EINTR && errno != EAGAIN)
                die("write to duet failed");
            if (n > 0) {
                p += n;
                len -= (size_t)n;
            }
        }
    }
}

static void send_sbuffer(msgpack_sbuffer *sb)
{
    send_bytes(sb->data, sb->size);
    msgpack_sbuffer_clear(sb);
}

/* The next whole message into *out (waits up to ms). */
static bool next_message(msgpack_unpacked *out, int ms)
{
    for (;;) {
        msgpack_unpack_return r = msgpack_unpacker_next(&unpacker, out);
        if (r == MSGPACK_UNPACK_SUCCESS)
            return true;
        if (r != MSGPACK_UNPACK_CONTINUE)
            die("msgpack_unpacker_next: malformed input from duet");
        if (!read_some(ms))
            return false;
    }
}

/* ------------------------------------------------------------ messages */

static uint32_t next_id = 1;

static bool obj_str_is(msgpack_object o, const char *s)
{
    return o.type == MSGPACK_OBJECT_STR && o.via.str.size == strlen(s) && memcmp(o.via.str.ptr, s, o.via.str.size) == 0;
}

/* Starts [0, msgid, method, [ ... with n params to pack next. */
static uint32_t begin_request(msgpack_packer *pk, const char *method, uint32_t n)
{
    uint32_t id = next_id++;
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint32(pk, id);
    msgpack_pack_str_with_body(pk, method, strlen(method));
    msgpack_pack_array(pk, n);
    return id;
}

static void handle_request(msgpack_object *msg);

/* Waits for the response to id (serving duet's requests meanwhile) and keeps it in *resp.
 * Its error is resp->data.via.array.ptr[2], its result ptr[3]. */
static bool wait_response(uint32_t id, msgpack_unpacked *resp, int ms)
{
    for (;;) {
        for (int i = 0; i < MAX_KEPT; i++) {
            if (!kept_used[i])
                continue;
            msgpack_object *a = kept[i].data.via.array.ptr;
            if (a[1].via.u64 == id) {
                *resp = kept[i];
                kept_used[i] = false;
                return true;
            }
        }
        msgpack_unpacked m;
        msgpack_unpacked_init(&m);
        if (!next_message(&m, ms)) {
            msgpack_unpacked_destroy(&m);
            return false;
        }
        msgpack_object o = m.data;
        if (o.type != MSGPACK_OBJECT_ARRAY || o.via.array.size < 3 || o.via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            die("duet sent something that is no msgpack-RPC message");
        uint64_t type = o.via.array.ptr[0].via.u64;
        if (type == 0) {
            handle_request(&m.data);
            msgpack_unpacked_destroy(&m);
        } else if (type == 1 && o.via.array.size == 4) {
            int slot = -1;
            for (int i = 0; i < MAX_KEPT && slot < 0; i++)
                if (!kept_used[i])
                    slot = i;
            if (slot < 0)
                die("too many responses kept");
            kept[slot] = m; /* the zone moves with it */
            kept_used[slot] = true;
        } else {
            die("duet sent an unexpected message type");
        }
    }
}

/* Calls and waits; returns true if the call succeeded. *resp is the whole response. */
static bool call_end(uint32_t id, msgpack_unpacked *resp)
{
    if (!wait_response(id, resp, 5000))
        die("no response within 5 s");
    return resp->data.via.array.ptr[2].type == MSGPACK_OBJECT_NIL;
}

static msgpack_object result_of(msgpack_unpacked *r) { return r->data.via.array.ptr[3]; }
static msgpack_object error_of(msgpack_unpacked *r) { return r->data.via.array.ptr[2]; }

/* The re-encoding of an object (msgpack-c's own packer) as bytes, into sb. */
static void encode(msgpack_sbuffer *sb, msgpack_object o)
{
    msgpack_packer pk;
    msgpack_sbuffer_clear(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_object(&pk, o);
}

static bool error_contains(msgpack_unpacked *r, const char *part)
{
    msgpack_object e = error_of(r);
    if (e.type != MSGPACK_OBJECT_STR)
        return false;
    char text[512];
    size_t n = e.via.str.size < sizeof text - 1 ? e.via.str.size : sizeof text - 1;
    memcpy(text, e.via.str.ptr, n);
    text[n] = '\0';
    if (!strstr(text, part)) {
        printf("        error text: %s\n", text);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ serving duet's nested calls */

static void handle_request(msgpack_object *msg)
{
    msgpack_object *a = msg->via.array.ptr;
    msgpack_object id = a[1], method = a[2], params = a[3];
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_object(&pk, id);
    msgpack_object *p = params.via.array.ptr;
    uint32_t n = params.via.array.size;
    if (obj_str_is(method, "c_mul") && n == 2) {
        msgpack_pack_nil(&pk);
        msgpack_pack_int64(&pk, p[0].via.i64 * p[1].via.i64);
    } else if (obj_str_is(method, "c_echo")) {
        msgpack_pack_nil(&pk);
        msgpack_pack_object(&pk, params);
    } else if (obj_str_is(method, "c_add_via_duet") && n == 2) {
        /* A call back into duet from inside duet's call to us. */
        msgpack_sbuffer rq;
        msgpack_packer rpk;
        msgpack_sbuffer_init(&rq);
        msgpack_packer_init(&rpk, &rq, msgpack_sbuffer_write);
        uint32_t nid = begin_request(&rpk, "add", 2);
        msgpack_pack_object(&rpk, p[0]);
        msgpack_pack_object(&rpk, p[1]);
        send_sbuffer(&rq);
        msgpack_sbuffer_destroy(&rq);
        msgpack_unpacked r;
        bool ok = call_end(nid, &r);
        msgpack_pack_object(&pk, error_of(&r));
        if (ok)
            msgpack_pack_object(&pk, result_of(&r));
        else
            msgpack_pack_nil(&pk);
        msgpack_unpacked_destroy(&r);
    } else {
        static const char err[] = "msgpack-c peer: c_fail says no";
        msgpack_pack_str_with_body(&pk, err, sizeof err - 1);
        msgpack_pack_nil(&pk);
    }
    send_sbuffer(&sb);
    msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------------ the checks */

/* Packs the echo params of case k into pk; returns their count, 0 after the last case. */
static uint32_t echo_case(msgpack_packer *pk, int k)
{
    static uint8_t blob[65536];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (uint8_t)(i * 7);
    switch (k) {
    case 0:
        msgpack_pack_array(pk, 3);
        msgpack_pack_nil(pk);
        msgpack_pack_true(pk);
        msgpack_pack_false(pk);
        return 1;
    case 1: {
        static const int64_t v[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL, INT64_MAX,
                                    -1, -32, -33, -128, -129, -32768, -32769, INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN};
        msgpack_pack_array(pk, sizeof v / sizeof v[0] + 1);
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            msgpack_pack_int64(pk, v[i]);
        msgpack_pack_uint64(pk, UINT64_MAX);
        return 1;
    }
    case 2:
        msgpack_pack_float(pk, 1.5f);
        msgpack_pack_double(pk, -0.25);
        msgpack_pack_double(pk, 1e-300);
        msgpack_pack_float(pk, -3.4e38f);
        return 4;
    case 3:
        msgpack_pack_str_with_body(pk, "", 0);
        msgpack_pack_str_with_body(pk, "a string longer than thirty-one bytes", 37);
        msgpack_pack_str_with_body(pk, "\xc3\xa9t\xc3\xa9", 6);
        msgpack_pack_bin_with_body(pk, "", 0);
        msgpack_pack_bin_with_body(pk, blob, 300);
        return 5;
    case 4:
        msgpack_pack_bin_with_body(pk, blob, sizeof blob);
        msgpack_pack_str_with_body(pk, (const char *)blob, 0);
        return 2;
    case 5:
        /* {"a": [1, {"b": nil}], 7: "seven", -1: [], "": {}} */
        msgpack_pack_map(pk, 4);
        msgpack_pack_str_with_body(pk, "a", 1);
        msgpack_pack_array(pk, 2);
        msgpack_pack_int(pk, 1);
        msgpack_pack_map(pk, 1);
        msgpack_pack_str_with_body(pk, "b", 1);
        msgpack_pack_nil(pk);
        msgpack_pack_int(pk, 7);
        msgpack_pack_str_with_body(pk, "seven", 5);
        msgpack_pack_int(pk, -1);
        msgpack_pack_array(pk, 0);
        msgpack_pack_str_with_body(pk, "", 0);
        msgpack_pack_map(pk, 0);
        return 1;
    case 6:
        msgpack_pack_ext_with_body(pk, "x", 1, 1);
        msgpack_pack_ext_with_body(pk, "abcd", 4, -5);
        msgpack_pack_ext_with_body(pk, blob, 17, 100);
        msgpack_pack_ext_with_body(pk, blob, 300, -128);
        {
            msgpack_timestamp ts = {1700000000, 123456789};
            msgpack_pack_timestamp(pk, &ts);
        }
        return 5;
    default:
        return 0;
    }
}

static void test_add(void)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked r;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    static const int64_t cases[][3] = {{1, 2, 3}, {-10, 4, -6}, {INT64_MAX - 1, 1, INT64_MAX}, {INT64_MIN, 0, INT64_MIN}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t id = begin_request(&pk, "add", 2);
        msgpack_pack_int64(&pk, cases[i][0]);
        msgpack_pack_int64(&pk, cases[i][1]);
        send_sbuffer(&sb);
        bool ok = call_end(id, &r);
        msgpack_object o = result_of(&r);
        int64_t got = o.type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? o.via.i64 : (int64_t)o.via.u64;
        check(ok && (o.type == MSGPACK_OBJECT_POSITIVE_INTEGER || o.type == MSGPACK_OBJECT_NEGATIVE_INTEGER) && got == cases[i][2],
              "add(%" PRId64 ", %" PRId64 ") = %" PRId64, cases[i][0], cases[i][1], cases[i][2]);
        msgpack_unpacked_destroy(&r);
    }
    uint32_t id = begin_request(&pk, "add", 2);
    msgpack_pack_int64(&pk, INT64_MAX);
    msgpack_pack_int64(&pk, 1);
    send_sbuffer(&sb);
    check(!call_end(id, &r) && error_contains(&r, "does not fit an int64"), "add(INT64_MAX, 1) fails: overflow");
    msgpack_unpacked_destroy(&r);
    msgpack_sbuffer_destroy(&sb);
}

static void test_echo(void)
{
    msgpack_sbuffer sb, params, got;
    msgpack_packer pk, ppk;
    msgpack_sbuffer_init(&sb);
    msgpack_sbuffer_init(&params);
    msgpack_sbuffer_init(&got);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_packer_init(&ppk, &params, msgpack_sbuffer_write);
    for (int k = 0;; k++) {
        /* The params array alone, to compare with; then the request around the same bytes. */
        msgpack_sbuffer body;
        msgpack_packer bpk;
        msgpack_sbuffer_init(&body);
        msgpack_packer_init(&bpk, &body, msgpack_sbuffer_write);
        uint32_t n = echo_case(&bpk, k);
        if (n == 0) {
            msgpack_sbuffer_destroy(&body);
            break;
        }
        msgpack_sbuffer_clear(&params);
        msgpack_pack_array(&ppk, n);
        msgpack_sbuffer_write(&params, body.data, body.size);
        uint32_t id = begin_request(&pk, "echo", n);
        msgpack_sbuffer_write(&sb, body.data, body.size);
        send_sbuffer(&sb);
        msgpack_sbuffer_destroy(&body);
        msgpack_unpacked r;
        bool ok = call_end(id, &r);
        encode(&got, result_of(&r));
        check(ok && got.size == params.size && memcmp(got.data, params.data, got.size) == 0,
              "echo case %d (%u values, %zu bytes): result equals the params", k, n, params.size);
        msgpack_unpacked_destroy(&r);
    }
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&params);
    msgpack_sbuffer_destroy(&got);
}

static void test_errors(void)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked r;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    uint32_t id = begin_request(&pk, "nope", 1);
    msgpack_pack_int(&pk, 1);
    send_sbuffer(&sb);
    check(!call_end(id, &r) && error_contains(&r, "rpclib: server could not find function 'nope' with argument count 1."),
          "unknown method: rpclib's error sentence");
    msgpack_unpacked_destroy(&r);
    id = begin_request(&pk, "add", 1);
    msgpack_pack_int(&pk, 1);
    send_sbuffer(&sb);
    check(!call_end(id, &r) && error_contains(&r, "add: expected 2 arguments, got 1"), "add(1): argument count");
    msgpack_unpacked_destroy(&r);
    id = begin_request(&pk, "add", 2);
    msgpack_pack_str_with_body(&pk, "x", 1);
    msgpack_pack_int(&pk, 1);
    send_sbuffer(&sb);
    check(!call_end(id, &r) && error_contains(&r, "add: argument 1: expected int64, got str"), "add(\"x\", 1): argument type");
    msgpack_unpacked_destroy(&r);
    id = begin_request(&pk, "add", 2);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_uint64(&pk, UINT64_MAX);
    send_sbuffer(&sb);
    check(!call_end(id, &r) && error_contains(&r, "out of its range"), "add(1, UINT64_MAX): out of range");
    msgpack_unpacked_destroy(&r);
    msgpack_sbuffer_destroy(&sb);
}

static void test_notify_and_pipeline(void)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    /* Notifications: no response, so the next message is the add's response. */
    for (int i = 0; i < 3; i++) {
        msgpack_pack_array(&pk, 3);
        msgpack_pack_uint8(&pk, 2);
        msgpack_pack_str_with_body(&pk, i == 1 ? "nope" : "add", i == 1 ? 4 : 3);
        msgpack_pack_array(&pk, 2);
        msgpack_pack_int(&pk, i);
        msgpack_pack_int(&pk, i);
    }
    uint32_t first = begin_request(&pk, "add", 2);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_int(&pk, 1);
    send_sbuffer(&sb);
    msgpack_unpacked m;
    msgpack_unpacked_init(&m);
    bool got = next_message(&m, 5000);
    msgpack_object o = m.data;
    check(got && o.type == MSGPACK_OBJECT_ARRAY && o.via.array.size == 4 && o.via.array.ptr[0].via.u64 == 1 &&
              o.via.array.ptr[1].via.u64 == first && o.via.array.ptr[3].via.u64 == 2,
          "after 3 notifications the next message is the response to the request");
    msgpack_unpacked_destroy(&m);

    /* 16 requests sent before any response is read, waited for in reverse order. */
    enum { N = 16 };
    uint32_t ids[N];
    for (int i = 0; i < N; i++) {
        if (i % 2 == 0) {
            ids[i] = begin_request(&pk, "add", 2);
            msgpack_pack_int(&pk, i);
            msgpack_pack_int(&pk, 100);
        } else {
            ids[i] = begin_request(&pk, "echo", 1);
            msgpack_pack_int(&pk, i);
        }
    }
    send_sbuffer(&sb);
    int good = 0;
    for (int i = N - 1; i >= 0; i--) {
        msgpack_unpacked r;
        bool ok = call_end(ids[i], &r);
        msgpack_object res = result_of(&r);
        if (i % 2 == 0)
            good += ok && res.type == MSGPACK_OBJECT_POSITIVE_INTEGER && res.via.u64 == (uint64_t)i + 100;
        else
            good += ok && res.type == MSGPACK_OBJECT_ARRAY && res.via.array.size == 1 && res.via.array.ptr[0].via.u64 == (uint64_t)i;
        msgpack_unpacked_destroy(&r);
    }
    check(good == N, "%d pipelined requests, all answered right (%d)", N, good);
    msgpack_sbuffer_destroy(&sb);
}

static void test_call_back(void)
{
    msgpack_sbuffer sb, want, got;
    msgpack_packer pk, wpk;
    msgpack_unpacked r;
    msgpack_sbuffer_init(&sb);
    msgpack_sbuffer_init(&want);
    msgpack_sbuffer_init(&got);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_packer_init(&wpk, &want, msgpack_sbuffer_write);

    uint32_t id = begin_request(&pk, "call_back", 3);
    msgpack_pack_str_with_body(&pk, "c_mul", 5);
    msgpack_pack_int(&pk, 6);
    msgpack_pack_int(&pk, 7);
    send_sbuffer(&sb);
    bool ok = call_end(id, &r);
    check(ok && result_of(&r).type == MSGPACK_OBJECT_POSITIVE_INTEGER && result_of(&r).via.u64 == 42,
          "call_back(c_mul, 6, 7) = 42, answered by msgpack-c");
    msgpack_unpacked_destroy(&r);

    id = begin_request(&pk, "call_back", 4);
    msgpack_pack_str_with_body(&pk, "c_echo", 6);
    msgpack_pack_array(&wpk, 3);
    for (int i = 0; i < 2; i++) {
        msgpack_packer *p = i ? &wpk : &pk;
        msgpack_pack_bin_with_body(p, "\x00\x01", 2);
        msgpack_pack_double(p, 2.5);
        msgpack_pack_map(p, 1);
        msgpack_pack_int(p, -3);
        msgpack_pack_str_with_body(p, "v", 1);
    }
    send_sbuffer(&sb);
    ok = call_end(id, &r);
    encode(&got, result_of(&r));
    check(ok && got.size == want.size && memcmp(got.data, want.data, got.size) == 0, "call_back(c_echo, bin, 2.5, {-3: \"v\"})");
    msgpack_unpacked_destroy(&r);

    id = begin_request(&pk, "call_back", 1);
    msgpack_pack_str_with_body(&pk, "c_fail", 6);
    send_sbuffer(&sb);
    check(!call_end(id, &r) && error_contains(&r, "c_fail says no"), "call_back(c_fail): msgpack-c's error text comes back");
    msgpack_unpacked_destroy(&r);

    id = begin_request(&pk, "call_back", 3);
    msgpack_pack_str_with_body(&pk, "c_add_via_duet", 14);
    msgpack_pack_int(&pk, 20);
    msgpack_pack_int(&pk, 22);
    send_sbuffer(&sb);
    ok = call_end(id, &r);
    check(ok && result_of(&r).via.u64 == 42, "call_back(c_add_via_duet, 20, 22): duet -> msgpack-c -> duet");
    msgpack_unpacked_destroy(&r);

    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&want);
    msgpack_sbuffer_destroy(&got);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DUET_RPC\n", argv[0]);
        return 2;
    }
    if (!msgpack_unpacker_init(&unpacker, MSGPACK_UNPACKER_INIT_BUFFER_SIZE))
        die("msgpack_unpacker_init");
    spawn(argv[1]);
    printf("add:\n");
    test_add();
    printf("echo:\n");
    test_echo();
    printf("errors:\n");
    test_errors();
    printf("notifications and pipelining:\n");
    test_notify_and_pipeline();
    printf("nested call_back:\n");
    test_call_back();

    printf("end of input:\n");
    close(to_duet);
    int status = -1;
    for (int i = 0; i < 500; i++) {
        if (waitpid(duet_pid, &status, WNOHANG) == duet_pid)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        status = -1;
    }
    check(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "duet-rpc serve exits 0 at end of input");
    if (status == -1)
        kill(duet_pid, SIGKILL);
    msgpack_unpacker_destroy(&unpacker);
    printf("interop_rpc msgpack-c client vs duet-rpc serve: %d of %d checks passed\n", passed, passed + failed);
    return failed ? 1 : 0;
}
