/*
 * The C edge of luapool: Lua's headers plus static inline functions that
 * turn Lua's C macros into functions Swift can call. The only code here
 * beyond what a macro did is the trampoline that lets a Swift function
 * raise a Lua error without a longjmp crossing Swift frames, a pool
 * worker's inner loop, which calls Lua functions with no protected call
 * (and so no Swift frame) between them, and the codec's loops over runs of
 * numbers, which read and write a table's array part in place when Lua's
 * layout is the one they know (clua_arrayprobe).
 */
#ifndef CLUA_SHIM_H
#define CLUA_SHIM_H

#include <string.h>
#include <time.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/* ---- constants that are macro expressions ---- */

static inline int clua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int clua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int clua_multret(void) { return LUA_MULTRET; }
static inline const char *clua_copyright(void) { return LUA_COPYRIGHT; }
static inline const char *clua_release(void) { return LUA_RELEASE; }
static inline lua_Integer clua_maxinteger(void) { return LUA_MAXINTEGER; }
static inline lua_Integer clua_mininteger(void) { return LUA_MININTEGER; }

/* ---- lua.h macros ---- */

static inline void clua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void clua_newtable(lua_State *L) { lua_newtable(L); }
static inline void clua_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline void clua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline const char *clua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline lua_Number clua_tonumber(lua_State *L, int i) { return lua_tonumber(L, i); }
static inline lua_Integer clua_tointeger(lua_State *L, int i) { return lua_tointeger(L, i); }
static inline void clua_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void clua_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void clua_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline int clua_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline int clua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline int clua_gc(lua_State *L, int what) { return lua_gc(L, what, 0); }
static inline int clua_gc_generational(lua_State *L) { return lua_gc(L, LUA_GCGEN, 0, 0); }
/* A full collection after which the collector paces itself by what is
   left. In generational mode, Lua 5.4.4's full collection that frees a
   large object leaves the next one waiting until the heap has grown by
   about that object's size again: after a 256 MiB value was collected, a
   worker's later values of a few MiB piled up to hundreds of MiB before
   any was freed. Collecting in incremental mode and going back to
   generational mode (which sets the pace from the heap as it is) does
   not. */
static inline void clua_collect(lua_State *L) {
    int mode = lua_gc(L, LUA_GCINC, 0, 0, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    if (mode == LUA_GCGEN) lua_gc(L, LUA_GCGEN, 0, 0);
}

/* ---- lauxlib.h macros ---- */

static inline int clua_loadbuffer(lua_State *L, const char *buff, size_t size, const char *name) {
    return luaL_loadbuffer(L, buff, size, name);
}
static inline int clua_loadfile(lua_State *L, const char *filename) {
    return luaL_loadfile(L, filename);
}
static inline const char *clua_typename_at(lua_State *L, int i) { return luaL_typename(L, i); }
static inline int clua_getmetatable_named(lua_State *L, const char *name) {
    return luaL_getmetatable(L, name);
}

/* ---- a pool worker's inner loop ---- */

/*
 * Calls f on each of n values and returns f's first results, so that
 * one protected call runs a batch of a chunk's items instead of one each
 * (a lua_pcall, its setjmp and the Swift around it were a seventh of a
 * worker's instructions on small tasks). Called through lua_pcall with the
 * stack
 *     progress (light userdata: an int64), first (integer), f, v1 ... vn
 * it returns the n results. Before each call it stores that item's index
 * (first, first + 1, ...) at progress, where the host reads it if the
 * worker dies and the worker when a call raised.
 */
static inline int clua_mapbatch(lua_State *L) {
    long long *progress = (long long *)lua_touserdata(L, 1);
    lua_Integer index = lua_tointeger(L, 2);
    int last = lua_gettop(L);
    luaL_checkstack(L, last + 2, "too many items in a batch");
    /* Each call leaves its result on top, after those before it. */
    for (int i = 4; i <= last; i++, index++) {
        *progress = (long long)index;
        lua_pushvalue(L, 3);
        lua_pushvalue(L, i);
        lua_call(L, 1, 1);
    }
    return last - 3;
}

/*
 * Runs of numbers in the codec's encoding: a tag byte (0x03 int8, 0x04
 * int32, 0x05 int64, 0x06 float) and the value's little-endian bytes
 * (Sources/LuaPool/Codec/Codec+Format.swift). A large map's items and
 * results are mostly numbers; these loops take a run of them in C, with
 * none of the codec's Swift around each value, and stop at the first value
 * that is not a number (the caller takes that one its general way).
 */
#define CLUA_TAG_INT8 0x03
#define CLUA_TAG_INT32 0x04
#define CLUA_TAG_INT64 0x05
#define CLUA_TAG_FLOAT 0x06

/* The low `bytes` bytes of bits, little-endian (a plain copy on the
 * little-endian machines luapool runs on). */
__attribute__((always_inline)) static inline unsigned char *clua_putle(unsigned char *out, unsigned long long bits, int bytes) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bytes == 8) memcpy(out, &bits, 8);
    else if (bytes == 4) { unsigned int low = (unsigned int)bits; memcpy(out, &low, 4); }
    else out[0] = (unsigned char)bits;
