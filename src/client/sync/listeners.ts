/** A set of callbacks: `add` returns the function that removes it again, `emit` calls each with the same arguments. */
export class Listeners<Args extends unknown[] = []> {
  private readonly set = new Set<(...args: Args) => void>();

  add = (listener: (...args: Args) => void): (() => void) => {
    this.set.add(listener);
    return () => this.set.delete(listener);
  };

  emit(...args: Args): void {
    for (const listener of this.set) listener(...args);
  }
}
