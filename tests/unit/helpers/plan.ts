import { parsePlan, type Plan, type PlanInput } from '../../../shared/schemas/plan';

/** A plan as the planner starts one (medial opening-wedge HTO aimed at Fujisawa's point, WBL 62.5 %), the schema's defaults for the rest; overrides change any field. */
export function testPlan(overrides: Partial<PlanInput> = {}): Plan {
  return parsePlan({ schemaVersion: 1, name: 'test', procedure: 'hto-medial-opening', target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' }, ...overrides });
}
