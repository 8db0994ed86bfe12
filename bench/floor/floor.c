/*
 * The least the pool's work can cost through Lua's C API: for `tiny`,
 * `records` and `big_value`, the calls that any host and any worker must
 * make for each value (read it from a table, write its bytes; read the
 * bytes, make the value, store it in a table; call the function), timed
 * here in a tight C loop with nothing else: no framing, no pipes, no
 * scheduling. Two Lua states in one process stand for the host and a
 * worker; bytes go from one to the other through memory.
 *
 *   scripts/floor          builds this with cc against liblua5.4 and runs it
 *
 * For each workload it prints each step's CPU time (the fastest of 15
 * runs, each after a full collection; for `records` also the mean of 30
 * runs in steady state, the collector as a script that maps again and
 * again meets it) and what they imply for the pool on 2 CPUs: the host's steps run
 * one after another on one CPU, the workers' steps are shared by 2, and
 * all three processes share the 2 CPUs, so a map takes at least
 * max(host, (host + workers) / 2); an apply round trip takes at least the
 * sum of its steps. See BENCHMARKS.md, "The floor of the C API".
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 15

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A growing byte buffer: the "pipe". */
typedef struct { unsigned char *bytes; size_t used, size; } Buffer;

static void need(Buffer *b, size_t n) {
    if (b->used + n <= b->size) return;
    while (b->used + n > b->size) b->size = b->size ? b->size * 2 : 1 << 20;
    b->bytes = realloc(b->bytes, b->size);
    if (!b->bytes) abort();
}

static void put_number(Buffer *b, lua_State *L, int at) {
    need(b, 9);
    if (lua_isinteger(L, at)) {
        lua_Integer v = lua_tointegerx(L, at, NULL);
        b->bytes[b->used] = 1;
        memcpy(b->bytes + b->used + 1, &v, 8);
    } else {
        lua_Number v = lua_tonumberx(L, at, NULL);
        b->bytes[b->used] = 2;
        memcpy(b->bytes + b->used + 1, &v, 8);
    }
    b->used += 9;
}

static void put_string(Buffer *b, lua_State *L, int at) {
    size_t n;
    const char *s = lua_tolstring(L, at, &n);
    need(b, n + 5);
    uint32_t len = (uint32_t)n;
    b->bytes[b->used] = 3;
    memcpy(b->bytes + b->used + 1, &len, 4);
    memcpy(b->bytes + b->used + 5, s, n);
    b->used += n + 5;
}

/* Any scalar value at `at`: a number or a string. */
static void put_value(Buffer *b, lua_State *L, int at) {
    if (lua_type(L, at) == LUA_TSTRING) put_string(b, L, at);
    else put_number(b, L, at);
}

/* Pushes the value whose bytes start at *at. */
static void get_value(lua_State *L, const unsigned char *bytes, size_t *at) {
    unsigned char tag = bytes[*at];
    if (tag == 1) {
        lua_Integer v;
        memcpy(&v, bytes + *at + 1, 8);
        lua_pushinteger(L, v);
        *at += 9;
    } else if (tag == 2) {
        lua_Number v;
        memcpy(&v, bytes + *at + 1, 8);
        lua_pushnumber(L, v);
        *at += 9;
    } else {
        uint32_t len;
        memcpy(&len, bytes + *at + 1, 4);
        lua_pushlstring(L, (const char *)bytes + *at + 5, len);
        *at += 5 + len;
    }
}

/* A flat table of scalars (a record): its keys sent once per message
 * (the codec does so too), so a field is a one-byte key slot and its
 * value. The slot is found by the key string's address. */
static const char *record_keys[3];
static int record_keys_count;

static void put_record(Buffer *b, lua_State *L, int at) {
    lua_pushnil(L);
    int fields = 0;
    need(b, 1);
    size_t count_at = b->used++;
    while (lua_next(L, at)) {
        const char *key = lua_tolstring(L, -2, NULL);
        int slot = 0;
        while (slot < record_keys_count && record_keys[slot] != key) slot++;
        if (slot == record_keys_count) record_keys[record_keys_count++] = key;
        need(b, 1);
        b->bytes[b->used++] = (unsigned char)slot;
        put_value(b, L, -1);
        lua_settop(L, -2);
        fields++;
    }
    b->bytes[count_at] = (unsigned char)fields;
}

