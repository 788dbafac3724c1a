/*
 * make_seeds.c - writes the seed corpus of fuzz_rpmsg_rx (see its input format). Not part
 * of the build; run by hand after changing the format:
 *   clang -std=c11 -I include -I build/include -I src -I fuzz $(find src -mindepth 2 -name '*.c') \
 *         fuzz/rpmsg_rx/make_seeds.c -o /tmp/make_seeds
 *   /tmp/make_seeds fuzz/rpmsg_rx/seeds
 * It includes the fuzz target to set up the very state every input starts from, and reads
 * ring positions from it, so each seed hits the field it names.
 *
 * Seeds: the failures other RPMsg stacks had (a descriptor id used unchecked as an index,
 * a peer's length passed on unclamped, a 16-bit index jump), broken resource tables,
 * valid exchanges (driven by ops, and as a snapshot of the shared memory after one), and
 * honest peers whose large messages run out of buffers part-way.
 *
 * The snapshot seed copies the bytes an exchange changed over the fresh state, but not the
 * senders' private indices: both sides take the messages, then find that the rings now
 * disagree with what they themselves did, and must go down with DUET_ERR_CORRUPT (they do).
 */
#include "fuzz_rpmsg_rx.c"

typedef struct seed {
    uint8_t b[65536];
    size_t n;
} seed;

static const char *dir;

static void put8(seed *s, uint8_t v) { s->b[s->n++] = v; }
static void put16(seed *s, uint16_t v) { put8(s, (uint8_t)v); put8(s, (uint8_t)(v >> 8)); }
static void put32(seed *s, uint32_t v) { put16(s, (uint16_t)v); put16(s, (uint16_t)(v >> 16)); }

/* A small patch at an absolute offset of the region (base 0 = the table covers all). */
static void small_patch(seed *s, uint32_t off, const void *v, size_t n)
{
    /* base 0 is offset 0; offsets fit u16. */
    put8(s, (uint8_t)(0x00 | (n - 1)));
    put16(s, (uint16_t)off);
    for (size_t i = 0; i < n; i++)
        put8(s, ((const uint8_t *)v)[i]);
}

static void patch32(seed *s, uint32_t off, uint32_t v) { small_patch(s, off, &v, 4); }
static void patch16(seed *s, uint32_t off, uint16_t v) { small_patch(s, off, &v, 2); }

static void save(const seed *s, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(fwrite(s->b, 1, s->n, f) == s->n);
    fclose(f);
    /* Every seed must run clean. */
    CHECK(LLVMFuzzerTestOneInput(s->b, s->n) == 0);
    printf("%-28s %5zu bytes  host: %s | remote: %s\n", name, s->n, duet_rpmsg_error_text(&H.dev), duet_rpmsg_error_text(&R.dev));
}

