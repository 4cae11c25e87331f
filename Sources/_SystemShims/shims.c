#include "_SystemShims.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

void *rp_gz_open(const char *path) {
    gzFile f = gzopen(path, "rb");
    if (f) gzbuffer(f, 1 << 20);
    return (void *)f;
}

int64_t rp_gz_read(void *handle, void *buffer, uint32_t len) {
    int n = gzread((gzFile)handle, buffer, len);
    return (int64_t)n;
}

const char *rp_gz_error(void *handle) {
    int code = 0;
    const char *msg = gzerror((gzFile)handle, &code);
    return code == Z_OK ? "" : msg;
}

int rp_gz_is_compressed(void *handle) { return gzdirect((gzFile)handle) ? 0 : 1; }

void rp_gz_close(void *handle) { gzclose((gzFile)handle); }

int rp_sha256_file(const char *path, uint8_t digest[32]) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    static const size_t chunk = 1 << 20;
    unsigned char *buf = (unsigned char *)malloc(chunk);
    size_t n;
    int status = 0;
    while ((n = fread(buf, 1, chunk, f)) > 0) EVP_DigestUpdate(ctx, buf, n);
    if (ferror(f)) status = -1;
    unsigned int len = 32;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    free(buf);
    fclose(f);
    return status;
}

void rp_sha256(const void *data, size_t len, uint8_t digest[32]) {
    unsigned int out = 32;
    EVP_Digest(data, len, digest, &out, EVP_sha256(), NULL);
}

void rp_release_pages(const void *address, size_t length) {
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)address + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)address + length) & ~((uintptr_t)page - 1);
    if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
}
