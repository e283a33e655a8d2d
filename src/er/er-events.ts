/**
 * What the External Registrar tells its observers, as typed events: APs and
 * Enrollees coming and going, AP settings learned, SetSelectedRegistrar
 * progress, and each protocol run from its start to its end with the
 * result. wpa_supplicant's WPS-ER-* / WPS-SUCCESS / WPS-FAIL lines are one
 * subscriber of these (event-lines.ts); the lab and its console are others.
 *
 * Payloads are read-only views of the ER's own records, valid when the
 * event fires (an AP or Enrollee view keeps changing afterwards). A
 * listener may see 'ap-add' and 'enrollee-add' again for what it knows
 * already (WPS_ER_START while running shows everything again).
 */
import type { Logger } from '../common/log.js';
import type { Credential } from '../wps/credential.js';
import type { FailEvent } from '../wps/events.js';
import type { ErApView } from './ap-record.js';
import type { ErEnrolleeView } from './enrollee-table.js';

/** learn / config: with an AP's Enrollee over SOAP; pin / pbc: with a wireless Enrollee the AP proxies. */
export type ErRunKind = 'learn' | 'config' | 'pin' | 'pbc';

/** aborted: the AP or Enrollee went away, or a new M1 started over, before the run ended. */
export type ErRunResult = 'success' | 'failure' | 'aborted';

export interface ErRunView {
  /** Counts up from 1 over the ER's life. */
  readonly id: number;
  readonly kind: ErRunKind;
  readonly ap: ErApView;
  /** The wireless Enrollee of a pin / pbc run. */
  readonly enrollee?: ErEnrolleeView;
  /** ms on the ER's clock. */
  readonly startedAt: number;
}

/** The numbers of a WPS-FAIL line. */
export type ErFail = Pick<FailEvent, 'msg' | 'configError' | 'errorIndication'>;

export type ErSelectionState = 'START' | 'DONE' | 'FAILED';

export interface ErEventMap {
  /** The AP's setup finished (WPS-ER-AP-ADD). */
  'ap-add': { ap: ErApView };
  /** WPS-ER-AP-REMOVE; its Enrollees went first. */
  'ap-remove': { ap: ErApView };
  /** A learn run received the AP's settings (WPS-ER-AP-SETTINGS). */
  'ap-settings': { ap: ErApView; settings: Credential };
  /** A new Enrollee entry, or an M1 from a known one (WPS-ER-ENROLLEE-ADD). */
  'enrollee-add': { ap: ErApView; enrollee: ErEnrolleeView };
  'enrollee-remove': { ap: ErApView; enrollee: ErEnrolleeView };
  /** A SetSelectedRegistrar to one AP: sent (START), answered (DONE) or not (FAILED) (WPS-ER-AP-SET-SEL-REG). */
  'selection': { ap: ErApView; state: ErSelectionState; selected: boolean; devicePasswordId: number; configMethods: number };
  'run-start': { run: ErRunView };
  /** A run failed at the protocol level (WPS-FAIL); 'run-end' follows. */
  'wps-fail': { run: ErRunView; fail: ErFail };
  /** WPS-SUCCESS; 'run-end' follows. */
  'wps-success': { run: ErRunView };
  /** `fail`: the last WPS-FAIL of the run, if any. */
  'run-end': { run: ErRunView; result: ErRunResult; fail?: ErFail };
}

export type ErEventName = keyof ErEventMap;
export type ErListener<K extends ErEventName> = (ev: ErEventMap[K]) => void;

/** Anything that publishes the ER's events (the ER; stubs in tests). */
export interface ErEventSource {
  /** Returns the function that unsubscribes. */
  on<K extends ErEventName>(name: K, listener: ErListener<K>): () => void;
}

/**
 * The ER's event hub. A listener that throws is logged and the others still
 * run: an observer never breaks the ER.
 */
export class ErEvents implements ErEventSource {
  private readonly listeners = new Map<ErEventName, Set<ErListener<never>>>();

  constructor(private readonly log: Logger) {}

  on<K extends ErEventName>(name: K, listener: ErListener<K>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    const l = listener as ErListener<never>;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  emit<K extends ErEventName>(name: K, ev: ErEventMap[K]): void {
    const set = this.listeners.get(name);
    if (set === undefined) return;
    for (const l of [...set]) {
      try {
        (l as ErListener<K>)(ev);
      } catch (e) {
        this.log.warn(`WPS ER: ${name} listener failed: ${(e as Error).message}`);
      }
    }
  }
}
