/*
 * relay.c - a minimal WebSocket room relay, used as a "naive floor" peer by
 * the benchmark. It implements only what the benchmark needs:
 *
 *   GET /ws?room=<id>  ->  RFC 6455 upgrade; anything else -> 404
 *   binary message, first byte 0x01 -> to every other member of the room
 *   binary message, first byte 0x02 -> to every member, sender included
 *   anything else                   -> dropped
 *
 * Design, on purpose the simplest thing that is still correct:
 *   - one thread, one epoll set, LEVEL-TRIGGERED; each readiness event does a
 *     single read(), so a busy client cannot starve the others and we never
 *     need the "drain until EAGAIN" discipline of edge-triggered mode;
 *   - one send() per delivery: every recipient gets its own send() of the
 *     complete frame, with no batching or writev across messages. Only what
 *     the kernel does not take is buffered, and EPOLLOUT is armed for it;
 *   - a recipient whose pending output exceeds 4 MiB is disconnected;
 *   - fragmented messages are refused (close 1003), as the contract allows.
 *
 * Build: cc -O2 -Wall -Wextra -o relay relay.c
 * Run:   ./relay --port 0 --bind 127.0.0.1   (prints "listening on PORT")
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#define MAX_MSG (64 * 1024)              /* largest accepted message payload */
#define MAX_FRAME (MAX_MSG + 14)         /* plus the largest client header   */
#define IN_CAP_MAX (MAX_FRAME + 16384)   /* always room to read after a frame */
#define MAX_HTTP 8192                    /* largest upgrade request          */
#define OUT_LIMIT (4u * 1024 * 1024)     /* pending output that gets a client dropped */
#define ROOM_BUCKETS 4096

/* ------------------------------------------------------------------ SHA-1 */
/* FIPS 180-4 SHA-1, only as much as the handshake needs (one short input). */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20)      { f = (b & c) | (~b & d);          k = 0x5A827999; }
        else if (i < 40) { f = b ^ c ^ d;                   k = 0x6ED9EBA1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
        else             { f = b ^ c ^ d;                   k = 0xCA62C1D6; }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d; d = c; c = rol(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static void sha1(const void *data, size_t len, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    const unsigned char *p = data;
    unsigned char tail[128] = {0};
    size_t full = len & ~(size_t)63, rest = len - full;
    for (size_t i = 0; i < full; i += 64)
        sha1_block(h, p + i);
    /* Padding: 0x80, zeros, then the bit length big-endian; 1 or 2 blocks. */
    memcpy(tail, p + full, rest);
    tail[rest] = 0x80;
    size_t tlen = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t i = 0; i < tlen; i += 64)
        sha1_block(h, tail + i);
    for (int i = 0; i < 20; i++)
        out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static void base64(const unsigned char *in, size_t len, char *out)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? tab[v & 63] : '=';
    }
    out[o] = 0;
}

/* Sec-WebSocket-Accept = base64(SHA-1(key + GUID)); out needs 29 bytes. */
static void ws_accept(const char *key, size_t klen, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char buf[128 + sizeof guid];
    unsigned char digest[20];
    if (klen > 128) klen = 128;
    memcpy(buf, key, klen);
    memcpy(buf + klen, guid, sizeof guid - 1);
    sha1(buf, klen + sizeof guid - 1, digest);
    base64(digest, 20, out);
}

