#ifndef TTSTRACK_CSQLITE_SHIM_H
#define TTSTRACK_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which
/// Swift cannot import; expose it as a typed constant instead.
static inline sqlite3_destructor_type _Nullable ttstrack_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
