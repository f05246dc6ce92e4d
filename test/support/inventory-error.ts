import assert from "node:assert/strict";
import { InventoryError } from "../../hosts/inventory";

/** The InventoryError that `fn` throws; fails the test if it throws another or none. */
export function errorOf(fn: () => unknown): InventoryError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected an InventoryError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected an InventoryError, but loading succeeded");
}