static int self_test(void)
{
    char acc[29], hex[41];
    unsigned char d[20];
    int ok = 1;
    ws_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, acc);   /* RFC 6455, section 1.3 */
    if (strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != 0) ok = 0;
    printf("accept: %s\n", acc);
    /* FIPS 180 vectors, the second one spans two padding blocks. */
    static const struct { const char *in, *hex; } v[] = {
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sha1(v[i].in, strlen(v[i].in), d);
        for (int j = 0; j < 20; j++) sprintf(hex + 2 * j, "%02x", d[j]);
        if (strcmp(hex, v[i].hex) != 0) ok = 0;
    }
    printf("self-test %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

/* ------------------------------------------------------ connections, rooms */

enum { ST_HTTP, ST_OPEN, ST_CLOSING };

struct room;

struct conn {
    int fd;
    int state;
    int dead;                 /* closed at the end of the event batch */
    uint32_t events;          /* what epoll currently watches */
    unsigned char *in;  size_t in_len, in_cap;
    unsigned char *out; size_t out_off, out_len, out_cap;
    struct room *room; size_t room_idx;
    struct conn *next_dead;
};

struct room {
    char id[65];
    struct conn **m; size_t n, cap;
    struct room *next;
};

static int ep;
static struct room *rooms[ROOM_BUCKETS];
static struct conn *dead_list;
static unsigned char scratch[65536];

static unsigned room_hash(const char *s)
{
    unsigned h = 2166136261u;                      /* FNV-1a */
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % ROOM_BUCKETS;
}

static int room_join(struct conn *c, const char *id)
{
    struct room **slot = &rooms[room_hash(id)], *r = *slot;
    while (r && strcmp(r->id, id) != 0) r = r->next;
    if (!r) {
        if (!(r = calloc(1, sizeof *r))) return -1;
        strcpy(r->id, id);
        r->next = *slot;
        *slot = r;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct conn **m = realloc(r->m, cap * sizeof *m);
        if (!m) {
            if (r->n == 0) { *slot = r->next; free(r); }  /* it was just made */
            return -1;
        }
        r->m = m; r->cap = cap;
    }
    c->room = r;
    c->room_idx = r->n;
    r->m[r->n++] = c;
    return 0;
}

static void room_leave(struct conn *c)
{
    struct room *r = c->room;
    if (!r) return;
    /* Swap-remove: order inside a room does not matter. */
    r->m[c->room_idx] = r->m[--r->n];
    r->m[c->room_idx]->room_idx = c->room_idx;
    c->room = NULL;
    if (r->n == 0) {
        struct room **p = &rooms[room_hash(r->id)];
        while (*p != r) p = &(*p)->next;
        *p = r->next;
        free(r->m);
        free(r);
    }
}

/* Closing is deferred to the end of the epoll batch, so pointers held by
 * other events in the batch, or by a room broadcast loop, stay valid. */
static void kill_conn(struct conn *c)
{
    if (c->dead) return;
    c->dead = 1;
    c->next_dead = dead_list;
    dead_list = c;
}

static void reap(void)
{
    while (dead_list) {
        struct conn *c = dead_list;
        dead_list = c->next_dead;
        room_leave(c);
        close(c->fd);
        free(c->in);
        free(c->out);
        free(c);
    }
}

static void watch(struct conn *c)
{
    uint32_t want = EPOLLIN | (c->out_len > c->out_off ? EPOLLOUT : 0);
    if (want == c->events) return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->events = want;
    else kill_conn(c);
}

/* Once a closing connection has flushed, half-close it and wait for the
 * client's FIN (reads are discarded), so no RST eats our last bytes. */
static void maybe_shutdown(struct conn *c)
{
    if (c->state == ST_CLOSING && c->out_len == c->out_off)
        shutdown(c->fd, SHUT_WR);
}

/* One delivery = at most one send(). Whatever the kernel does not take now
 * (or everything, if older output is still waiting) goes to the buffer. */
static void send_bytes(struct conn *c, const void *buf, size_t len)
{
    size_t done = 0;
    if (c->dead) return;
    if (c->out_len == c->out_off) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            kill_conn(c);
            return;
        }
        if (n > 0) done = (size_t)n;
        if (done == len) return;
    }
    size_t pending = c->out_len - c->out_off, rest = len - done;
    if (pending + rest > OUT_LIMIT) {
        fprintf(stderr, "relay: fd %d output over 4 MiB, dropping it\n", c->fd);
        kill_conn(c);
        return;
    }
    if (c->out_off && c->out_len + rest > c->out_cap) {   /* compact first */
        memmove(c->out, c->out + c->out_off, pending);
        c->out_off = 0;
        c->out_len = pending;
    }
    if (c->out_len + rest > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 16384;
        while (cap < c->out_len + rest) cap *= 2;
        unsigned char *p = realloc(c->out, cap);
        if (!p) { kill_conn(c); return; }
        c->out = p; c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, (const unsigned char *)buf + done, rest);
    c->out_len += rest;
    watch(c);
}

