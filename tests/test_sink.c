/* Tests of formats/sink: bytes reach the file in order, the byte count and SHA-256 after
 * close describe the file on disk, compressed output decompresses to what was written,
 * and an existing file is never overwritten. */
#include <errno.h>
#include <zstd.h>

#include "../formats/sink.h"
#include "testutil.h"

TestSuite(sink, .init = tu_dir_new, .fini = tu_dir_remove);

#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *make_text(size_t n)
{
    char *p = malloc(n + 1);
    cr_assert_not_null(p);
    uint64_t st = 777;
    for (size_t i = 0; i < n; i++)
        p[i] = i % 73 == 72 ? '\n' : (char)('0' + tu_below(&st, 40));
    p[n] = '\0';
    return p;
}

static fmt_sink *open_sink(const char *path, int compress)
{
    fmt_sink *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_sink_open(path, compress, &s, &err), ENG_OK, "%s", err.msg);
    cr_assert_not_null(s);
    return s;
}

static void write_ok(fmt_sink *s, const void *p, size_t len)
{
    eng_err err = {0};
    cr_assert_eq(fmt_sink_write(s, p, len, &err), ENG_OK, "%s", err.msg);
}

static void close_ok(fmt_sink *s)
{
    eng_err err = {0};
    cr_assert_eq(fmt_sink_close(s, &err), ENG_OK, "%s", err.msg);
}

/* The file's bytes must be what the sink says it wrote. */
static void assert_digest_matches_file(const fmt_sink *s, const char *path)
{
    size_t len;
    char *disk = tu_read(path, &len);
    char want[65];
    tu_sha256_hex(disk, len, want);
    cr_assert_eq(fmt_sink_bytes(s), len, "sink counted %llu bytes, file has %zu",
                 (unsigned long long)fmt_sink_bytes(s), len);
    cr_assert_str_eq(fmt_sink_sha256(s), want);
    free(disk);
}

Test(sink, plain_abc_has_known_bytes_and_sha256)
{
    char path[512];
    tu_path(path, sizeof path, "abc.txt");
    fmt_sink *s = open_sink(path, 0);
    write_ok(s, "abc", 3);
    close_ok(s);
    cr_assert_eq(fmt_sink_bytes(s), 3);
    cr_assert_str_eq(fmt_sink_sha256(s), SHA256_ABC);
    size_t len;
    char *disk = tu_read(path, &len);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(disk, "abc", 3), 0);
    free(disk);
    fmt_sink_free(s);
}

Test(sink, plain_empty_file_has_empty_sha256)
{
    char path[512];
    tu_path(path, sizeof path, "empty.txt");
    fmt_sink *s = open_sink(path, 0);
    close_ok(s);
    cr_assert_eq(fmt_sink_bytes(s), 0);
    cr_assert_str_eq(fmt_sink_sha256(s), SHA256_EMPTY);
    size_t len;
    free(tu_read(path, &len));
    cr_assert_eq(len, 0);
    fmt_sink_free(s);
}

Test(sink, plain_writes_arrive_in_order_across_buffer_sizes)
{
    /* Small writes, one that crosses the 1 MiB buffer, and one bigger than it. */
    char path[512];
    tu_path(path, sizeof path, "out.csv");
    size_t total = 5u << 20;
    char *text = make_text(total);
    size_t sizes[] = {1, 10, 1000, (1u << 20) - 11, 7, (1u << 20), (2u << 20) + 5, 3};
    fmt_sink *s = open_sink(path, 0);
    size_t off = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cr_assert_leq(off + sizes[i], total);
        write_ok(s, text + off, sizes[i]);
        off += sizes[i];
    }
    close_ok(s);
    size_t len;
    char *disk = tu_read(path, &len);
    cr_assert_eq(len, off);
    cr_assert_eq(memcmp(disk, text, off), 0);
    free(disk);
    assert_digest_matches_file(s, path);
    fmt_sink_free(s);
    free(text);
}

/* Decompress the file at path with ZSTD_decompress; the frame must hold exactly want. */
static void assert_zstd_file_holds(const char *path, const char *want, size_t want_len)
{
    size_t zlen;
    char *z = tu_read(path, &zlen);
    cr_assert_gt(zlen, 0);
    size_t cap = want_len + 64;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    size_t n = ZSTD_decompress(out, cap, z, zlen);
    cr_assert(!ZSTD_isError(n), "ZSTD_decompress: %s", ZSTD_getErrorName(n));
    cr_assert_eq(n, want_len);
    cr_assert(want_len == 0 || memcmp(out, want, want_len) == 0);
    free(out);
    free(z);
}

