// The command line's memory allocator: jemalloc (linked in place of glibc's malloc, for the whole
// process, GDAL, SQLite and GEOS included), with its memory in transparent huge pages.
//
// Why: at national scale (15 million reports, 7 million cells) a fifth of the run's CPU time went
// to the kernel filling fresh 4 KiB pages, one fault each, for the arrays every step allocates.
// In 2 MiB pages the run took 53 s instead of 78 s (two runs each), with the same peak memory; glibc's
// own switch for this (the tunable glibc.malloc.hugetlb) can only be set from the environment
// before the process starts, jemalloc's from the program itself. Huge pages are used only where
// the system allows them on request (/sys/kernel/mm/transparent_hugepage/enabled "madvise" or
// "always"); with "never" this changes nothing. MALLOC_CONF in the environment still overrides it.
extern "C" {
// jemalloc reads this at start-up (see jemalloc(3), "TUNING").
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