#else
    for (int i = 0; i < bytes; i++) out[i] = (unsigned char)(bits >> (8 * i));
#endif
    return out + bytes;
}

__attribute__((always_inline)) static inline unsigned long long clua_getle(const unsigned char *in, int bytes) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bytes == 8) { unsigned long long bits; memcpy(&bits, in, 8); return bits; }
    unsigned int low;
    memcpy(&low, in, 4);
    return low;
#else
    unsigned long long bits = 0;
    for (int i = 0; i < bytes; i++) bits |= (unsigned long long)in[i] << (8 * i);
    return bits;
#endif
}

/* Writes an integer, a float, or the number at stack index i; out has
 * room for 9 bytes. Each returns the end of what it wrote. */
__attribute__((always_inline)) static inline unsigned char *clua_putinteger(lua_Integer n, unsigned char *out) {
    if (n >= -128 && n <= 127) {
        *out = CLUA_TAG_INT8;
        return clua_putle(out + 1, (unsigned long long)n, 1);
    }
    if (n >= -2147483647LL - 1 && n <= 2147483647LL) {
        *out = CLUA_TAG_INT32;
        return clua_putle(out + 1, (unsigned long long)n, 4);
    }
    *out = CLUA_TAG_INT64;
    return clua_putle(out + 1, (unsigned long long)n, 8);
}

__attribute__((always_inline)) static inline unsigned char *clua_putfloat(lua_Number x, unsigned char *out) {
    unsigned long long bits;
    memcpy(&bits, &x, 8);
    *out = CLUA_TAG_FLOAT;
    return clua_putle(out + 1, bits, 8);
}

__attribute__((always_inline)) static inline unsigned char *clua_putnumber(lua_State *L, int i, unsigned char *out) {
    if (lua_isinteger(L, i)) return clua_putinteger(lua_tointegerx(L, i, NULL), out);
    return clua_putfloat(lua_tonumberx(L, i, NULL), out);
}

/* clua_putnumber for a value that may not be a number: NULL then. An
 * integer is asked for first: two calls for it, not three. */
__attribute__((always_inline)) static inline unsigned char *clua_putnumberif(lua_State *L, int i, unsigned char *out) {
    if (lua_isinteger(L, i)) return clua_putinteger(lua_tointegerx(L, i, NULL), out);
    if (lua_type(L, i) == LUA_TNUMBER) return clua_putfloat(lua_tonumberx(L, i, NULL), out);
    return NULL;
}

/*
 * Writes the numbers at stack indices first ... first + n - 1 (absolute)
 * into out, which has room for 9 * n bytes, up to the first value that is
 * not a number. Returns how many were written; *bytes: their size.
 */
static inline int clua_putnumbers(lua_State *L, int first, int n, unsigned char *out, size_t *bytes) {
    unsigned char *at = out;
    int done = 0;
    while (done < n) {
        unsigned char *end = clua_putnumberif(L, first + done, at);
        if (end == NULL) break;
        at = end;
        done++;
    }
    *bytes = (size_t)(at - out);
    return done;
}

/*
 * A table's array part, read and written in place. Lua's C API reaches a
 * table's slots one call at a time (lua_rawgeti, then lua_isinteger and
 * lua_tointegerx to read a number; lua_pushinteger and lua_rawseti to
 * store one): for a list of numbers those calls were most of the host's
 * time in a large map. Lua 5.4 keeps a table's array part as an array of
 * tagged values (lobject.h: the table's `alimit` and `array` after its
 * header; a value's 8 bytes and then its type tag), so a run of numbers
 * can be read and stored with plain loads and stores.
 *
 * Only numbers, and only slots 1 ... alimit (which the array part always
 * holds), are touched: a number is not a collectable object, so storing
 * one needs no write barrier (lua_rawseti's barrier does nothing for it),
 * and it changes nothing else in the table. Any other value, and any slot
 * past alimit, goes through the C API as before.
 *
 * The layout is not part of Lua's API: clua_arrayprobe checks it on a
 * table of four values it made through the API, reading the table's
 * limit first (only a layout with a 4 at that place and a pointer after
 * it gets any further), and the loops take the direct way only when the
 * caller passes `direct` = its result. It is built only for Lua 5.4 with
 * 64-bit integers and floats, whose releases all share this layout.
 */