static uint16_t rd16(uint32_t off) { uint16_t v; memcpy(&v, shm + off, 2); return v; }
static uint32_t rd32(uint32_t off) { uint32_t v; memcpy(&v, shm + off, 4); return v; }

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    dir = argv[1];
    seed *s = calloc(1, sizeof *s);
    CHECK(s);
    uint8_t one = 0;
    (void)LLVMFuzzerTestOneInput(&one, 1); /* fills the payload */

    /* Where things are after setup + exchange (flags bit 2). */
    CHECK(setup_pair());
    static uint8_t fresh[SHM_SIZE];
    memcpy(fresh, shm, sizeof fresh);
    exchange();
    uint16_t used0 = rd16(0x18a2);           /* vring0 used idx: remote's messages */
    uint16_t first_slot0 = (uint16_t)(R.dev.tx.shadow - 4); /* the exchange sent 1 + 3 fragments */
    (void)first_slot0;
    uint16_t slot0 = (uint16_t)((used0 - 4) & 63); /* first message of the exchange on vring0 */
    uint32_t id0 = rd32(0x18a4 + 8u * slot0);
    uint32_t hbuf0 = POOL_OFF + 512u * id0;  /* its buffer (host rx) */
    uint16_t avail1 = rd16(0x0802);          /* vring1 avail idx: host's messages */
    uint16_t slot1 = (uint16_t)((avail1 - 2) & 63);
    uint16_t id1 = rd16(0x0804 + 2u * slot1);
    uint32_t rdesc1 = 0x0400 + 16u * id1;    /* its descriptor */
    uint32_t rbuf1 = rd32(rdesc1) - SHM_DA;  /* its buffer (host tx) */
    static uint8_t snap[SHM_SIZE];
    memcpy(snap, shm, sizeof snap);

    /* 1. A valid exchange driven by ops. */
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0x60);
    put8(s, 0x61);
    put8(s, 0x80); put16(s, 10);    /* host raw, 10 bytes */
    put8(s, 0x83); put16(s, 1000);  /* remote rpc, 1000 bytes (fragmented) */
    put8(s, 0x82); put16(s, 2000);  /* host rpc, 2000 bytes (fragmented) */
    put8(s, 0x61);
    put8(s, 0x60);
    save(s, "valid_exchange.bin");

    /* 2. The same exchange as a snapshot: the bytes it changed, copied over the fresh state. */
    s->n = 0;
    put8(s, 0x00);
    for (uint32_t off = 0; off < SHM_SIZE; off += 255) {
        uint32_t n = SHM_SIZE - off < 255 ? SHM_SIZE - off : 255;
        if (memcmp(snap + off, fresh + off, n) == 0)
            continue;
        put8(s, 0x40);
        put16(s, (uint16_t)off);
        put8(s, (uint8_t)n);
        memcpy(s->b + s->n, snap + off, n);
        s->n += n;
    }
    put8(s, 0x60);
    put8(s, 0x61);
    put8(s, 0x60);
    save(s, "valid_snapshot.bin");

    /* 3. Descriptor id used as an index unchecked: id 0xffff in the used ring (host rx),
     *    and in the used ring the host reclaims its send buffers from. */
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0xe1); put8(s, (uint8_t)slot0); put32(s, 0xffff);
    put8(s, 0x60);
    save(s, "used_id_ffff.bin");
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0x61); /* the remote takes the host's messages and returns the buffers */
    put8(s, 0xe3); put8(s, (uint8_t)(rd16(0x08a2) & 63)); put32(s, 0xffff);
    put8(s, 0xc3); put16(s, (uint16_t)(rd16(0x08a2) + 3));
    put8(s, 0x60);
    save(s, "used_id_ffff_tx.bin");
    /* ... and in the avail ring the remote reads. */
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0xe2); put8(s, (uint8_t)slot1); put32(s, 0xffff);
    put8(s, 0x61);
    save(s, "avail_id_ffff.bin");

    /* 4. A peer's length passed on unclamped: RPMsg header len 0xffff, both directions;
     *    the used length and the descriptor length too. */
    s->n = 0;
    put8(s, 0x04);
    patch16(s, hbuf0 + 12, 0xffff);
    put8(s, 0x60);
    save(s, "header_len_ffff_host.bin");
    s->n = 0;
    put8(s, 0x04);
    patch16(s, rbuf1 + 12, 0xffff);
    put8(s, 0x61);
    save(s, "header_len_ffff_remote.bin");
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0xe5); put8(s, (uint8_t)slot0); put32(s, 0xffffffffu); /* used len */
    put8(s, 0x60);
    save(s, "used_len_huge.bin");
    s->n = 0;
    put8(s, 0x04);
    patch32(s, rdesc1 + 8, 0xffffffffu); /* descriptor len */
    put8(s, 0x61);
    save(s, "desc_len_huge.bin");
    s->n = 0;
    put8(s, 0x04);
    patch32(s, rdesc1, 0x38000000u); /* descriptor address: the resource table */
    put8(s, 0x61);
    save(s, "desc_addr_table.bin");
    s->n = 0;
    put8(s, 0x04);
    patch32(s, rdesc1 + 4, 1); /* descriptor address above 4 GiB */
    put8(s, 0x61);
    save(s, "desc_addr_high.bin");

    /* 5. 16-bit index overflow: avail idx jumps by 0x8000 (remote's receive and send rings),
     *    used idx too (host). */
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0xc2); put16(s, (uint16_t)(avail1 + 0x8000));
    put8(s, 0x61);
    save(s, "avail_idx_jump_rx.bin");
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0xc0); put16(s, (uint16_t)(rd16(0x1802) + 0x8000));
    put8(s, 0x81); put16(s, 20); /* remote sends: takes a buffer from that ring */
    save(s, "avail_idx_jump_tx.bin");
    s->n = 0;
    put8(s, 0x04);
    put8(s, 0xc1); put16(s, (uint16_t)(used0 + 0x8000));
    put8(s, 0x60);
    save(s, "used_idx_jump.bin");

    /* 6. Held messages and fragments (refusing endpoints), then a name-service message
     *    without a NUL. */
    s->n = 0;
    put8(s, 0x04 | 0x08 | 0x10);
    put8(s, 0x60);
    put8(s, 0x61);
    put8(s, 0xa3);
    put8(s, 0x60);
    put8(s, 0x61);
    save(s, "held_then_taken.bin");
    s->n = 0;
    put8(s, 0x04);
    patch32(s, hbuf0 + 4, 0x35);
    {
        uint8_t name[8];
        memset(name, 'A', sizeof name);
        for (uint32_t k = 0; k < 32; k += 8)
            small_patch(s, hbuf0 + 16 + k, name, 8);
    }
    patch16(s, hbuf0 + 12, 40);
    put8(s, 0x60);
    save(s, "ns_no_nul.bin");

    /* A name-service "destroy", then messages to and from the endpoint it named. */
    s->n = 0;
    put8(s, 0x04);
    patch32(s, hbuf0 + 4, 0x35);
    {
        uint8_t ns[40] = {'r', 'a', 'w'};
        uint32_t addr = 1024, fl = 1;
        memcpy(ns + 32, &addr, 4);
        memcpy(ns + 36, &fl, 4);
        for (uint32_t k = 0; k < 40; k += 8)
            small_patch(s, hbuf0 + 16 + k, ns + k, 8);
    }
    patch16(s, hbuf0 + 12, 40);
    put8(s, 0x60);
    put8(s, 0x80); put16(s, 5);
    put8(s, 0x81); put16(s, 5);
    put8(s, 0x60);
    save(s, "ns_destroy.bin");

    /* 7. Resource tables the remote must refuse (mode 2: it starts after the patches). */
    struct { const char *name; uint32_t off; uint32_t v; } tables[] = {
        {"table_version2.bin", 0, 2},
        {"table_num_huge.bin", 4, 0xffffffffu},
        {"table_offset_out.bin", 16, 0x3fc},
        {"table_vdev_id.bin", 24, 5},
        {"table_vring0_outside.bin", 48, 0x38010000u},
        {"table_vring1_misaligned.bin", 68, 0x38000404u},
        {"table_vring_num_128.bin", 56, 128},
        {"table_vrings_overlap.bin", 68, 0x38001400u},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        s->n = 0;
        put8(s, 0x02);
        patch32(s, tables[i].off, tables[i].v);
        if (tables[i].off == 56)
            patch32(s, 76, tables[i].v);
        save(s, tables[i].name);
    }
    s->n = 0;
    put8(s, 0x02);
    save(s, "table_valid.bin");
    s->n = 0;
    put8(s, 0x03 | 0x04);
    patch32(s, 0, 7);
    put8(s, 0x60);
    save(s, "table_changed_later.bin");

    /* 7. Honest peers (bit 7, the model of what arrives): the remote refuses while the host
     *    sends 2999-byte messages (7 fragments) with a short timeout, until one finds no
     *    buffer part-way; then the remote takes again. Its 4 fragments out must not be
     *    glued to the next message (they were: a 3184-byte message of 1984 + 1200). */
    s->n = 0;
    put8(s, 0x80 | 0x10 | 0x01);
    for (int i = 0; i < 12; i++) {
        put8(s, 0x82);
        put16(s, 2999);
    }
    put8(s, 0xa2);
    put8(s, 0x61);
    put8(s, 0x61);
    put8(s, 0x60);
    save(s, "honest_cut_fragments.bin");
    /* The same from the remote, the host refusing, with a small message after the cut one. */
    s->n = 0;
    put8(s, 0x80 | 0x08 | 0x01);
    for (int i = 0; i < 12; i++) {
        put8(s, 0x83);
        put16(s, 2999);
    }
    put8(s, 0xa1);
    put8(s, 0x60);
    put8(s, 0x83);
    put16(s, 20);
    put8(s, 0x60);
    save(s, "honest_cut_fragments_remote.bin");
    /* Reads (link.read) of the messages in flight, in part: the rest is delivered. */
    s->n = 0;
    put8(s, 0x80 | 0x04);
    put8(s, 0xa4); put8(s, 5);     /* host, raw: "remot" */
    put8(s, 0xa4); put8(s, 3);     /* "e s" */
    put8(s, 0x60);                 /* the rest, "ays hi", delivered; the 1000 bytes too */
    put8(s, 0x81); put16(s, 0);    /* the remote: an empty message, then 30 bytes */
    put8(s, 0x81); put16(s, 30);
    put8(s, 0xa4); put8(s, 200);   /* host reads both */
    put8(s, 0xa5); put8(s, 7);     /* remote, raw: "host sa" */
    put8(s, 0xa7); put8(s, 100);   /* remote, rpc: 100 of the 300 bytes */
    put8(s, 0x61);
    save(s, "honest_reads.bin");
    /* A stream's runs (link.send_split) each way, short of buffers: 1-byte pieces past the
     *    host's 46 send buffers, 57-byte ones, 700-byte ones with a head (over one buffer: the
     *    head goes alone, the rest fragmented on rpc), read and delivered. */
    s->n = 0;
    put8(s, 0x80 | 0x01);
    put8(s, 0x84); put16(s, 100);  /* host, raw: 100 messages of 1 byte */
    put8(s, 0x8d); put16(s, 590);  /* remote, raw: 57-byte pieces */
    put8(s, 0xa4); put8(s, 60);    /* host reads 60 bytes of them */
    put8(s, 0x9e); put16(s, 2000); /* host, rpc: 700-byte pieces, head 3 */
    put8(s, 0x96); put16(s, 1500); /* host, rpc: 496-byte pieces, head 3 */
    put8(s, 0x61);
    put8(s, 0x60);
    save(s, "honest_send_split.bin");
    free(s);
    return 0;
}