/* The keys of the records, pushed once per message in the receiver and
 * copied from there with lua_pushvalue (as the codec does). */
static int get_record(lua_State *L, const unsigned char *bytes, size_t *at, int keys) {
    int fields = bytes[(*at)++];
    lua_createtable(L, 0, fields);
    for (int i = 0; i < fields; i++) {
        lua_pushvalue(L, keys + bytes[(*at)++]);
        get_value(L, bytes, at);
        lua_rawset(L, -3);
    }
    return 1;
}

#define BATCH 256
static void put_numbers(Buffer *b, lua_State *L, int at, int n);

/* ---- tiny: x * x over 1,000,000 integers ---- */

static Buffer items, answers;

static int tiny_worker(lua_State *L) {
    /* 1: the function; 2: the item count. Under one protected call, as
     * the worker runs a batch of items. */
    lua_Integer n = lua_tointegerx(L, 2, NULL);
    size_t at = 0;
    answers.used = 0;
    int top = lua_gettop(L);
    lua_checkstack(L, BATCH + 2);
    /* A batch of results stays on the stack, is written, and popped at once. */
    for (lua_Integer i = 0; i < n; i += BATCH) {
        int k = n - i < BATCH ? (int)(n - i) : BATCH;
        for (int j = 0; j < k; j++) {
            lua_pushvalue(L, 1);
            get_value(L, items.bytes, &at);
            lua_callk(L, 1, 1, 0, NULL);
        }
        for (int j = 0; j < k; j++) put_number(&answers, L, top + 1 + j);
        lua_settop(L, top);
    }
    return 0;
}

typedef struct { double encode, work, decode, serial; } Times;

static double min(double a, double b) { return a < b ? a : b; }

/* Ends a run: times the serial loop (the function at `serial`, called with
 * the items at 1 and n) after a full collection, and keeps the fastest
 * time of each step: encode t0..t1, the workers' part t1..t2, decode
 * t2..t3. */
static void keep_run(lua_State *H, int serial, int n, double t0, double t1, double t2, double t3, Times *best) {
    lua_settop(H, serial);
    lua_gc(H, LUA_GCCOLLECT);
    lua_pushvalue(H, serial);
    lua_pushvalue(H, 1);
    lua_pushinteger(H, n);
    double t4 = now();
    lua_callk(H, 2, 1, 0, NULL);
    double t5 = now();
    lua_settop(H, serial);
    lua_gc(H, LUA_GCCOLLECT);
    best->encode = min(best->encode, t1 - t0);
    best->work = min(best->work, t2 - t1);
    best->decode = min(best->decode, t3 - t2);
    best->serial = min(best->serial, t5 - t4);
}

static void tiny(lua_State *H, lua_State *W, int n, Times *best) {
    lua_settop(H, 0);
    lua_createtable(H, n, 0);
    for (int i = 1; i <= n; i++) { lua_pushinteger(H, i); lua_rawseti(H, 1, i); }
    if (luaL_dostring(W, "return function(x) return x * x end") != LUA_OK) abort();
    luaL_loadstring(H,
        "local xs, n = ... local function square(x) return x * x end "
        "local ys = {n = n} for i = 1, n do ys[i] = square(xs[i]) end return ys");
    int serial = lua_gettop(H);
    for (int run = 0; run < RUNS; run++) {
        double t0 = now();
        items.used = 0;
        put_numbers(&items, H, 1, n);
        double t1 = now();
        lua_pushcfunction(W, tiny_worker);
        lua_pushvalue(W, 1);
        lua_pushinteger(W, n);
        if (lua_pcallk(W, 2, 0, 0, 0, NULL) != LUA_OK) { fprintf(stderr, "%s\n", lua_tostring(W, -1)); exit(1); }
        double t2 = now();
        lua_createtable(H, n, 1);
        size_t at = 0;
        for (int i = 1; i <= n; i++) {
            get_value(H, answers.bytes, &at);
            lua_rawseti(H, -2, i);
        }
        lua_pushinteger(H, n);
        lua_setfield(H, -2, "n");
        double t3 = now();
        keep_run(H, serial, n, t0, t1, t2, t3, best);
    }
    lua_settop(H, 0);
    lua_settop(W, 0);
}

