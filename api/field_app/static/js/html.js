// Components are plain functions of their props, written with htm's tagged templates
// (no build step). The app keeps no global state: each screen reads the store.

import htm from "../vendor/htm.js";
import { h, render } from "../vendor/preact.js";
import { useEffect, useMemo, useRef, useState } from "../vendor/hooks.js";

export const html = htm.bind(h);
export { render, useEffect, useMemo, useRef, useState };

// The value ``load(store)`` gives, read again after every write to the store.
export function useStored(store, load, deps = []) {
  const [value, setValue] = useState(undefined);
  useEffect(() => {
    let current = true;
    const read = () =>
      load(store).then(
        (result) => current && setValue(result),
        (error) => current && console.error(error),
      );
    read();
    const unsubscribe = store.subscribe(read);
    return () => {
      current = false;
      unsubscribe();
    };
  }, [store, ...deps]);
  return value;
}
