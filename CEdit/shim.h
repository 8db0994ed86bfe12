/*
 * libedit (Debian libedit-dev) for the REPL: its header, and inline
 * functions for the variadic calls Swift cannot make (el_set, history).
 * Each one is a single call with its arguments fixed; no logic here.
 */
#ifndef CEDIT_SHIM_H
#define CEDIT_SHIM_H

#include <stdio.h>
#include <wchar.h>
#include <histedit.h>

typedef char *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_command_fn)(EditLine *, int);

static inline int cedit_set_prompt(EditLine *el, cedit_prompt_fn f) {
    return el_set(el, EL_PROMPT, f);
}
static inline int cedit_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}
static inline int cedit_set_getc(EditLine *el, el_rfunc_t f) {
    return el_set(el, EL_GETCFN, f);
}
static inline int cedit_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}
/* Adds a named editor command implemented by f. */
static inline int cedit_add_function(EditLine *el, const char *name, const char *help, cedit_command_fn f) {
    return el_set(el, EL_ADDFN, name, help, f);
}
/* Binds a key sequence ("^I", "^R") to a named editor command. */
static inline int cedit_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, NULL);
}

static inline int cedit_history_set_size(History *h, HistEvent *ev, int size) {
    return history(h, ev, H_SETSIZE, size);
}
static inline int cedit_history_set_unique(History *h, HistEvent *ev, int unique) {
    return history(h, ev, H_SETUNIQUE, unique);
}
static inline int cedit_history_enter(History *h, HistEvent *ev, const char *line) {
    return history(h, ev, H_ENTER, line);
}
static inline int cedit_history_load(History *h, HistEvent *ev, const char *path) {
    return history(h, ev, H_LOAD, path);
}
static inline int cedit_history_save(History *h, HistEvent *ev, const char *path) {
    return history(h, ev, H_SAVE, path);
}

#endif
