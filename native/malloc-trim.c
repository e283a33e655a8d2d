/*
 * glibc's malloc_trim(0), for a daemon once it has started: the C heap
 * keeps the pages that start-up (module compilation, V8's garbage
 * collections) freed, until an allocation at the top of the heap happens
 * to shrink it; malloc_trim returns every free whole page of every arena
 * to the kernel. Node offers no way to call it, hence this addon. On a C
 * library without malloc_trim (musl) the call does nothing.
 *
 * JS API (Node-API, ABI-stable, no dependencies):
 *   trim(): boolean    whether any memory was returned to the kernel
 */
#define _GNU_SOURCE
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  if (napi_get_boolean(env, released != 0, &result) != napi_ok) return NULL;
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
