// Components are plain functions of their props, written with htm's tagged templates
// (no build step). The app keeps no global state: each screen reads the store.

import htm from "../vendor/htm.js";
import { h, render } from "../vendor/preact.js";
import { useEffect, useMemo, useRef, useState } from "../vendor/hooks.js";

export const html = htm.bind(h);
export { render, useEffect, useMemo, useRef, useState };

// The value ``load(store)`` gives, read again after writes to the store: once more after
// the read in progress, however many writes came meanwhile (the sender writes often).
export function useStored(store, load, deps = []) {
  const [value, setValue] = useState(undefined);
  useEffect(() => {
    let current = true;
    let reading = false;
    let again = false;
    const read = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const result = await load(store);
          if (current) setValue(result);
        } while (again && current);
      } catch (error) {
        if (current) console.error(error);
      } finally {
        reading = false;
      }
    };
    read();
    const unsubscribe = store.subscribe(read);
    return () => {
      current = false;
      unsubscribe();
    };
  }, [store, ...deps]);
  return value;
}
