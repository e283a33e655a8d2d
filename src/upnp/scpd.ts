/**
 * Service Control Protocol Description (UDA 1.0 2.3) built from a declarative
 * table of actions and state variables.
 *
 * API:
 *   buildScpd(def: ScpdDefinition): string   throws ScpdError when an argument names an unknown state variable
 */
import { xmlEscape } from './xml.js';
import { WpsdError } from '../common/errors.js';

export class ScpdError extends WpsdError<'UNKNOWN_STATE_VARIABLE'> {

  constructor(message: string) {
    super('UNKNOWN_STATE_VARIABLE', message);
  }
}

export interface ScpdArgument {
  name: string;
  direction: 'in' | 'out';
  relatedStateVariable: string;
}

export interface ScpdAction {
  name: string;
  arguments: ScpdArgument[];
}

export interface ScpdStateVariable {
  name: string;
  /** UDA data type: string, bin.base64, ui1, ui2, ui4, i4, boolean, ... */
  dataType: string;
  /** Evented (sendEvents="yes"). */
  sendEvents: boolean;
  allowedValues?: string[];
  defaultValue?: string;
}

export interface ScpdDefinition {
  actions: ScpdAction[];
  stateVariables: ScpdStateVariable[];
}

export function buildScpd(def: ScpdDefinition): string {
  const known = new Set(def.stateVariables.map((v) => v.name));
  let x = '<?xml version="1.0"?>\n<scpd xmlns="urn:schemas-upnp-org:service-1-0">\n';
  x += '<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n';
  x += '<actionList>\n';
  for (const a of def.actions) {
    x += `<action>\n<name>${xmlEscape(a.name)}</name>\n`;
    if (a.arguments.length > 0) {
      x += '<argumentList>\n';
      for (const arg of a.arguments) {
        if (!known.has(arg.relatedStateVariable)) {
          throw new ScpdError(`action ${a.name}: argument ${arg.name} refers to unknown state variable ${arg.relatedStateVariable}`);
        }
        x += `<argument>\n<name>${xmlEscape(arg.name)}</name>\n<direction>${arg.direction}</direction>\n`;
        x += `<relatedStateVariable>${xmlEscape(arg.relatedStateVariable)}</relatedStateVariable>\n</argument>\n`;
      }
      x += '</argumentList>\n';
    }
    x += '</action>\n';
  }
  x += '</actionList>\n<serviceStateTable>\n';
  for (const v of def.stateVariables) {
    x += `<stateVariable sendEvents="${v.sendEvents ? 'yes' : 'no'}">\n`;
    x += `<name>${xmlEscape(v.name)}</name>\n<dataType>${xmlEscape(v.dataType)}</dataType>\n`;
    if (v.defaultValue !== undefined) x += `<defaultValue>${xmlEscape(v.defaultValue)}</defaultValue>\n`;
    if (v.allowedValues !== undefined && v.allowedValues.length > 0) {
      x += '<allowedValueList>\n';
      for (const av of v.allowedValues) x += `<allowedValue>${xmlEscape(av)}</allowedValue>\n`;
      x += '</allowedValueList>\n';
    }
    x += '</stateVariable>\n';
  }
  x += '</serviceStateTable>\n</scpd>\n';
  return x;
}