static void on_writable(struct conn *c)
{
    size_t pending = c->out_len - c->out_off;
    ssize_t n = send(c->fd, c->out + c->out_off, pending, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) kill_conn(c);
        return;
    }
    c->out_off += (size_t)n;
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        if (c->out_cap > 65536) {          /* a burst is over: give memory back */
            free(c->out);
            c->out = NULL;
            c->out_cap = 0;
        }
        watch(c);
        maybe_shutdown(c);
    }
}

/* Server frames: unmasked, FIN, minimal length encoding. Returns header size. */
static size_t frame_header(unsigned char *h, int opcode, size_t len)
{
    h[0] = (unsigned char)(0x80 | opcode);
    if (len < 126) { h[1] = (unsigned char)len; return 2; }
    if (len <= 0xFFFF) {
        h[1] = 126; h[2] = (unsigned char)(len >> 8); h[3] = (unsigned char)len;
        return 4;
    }
    h[1] = 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

static void send_control(struct conn *c, int opcode, const void *payload, size_t len)
{
    unsigned char f[2 + 125];
    size_t h = frame_header(f, opcode, len);
    memcpy(f + h, payload, len);
    send_bytes(c, f, h + len);
}

static void close_with(struct conn *c, unsigned code)
{
    unsigned char p[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    send_control(c, 0x8, p, code ? 2 : 0);
    c->state = ST_CLOSING;
    maybe_shutdown(c);
}

static void relay(struct conn *from, unsigned char *payload, size_t len)
{
    if (len == 0 || (payload[0] != 0x01 && payload[0] != 0x02)) return;
    int include_self = payload[0] == 0x02;
    /* The client header (>= 6 bytes with its mask) sits right before the
     * payload and is always at least as long as our unmasked header, so the
     * outgoing frame is built in place, without copying the payload. */
    unsigned char h[10];
    size_t hl = frame_header(h, 0x2, len);
    unsigned char *frame = payload - hl;
    memcpy(frame, h, hl);
    struct room *r = from->room;
    for (size_t i = 0; i < r->n; i++) {
        struct conn *m = r->m[i];
        if ((m != from || include_self) && m->state == ST_OPEN)
            send_bytes(m, frame, hl + len);
    }
}

/* Parses as many complete frames as the input holds; keeps the remainder. */
static void on_frames(struct conn *c)
{
    size_t pos = 0;
    while (c->state == ST_OPEN && !c->dead) {
        unsigned char *p = c->in + pos;
        size_t avail = c->in_len - pos, hl = 2;
        if (avail < 2) break;
        int fin = p[0] & 0x80, op = p[0] & 0x0F;
        uint64_t len = p[1] & 0x7F;
        if ((p[0] & 0x70) || !(p[1] & 0x80)) { close_with(c, 1002); break; }
        if (len == 126) {
            if (avail < 4) break;
            len = (uint64_t)p[2] << 8 | p[3];
            hl = 4;
        } else if (len == 127) {
            if (avail < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i];
            hl = 10;
        }
        /* Refuse what we will not handle before waiting for its payload. */
        if (op >= 0x8) {
            if (!fin || len > 125 || op > 0xA) { close_with(c, 1002); break; }
        } else if (op == 0x1 || op == 0x0 || !fin) {
            close_with(c, 1003); break;      /* text, or fragmented */
        } else if (op != 0x2) {
            close_with(c, 1002); break;
        } else if (len > MAX_MSG) {
            close_with(c, 1009); break;
        }
        if (avail < hl + 4 + len) break;
        unsigned char *mask = p + hl, *data = p + hl + 4;
        for (size_t i = 0; i < len; i++) data[i] ^= mask[i & 3];
        pos += hl + 4 + len;
        switch (op) {
        case 0x2: relay(c, data, (size_t)len); break;
        case 0x9: send_control(c, 0xA, data, (size_t)len); break;   /* ping */
        case 0x8: /* echo the status code, if any, and finish */
            close_with(c, len >= 2 ? (unsigned)data[0] << 8 | data[1] : 0);
            break;
        default: break;                                             /* pong */
        }
    }
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
}

static void http_reply(struct conn *c, const char *status)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    send_bytes(c, buf, (size_t)n);
    c->state = ST_CLOSING;
    maybe_shutdown(c);
}

/* Finds the "room" parameter of the query and checks it; 0 if bad/missing. */
static int parse_room(const char *q, size_t qlen, char id[65])
{
    while (qlen) {
        const char *amp = memchr(q, '&', qlen);
        size_t plen = amp ? (size_t)(amp - q) : qlen;
        if (plen >= 5 && memcmp(q, "room=", 5) == 0) {
            size_t n = plen - 5;
            if (n < 1 || n > 64) return 0;
            for (size_t i = 0; i < n; i++) {
                char ch = q[5 + i];
                if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
                    return 0;
            }
            memcpy(id, q + 5, n);
            id[n] = 0;
            return 1;
        }
        if (!amp) break;
        qlen -= plen + 1;
        q = amp + 1;
    }
    return 0;
}

/* Handles the upgrade request once its header block is complete. */
static void on_http(struct conn *c)
{
    unsigned char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) {
        if (c->in_len > MAX_HTTP) http_reply(c, "400 Bad Request");
        return;
    }
    size_t hlen = (size_t)(end - c->in) + 4;
    char req[MAX_HTTP + 8];
    if (hlen > MAX_HTTP) { http_reply(c, "400 Bad Request"); return; }
    memcpy(req, c->in, hlen);
    req[hlen] = 0;

    /* Request line: GET <path>[?query] HTTP/1.1 */
    char *line_end = strstr(req, "\r\n"), *sp1 = strchr(req, ' ');
    char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
    if (!sp1 || sp1 > line_end || !sp2 || strncmp(req, "GET ", 4) != 0) {
        http_reply(c, "400 Bad Request");
        return;
    }
    char *target = sp1 + 1, *qm = memchr(target, '?', (size_t)(sp2 - target));
    size_t plen = (size_t)((qm ? qm : sp2) - target);
    char id[65];
    if (plen != 3 || memcmp(target, "/ws", 3) != 0 || !qm ||
        !parse_room(qm + 1, (size_t)(sp2 - qm - 1), id)) {
        http_reply(c, "404 Not Found");
        return;
    }

    /* Headers: we need a key and "Upgrade: websocket"; the rest is ignored. */
    const char *key = NULL;
    size_t klen = 0;
    int upgrade = 0;
    for (char *l = line_end + 2; *l && strncmp(l, "\r\n", 2) != 0;) {
        char *e = strstr(l, "\r\n"), *colon = memchr(l, ':', (size_t)(e - l));
        if (colon) {
            char *v = colon + 1, *ve = e;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            size_t nlen = (size_t)(colon - l);
            if (nlen == 17 && strncasecmp(l, "Sec-WebSocket-Key", 17) == 0) {
                key = v; klen = (size_t)(ve - v);
            } else if (nlen == 7 && strncasecmp(l, "Upgrade", 7) == 0) {
                *ve = 0;
                upgrade = strcasestr(v, "websocket") != NULL;
            }
        }
        l = e + 2;
    }
    if (!key || klen == 0 || klen > 128 || !upgrade) {
        http_reply(c, "400 Bad Request");
        return;
    }
    if (room_join(c, id) != 0) { kill_conn(c); return; }

    char acc[29], resp[160];
    ws_accept(key, klen, acc);
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    send_bytes(c, resp, (size_t)n);
    c->state = ST_OPEN;
    /* Anything after the request already belongs to the frame stream. */
    memmove(c->in, c->in + hlen, c->in_len - hlen);
    c->in_len -= hlen;
    on_frames(c);
}