/* ---- records: 100,000 records {id, name, score} through rescore ---- */

static int records_worker(lua_State *L) {
    /* 1: the function; 2: the count; 3..5: the keys */
    lua_Integer n = lua_tointegerx(L, 2, NULL);
    size_t at = 0;
    answers.used = 0;
    record_keys_count = 0;
    for (lua_Integer i = 0; i < n; i++) {
        lua_pushvalue(L, 1);
        get_record(L, items.bytes, &at, 3);
        lua_callk(L, 1, 1, 0, NULL);
        put_record(&answers, L, lua_gettop(L));
        lua_settop(L, -2);
    }
    return 0;
}

static void push_keys(lua_State *L) {
    /* in the order the sender met them: the receiver reads them first */
    for (int k = 0; k < record_keys_count; k++) lua_pushstring(L, record_keys[k]);
}

/* One map of records: encodes the records at H's index rs, runs the
 * worker's part with the function at W's index fn (the top W keeps),
 * decodes the results into a new table left on top of H. t[0..3]: the
 * times before and after each step. */
static void records_map(lua_State *H, int rs, lua_State *W, int fn, int n, double t[4]) {
    t[0] = now();
    items.used = 0;
    record_keys_count = 0;
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(H, rs, i);
        put_record(&items, H, lua_gettop(H));
        lua_settop(H, -2);
    }
    t[1] = now();
    int keys = record_keys_count;
    lua_settop(W, fn);
    lua_pushcfunction(W, records_worker);
    lua_pushvalue(W, fn);
    lua_pushinteger(W, n);
    push_keys(W);
    if (lua_pcallk(W, 2 + keys, 0, 0, 0, NULL) != LUA_OK) { fprintf(stderr, "%s\n", lua_tostring(W, -1)); exit(1); }
    t[2] = now();
    int base = lua_gettop(H);
    push_keys(H);
    lua_createtable(H, n, 1);
    int out = lua_gettop(H);
    size_t at = 0;
    for (int i = 1; i <= n; i++) {
        get_record(H, answers.bytes, &at, base + 1);
        lua_rawseti(H, out, i);
    }
    lua_pushinteger(H, n);
    lua_setfield(H, out, "n");
    lua_replace(H, base + 1);
    lua_settop(H, base + 1);
    t[3] = now();
}

static void records(lua_State *H, lua_State *W, int n, Times *best) {
    luaL_loadstring(H,
        "local n = ... local rs = {} "
        "for i = 1, n do rs[i] = {id = i, name = 'n' .. i, score = i * 0.5} end return rs");
    lua_pushinteger(H, n);
    lua_callk(H, 1, 1, 0, NULL);
    if (luaL_dostring(W, "return function(r) return {id = r.id, name = r.name, score = r.score * 2} end") != LUA_OK)
        abort();
    luaL_loadstring(H,
        "local rs, n = ... local function rescore(r) return {id = r.id, name = r.name, score = r.score * 2} end "
        "local out = {n = n} for i = 1, n do out[i] = rescore(rs[i]) end return out");
    int serial = lua_gettop(H);
    for (int run = 0; run < RUNS; run++) {
        double t[4];
        records_map(H, 1, W, 1, n, t);
        lua_gc(W, LUA_GCCOLLECT);
        keep_run(H, serial, n, t[0], t[1], t[2], t[3], best);
    }
    lua_settop(H, 0);
    lua_settop(W, 0);
}

/* ---- records in steady state: the collector as a script meets it ---- */

static double mean(const double *xs, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) sum += xs[i];
    return sum / n;
}

