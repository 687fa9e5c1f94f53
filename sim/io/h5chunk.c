/* h5chunk.c - see h5chunk.h: a streamed chunk's stored bytes, which HDF5's filter
 * pipeline reads as if it had written them. tests/test_h5chunk.c checks them against
 * HDF5's own: the same images inside, the same values read. */
#include "h5chunk.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

void h5chunk_fill(unsigned char *image, size_t n, size_t elem, const void *value)
{
    const unsigned char *v = value;
    for (size_t b = 0; b < elem; b++)
        memset(image + b * n, v[b], n);
}

void h5chunk_shuffle_into(unsigned char *image, size_t n, size_t elem, size_t first,
                          const void *src, size_t count)
{
    assert(first + count <= n);
    const unsigned char *s = src;
    for (size_t b = 0; b < elem; b++) {
        unsigned char *plane = image + b * n + first;
        for (size_t i = 0; i < count; i++)
            plane[i] = s[i * elem + b];
    }
}

/* HDF5's Fletcher-32 (H5_checksum_fletcher32 in H5checksum.c, used by the fletcher32
 * filter H5Zfletcher32.c), written out because HDF5 does not export it. The data are
 * read as 16-bit words with the FIRST byte as the high half (whatever the CPU's byte
 * order); both sums are folded to 16 bits every 360 words (the most that cannot overflow
 * 32 bits) and once more at the end; an odd last byte counts as a word with a zero low
 * half. The result is sum2 << 16 | sum1; the filter appends it little-endian. */
static uint32_t fletcher32(const unsigned char *data, size_t nbytes)
{
    uint32_t sum1 = 0, sum2 = 0;
    size_t words = nbytes / 2;
    while (words) {
        size_t run = words > 360 ? 360 : words;
        words -= run;
        do {
            sum1 += (uint32_t)data[0] << 8 | data[1];
            data += 2;
            sum2 += sum1;
        } while (--run);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if (nbytes % 2) {
        sum1 += (uint32_t)data[0] << 8;
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return sum2 << 16 | sum1;
}

size_t h5chunk_bound(size_t nbytes)
{
    return (size_t)compressBound((uLong)nbytes) + 4;
}

size_t h5chunk_encode(const unsigned char *image, size_t nbytes, int level,
                      unsigned char *out, size_t cap)
{
    assert(cap >= h5chunk_bound(nbytes));
    /* A zlib stream (the format HDF5's deflate filter inflates, H5Zdeflate.c) made with
     * the run-length strategy: matches only with the byte before. Why: a shuffled
     * chunk of doubles is byte planes, where the sign-and-exponent planes run long and
     * the low mantissa planes are noise, so the longer matches compress2 searches for
     * barely exist: on the default scenario's raw draws Z_RLE stores 1.4 % more bytes
     * at 2.7 times compress2's speed (level 2: ratio 1.722 against 1.746; 251 against
     * 93 MB/s on one core), and deflating was most of a --raw-draws run's time. The
     * bound is compressBound's, as for compress2 (zlib documents it for every
     * strategy). */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK)
        return 0;
    zs.next_in = (Bytef *)(uintptr_t)image;   /* zlib's API is not const-correct */
    zs.avail_in = (uInt)nbytes;
    zs.next_out = out;
    zs.avail_out = (uInt)(cap - 4);
    int rc = deflate(&zs, Z_FINISH);
    size_t len = (size_t)zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return 0;
    uint32_t sum = fletcher32(out, len);
    for (int k = 0; k < 4; k++)
        out[len + (size_t)k] = (unsigned char)(sum >> (8 * k));
    return len + 4;
}