Test(sink, compressed_output_round_trips_through_zstd_decompress)
{
    char path[512];
    tu_path(path, sizeof path, "out.csv.zst");
    const char *rows = "slip_no,qty\nOUT-20261127-000001,2\nOUT-20261127-000002,1\n";
    fmt_sink *s = open_sink(path, 1);
    write_ok(s, rows, 12);
    write_ok(s, rows + 12, strlen(rows) - 12);
    close_ok(s);
    assert_zstd_file_holds(path, rows, strlen(rows));
    assert_digest_matches_file(s, path);
    fmt_sink_free(s);
}

Test(sink, compressed_large_output_round_trips)
{
    /* Several MiB, so the compressor fills its 1 MiB output buffer more than once. */
    char path[512];
    tu_path(path, sizeof path, "big.csv.zst");
    size_t total = 6u << 20;
    char *text = make_text(total);
    fmt_sink *s = open_sink(path, 1);
    for (size_t off = 0; off < total; off += 300000)
        write_ok(s, text + off, off + 300000 <= total ? 300000 : total - off);
    close_ok(s);
    assert_zstd_file_holds(path, text, total);
    assert_digest_matches_file(s, path);
    fmt_sink_free(s);
    free(text);
}

Test(sink, compressed_empty_output_is_a_valid_empty_frame)
{
    char path[512];
    tu_path(path, sizeof path, "empty.csv.zst");
    fmt_sink *s = open_sink(path, 1);
    close_ok(s);
    cr_assert_gt(fmt_sink_bytes(s), 0);
    assert_zstd_file_holds(path, "", 0);
    assert_digest_matches_file(s, path);
    fmt_sink_free(s);
}

Test(sink, compressed_output_carries_a_checksum)
{
    char path[512];
    tu_path(path, sizeof path, "ck.csv.zst");
    fmt_sink *s = open_sink(path, 1);
    write_ok(s, "a,b\n", 4);
    close_ok(s);
    size_t zlen;
    char *z = tu_read(path, &zlen);
    /* RFC 8878 3.1.1.1.1: after the 4-byte magic, the frame header descriptor's bit 2 is
     * the Content_Checksum_flag. */
    cr_assert_gt(zlen, 5);
    cr_assert_eq(memcmp(z, "\x28\xB5\x2F\xFD", 4), 0);
    cr_assert_eq((unsigned char)z[4] & 0x04, 0x04, "descriptor 0x%02x has no checksum flag",
                 (unsigned char)z[4]);
    free(z);
    fmt_sink_free(s);
}

Test(sink, open_refuses_existing_path_with_io_error)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "exists.csv"), "keep me\n", 8);
    fmt_sink *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_sink_open(path, 0, &s, &err), ENG_IO);
    cr_assert_eq(err.sys_errno, EEXIST);
    cr_assert_str_eq(err.path, path);
    size_t len;
    char *disk = tu_read(path, &len);
    cr_assert_eq(len, 8);
    cr_assert_eq(memcmp(disk, "keep me\n", 8), 0, "the existing file was changed");
    free(disk);
}

Test(sink, open_refuses_existing_path_when_compressing_too)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "exists.csv.zst"), "x", 1);
    fmt_sink *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_sink_open(path, 1, &s, &err), ENG_IO);
    cr_assert_eq(err.sys_errno, EEXIST);
}

Test(sink, open_in_missing_directory_fails_with_io_error)
{
    char path[512];
    tu_path(path, sizeof path, "no/such/dir.csv");
    fmt_sink *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_sink_open(path, 0, &s, &err), ENG_IO);
    cr_assert_eq(err.sys_errno, ENOENT);
}

Test(sink, free_without_close_leaves_a_file_and_accepts_null)
{
    char path[512];
    tu_path(path, sizeof path, "abandoned.csv");
    fmt_sink *s = open_sink(path, 0);
    write_ok(s, "x", 1);
    fmt_sink_free(s);
    fmt_sink_free(NULL);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
}
