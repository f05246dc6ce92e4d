// The scale bench's cost model: the fits of a figure against the host count,
// the verdict on whether it grows faster than linearly, and its extrapolation.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { expected, fasterFactor, figureModel, growth, lineAt, linearFit, Point, quadraticAt, quadraticFit } from "../../bench/fit";

const sizes = [3, 7, 15, 25];
const measured = (f: (x: number) => number): Point[] => sizes.map((x) => ({ x, y: f(x) }));
const close = (actual: number, wanted: number, what: string) => assert.ok(Math.abs(actual - wanted) < 1e-9 * Math.max(1, Math.abs(wanted)), `${what}: ${actual}, not ${wanted}`);

describe("bench cost model", () => {
  it("fits the least-squares line", () => {
    const line = linearFit(measured((x) => 2 + 0.5 * x));
    close(line.intercept, 2, "intercept");
    close(line.slope, 0.5, "slope");
    // 5, 7, 10 s at 3, 5, 7 hosts: 1.25 s a host, as the bench's perHost reads it.
    const noisy = linearFit([{ x: 3, y: 5 }, { x: 5, y: 7 }, { x: 7, y: 10 }]);
    close(noisy.slope, 1.25, "slope");
    close(lineAt(noisy, 5), 22 / 3, "the line passes through the means");
    assert.throws(() => linearFit([{ x: 3, y: 1 }, { x: 3, y: 2 }]), /two different sizes/);
  });

  it("fits the least-squares parabola, exactly through points that lie on one", () => {
    const q = quadraticFit(measured((x) => 1 + 2 * x + 0.05 * x * x));
    close(q.a, 1, "a");
    close(q.b, 2, "b");
    close(q.c, 0.05, "c");
    close(quadraticAt(q, 100), 1 + 200 + 500, "at 100 hosts");
    // On a line, the parabola is the line.
    const flat = quadraticFit(measured((x) => 4 + 3 * x));
    close(flat.c + 1, 1, "no curvature");
    assert.throws(() => quadraticFit([{ x: 3, y: 1 }, { x: 7, y: 2 }, { x: 7, y: 3 }]), /three different sizes/);
  });

  it("says linear when the slope from 15 to 25 hosts stays within 1.25 times the slope from 7 to 15", () => {
    assert.equal(fasterFactor, 1.25);
    const linear = growth(measured((x) => 2 + 0.5 * x));
    assert.deepEqual(linear.sizes, [7, 15, 25]);
    close(linear.slopes[0], 0.5, "7 to 15");
    close(linear.slopes[1], 0.5, "15 to 25");
    assert.equal(linear.faster, false);
    // 8 from 7 to 15 (1 a host), 12 from 15 to 25 (1.2 a host): 1.2 times, within.
    assert.equal(growth([{ x: 3, y: 0 }, { x: 7, y: 10 }, { x: 15, y: 18 }, { x: 25, y: 30 }]).faster, false);
    // 13 from 15 to 25 (1.3 a host): beyond.
    assert.equal(growth([{ x: 3, y: 0 }, { x: 7, y: 10 }, { x: 15, y: 18 }, { x: 25, y: 31 }]).faster, true);
  });

  it("says faster for a figure that grows with the square of the hosts, whatever the smallest size did", () => {
    const square = growth(measured((x) => x * x));
    close(square.slopes[0], 22, "7 to 15");
    close(square.slopes[1], 40, "15 to 25");
    assert.equal(square.faster, true);
    assert.equal(growth([{ x: 3, y: 1000 }, ...measured((x) => x * x).slice(1)]).faster, true, "3 hosts do not count");
  });

  it("counts a figure that starts to rise only past 15 hosts as faster, and one that falls as not", () => {
    assert.equal(growth([{ x: 3, y: 2 }, { x: 7, y: 2 }, { x: 15, y: 2 }, { x: 25, y: 3 }]).faster, true);
    assert.equal(growth([{ x: 3, y: 2 }, { x: 7, y: 3 }, { x: 15, y: 2 }, { x: 25, y: 1.5 }]).faster, false);
    assert.equal(growth(measured(() => 5)).faster, false, "a constant");
  });

  it("extrapolates the line, and the parabola too where the figure grows faster than linearly", () => {
    const linear = figureModel(measured((x) => 2 + 0.5 * x), [50, 100]);
    assert.equal(linear.quadratic, undefined);
    assert.deepEqual(linear.at.map((e) => Object.keys(e)), [["hosts", "line"], ["hosts", "line"]]);
    close(linear.at[1].line, 52, "the line at 100");
    close(expected(linear, 100), 52, "expected at 100: the line's");

    const square = figureModel(measured((x) => 10 + x * x), [50, 100]);
    assert.ok(square.quadratic);
    assert.deepEqual(square.at.map((e) => e.hosts), [50, 100]);
    close(square.at[0].quadratic ?? NaN, 2510, "the parabola at 50");
    close(square.at[1].quadratic ?? NaN, 10010, "the parabola at 100");
    assert.ok(square.at[1].line < 10010 / 2, "the line falls far short of the square");
    close(expected(square, 100), 10010, "expected at 100: the parabola's");
  });
});
