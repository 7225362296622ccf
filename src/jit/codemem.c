/* Executable memory for translated code, never writable and executable in one mapping: one
 * memfd mapped twice, read-write for the translator and read-execute for running, so a
 * sandbox may later refuse PROT_WRITE|PROT_EXEC outright. */
#define _GNU_SOURCE
#include "jit_priv.h"

#include <sys/mman.h>
#include <unistd.h>

int codemem_init(struct codemem *c, uint64_t size)
{
    memset(c, 0, sizeof(*c));
    int fd = memfd_create("visor-jit", MFD_CLOEXEC);
    if (fd < 0)
        return -ERR_IO;
    if (ftruncate(fd, (off_t)size)) {
        close(fd);
        return -ERR_NOMEM;
    }
    void *w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *x = w == MAP_FAILED ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (x == MAP_FAILED) {
        if (w != MAP_FAILED)
            munmap(w, size);
        return -ERR_NOMEM;
    }
    c->write = w;
    c->exec = x;
    c->size = size;
    c->to_exec = (intptr_t)c->exec - (intptr_t)c->write;
    return 0;
}

void codemem_free(struct codemem *c)
{
    if (c->write) {
        munmap(c->write, c->size);
        munmap(c->exec, c->size);
    }
    memset(c, 0, sizeof(*c));
}