typedef struct {
    union { lua_Integer i; lua_Number n; void *p; } value;
    unsigned char tag;
} clua_Slot;

typedef struct {
    void *next;
    unsigned char type, marked, flags, lsizenode;
    unsigned int alimit;
    clua_Slot *array;
} clua_TableHead;

#define CLUA_VNUMINT 0x03  /* LUA_TNUMBER, integer variant */
#define CLUA_VNUMFLT 0x13  /* LUA_TNUMBER, float variant */

/* The slots 1 ... *limit of the table at index t. */
__attribute__((always_inline)) static inline clua_Slot *clua_arrayslots(lua_State *L, int t, lua_Integer *limit) {
    const clua_TableHead *h = (const clua_TableHead *)lua_topointer(L, t);
    *limit = h->alimit;
    return h->array;
}

/* How many slots from 1 on the table at index t keeps in its array part
   (at least; 0 without `direct`). */
static inline lua_Integer clua_arraylimit(lua_State *L, int t, int direct) {
    if (!direct) return 0;
    lua_Integer limit;
    clua_arrayslots(L, t, &limit);
    return limit;
}

/* Whether the array part of Lua's tables is as clua_Slot and
   clua_TableHead say. */
static inline int clua_arrayprobe(lua_State *L) {
#if LUA_VERSION_NUM == 504 && LUA_MAXINTEGER == 0x7fffffffffffffffLL
    if (sizeof(lua_Number) != 8 || sizeof(clua_Slot) != 16 || !lua_checkstack(L, 2)) return 0;
    const lua_Integer big = 0x0123456789abcdefLL;
    lua_createtable(L, 4, 0);
    lua_pushinteger(L, big);
    lua_rawseti(L, -2, 1);
    lua_pushnumber(L, 0.15625);
    lua_rawseti(L, -2, 2);
    lua_pushinteger(L, -5);
    lua_rawseti(L, -2, 3);
    lua_pushboolean(L, 1);
    lua_rawseti(L, -2, 4);
    int ok = 0;
    const clua_TableHead *h = (const clua_TableHead *)lua_topointer(L, -1);
    /* The limit first: with another layout nothing else is read. */
    if (h != NULL && lua_type(L, -1) == LUA_TTABLE && h->alimit == 4 && h->array != NULL) {
        clua_Slot *a = h->array;
        ok = a[0].tag == CLUA_VNUMINT && a[0].value.i == big
          && a[1].tag == CLUA_VNUMFLT && a[1].value.n == 0.15625
          && a[2].tag == CLUA_VNUMINT && a[2].value.i == -5
          && a[3].tag != CLUA_VNUMINT && a[3].tag != CLUA_VNUMFLT;
        if (ok) {
            /* Stores, read back through the API. */
            a[0].value.n = -2.5;
            a[0].tag = CLUA_VNUMFLT;
            a[3].value.i = 77;
            a[3].tag = CLUA_VNUMINT;
            lua_rawgeti(L, -1, 1);
            ok = lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1) && lua_tonumberx(L, -1, NULL) == -2.5;
            lua_rawgeti(L, -2, 4);
            ok = ok && lua_isinteger(L, -1) && lua_tointegerx(L, -1, NULL) == 77;
            lua_pop(L, 2);
        }
    }
    lua_pop(L, 1);
    return ok;
#else
    (void)L;
    return 0;
#endif
}

/*
 * Writes t[first] ... t[first + n - 1] (raw) of the table at absolute
 * index t, as clua_putnumbers does, up to the first that is not a number;
 * nothing is left pushed. Values are pushed CLUA_NUMBER_BATCH at a time
 * and popped together: the stack has room for that many more. `direct`:
 * the array part is read in place (clua_arrayprobe).
 */
