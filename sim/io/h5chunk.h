/*
 * h5chunk.h - the bytes HDF5 stores for one chunk of a streamed dataset (h5out.c's
 * streams: shuffle, then deflate, then Fletcher-32), made outside HDF5 so that the
 * compute threads can make them while one thread writes finished chunks with
 * H5Dwrite_chunk. The file reads exactly as if HDF5's own filter pipeline had written it
 * (the same filters, the same values; the deflated bytes are zlib's run-length strategy,
 * not compress2's, h5chunk.c says why).
 *
 * An "image" is a chunk of n elements of elem bytes in the shuffled order of HDF5's
 * shuffle filter (H5Zshuffle.c): byte b of element i at b * n + i. Streams assemble
 * their chunks directly in that order (h5chunk_fill, h5chunk_shuffle_into), so the
 * shuffle costs nothing beyond the copy the assembly makes anyway. n counts the whole
 * chunk, also the part of an edge chunk outside the dataset (HDF5 shuffles and
 * compresses whole chunks; that part holds the fill value).
 *
 * No allocation except zlib's own inside h5chunk_encode; no I/O; every function is
 * thread-safe on distinct buffers.
 */
#ifndef AGTRADE_H5CHUNK_H
#define AGTRADE_H5CHUNK_H

#include <stddef.h>

/* Every element of the image = value (elem bytes). */
void h5chunk_fill(unsigned char *image, size_t n, size_t elem, const void *value);
/* src's count elements (contiguous, native byte order) as elements first ..
 * first + count - 1 of the image (first + count <= n). */
void h5chunk_shuffle_into(unsigned char *image, size_t n, size_t elem, size_t first,
                          const void *src, size_t count);
/* The most bytes h5chunk_encode can produce from nbytes of image. */
size_t h5chunk_bound(size_t nbytes);
/* The stored chunk of a shuffle + deflate(level) + fletcher32 pipeline for the chunk
 * whose shuffled image is image[0..nbytes): a zlib stream of the image at level (run-
 * length strategy), then the Fletcher-32 checksum of the compressed bytes appended, as
 * HDF5's filter does. out has cap >= h5chunk_bound(nbytes) bytes; nbytes < 4 GiB.
 * Returns the length written; 0 when zlib fails (out of memory). */
size_t h5chunk_encode(const unsigned char *image, size_t nbytes, int level,
                      unsigned char *out, size_t cap);

#endif
