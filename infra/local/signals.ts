/**
 * How `npm start` reads stop signals. Ctrl-C in a terminal sends SIGINT to
 * the whole foreground group — npm and node at once — and npm forwards its
 * own to node too: two SIGINTs a few milliseconds apart are one request to
 * stop gracefully. Only a signal more than `pairMs` after the first is a
 * second request ("exit now").
 */
export const signalPairMs = 1000;

export type SignalVerdict = 'stop' | 'same' | 'force';

export function signalJudge(now: () => number = Date.now, pairMs = signalPairMs): (signal: string) => SignalVerdict {
  let first: number | undefined;
  return () => {
    const at = now();
    if (first === undefined) {
      first = at;
      return 'stop';
    }
    return at - first <= pairMs ? 'same' : 'force';
  };
}
