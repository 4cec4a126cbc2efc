// Views release their observers, timers and listeners when their `invalidation` promise resolves. A page
// cell that makes a new view for each width (Framework's resize) gives each one its own lifetime: it ends
// when the next view replaces it, or when the cell is invalidated.

/** Returns a function giving a new lifetime on each call; the previous one ends then, all end with `invalidation`. */
export function lifetimes(invalidation: Promise<unknown>): () => Promise<void> {
  let end = () => {};
  void invalidation.then(() => end());
  return () => {
    end();
    return new Promise<void>((resolve) => (end = resolve));
  };
}
