/* version: the one place perfagent's version and result schema id live. */
#ifndef PA_VERSION_H
#define PA_VERSION_H

#define PA_VERSION "0.1.0"
#define PA_SCHEMA "perfagent.result/1"

#endif