static void on_readable(struct conn *c)
{
    if (c->state == ST_CLOSING) {          /* only waiting for the client's FIN */
        ssize_t n = read(c->fd, scratch, sizeof scratch);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) kill_conn(c);
        return;
    }
    if (c->in_cap - c->in_len < 4096 && c->in_cap < IN_CAP_MAX) {
        size_t cap = c->in_cap ? c->in_cap * 2 : 4096;
        if (cap > IN_CAP_MAX) cap = IN_CAP_MAX;
        unsigned char *p = realloc(c->in, cap);
        if (!p) { kill_conn(c); return; }
        c->in = p; c->in_cap = cap;
    }
    ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (n == 0) { kill_conn(c); return; }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) kill_conn(c);
        return;
    }
    c->in_len += (size_t)n;
    if (c->state == ST_HTTP) on_http(c);
    else on_frames(c);
    if (c->in_len == 0 && c->in_cap > 16384) {   /* big message gone: shrink */
        free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    }
}

/* ------------------------------------------------------------------- main */

static int listen_fd, spare_fd = -1;
static char listen_tag, signal_tag;      /* epoll data for the non-conn fds */

static void on_accept(void)
{
    for (int i = 0; i < 64; i++) {        /* bounded: keep serving the others */
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of fds: accept-and-close with a reserved fd, otherwise
                 * level-triggered epoll would spin on the pending connection. */
                if (spare_fd >= 0) close(spare_fd);
                int drop = accept(listen_fd, NULL, NULL);
                if (drop >= 0) close(drop);
                spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                fprintf(stderr, "relay: out of file descriptors\n");
            }
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (!c || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->events = EPOLLIN;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: relay [--port N] [--bind ADDR] | --self-test\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *port = "0", *bind_addr = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--self-test") == 0) return self_test();
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = argv[++i];
        else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) bind_addr = argv[++i];
        else usage();
    }

    /* 10,000+ sockets need more than the usual soft limit of 1024. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai;
    int rc = getaddrinfo(bind_addr, port, &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "relay: bad --bind/--port: %s\n", gai_strerror(rc));
        return 2;
    }
    listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listen_fd < 0 || bind(listen_fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
        listen(listen_fd, 4096) != 0) {
        perror("relay: listen");
        return 1;
    }
    freeaddrinfo(ai);

    struct sockaddr_storage sa;
    socklen_t salen = sizeof sa;
    getsockname(listen_fd, (struct sockaddr *)&sa, &salen);
    unsigned actual = ntohs(sa.ss_family == AF_INET6
                                ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                : ((struct sockaddr_in *)&sa)->sin_port);

    /* SIGTERM/SIGINT arrive as an fd in the same epoll set: no races with
     * a flag checked around epoll_wait. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    int sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);

    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = &listen_tag};
    struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &signal_tag};
    if (sig_fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &lev) != 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, sig_fd, &sev) != 0) {
        perror("relay: epoll");
        return 1;
    }
    spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    printf("listening on %u\n", actual);
    fflush(stdout);

    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("relay: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            if (tag == &signal_tag) return 0;   /* the OS closes the sockets */
            if (tag == &listen_tag) { on_accept(); continue; }
            struct conn *c = tag;
            if (!c->dead && (evs[i].events & EPOLLOUT)) on_writable(c);
            if (!c->dead && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                on_readable(c);
        }
        reap();
    }
}