#define CLUA_NUMBER_BATCH 64
static inline int clua_puttablenumbers(lua_State *L, int t, lua_Integer first, int n,
                                        unsigned char *out, size_t *bytes, int direct) {
    unsigned char *at = out;
    int top = lua_gettop(L);
    int done = 0;
    lua_Integer limit = 0;
    const clua_Slot *slot = direct ? clua_arrayslots(L, t, &limit) : NULL;
    if (first >= 1 && first <= limit) {
        lua_Integer last = limit - first + 1 < n ? limit - first + 1 : n;
        for (slot += first - 1; done < last; done++, slot++) {
            if (slot->tag == CLUA_VNUMINT) at = clua_putinteger(slot->value.i, at);
            else if (slot->tag == CLUA_VNUMFLT) at = clua_putfloat(slot->value.n, at);
            else break;
        }
        if (done < last) {
            *bytes = (size_t)(at - out);
            return done;
        }
    }
    while (done < n) {
        int k = n - done < CLUA_NUMBER_BATCH ? n - done : CLUA_NUMBER_BATCH;
        int numbers = 0;
        /* Each value is read at the top of the stack as it is pushed. */
        while (numbers < k && lua_rawgeti(L, t, first + done + numbers) == LUA_TNUMBER) {
            at = clua_putnumber(L, -1, at);
            numbers++;
        }
        lua_settop(L, top);
        done += numbers;
        if (numbers < k) break;
    }
    *bytes = (size_t)(at - out);
    return done;
}

/* The number at in (length left: len), pushed; 0 when the bytes there are
 * not a whole number, else how many bytes it took. */
__attribute__((always_inline)) static inline size_t clua_pushnumber(lua_State *L, const unsigned char *in, size_t len) {
    /* While any number fits in what is left, no length checks. */
    if (len >= 9) {
        unsigned char tag = in[0];
        if (tag == CLUA_TAG_INT64) {
            lua_pushinteger(L, (lua_Integer)clua_getle(in + 1, 8));
            return 9;
        }
        if (tag == CLUA_TAG_INT32) {
            lua_pushinteger(L, (lua_Integer)(int)(unsigned int)clua_getle(in + 1, 4));
            return 5;
        }
        if (tag == CLUA_TAG_INT8) {
            lua_pushinteger(L, (lua_Integer)(signed char)in[1]);
            return 2;
        }
        if (tag != CLUA_TAG_FLOAT) return 0;
    }
    if (len < 2) return 0;
    switch (in[0]) {
    case CLUA_TAG_INT8:
        lua_pushinteger(L, (lua_Integer)(signed char)in[1]);
        return 2;
    case CLUA_TAG_INT32:
        if (len < 5) return 0;
        lua_pushinteger(L, (lua_Integer)(int)(unsigned int)clua_getle(in + 1, 4));
        return 5;
    case CLUA_TAG_INT64:
        if (len < 9) return 0;
        lua_pushinteger(L, (lua_Integer)clua_getle(in + 1, 8));
        return 9;
    case CLUA_TAG_FLOAT: {
        if (len < 9) return 0;
        unsigned long long bits = clua_getle(in + 1, 8);
        lua_Number x;
        memcpy(&x, &bits, 8);
        lua_pushnumber(L, x);
        return 9;
    }
    default:
        return 0;
    }
}

/*
 * Pushes up to n numbers read from in (len bytes), up to the first bytes
 * that are not a whole number. Returns how many; *used: the bytes read.
 * The stack has room for n more values.
 */
static inline int clua_pushnumbers(lua_State *L, const unsigned char *in, size_t len, int n, size_t *used) {
    size_t at = 0;
    int done = 0;
    while (done < n) {
        size_t took = clua_pushnumber(L, in + at, len - at);
        if (took == 0) break;
        at += took;
        done++;
    }
    *used = at;
    return done;
}

/*
 * A run of a large chunk's items that are numbers and whose results are
 * numbers, in one C loop: each item is read from the task's bytes and f
 * called on it; its first result is written to the answer's bytes. Saves
 * the item's copy on the stack and a loop over the items and one over the
 * results (clua_mapbatch's way). Called through lua_pcall with the stack
 *     run (light userdata: a clua_NumberRun), f
 * Before each call it stores the item's index at run->progress, as
 * clua_mapbatch does. Stops after n items, at an item that is not a whole
 * number (not read), when out has no room for one more number, or at a
 * result that is not a number: that one is returned (its item counted in
 * done, with pending = 1), else nothing. The counts are written back on
 * return; after an error only run->progress is meaningful.
 */
