// The model views: the network, what it has learned, and tools to probe it.
export function ModelPanel() {
  return null;
}
