/*
 * The wired EAPOL port (IEEE 802.1X PAE on Ethernet): an AF_PACKET socket
 * bound to one interface for ethertype 0x888E (ETH_P_PAE), member of the
 * PAE group address 01:80:c2:00:00:03, read without blocking through a
 * libuv poll handle on Node's own loop. This is what hostapd's driver_wired
 * opens; Node has no AF_PACKET socket, hence this addon.
 *
 * JS API (Node-API, ABI-stable, no dependencies):
 *   open(ifname: string, onFrame: (frame: Buffer) => void): handle
 *       frames are whole Ethernet frames (destination, source, ethertype,
 *       EAPOL PDU); frames this host sent are not reported.
 *   send(handle, frame: Buffer): void      a whole Ethernet frame
 *   close(handle): void                    idempotent
 * Errors are thrown as Error with `code` set to the errno name (EPERM when
 * the process lacks CAP_NET_RAW, ENODEV for an unknown interface).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* An Ethernet frame without FCS; hostapd's driver_wired reads into 3000 bytes. */
#define FRAME_MAX 3000
/* Frames read per readable event before yielding to the loop (a flood cannot starve it). */
#define READS_PER_EVENT 64

static const unsigned char PAE_GROUP_ADDR[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x03};

typedef struct {
  napi_env env;
  napi_ref on_frame;
  napi_async_context async_ctx;
  uv_poll_t poll;
  int fd;
  int closed;
  /* The port struct is freed once both libuv is done with the poll handle and JS dropped the handle. */
  int handle_closed;
  int finalized;
} port_t;

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *name = strerrorname_np(err);
  napi_throw_error(env, name != NULL ? name : "EIO", msg);
  return NULL;
}

static void on_handle_closed(uv_handle_t *h) {
  port_t *p = h->data;
  p->handle_closed = 1;
  if (p->finalized) free(p);
}

static void port_close(port_t *p) {
  if (p->closed) return;
  p->closed = 1;
  uv_poll_stop(&p->poll);
  close(p->fd);
  napi_delete_reference(p->env, p->on_frame);
  napi_async_destroy(p->env, p->async_ctx);
  uv_close((uv_handle_t *)&p->poll, on_handle_closed);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  port_t *p = data;
  p->finalized = 1;
  if (!p->closed) port_close(p);
  else if (p->handle_closed) free(p);
}

static void deliver(port_t *p, const unsigned char *buf, size_t len) {
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, frame, result;
  void *data;
  if (napi_get_reference_value(env, p->on_frame, &cb) == napi_ok && cb != NULL &&
      napi_create_buffer_copy(env, len, buf, &data, &frame) == napi_ok && napi_get_global(env, &recv) == napi_ok) {
    napi_make_callback(env, p->async_ctx, recv, cb, 1, &frame, &result);
  }
  /* A throwing listener is the process's uncaught exception, as for any event callback. */
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  port_t *p = h->data;
  if (status < 0 || !(events & UV_READABLE)) return;
  unsigned char buf[FRAME_MAX];
  for (int i = 0; i < READS_PER_EVENT && !p->closed; i++) {
    struct sockaddr_ll from;
    socklen_t fromlen = sizeof from;
    ssize_t n = recvfrom(p->fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
    if (n < 0) return; /* EAGAIN: drained; other errors: the next event retries */
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    if ((size_t)n > sizeof buf || n < ETH_HLEN) continue; /* truncated or runt: not a frame we can use */
    deliver(p, buf, (size_t)n);
  }
}

static port_t *get_port(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "EINVAL", "not an EAPOL port handle");
    return NULL;
  }
  return p;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char ifname[IF_NAMESIZE + 1];
  size_t len = 0;
  napi_valuetype t;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &len) != napi_ok || len == 0 || len >= IF_NAMESIZE ||
      napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "EINVAL", "open(ifname, onFrame): an interface name and a function");
    return NULL;
  }
  unsigned ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return throw_errno(env, errno, ifname);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_PAE));
  if (fd < 0) return throw_errno(env, errno, "socket(AF_PACKET, SOCK_RAW, ETH_P_PAE)");
  struct sockaddr_ll addr;
  memset(&addr, 0, sizeof addr);
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_PAE);
  addr.sll_ifindex = (int)ifindex;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "bind");
  }
  struct packet_mreq mr;
  memset(&mr, 0, sizeof mr);
  mr.mr_ifindex = (int)ifindex;
  mr.mr_type = PACKET_MR_MULTICAST;
  mr.mr_alen = 6;
  memcpy(mr.mr_address, PAE_GROUP_ADDR, 6);
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "PACKET_ADD_MEMBERSHIP 01:80:c2:00:00:03");
  }
  uv_loop_t *loop;
  port_t *p = calloc(1, sizeof *p);
  napi_value resource_name, handle;
  if (p == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    free(p);
    close(fd);
    napi_throw_error(env, "ENOMEM", "cannot set up the EAPOL port");
    return NULL;
  }
  p->env = env;
  p->fd = fd;
  napi_create_string_utf8(env, "wpsd:eapol-port", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &p->async_ctx);
  napi_create_reference(env, argv[1], 1, &p->on_frame);
  int rc = uv_poll_init_socket(loop, &p->poll, fd);
  if (rc == 0) {
    p->poll.data = p;
    rc = uv_poll_start(&p->poll, UV_READABLE, on_readable);
    if (rc != 0) {
      port_close(p);
      p->finalized = 1; /* no JS handle will ever exist */
      napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
      return NULL;
    }
  } else {
    close(fd);
    napi_delete_reference(env, p->on_frame);
    napi_async_destroy(env, p->async_ctx);
    free(p);
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  napi_create_external(env, p, on_finalize, NULL, &handle);
  return handle;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, "EINVAL", "send(handle, frame)");
    return NULL;
  }
  port_t *p = get_port(env, argv[0]);
  if (p == NULL) return NULL;
  if (p->closed) {
    napi_throw_error(env, "EBADF", "the EAPOL port is closed");
    return NULL;
  }
  void *data;
  size_t len;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || len < ETH_HLEN || len > FRAME_MAX) {
    napi_throw_type_error(env, "EINVAL", "send: a Buffer holding one Ethernet frame (14..3000 bytes)");
    return NULL;
  }
  if (send(p->fd, data, len, 0) < 0) return throw_errno(env, errno, "send");
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return NULL;
  port_t *p = get_port(env, argv[0]);
  if (p != NULL) port_close(p);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