typedef struct {
    long long *progress;
    long long index;            /* the index of the run's first item */
    const unsigned char *in;    /* the items' bytes, and how many */
    size_t inLength;
    size_t inUsed;
    unsigned char *out;         /* room for the results, and how much */
    size_t outRoom;
    size_t outUsed;
    int n;                      /* the most items to run */
    int done;                   /* items run */
    int pending;                /* the last result is returned, not written */
} clua_NumberRun;

static inline int clua_mapnumbers(lua_State *L) {
    clua_NumberRun *run = (clua_NumberRun *)lua_touserdata(L, 1);
    /* What the loop reads, in locals: lua_call may write any memory. */
    long long *progress = run->progress;
    long long index = run->index;
    const unsigned char *in = run->in, *inEnd = run->in + run->inLength;
    unsigned char *out = run->out, *outEnd = run->out + run->outRoom;
    const unsigned char *at = in;
    unsigned char *to = out;
    int n = run->n, done = 0, pending = 0;
    *progress = index;  /* the item a failure here is charged to */
    luaL_checkstack(L, CLUA_NUMBER_BATCH + 2, "too many items in a batch");
    while (done < n && outEnd - to >= 9) {
        /* Results stay on the stack, popped a batch at a time. */
        if (done % CLUA_NUMBER_BATCH == 0) lua_settop(L, 2);
        lua_pushvalue(L, 2);
        size_t took = clua_pushnumber(L, at, (size_t)(inEnd - at));
        if (took == 0) break;
        at += took;
        *progress = index + done;
        lua_call(L, 1, 1);
        done++;
        unsigned char *end = clua_putnumberif(L, -1, to);
        if (end == NULL) {
            pending = 1;
            break;
        }
        to = end;
    }
    run->inUsed = (size_t)(at - in);
    run->outUsed = (size_t)(to - out);
    run->done = done;
    run->pending = pending;
    if (pending) return 1;
    return 0;
}

/*
 * Reads up to n numbers from in (len bytes) and stores them (raw) as
 * t[first], t[first + 1], ... of the table at absolute index t, up to the
 * first bytes that are not a whole number. Returns how many; *used: the
 * bytes read. The stack has room for 1 more value. `direct`: the array
 * part is written in place (clua_arrayprobe).
 */
static inline int clua_storenumbers(lua_State *L, int t, lua_Integer first, const unsigned char *in, size_t len,
                                    int n, size_t *used, int direct) {
    const unsigned char *at = in, *end = in + len;
    int done = 0;
    lua_Integer limit = 0;
    clua_Slot *slot = direct ? clua_arrayslots(L, t, &limit) : NULL;
    if (first >= 1 && first <= limit) {
        lua_Integer last = limit - first + 1 < n ? limit - first + 1 : n;
        /* While any number fits in what is left, no length checks. */
        for (slot += first - 1; done < last && end - at >= 9; done++, slot++) {
            unsigned char tag = at[0];
            if (tag == CLUA_TAG_INT8) {
                slot->value.i = (lua_Integer)(signed char)at[1];
                at += 2;
            } else if (tag == CLUA_TAG_INT32) {
                slot->value.i = (lua_Integer)(int)(unsigned int)clua_getle(at + 1, 4);
                at += 5;
            } else if (tag == CLUA_TAG_INT64) {
                slot->value.i = (lua_Integer)clua_getle(at + 1, 8);
                at += 9;
            } else if (tag == CLUA_TAG_FLOAT) {
                unsigned long long bits = clua_getle(at + 1, 8);
                memcpy(&slot->value.n, &bits, 8);
                slot->tag = CLUA_VNUMFLT;
                at += 9;
                continue;
            } else {
                break;
            }
            slot->tag = CLUA_VNUMINT;
        }
    }
    while (done < n) {
        size_t took = clua_pushnumber(L, at, (size_t)(end - at));
        if (took == 0) break;
        lua_rawseti(L, t, first + done);
        at += took;
        done++;
    }
    *used = (size_t)(at - in);
    return done;
}

/*
 * t[k] with metamethods, called through lua_pcall with the stack t, k:
 * how the host reads a global a worker pulls, as the script would read
 * it. A C function, so that an error raised at level 2 (as strict-mode
 * __index functions do) carries no position of ours.
 */
static inline int clua_index(lua_State *L) {
    lua_settop(L, 2);
    lua_gettable(L, 1);
    return 1;
}

