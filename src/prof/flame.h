/*
 * flame: a profile (pprof.h) written out for people and tools —
 *   folded stacks ("root;caller;leaf 42" per line: flamegraph.pl, inferno,
 *   speedscope all read it),
 *   a self-contained flame graph SVG drawn here (hover for the numbers,
 *   click to zoom, search; colours by module; no external script or font),
 *   speedscope's JSON file format (a "sampled" profile per the schema at
 *   https://www.speedscope.app/file-format-schema.json).
 * Native frames are named by function ("name"); Python frames, whose
 * lines are worth telling apart, "name (file:line)" when both are known.
 * Each writer appends to a struct buf.
 */
#ifndef PA_PROF_FLAME_H
#define PA_PROF_FLAME_H

#include "../core/buf.h"
#include "pprof.h"

void flame_folded(const struct pprof *p, struct buf *out);
/* title goes in the SVG's heading (escaped); width in pixels (0: 1200). */
void flame_svg(const struct pprof *p, const char *title, int width, struct buf *out);
/* name: the profile's name in speedscope. */
void flame_speedscope(const struct pprof *p, const char *name, struct buf *out);

#endif
