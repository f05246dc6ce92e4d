/**
 * The scale bench's cost model of one figure against the host count: a
 * least-squares line, whether the figure grows faster than linearly over the
 * largest sizes, and what each fit gives at sizes beyond those measured.
 */

/** A measured value `y` at `x` hosts. */
export interface Point {
  x: number;
  y: number;
}

/** `intercept + slope * x`. */
export interface Line {
  intercept: number;
  slope: number;
}

/** `a + b * x + c * x²`. */
export interface Quadratic {
  a: number;
  b: number;
  c: number;
}

/** The least-squares line through the points; it needs two different sizes. */
export function linearFit(points: Point[]): Line {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const spread = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  if (!(spread > 0)) throw new Error("a line needs at least two different sizes");
  const slope = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) / spread;
  return { intercept: meanY - slope * meanX, slope };
}

/** The line's value at `x`. */
export function lineAt(line: Line, x: number): number {
  return line.intercept + line.slope * x;
}

/** The 3×3 determinant, rows first. */
function det3(m: number[][]): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}

/**
 * The least-squares parabola through the points, from its normal equations
 * (Cramer's rule: three unknowns); it needs three different sizes. The sizes
 * are tens of hosts, so their fourth powers keep the equations well within a
 * double's precision.
 */
export function quadraticFit(points: Point[]): Quadratic {
  const s = (k: number) => points.reduce((sum, p) => sum + p.x ** k, 0);
  const t = (k: number) => points.reduce((sum, p) => sum + p.x ** k * p.y, 0);
  const m = [
    [s(0), s(1), s(2)],
    [s(1), s(2), s(3)],
    [s(2), s(3), s(4)],
  ];
  const rhs = [t(0), t(1), t(2)];
  const d = det3(m);
  if (new Set(points.map((p) => p.x)).size < 3 || d === 0) throw new Error("a parabola needs at least three different sizes");
  const withColumn = (col: number) => m.map((row, i) => row.map((v, j) => (j === col ? rhs[i] : v)));
  return { a: det3(withColumn(0)) / d, b: det3(withColumn(1)) / d, c: det3(withColumn(2)) / d };
}

/** The parabola's value at `x`. */
export function quadraticAt(q: Quadratic, x: number): number {
  return q.a + q.b * x + q.c * x * x;
}

/** How far the slope over the largest sizes may exceed the slope below them before a figure counts as growing faster than linearly. */
export const fasterFactor = 1.25;

/** The slopes over the three largest sizes, and the verdict they give. */
export interface Growth {
  /** The three largest sizes: 7, 15 and 25 hosts in the scale bench. */
  sizes: [number, number, number];
  /** The slope from the first of them to the second, and from the second to the third. */
  slopes: [number, number];
  /** Whether the figure grows faster than linearly over them. */
  faster: boolean;
}

/**
 * The verdict: a figure grows faster than linearly when its slope from the
 * second largest size to the largest (15 to 25 hosts) is positive and more
 * than `fasterFactor` times its slope from the third largest to the second
 * (7 to 15). The smaller sizes are left out: in the scale bench the
 * smallest is all managers, a mix unlike the others'. A figure flat or falling
 * from 7 to 15 that rises from 15 to 25 counts as faster: the verdict errs
 * towards showing the quadratic extrapolation too.
 */
export function growth(points: Point[]): Growth {
  const sorted = [...points].sort((p, q) => p.x - q.x);
  if (new Set(sorted.map((p) => p.x)).size !== sorted.length || sorted.length < 3) throw new Error("the verdict needs three different sizes");
  const [p, q, r] = sorted.slice(-3);
  const low = (q.y - p.y) / (q.x - p.x);
  const high = (r.y - q.y) / (r.x - q.x);
  return { sizes: [p.x, q.x, r.x], slopes: [low, high], faster: high > 0 && high > fasterFactor * low };
}

/** What the fits give at a size beyond those measured. */
export interface Extrapolation {
  hosts: number;
  line: number;
  /** Only where the figure grows faster than linearly. */
  quadratic?: number;
}

/** One figure's model: its line, its verdict, its parabola where it grows faster than linearly, and both at the sizes asked. */
export interface FigureModel {
  line: Line;
  growth: Growth;
  quadratic?: Quadratic;
  at: Extrapolation[];
}

/** The model of a figure measured at `points`, extrapolated to each of `sizes`. */
export function figureModel(points: Point[], sizes: number[]): FigureModel {
  const line = linearFit(points);
  const verdict = growth(points);
  const quadratic = verdict.faster ? quadraticFit(points) : undefined;
  const at = sizes.map((hosts) => ({ hosts, line: lineAt(line, hosts), ...(quadratic && { quadratic: quadraticAt(quadratic, hosts) }) }));
  return { line, growth: verdict, ...(quadratic && { quadratic }), at };
}

/**
 * What the model expects at `hosts`: the parabola's value where the figure
 * grows faster than linearly, else the line's.
 */
export function expected(model: FigureModel, hosts: number): number {
  return model.quadratic ? quadraticAt(model.quadratic, hosts) : lineAt(model.line, hosts);
}
