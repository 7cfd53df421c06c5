/**
 * Ways to buy one model's inference, reduced to one shape so any pair can be compared: a price per request
 * plus a price per capacity unit (a provisioned model unit, an instance), with a minimum number of units
 * and the requests one unit carries per month. Monthly cost at r requests:
 *   cost(r) = perRequestUsd × r + max(minUnits, ceil(r / requestsPerUnit)) × unitMonthlyUsd
 */
export interface BuyingOption {
  kind: 'on-demand' | 'provisioned' | 'self-hosted';
  label: string;
  perRequestUsd: number;
  unitMonthlyUsd: number;
  minUnits: number;
  /** Requests per month one unit carries at the environment's peak factor; Infinity when unbounded. */
  requestsPerUnit: number;
  unitName: string;
  assumptions: string[];
}

export function unitsAt(option: BuyingOption, requestsPerMonth: number): number {
  if (option.unitMonthlyUsd === 0 && option.minUnits === 0) return 0;
  const needed = Number.isFinite(option.requestsPerUnit)
    ? Math.ceil(requestsPerMonth / option.requestsPerUnit)
    : requestsPerMonth > 0
      ? 1
      : 0;
  return Math.max(option.minUnits, needed);
}

export function optionCost(option: BuyingOption, requestsPerMonth: number): number {
  return option.perRequestUsd * requestsPerMonth + unitsAt(option, requestsPerMonth) * option.unitMonthlyUsd;
}

export interface BreakEven {
  a: BuyingOption['kind'];
  b: BuyingOption['kind'];
  /** Requests per month where the cheaper option changes; null when it does not within `searchedUpTo`. */
  requestsPerMonth: number | null;
  cheaperBelow: BuyingOption['kind'];
  cheaperAbove: BuyingOption['kind'] | null;
  searchedUpTo: number;
}

/** Unit-count changes of an option up to `limit`: capacity steps at multiples of requestsPerUnit. */
function steps(option: BuyingOption, limit: number, maxSteps: number): number[] {
  if (!Number.isFinite(option.requestsPerUnit) || option.unitMonthlyUsd === 0) return [];
  const points: number[] = [];
  for (let k = Math.max(1, option.minUnits); k * option.requestsPerUnit < limit && points.length < maxSteps; k++) {
    points.push(k * option.requestsPerUnit);
  }
  return points;
}

/**
 * The smallest traffic at which the cheaper of two options changes. Between capacity steps both costs
 * are linear, so each interval is solved exactly; a change at a step is reported at that step.
 */
export function breakEven(a: BuyingOption, b: BuyingOption, searchUpTo: number, maxSteps = 20_000): BreakEven {
  const gap = (r: number) => optionCost(a, r) - optionCost(b, r);
  const points = [...new Set([...steps(a, searchUpTo, maxSteps), ...steps(b, searchUpTo, maxSteps), searchUpTo])].sort(
    (x, y) => x - y,
  );
  const start = Math.min(1e-6, points[0]! / 2);
  let initial = Math.sign(gap(start));
  if (initial === 0) initial = Math.sign(a.perRequestUsd - b.perRequestUsd);
  const cheaperBelow = initial <= 0 ? a.kind : b.kind;
  const other = cheaperBelow === a.kind ? b.kind : a.kind;
  let lo = 0;
  for (const hi of points) {
    const gHi = gap(hi);
    if (initial !== 0 && Math.sign(gHi) !== initial && gHi !== 0) {
      // Units are constant on (lo, hi]: the gap is slope × r + constant there.
      const slope = a.perRequestUsd - b.perRequestUsd;
      const constant = gHi - slope * hi;
      const root = slope === 0 ? lo : -constant / slope;
      const at = root > lo && root <= hi ? root : lo;
      return {
        a: a.kind,
        b: b.kind,
        requestsPerMonth: at,
        cheaperBelow,
        cheaperAbove: other,
        searchedUpTo: searchUpTo,
      };
    }
    if (gHi === 0 && initial !== 0 && Math.sign(gap(hi * (1 + 1e-9) + 1e-9)) !== initial) {
      return {
        a: a.kind,
        b: b.kind,
        requestsPerMonth: hi,
        cheaperBelow,
        cheaperAbove: other,
        searchedUpTo: searchUpTo,
      };
    }
    lo = hi;
  }
  return { a: a.kind, b: b.kind, requestsPerMonth: null, cheaperBelow, cheaperAbove: null, searchedUpTo: searchUpTo };
}
