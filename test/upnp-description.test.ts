import { describe, expect, it } from 'vitest';
import {
  DescriptionError,
  ScpdError,
  buildDeviceDescription,
  buildScpd,
  findService,
  parseDeviceDescription,
  resolveDescriptionUrl,
  type DeviceDescription,
} from '../src/upnp/index.js';

const DOC: DeviceDescription = {
  deviceType: 'urn:schemas-example-org:device:Box:1',
  friendlyName: 'Box <"kitchen"> & more',
  manufacturer: "O'Maker",
  manufacturerURL: 'http://example.org/',
  modelDescription: 'A box',
  modelName: 'Box',
  modelNumber: '1.0',
  modelURL: 'http://example.org/box',
  serialNumber: '12345',
  UDN: 'uuid:2c3d4e5f-0000-1111-2222-333344445555',
  UPC: '012345678905',
  serviceList: [
    {
      serviceType: 'urn:schemas-example-org:service:Thing:1',
      serviceId: 'urn:example-org:serviceId:Thing1',
      SCPDURL: 'thing.xml',
      controlURL: 'thing/control',
      eventSubURL: 'thing/event',
    },
  ],
};

describe('root device description', () => {
  it('round-trips every field, escaping text, in UDA 1.0 form', () => {
    const xml = buildDeviceDescription(DOC);
    expect(xml).toContain('<root xmlns="urn:schemas-upnp-org:device-1-0">');
    expect(xml).toContain('<specVersion>\n<major>1</major>\n<minor>0</minor>');
    expect(xml).toContain('<friendlyName>Box &lt;&quot;kitchen&quot;&gt; &amp; more</friendlyName>');
    expect(parseDeviceDescription(xml)).toEqual(DOC);
    const withBase = { ...DOC, URLBase: 'http://127.0.0.1:49152/' };
    expect(parseDeviceDescription(buildDeviceDescription(withBase))).toEqual(withBase);
  });

  it('refuses malformed XML, a missing UDN, an incomplete service and oversized documents with DescriptionError', () => {
    const codeOf = (xml: string, max?: number): string => {
      try {
        parseDeviceDescription(xml, max === undefined ? {} : { maxBytes: max });
        return 'none';
      } catch (e) {
        expect(e).toBeInstanceOf(DescriptionError);
        return (e as DescriptionError).code;
      }
    };
    const xml = buildDeviceDescription(DOC);
    expect(codeOf(xml.slice(0, xml.length - 20))).toBe('MALFORMED');
    expect(codeOf(xml.replace(/<UDN>.*<\/UDN>\n/, ''))).toBe('MISSING_FIELD');
    expect(codeOf(xml.replace(/<controlURL>.*<\/controlURL>\n/, ''))).toBe('MISSING_FIELD');
    expect(codeOf(xml.replace('uuid:', 'uid:'))).toBe('INVALID_FIELD');
    expect(codeOf(xml, 100)).toBe('TOO_LARGE');
    expect(codeOf('<html><body>not upnp</body></html>')).toBe('MALFORMED');
    expect(codeOf('<!DOCTYPE root [<!ENTITY x "y">]>' + xml.replace('<?xml version="1.0"?>\n', ''))).toBe('MALFORMED');
    expect(codeOf('')).toBe('MALFORMED');
  });

  it('resolves service URLs against URLBase, else against the location, and finds services by type and version', () => {
    const svc = findService(DOC, 'urn:schemas-example-org:service:Thing:1');
    expect(svc?.controlURL).toBe('thing/control');
    expect(resolveDescriptionUrl(DOC, 'thing/control', 'http://127.0.0.1:5000/dev/desc.xml')).toBe('http://127.0.0.1:5000/dev/thing/control');
    expect(resolveDescriptionUrl({ ...DOC, URLBase: 'http://127.0.0.2:80/' }, '/c', 'http://127.0.0.1:5000/d.xml')).toBe('http://127.0.0.2/c');
    expect(() => resolveDescriptionUrl(DOC, 'file:///etc/passwd', 'http://127.0.0.1/')).toThrow(DescriptionError);
    expect(findService(DOC, 'urn:schemas-example-org:service:Other:1')).toBeUndefined();
    expect(findService(DOC, 'urn:schemas-example-org:service:Thing:2')).toBeUndefined();
  });
});

describe('SCPD builder', () => {
  it('lists actions with arguments and evented state variables from the table', () => {
    const xml = buildScpd({
      actions: [
        { name: 'GetThing', arguments: [{ name: 'NewThing', direction: 'out', relatedStateVariable: 'Thing' }] },
        { name: 'Reset', arguments: [] },
      ],
      stateVariables: [
        { name: 'Thing', dataType: 'bin.base64', sendEvents: false },
        { name: 'Mode', dataType: 'string', sendEvents: true, allowedValues: ['a', 'b<'], defaultValue: 'a' },
      ],
    });
    expect(xml).toContain('<scpd xmlns="urn:schemas-upnp-org:service-1-0">');
    expect(xml).toContain('<argument>\n<name>NewThing</name>\n<direction>out</direction>\n<relatedStateVariable>Thing</relatedStateVariable>\n</argument>');
    expect(xml).toContain('<action>\n<name>Reset</name>\n</action>');
    expect(xml).toContain('<stateVariable sendEvents="yes">\n<name>Mode</name>');
    expect(xml).toContain('<allowedValue>b&lt;</allowedValue>');
  });

  it('refuses an argument bound to an unknown state variable', () => {
    expect(() =>
      buildScpd({ actions: [{ name: 'A', arguments: [{ name: 'X', direction: 'in', relatedStateVariable: 'Nope' }] }], stateVariables: [] }),
    ).toThrow(ScpdError);
  });
});
