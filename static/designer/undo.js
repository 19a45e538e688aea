// OneWeb designer: a bounded undo/redo stack of snapshots (serialised definitions).
// The editor pushes a snapshot after every change; undo and redo hand one back.

export class UndoStack {
  constructor(limit = 100) {
    this.limit = limit;
    this.past = [];
    this.future = [];
    this.current = null;
  }

  reset(snapshot) {
    this.past = [];
    this.future = [];
    this.current = snapshot;
  }

  push(snapshot) {
    if (snapshot === this.current) return;
    if (this.current !== null) this.past.push(this.current);
    if (this.past.length > this.limit) this.past.shift();
    this.current = snapshot;
    this.future = [];
  }

  canUndo() { return this.past.length > 0; }
  canRedo() { return this.future.length > 0; }

  undo() {
    this.future.push(this.current);
    this.current = this.past.pop();
    return this.current;
  }

  redo() {
    this.past.push(this.current);
    this.current = this.future.pop();
    return this.current;
  }
}
