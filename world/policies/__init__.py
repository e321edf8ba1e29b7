"""Public policy services as pure data and arithmetic (no I/O, no clocks).

- ``fields``: the profile fields a rule may name (the schema rules are checked against);
- ``rules``: eligibility as data: conditions combined with all / any / not;
- ``benefits``: the closed set of benefit types (percent of a base with a cap, fixed,
  tiered by a field) and their arithmetic, each step shown;
- ``evaluate``: the three-valued evaluator (met / not met / unknown, a reason per
  clause) and the verdict (eligible / possibly / not);
- ``versions``: a policy version (texts, dates, materials, rules, benefit, topics) and
  its checks (contradictory dates, a percent benefit without a cap, ...);
- ``applications``: the application workflow's state table.

docs/policies.md describes the model.
"""
