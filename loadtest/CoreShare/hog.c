/* A neighbour for loadtest/core-share.sh: keeps one CPU busy without touching Ingest.
 * "alu": a multiply loop in registers. "mem": random reads and writes over 256 MiB (caches and memory bus). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "mem") != 0) {
        volatile uint64_t x = 1;
        for (;;) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    size_t words = ((size_t)256 << 20) / 8;
    uint64_t *a = malloc(words * 8), s = 0, r = 88172645463325252ULL;
    if (!a) return 1;
    for (size_t i = 0; i < words; i++) a[i] = i;
    for (;;) {
        r ^= r << 13; r ^= r >> 7; r ^= r << 17;
        s += a[r % words];
        a[(r >> 3) % words] = s;
    }
}
