// System libraries rankprobe uses through C: zlib (transparent gzip reading), OpenSSL's libcrypto (SHA-256)
// and the page-release call for memory-mapped inputs.
#ifndef RANKPROBE_SYSTEM_SHIMS_H
#define RANKPROBE_SYSTEM_SHIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Opens a file for reading; gzip-compressed files are decompressed on the fly, others are read as is
/// (zlib's transparent mode). Returns NULL on failure (errno is set).
void *rp_gz_open(const char *path);
/// Reads up to `len` bytes. Returns the count, 0 at end of file, -1 on error (see rp_gz_error).
int64_t rp_gz_read(void *handle, void *buffer, uint32_t len);
/// The last error text for the handle (corrupt gzip stream, truncated file…), or "".
const char *rp_gz_error(void *handle);
/// 1 when the stream is gzip-compressed, 0 when it is read as plain bytes.
int rp_gz_is_compressed(void *handle);
void rp_gz_close(void *handle);

/// SHA-256 of a whole file into `digest` (32 bytes). Returns 0, or -1 if the file cannot be read.
int rp_sha256_file(const char *path, uint8_t digest[32]);
/// SHA-256 of a buffer.
void rp_sha256(const void *data, size_t len, uint8_t digest[32]);

/// Drops mapped pages in [address, address+length) from the resident set (madvise MADV_DONTNEED),
/// after rounding inward to whole pages. Safe on read-only file mappings: the bytes fault back in.
void rp_release_pages(const void *address, size_t length);

#ifdef __cplusplus
}
#endif
#endif
