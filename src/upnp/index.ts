/**
 * Generic UPnP layer (UPnP Device Architecture 1.0), knowing nothing about
 * the services built on it. One module per concern:
 *   xml.ts              escaping, bounded strict XML parse
 *   urn-type.ts         versioned type URNs
 *   base64.ts           bin.base64 values (whitespace tolerant, strict otherwise)
 *   net-address.ts      interface address lookup (loopback default), address helpers
 *   http-server.ts      hardened node:http server with exact-path routes, bounded body reading
 *   http-client.ts      bounded requests over node:http, ordered ones (NOTIFY) on one kept connection per origin (timeout, size, no redirects, IP-literal option)
 *   description.ts      root device description: build, parse, URL resolution
 *   scpd.ts             SCPD from an action / state-variable table
 *   soap.ts             SOAP envelopes, responses, UPnP faults
 *   soap-server.ts      control endpoint dispatching to an action table
 *   soap-client.ts      control point action calls
 *   gena-headers.ts     CALLBACK / TIMEOUT / SID headers, property sets
 *   gena-publisher.ts   device-side eventing
 *   gena-subscriber.ts  control-point-side eventing
 *   ssdp-message.ts     SSDP datagrams
 *   ssdp-socket.ts      per-interface SSDP sockets
 *   ssdp-advertiser.ts  device-side SSDP (alive, byebye, M-SEARCH answers)
 *   ssdp-searcher.ts    control-point-side SSDP (search, alive/byebye, expiry)
 *
 * A device (sketch):
 *   const iface = resolveInterface(upnpIface);                 // 'lo' by default
 *   const http = new UpnpHttpServer({ host: iface.address });
 *   http.route('GET', '/desc.xml', (_q, r) => sendBody(r, 200, 'text/xml', buildDeviceDescription(doc)));
 *   http.route('GET', '/scpd.xml', (_q, r) => sendBody(r, 200, 'text/xml', buildScpd(table)));
 *   http.route('POST', '/control', soapControlHandler({ serviceType, actions }));
 *   const gena = new GenaPublisher({ initialState });  gena.mount(http, '/event');
 *   await http.start();                                       // routes first, then start
 *   const ssdp = new SsdpAdvertiser({ iface, location: `${http.baseUrl}/desc.xml`, udn, deviceType, serviceTypes, server });
 *   await ssdp.start();   ...   gena.publish({ Var: value });   ...   await ssdp.stop(); gena.close(); await http.close();
 *
 * A control point (sketch):
 *   const search = new SsdpSearcher({ iface });  await search.start();
 *   search.on('alive', async (ad) => { const doc = parseDeviceDescription((await httpRequest(ad.location, { requireIpLiteral: true })).body); ... });
 *   await search.search(serviceType);
 *   await soapCall(resolveDescriptionUrl(doc, svc.controlURL, ad.location), serviceType, 'Action', { NewArg: '...' });
 *   const events = new GenaSubscriber({ address: iface.address });  await events.start();
 *   await events.subscribe(resolveDescriptionUrl(doc, svc.eventSubURL, ad.location), { onEvent: (props, info) => ... });
 */
export * from './xml.js';
export * from './urn-type.js';
export * from './base64.js';
export * from './net-address.js';
export * from './http-server.js';
export * from './http-client.js';
export * from './description.js';
export * from './scpd.js';
export * from './soap.js';
export * from './soap-server.js';
export * from './soap-client.js';
export * from './gena-headers.js';
export * from './gena-publisher.js';
export * from './gena-subscriber.js';
export * from './ssdp-message.js';
export * from './ssdp-socket.js';
export * from './ssdp-advertiser.js';
export * from './ssdp-searcher.js';