/* As records(), but as a script that maps again and again meets the
 * collector: no collection is forced, each map's results replace the
 * previous ones (which become garbage for the collector to find), the
 * worker holds the same records as the host (a forked worker inherits
 * them), and each step's time is the mean of 30 runs, not the fastest
 * (the collector's full cycles come every few runs, and the mean spreads
 * them as a long script does). The serial loop is run the same way. */
static void records_steady(int n, Times *mean_times) {
    lua_State *H = luaL_newstate(), *W = luaL_newstate();
    luaL_openlibs(H);
    luaL_openlibs(W);
    lua_gc(H, LUA_GCGEN, 0, 0);
    lua_gc(W, LUA_GCGEN, 0, 0);
    const char *make =
        "local n = ... local rs = {} "
        "for i = 1, n do rs[i] = {id = i, name = 'n' .. i, score = i * 0.5} end return rs";
    const char *rescore = "return function(r) return {id = r.id, name = r.name, score = r.score * 2} end";
    lua_State *both[] = {H, W};
    for (int k = 0; k < 2; k++) {
        luaL_loadstring(both[k], make);
        lua_pushinteger(both[k], n);
        lua_callk(both[k], 1, 1, 0, NULL);  /* 1: the records */
        if (luaL_dostring(both[k], rescore) != LUA_OK) abort();  /* 2: rescore */
    }
    lua_pushnil(H);  /* 3: the last results */
    enum { WARM = 2, STEADY_RUNS = 30 };
    double encode[STEADY_RUNS], work[STEADY_RUNS], decode[STEADY_RUNS], serial[STEADY_RUNS];
    for (int run = -WARM; run < STEADY_RUNS; run++) {
        double t[4];
        records_map(H, 1, W, 2, n, t);
        lua_replace(H, 3);  /* the last results become garbage */
        if (run >= 0) {
            encode[run] = t[1] - t[0];
            work[run] = t[2] - t[1];
            decode[run] = t[3] - t[2];
        }
    }
    luaL_loadstring(H,
        "local rs, n = ... local function rescore(r) return {id = r.id, name = r.name, score = r.score * 2} end "
        "local out = {n = n} for i = 1, n do out[i] = rescore(rs[i]) end return out");
    int loop = lua_gettop(H);
    for (int run = -WARM; run < STEADY_RUNS; run++) {
        lua_pushvalue(H, loop);
        lua_pushvalue(H, 1);
        lua_pushinteger(H, n);
        double t0 = now();
        lua_callk(H, 2, 1, 0, NULL);
        lua_replace(H, 3);
        double t1 = now();
        if (run >= 0) serial[run] = t1 - t0;
    }
    mean_times->encode = mean(encode, STEADY_RUNS);
    mean_times->work = mean(work, STEADY_RUNS);
    mean_times->decode = mean(decode, STEADY_RUNS);
    mean_times->serial = mean(serial, STEADY_RUNS);
    lua_close(H);
    lua_close(W);
}

/* ---- big_value: an array of 1,000,000 floats there and back ---- */

/* The numbers t[1..n] of the table at `at`, read a batch at a time: the
 * values are pushed, read, and popped together (one lua_settop a batch,
 * not one an item). */
static void put_numbers(Buffer *b, lua_State *L, int at, int n) {
    int top = lua_gettop(L);
    lua_checkstack(L, BATCH);
    for (int i = 1; i <= n; i += BATCH) {
        int k = n - i + 1 < BATCH ? n - i + 1 : BATCH;
        for (int j = 0; j < k; j++) lua_rawgeti(L, at, i + j);
        for (int j = 0; j < k; j++) put_number(b, L, top + 1 + j);
        lua_settop(L, top);
    }
}

/* Any table of numbers, as an encoder must read a table it knows nothing
 * of: every key through lua_next (a table may hold any key, in its array
 * or its hash part, and only lua_next finds them all), the keys 1, 2, 3...
 * met first sent as a list, the others as pairs. */