/*
 * lua.c's msghandler, for the interpreter's own calls (the script, -e,
 * -l, a REPL line): a string error gets a traceback; an error object with
 * __tostring becomes that text, called here, before the stack unwinds (so
 * debug.getinfo in __tostring sees it); any other becomes "(error object
 * is a T value)" with a traceback. The result is the error value the
 * chunk's <close> variables receive, as in lua5.4.
 */
static inline int clua_msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/*
 * A task's time limit in a pool worker. The limit lives in a struct whose
 * address is in the running thread's extra space; the count hook reads
 * the clock every 1000 instructions and, past the deadline, raises the
 * struct's message once (in C: no longjmp crosses Swift). A task stuck in
 * C, or one that catches the error and runs on, is the host's to kill.
 */
typedef struct {
    long long deadline;    /* CLOCK_MONOTONIC nanoseconds; 0: none */
    int fired;             /* the hook raised the timeout */
    char message[96];
} clua_TaskLimit;

static inline void clua_timeouthook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_TaskLimit *limit = *(clua_TaskLimit **)lua_getextraspace(L);
    if (limit == NULL || limit->deadline == 0) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((long long)now.tv_sec * 1000000000LL + now.tv_nsec < limit->deadline) return;
    limit->deadline = 0;
    limit->fired = 1;
    lua_sethook(L, NULL, 0, 0);
    lua_pushstring(L, limit->message);
    lua_error(L);
}

/* Arms the hook on thread L with the limit at `limit` (kept by the caller). */
static inline void clua_settimeouthook(lua_State *L, clua_TaskLimit *limit) {
    *(clua_TaskLimit **)lua_getextraspace(L) = limit;
    lua_sethook(L, clua_timeouthook, LUA_MASKCOUNT, 1000);
}

static inline void clua_cleartimeouthook(lua_State *L) {
    lua_sethook(L, NULL, 0, 0);
}

/* ---- Swift functions called from Lua ---- */

/*
 * A Swift function callable from Lua. It returns the number of results it
 * pushed, or a negative number after pushing an error value: the
 * trampoline then raises that value with lua_error, in C, so no longjmp
 * ever crosses a Swift frame.
 */
typedef int (*clua_SwiftFunction)(lua_State *L);

/*
 * The state of luapool's allocator, its userdata (see LuaAllocator): the
 * bytes Lua holds, and a task's cap (0: none). A Swift function runs with
 * the cap lifted: an allocation it makes must not fail with a longjmp
 * across its frames; what it took counts once Lua code runs again.
 */
typedef struct {
    unsigned long long magic;   /* CLUA_ALLOC_MAGIC */
    long long inUse;
    long long limit;
} clua_AllocState;

#define CLUA_ALLOC_MAGIC 0x6c7561706f6f6c41ULL

static inline int clua_trampoline(lua_State *L) {
    clua_SwiftFunction f = (clua_SwiftFunction)lua_touserdata(L, lua_upvalueindex(1));
    void *ud = NULL;
    (void)lua_getallocf(L, &ud);
    clua_AllocState *alloc = (clua_AllocState *)ud;
    long long limit = 0;
    if (alloc != NULL && alloc->magic == CLUA_ALLOC_MAGIC && alloc->limit != 0) {
        limit = alloc->limit;
        alloc->limit = 0;
    }
    int n = f(L);
    if (limit != 0) alloc->limit = limit;
    if (n < 0) return lua_error(L);
    return n;
}

/* Pushes a Swift function as a C closure over the trampoline. The function
 * pointer is upvalue 1; the n values on top of the stack follow it. */
static inline void clua_pushswiftfunction(lua_State *L, clua_SwiftFunction f, int n) {
    lua_pushlightuserdata(L, (void *)f);
    if (n > 0) lua_insert(L, -(n + 1));
    lua_pushcclosure(L, clua_trampoline, n + 1);
}

/* True when the function at index i is a Swift function pushed above. */
static inline int clua_isswiftfunction(lua_State *L, int i) {
    return lua_tocfunction(L, i) == clua_trampoline;
}

/* Hook that stops the running chunk: installed from a signal handler
 * (lua_sethook is safe there), it raises the error in C. */
static inline void clua_interrupthook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    lua_pushliteral(L, "interrupted");
    lua_error(L);
}

static inline void clua_setinterrupthook(lua_State *L) {
    lua_sethook(L, clua_interrupthook,
                LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

#endif