static void put_table(Buffer *b, lua_State *L, int at) {
    b->used = 0;
    lua_Integer items = 0;
    lua_pushnil(L);
    while (lua_next(L, at)) {
        if (lua_isinteger(L, -2) && lua_tointegerx(L, -2, NULL) == items + 1) {
            items++;
        } else {
            put_number(b, L, -2);
        }
        if (lua_type(L, -1) == LUA_TNUMBER) put_number(b, L, -1);
        lua_settop(L, -2);
    }
}

static void get_array(lua_State *L, Buffer *b, int n) {
    lua_createtable(L, n, 0);
    size_t at = 0;
    for (int i = 1; i <= n; i++) {
        get_value(L, b->bytes, &at);
        lua_rawseti(L, -2, i);
    }
}

typedef struct { double host_encode, worker_decode, worker_encode, host_decode, copies; } Trip;

static void big_value(lua_State *H, lua_State *W, int n, Trip *best) {
    lua_settop(H, 0);
    lua_createtable(H, n, 0);
    for (int i = 1; i <= n; i++) { lua_pushnumber(H, i * 0.1 + 1.0 / 3); lua_rawseti(H, 1, i); }
    Buffer copy = {0};
    for (int run = 0; run < RUNS; run++) {
        double t0 = now();
        put_table(&items, H, 1);
        double t1 = now();
        copy.used = 0;
        need(&copy, items.used);
        memcpy(copy.bytes, items.bytes, items.used);
        double t2 = now();
        lua_settop(W, 0);
        get_array(W, &copy, n);
        double t3 = now();
        put_table(&answers, W, 1);
        double t4 = now();
        copy.used = 0;
        need(&copy, answers.used);
        memcpy(copy.bytes, answers.bytes, answers.used);
        double t5 = now();
        get_array(H, &copy, n);
        double t6 = now();
        lua_settop(H, 1);
        lua_settop(W, 0);
        lua_gc(H, LUA_GCCOLLECT);
        lua_gc(W, LUA_GCCOLLECT);
        best->host_encode = min(best->host_encode, t1 - t0);
        best->copies = min(best->copies, (t2 - t1) + (t5 - t4));
        best->worker_decode = min(best->worker_decode, t3 - t2);
        best->worker_encode = min(best->worker_encode, t4 - t3);
        best->host_decode = min(best->host_decode, t6 - t5);
    }
    free(copy.bytes);
    lua_settop(H, 0);
}

static lua_State *state(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_gc(L, LUA_GCGEN, 0, 0);  /* as lua5.4 and luapool run scripts */
    return L;
}

int main(void) {
    lua_State *H = state(), *W = state();
    Times t = {1e9, 1e9, 1e9, 1e9}, r = {1e9, 1e9, 1e9, 1e9};
    Trip b = {1e9, 1e9, 1e9, 1e9, 1e9};
    tiny(H, W, 1000000, &t);
    records(H, W, 100000, &r);
    big_value(H, W, 1000000, &b);
    Times steady;
    records_steady(100000, &steady);

    printf("| workload | host encodes | workers' part | host decodes | floor on 2 CPUs | serial loop |\n");
    printf("|---|---|---|---|---|---|\n");
    const char *names[] = {"`tiny`", "`records`", "`records`, steady state"};
    Times *all[] = {&t, &r, &steady};
    for (int k = 0; k < 3; k++) {
        Times *x = all[k];
        double host = x->encode + x->decode;
        double floor = host > (host + x->work) / 2 ? host : (host + x->work) / 2;
        printf("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n",
               names[k], x->encode, x->work, x->decode, floor, x->serial);
    }
    printf("\n| workload | host encodes | copies | worker decodes | worker encodes | host decodes | floor |\n");
    printf("|---|---|---|---|---|---|---|\n");
    printf("| `big_value` | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n",
           b.host_encode, b.copies, b.worker_decode, b.worker_encode, b.host_decode,
           b.host_encode + b.copies + b.worker_decode + b.worker_encode + b.host_decode);
    lua_close(H);
    lua_close(W);
    free(items.bytes);
    free(answers.bytes);
    return 0;
}
